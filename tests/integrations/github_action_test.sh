#!/usr/bin/env bash
# The GitHub Action's shell steps (integrations/github/*.sh) with the
# variables GitHub sets: a pull_request event payload (base.sha/head.sha) in a
# temporary repository, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_WORKSPACE.
source "$(dirname "$0")/lib.sh"
validate="$SRC/tests/schemas/validate_sarif.py"

repo=$TMP/ws
new_repo "$repo"
cd "$repo"
base=$(git rev-parse HEAD)
git checkout -q -b feature
echo "GITHUB_TOKEN=$TOKEN" >ci.env
echo "ok" >notes.txt
git add . && git commit -qm "add ci.env"
head=$(git rev-parse HEAD)
git checkout -q main   # the checkout is elsewhere: the range comes from the event

cat >"$TMP/event.json" <<JSON
{"action": "synchronize", "number": 7,
 "pull_request": {"number": 7, "commits": 1,
   "base": {"ref": "main", "sha": "$base"},
   "head": {"ref": "feature", "sha": "$head"}}}
JSON

run_action() {  # env assignments for scan.sh as arguments
  : >"$TMP/output"; : >"$TMP/summary"
  expect_rc "$1" "$2" env GITHUB_WORKSPACE="$repo" GITHUB_EVENT_NAME=pull_request \
    GITHUB_EVENT_PATH="$TMP/event.json" GITHUB_OUTPUT="$TMP/output" GITHUB_STEP_SUMMARY="$TMP/summary" \
    VIGIL_BIN="$VIGIL" "${@:3}" bash "$SRC/integrations/github/scan.sh"
}
output() { sed -n "s/^$1=//p" "$TMP/output" | tail -n 1; }

run_action 1 "pull_request: the secret added by the PR fails the step"
check "mode diff from the event" test "$(output mode)" = diff
check "range from base.sha/head.sha" test "$(output range)" = "$base..$head"
check "findings output" test "$(output findings)" = 1
check "sarif output" test "$(output sarif)" = vigil-results.sarif
check "exit-code output" test "$(output exit-code)" = 1
check "SARIF written" test -s "$repo/vigil-results.sarif"
check "SARIF validates" python3 "$validate" --forbid "$TOKEN" "$repo/vigil-results.sarif"
check "summary has a heading" grep -q "### vigil: 1 finding" "$TMP/summary"
check "summary is a markdown table" grep -q "^|" "$TMP/summary"
check "summary names the rule" grep -q "github-pat-classic" "$TMP/summary"
check "summary never holds the secret" bash -c '! grep -qF "$1" "$2"' _ "$TOKEN" "$TMP/summary"
check "error annotation printed" contains "$OUT" "::error title=vigil::"

run_action 0 "fail-on none: findings do not fail" INPUT_FAIL_ON=none
check "still counted" test "$(output findings)" = 1

run_action 1 "fail-on critical: the token is critical" INPUT_FAIL_ON=critical INPUT_SARIF=out/crit.sarif
check "nested sarif path created" test -s "$repo/out/crit.sarif"

rm -rf "$repo/out" "$repo/vigil-results.sarif"
run_action 0 "working-tree mode of the clean checkout" INPUT_MODE=working-tree
check "working-tree mode" test "$(output mode)" = working-tree
check "no findings" test "$(output findings)" = 0

# A baseline accepts the PR's finding.
git -C "$repo" checkout -q feature
(cd "$repo" && rm -f vigil-results.sarif && "$VIGIL" baseline create -q --output .vigil-baseline.json >/dev/null)
git -C "$repo" checkout -q main
run_action 0 "baseline input suppresses the known finding" INPUT_BASELINE="$repo/.vigil-baseline.json"
check "baselined finding not counted" test "$(output findings)" = 0
check "baselined SARIF validates" python3 "$validate" "$repo/vigil-results.sarif"
rm "$repo/.vigil-baseline.json"

run_action 0 "history mode" INPUT_MODE=history INPUT_FAIL_ON=none
check "history finds the token" test "$(output findings)" = 1
check "history SARIF validates" python3 "$validate" "$repo/vigil-results.sarif"

# A push event: before/after.
cat >"$TMP/event.json" <<JSON
{"before": "$base", "after": "$head", "ref": "refs/heads/feature"}
JSON
: >"$TMP/output"
expect_rc 1 "push event: before..after" env GITHUB_WORKSPACE="$repo" GITHUB_EVENT_NAME=push \
  GITHUB_EVENT_PATH="$TMP/event.json" GITHUB_OUTPUT="$TMP/output" VIGIL_BIN="$VIGIL" \
  bash "$SRC/integrations/github/scan.sh"
check "push range" test "$(output range)" = "$base..$head"
# A new branch (before = zeros) falls back to the working tree.
cat >"$TMP/event.json" <<JSON
{"before": "0000000000000000000000000000000000000000", "after": "$head"}
JSON
: >"$TMP/output"
rm -f "$repo/vigil-results.sarif"  # vigil flags its own SARIF rule help (reported)
expect_rc 0 "push of a new branch: working tree" env GITHUB_WORKSPACE="$repo" GITHUB_EVENT_NAME=push \
  GITHUB_EVENT_PATH="$TMP/event.json" GITHUB_OUTPUT="$TMP/output" VIGIL_BIN="$VIGIL" \
  bash "$SRC/integrations/github/scan.sh"
check "fell back to working-tree" test "$(output mode)" = working-tree

# Errors: diff without a base; a base that is not in the clone.
expect_rc 2 "diff mode without a base" env GITHUB_WORKSPACE="$repo" INPUT_MODE=diff VIGIL_BIN="$VIGIL" \
  bash "$SRC/integrations/github/scan.sh"
expect_rc 2 "unknown base commit" env GITHUB_WORKSPACE="$repo" INPUT_MODE=diff INPUT_FETCH=false \
  INPUT_BASE=1111111111111111111111111111111111111111 VIGIL_BIN="$VIGIL" bash "$SRC/integrations/github/scan.sh"
check "says fetch-depth" contains "$OUT" "fetch-depth"

# cache-key.sh and build.sh's cache-hit path (no compiler run).
: >"$TMP/output"
GITHUB_OUTPUT="$TMP/output" RUNNER_OS=Linux RUNNER_ARCH=X64 bash "$SRC/integrations/github/cache-key.sh" >/dev/null
key=$(output key); hash=$(output hash)
check "cache key has OS, arch and source hash" bash -c '[[ "$1" == vigil-build-Linux-X64-*-"$2" ]]' _ "$key" "$hash"
check "cache key is stable" test "$(RUNNER_OS=Linux RUNNER_ARCH=X64 bash "$SRC/integrations/github/cache-key.sh")" = "$key"
mkdir -p "$TMP/build"
cp "$VIGIL" "$TMP/build/vigil"
echo "$hash" >"$TMP/build/.vigil-source-hash"
: >"$TMP/output"
expect_rc 0 "build.sh reuses a cached build" env VIGIL_SRC="$SRC" VIGIL_BUILD_DIR="$TMP/build" VIGIL_SOURCE_HASH="$hash" \
  VIGIL_INSTALL_DEPS=false GITHUB_OUTPUT="$TMP/output" bash "$SRC/integrations/github/build.sh"
check "cached build reported" contains "$OUT" "cached build"
check "bin output" test "$(output bin)" = "$TMP/build/vigil"
: >"$TMP/output"
expect_rc 0 "build.sh with a prebuilt binary" env VIGIL_BINARY="$VIGIL" GITHUB_OUTPUT="$TMP/output" \
  bash "$SRC/integrations/github/build.sh"
check "prebuilt bin output" test "$(output bin)" = "$VIGIL"

# action.yml: every input is passed to a script and every script exists.
check "action.yml is consistent" python3 - "$SRC" <<'PY'
import os, re, sys, yaml
src = sys.argv[1]
a = yaml.safe_load(open(os.path.join(src, "action.yml")))
assert a["runs"]["using"] == "composite"
text = open(os.path.join(src, "action.yml")).read()
for name in a["inputs"]:
    assert "inputs." + name in text, "input not used: " + name
for out in ("findings", "sarif"):
    assert out in a["outputs"], out
for step in a["runs"]["steps"]:
    for m in re.findall(r"integrations/github/[\w.-]+\.sh", step.get("run", "")):
        assert os.access(os.path.join(src, m), os.X_OK), m
    if "run" in step:
        assert step.get("shell") == "bash", step.get("name")
        assert "${{" not in step["run"], "expression in a script: " + step["name"]
PY

finish
