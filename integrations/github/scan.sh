#!/usr/bin/env bash
# The scan step of the vigil GitHub Action (action.yml): works out the mode and
# the commit range from the event, runs vigil, writes the SARIF file, a job
# summary and the step outputs. Runs the same on a laptop with the variables
# GitHub sets (see tests/integrations/github_action_test.sh).
#
# Inputs (environment; all optional):
#   VIGIL_BIN        the vigil binary (default: vigil from PATH)
#   INPUT_PATH       what to scan, relative to the workspace (default: .)
#   INPUT_MODE       auto | working-tree | history | diff (default: auto: diff
#                    when the event names a base and head, else working-tree)
#   INPUT_BASE, INPUT_HEAD   diff mode: the range BASE..HEAD (default: from the
#                    event: pull_request base.sha/head.sha, push before/after,
#                    merge_group base_sha/head_sha; HEAD when no head)
#   INPUT_FAIL_ON    info|low|medium|high|critical, or none (never fail); default low
#   INPUT_CONFIG     a .vigil.yaml; INPUT_BASELINE  a baseline file
#   INPUT_SARIF      the SARIF file to write (default: vigil-results.sarif)
#   INPUT_SUMMARY    true|false: markdown job summary (default true)
#   INPUT_ANNOTATIONS  true|false: also print workflow-command annotations (default false)
#   INPUT_ARGS       extra arguments for vigil scan (split on spaces)
#   INPUT_FETCH      true|false: fetch missing commits of the range from origin (default true)
# GitHub: GITHUB_WORKSPACE, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT,
#   GITHUB_STEP_SUMMARY.
# Outputs: findings (unsuppressed findings), sarif (path), exit-code, mode, range.
# Exit: vigil's exit code (0 clean, 1 findings at or above fail-on, 2 error);
#   with fail-on none, 0 unless vigil failed (2).
set -uo pipefail

vigil=${VIGIL_BIN:-vigil}
cd "${GITHUB_WORKSPACE:-.}" || exit 2
path=${INPUT_PATH:-.}
mode=${INPUT_MODE:-auto}
fail_on=${INPUT_FAIL_ON:-low}
sarif=${INPUT_SARIF:-vigil-results.sarif}
base=${INPUT_BASE:-}
head=${INPUT_HEAD:-}

err() { echo "::error title=vigil::$*"; }
out() { if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi; }

# Base and head from the event payload.
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
  read -r ev_base ev_head < <(python3 - "$GITHUB_EVENT_PATH" "${GITHUB_EVENT_NAME:-}" <<'PY'
import json, sys
try:
    ev = json.load(open(sys.argv[1]))
except Exception:
    ev = {}
name = sys.argv[2]
base = head = ""
pr = ev.get("pull_request") or {}
if pr:
    base = (pr.get("base") or {}).get("sha", "") or ""
    head = (pr.get("head") or {}).get("sha", "") or ""
elif ev.get("merge_group"):
    base = ev["merge_group"].get("base_sha", "") or ""
    head = ev["merge_group"].get("head_sha", "") or ""
elif name == "push" or ("before" in ev and "after" in ev):
    base = ev.get("before", "") or ""
    head = ev.get("after", "") or ""
if set(base) <= {"0"}:  # a new branch: no base
    base = ""
if set(head) <= {"0"}:
    head = ""
print(base or "-", head or "-")
PY
  )
  [ "${ev_base:--}" = - ] && ev_base=
  [ "${ev_head:--}" = - ] && ev_head=
  base=${base:-$ev_base}
  head=${head:-$ev_head}
fi

case "$mode" in
  auto) if [ -n "$base" ]; then mode=diff; else mode=working-tree; fi ;;
  working-tree|history|diff) ;;
  *) err "unknown mode '$mode' (working-tree, history, diff)"; exit 2 ;;
esac

range=
args=(scan)
case "$mode" in
  working-tree) args+=("$path") ;;
  history) args+=(--history "$path") ;;
  diff)
    if [ -z "$base" ]; then
      err "mode diff needs a base commit: set the base input or run on a pull_request event"
      exit 2
    fi
    head=${head:-HEAD}
    # actions/checkout fetches one commit by default: get the range's commits.
    if ! git -C "$path" cat-file -e "$base^{commit}" 2>/dev/null ||
       ! git -C "$path" cat-file -e "$head^{commit}" 2>/dev/null ||
       [ "$(git -C "$path" rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
      if [ "${INPUT_FETCH:-true}" = true ]; then
        echo "vigil: fetching the history of $base..$head (use fetch-depth: 0 to skip this)"
        if [ "$(git -C "$path" rev-parse --is-shallow-repository 2>/dev/null)" = true ]; then
          git -C "$path" fetch --no-tags --quiet --unshallow origin || true
        fi
        for c in "$base" "$head"; do
          git -C "$path" cat-file -e "$c^{commit}" 2>/dev/null || git -C "$path" fetch --no-tags --quiet origin "$c" || true
        done
      fi
      for c in "$base" "$head"; do
        if ! git -C "$path" cat-file -e "$c^{commit}" 2>/dev/null; then
          err "commit $c is not in the repository (check out with fetch-depth: 0)"
          exit 2
        fi
      done
    fi
    range="$base..$head"
    args+=(--range "$range" "$path")
    ;;
esac

never_fail=false
if [ "$fail_on" = none ] || [ "$fail_on" = never ]; then never_fail=true; fail_on=low; fi
args+=(--fail-on "$fail_on")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
if [ -n "${INPUT_ARGS:-}" ]; then read -r -a extra <<<"$INPUT_ARGS"; args+=("${extra[@]}"); fi

# The report goes to a temporary file first and into the workspace last, so
# the summary's scan does not read the SARIF file of the first one.
tmp_sarif=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vigil-sarif.XXXXXX")
trap 'rm -f "$tmp_sarif"' EXIT
echo "vigil: $vigil ${args[*]} --format sarif --output $sarif"
"$vigil" "${args[@]}" --format sarif --output "$tmp_sarif" --quiet
rc=$?

findings=0
if [ -s "$tmp_sarif" ]; then
  findings=$(python3 - "$tmp_sarif" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
n = 0
for run in doc.get("runs", []):
    for r in run.get("results", []):
        if not r.get("suppressions"):
            n += 1
print(n)
PY
  ) || findings=0
fi

out findings "$findings"
out sarif "$sarif"
out exit-code "$rc"
out mode "$mode"
out range "$range"

if [ "$rc" -ge 2 ]; then
  err "the scan failed (exit $rc)"
fi

if [ "${INPUT_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ "$rc" -lt 2 ]; then
  {
    echo "### vigil: ${findings} finding$([ "$findings" = 1 ] || echo s) (${mode}${range:+ $range})"
    echo
    "$vigil" "${args[@]}" --format markdown --quiet
    echo
  } >>"$GITHUB_STEP_SUMMARY"
fi

if [ "${INPUT_ANNOTATIONS:-false}" = true ] && [ "$rc" -lt 2 ]; then
  "$vigil" "${args[@]}" --format github --quiet || true
fi

if [ -s "$tmp_sarif" ]; then
  mkdir -p "$(dirname "$sarif")"
  cp "$tmp_sarif" "$sarif"
fi

if [ "$rc" -eq 1 ]; then
  if $never_fail; then
    echo "vigil: $findings findings (fail-on: none)"
    exit 0
  fi
  echo "::error title=vigil::$findings finding(s) at or above $fail_on; see the job summary and $sarif"
fi
exit "$rc"
