#!/usr/bin/env bash
# The scan step of integrations/azure-pipelines/vigil.yml. In a pull-request
# build (System.PullRequest.TargetBranch set) it scans only what the PR's
# commits added: --range origin/<target>..HEAD; otherwise the working tree.
# Writes $BUILD_ARTIFACTSTAGINGDIRECTORY/CodeAnalysisLogs/vigil.sarif (the
# SARIF Scans Tab convention), logs each finding as a pipeline error (redacted:
# the SARIF never holds a secret), attaches a markdown summary, sets the
# variable VIGIL_FINDINGS, and exits with vigil's exit code so that findings
# fail the build.
#
# Environment:
#   VIGIL_BIN       the vigil binary (default: vigil from PATH)
#   VIGIL_SCAN_DIR  the repository (default: $BUILD_SOURCESDIRECTORY)
#   VIGIL_MODE      auto | pr | working-tree | history (default auto)
#   VIGIL_FAIL_ON   info|low|medium|high|critical, or none (default low)
#   VIGIL_CONFIG, VIGIL_BASELINE, VIGIL_EXTRA_ARGS
#   VIGIL_FETCH     true|false: fetch the target branch when missing (default true)
# Azure: SYSTEM_PULLREQUEST_TARGETBRANCH, BUILD_SOURCESDIRECTORY,
#   BUILD_ARTIFACTSTAGINGDIRECTORY.
set -uo pipefail

vigil=${VIGIL_BIN:-vigil}
case "$vigil" in '$('*) vigil=vigil ;; esac   # an unexpanded $(VIGIL_BIN)
repo=${VIGIL_SCAN_DIR:-${BUILD_SOURCESDIRECTORY:-.}}
staging=${BUILD_ARTIFACTSTAGINGDIRECTORY:-$PWD}
logs="$staging/CodeAnalysisLogs"
sarif="$logs/vigil.sarif"
mode=${VIGIL_MODE:-auto}
fail_on=${VIGIL_FAIL_ON:-low}
target=${SYSTEM_PULLREQUEST_TARGETBRANCH:-}
# An unexpanded macro means "not a PR build".
case "$target" in '$('*) target= ;; esac

issue() { echo "##vso[task.logissue type=$1]$2"; }

cd "$repo" || { issue error "vigil: $repo: no such directory"; exit 2; }
mkdir -p "$logs"

case "$mode" in
  auto) if [ -n "$target" ]; then mode=pr; else mode=working-tree; fi ;;
  pr|working-tree|history) ;;
  *) issue error "vigil: unknown mode '$mode' (pr, working-tree, history)"; exit 2 ;;
esac

args=(scan)
range=
case "$mode" in
  working-tree) args+=(.) ;;
  history) args+=(--history .) ;;
  pr)
    if [ -z "$target" ]; then
      issue error "vigil: mode pr needs System.PullRequest.TargetBranch (run it in a pull-request build)"
      exit 2
    fi
    branch=${target#refs/heads/}
    base="refs/remotes/origin/$branch"
    if [ "${VIGIL_FETCH:-true}" = true ]; then
      if [ "$(git rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
        echo "vigil: unshallowing the clone (set fetchDepth: 0 on the checkout to skip this)"
        git fetch --no-tags --quiet --unshallow origin || true
      fi
      if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
        echo "vigil: fetching $branch from origin"
        git fetch --no-tags --quiet origin "+refs/heads/$branch:$base" || true
      fi
    fi
    if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
      issue error "vigil: the target branch $branch is not in the clone (origin/$branch)"
      exit 2
    fi
    range="origin/$branch..HEAD"
    args+=(--range "$range" .)
    ;;
esac

never_fail=false
if [ "$fail_on" = none ] || [ "$fail_on" = never ]; then never_fail=true; fail_on=low; fi
args+=(--fail-on "$fail_on")
[ -n "${VIGIL_CONFIG:-}" ] && args+=(--config "$VIGIL_CONFIG")
[ -n "${VIGIL_BASELINE:-}" ] && args+=(--baseline "$VIGIL_BASELINE")
if [ -n "${VIGIL_EXTRA_ARGS:-}" ]; then read -r -a extra <<<"$VIGIL_EXTRA_ARGS"; args+=("${extra[@]}"); fi

echo "vigil: $vigil ${args[*]} --format sarif --output $sarif"
"$vigil" "${args[@]}" --format sarif --output "$sarif" --quiet
rc=$?

findings=0
if [ -s "$sarif" ]; then
  # One pipeline issue per unsuppressed result; the count on the last line.
  failing=$rc
  if $never_fail; then failing=0; fi
  python3 - "$sarif" "$failing" <<'PY' >"$logs/.vigil-issues" || true
import json, sys
doc = json.load(open(sys.argv[1]))
fail = sys.argv[2] == "1"
n = 0
for run in doc.get("runs", []):
    for r in run.get("results", []):
        if r.get("suppressions"):
            continue
        n += 1
        loc = ((r.get("locations") or [{}])[0]).get("physicalLocation", {})
        uri = loc.get("artifactLocation", {}).get("uri", "")
        line = loc.get("region", {}).get("startLine", 1)
        msg = (r.get("message", {}).get("text", "") or "").replace("\n", " ").replace("\r", " ")
        kind = "error" if fail and r.get("level") == "error" else "warning"
        props = f"type={kind};sourcepath={uri};linenumber={line}"
        print(f"##vso[task.logissue {props}]{r.get('ruleId', '')}: {msg}")
print(n)
PY
  findings=$(tail -n 1 "$logs/.vigil-issues" 2>/dev/null || echo 0)
  sed '$d' "$logs/.vigil-issues" 2>/dev/null | head -n 200
  rm -f "$logs/.vigil-issues"
fi
echo "##vso[task.setvariable variable=VIGIL_FINDINGS]$findings"

if [ "$rc" -lt 2 ]; then
  summary="$staging/vigil-summary.md"
  {
    echo "## vigil: $findings finding$([ "$findings" = 1 ] || echo s) ($mode${range:+ $range})"
    echo
    "$vigil" "${args[@]}" --format markdown --quiet
  } >"$summary"
  echo "##vso[task.uploadsummary]$summary"
fi

case "$rc" in
  0) echo "vigil: no findings at or above $fail_on" ;;
  1)
    if $never_fail; then
      echo "vigil: $findings findings (failOn: none)"
      exit 0
    fi
    issue error "vigil: $findings finding(s) at or above $fail_on; the SARIF file is in the CodeAnalysisLogs artifact"
    ;;
  *) issue error "vigil: the scan failed (exit $rc)" ;;
esac
exit "$rc"
