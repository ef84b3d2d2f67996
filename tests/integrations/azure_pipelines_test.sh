#!/usr/bin/env bash
# The Azure Pipelines template's script steps with the variables Azure sets:
# SYSTEM_PULLREQUEST_TARGETBRANCH, BUILD_SOURCESDIRECTORY,
# BUILD_ARTIFACTSTAGINGDIRECTORY. The "origin" is a local bare repository, so
# fetching the target branch needs no network.
source "$(dirname "$0")/lib.sh"
validate="$SRC/tests/schemas/validate_sarif.py"

origin=$TMP/origin.git
seed=$TMP/seed
new_repo "$seed"
git init -q --bare "$origin"
git -C "$seed" remote add origin "$origin"
git -C "$seed" push -q origin main
git -C "$seed" checkout -q -b feature
echo "token=$TOKEN" >"$seed/settings.ini"
git -C "$seed" add . && git -C "$seed" commit -qm "settings"
git -C "$seed" push -q origin feature
git -C "$seed" checkout -q -b clean main
echo "docs" >"$seed/docs.md"
git -C "$seed" add . && git -C "$seed" commit -qm "docs"
git -C "$seed" push -q origin clean

# The agent's checkout: a single-branch clone of the PR branch, so
# origin/main must be fetched.
src=$TMP/s
git clone -q --single-branch --branch feature "file://$origin" "$src"
staging=$TMP/a
mkdir -p "$staging"
azure() {
  expect_rc "$1" "$2" env SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main BUILD_SOURCESDIRECTORY="$src" \
    BUILD_ARTIFACTSTAGINGDIRECTORY="$staging" VIGIL_BIN="$VIGIL" "${@:3}" \
    bash "$SRC/integrations/azure-pipelines/scan.sh"
}

check "origin/main missing before the scan" bash -c '! git -C "$1" rev-parse --verify -q origin/main' _ "$src"
azure 1 "PR with a secret fails the build"
check "fetched the target branch" git -C "$src" rev-parse --verify -q origin/main
check "SARIF in CodeAnalysisLogs" test -s "$staging/CodeAnalysisLogs/vigil.sarif"
check "SARIF validates" python3 "$validate" --forbid "$TOKEN" "$staging/CodeAnalysisLogs/vigil.sarif"
check "range against the target branch" contains "$OUT" "--range origin/main..HEAD"
check "finding logged as a pipeline error" contains "$OUT" "##vso[task.logissue type=error;sourcepath=settings.ini;linenumber=1]github-pat-classic"
check "failure logged" contains "$OUT" "finding(s) at or above low"
check "VIGIL_FINDINGS set" contains "$OUT" "##vso[task.setvariable variable=VIGIL_FINDINGS]1"
check "summary uploaded" contains "$OUT" "##vso[task.uploadsummary]$staging/vigil-summary.md"
check "summary never holds the secret" bash -c '! grep -qF "$1" "$2"' _ "$TOKEN" "$staging/vigil-summary.md"
check "log never holds the secret" bash -c '! grep -qF "$1" <<<"$2"' _ "$TOKEN" "$OUT"

azure 0 "failOn none" VIGIL_FAIL_ON=none
check "findings still logged as warnings" contains "$OUT" "##vso[task.logissue type=warning;sourcepath=settings.ini"

# A clean PR branch passes.
git -C "$src" fetch -q origin clean:clean
git -C "$src" checkout -q clean
rm -rf "$staging"/*
azure 0 "clean PR passes"
check "clean SARIF validates" python3 "$validate" "$staging/CodeAnalysisLogs/vigil.sarif"
check "zero findings" contains "$OUT" "VIGIL_FINDINGS]0"

# Not a pull request: the working tree; an unexpanded macro counts as unset.
git -C "$src" checkout -q feature
expect_rc 1 "CI build scans the working tree" env 'SYSTEM_PULLREQUEST_TARGETBRANCH=$(System.PullRequest.TargetBranch)' \
  BUILD_SOURCESDIRECTORY="$src" BUILD_ARTIFACTSTAGINGDIRECTORY="$staging" VIGIL_BIN="$VIGIL" \
  bash "$SRC/integrations/azure-pipelines/scan.sh"
check "working-tree mode" contains "$OUT" "vigil: $VIGIL scan . --fail-on"

# A baseline in the repository accepts the known finding.
(cd "$src" && "$VIGIL" baseline create -q --output .vigil-baseline.json >/dev/null)
azure 0 "baseline accepts the PR's finding" VIGIL_BASELINE=.vigil-baseline.json
rm "$src/.vigil-baseline.json"

# Errors: a target branch that does not exist.
expect_rc 2 "unknown target branch" env SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/nope BUILD_SOURCESDIRECTORY="$src" \
  BUILD_ARTIFACTSTAGINGDIRECTORY="$staging" VIGIL_BIN="$VIGIL" bash "$SRC/integrations/azure-pipelines/scan.sh"
check "says which branch" contains "$OUT" "nope"

# build.sh: a prebuilt binary; a cached build.
expect_rc 0 "build.sh with a prebuilt binary" env VIGIL_BINARY="$VIGIL" bash "$SRC/integrations/azure-pipelines/build.sh"
check "sets VIGIL_BIN" contains "$OUT" "##vso[task.setvariable variable=VIGIL_BIN]$VIGIL"
expect_rc 0 "cache-key.sh" bash "$SRC/integrations/azure-pipelines/cache-key.sh"
hash=$(sed -n 's/.*VIGIL_CACHE_KEY]//p' <<<"$OUT")
mkdir -p "$TMP/build" && cp "$VIGIL" "$TMP/build/vigil" && echo "$hash" >"$TMP/build/.vigil-source-hash"
expect_rc 0 "build.sh reuses a cached build" env VIGIL_SRC="$SRC" VIGIL_BUILD_DIR="$TMP/build" VIGIL_INSTALL_DEPS=False \
  bash "$SRC/integrations/azure-pipelines/build.sh"
check "cached build used" contains "$OUT" "cached build"

# The template: parameters are used, scripts exist, SARIF published as CodeAnalysisLogs.
check "vigil.yml is consistent" python3 - "$SRC" <<'PY'
import os, re, sys, yaml
src = sys.argv[1]
path = os.path.join(src, "integrations/azure-pipelines/vigil.yml")
text = open(path).read()
t = yaml.safe_load(text)
for p in t["parameters"]:
    assert "parameters." + p["name"] in text, "parameter not used: " + p["name"]
pub = [s for s in t["steps"] if s.get("task", "").startswith("PublishBuildArtifacts")]
assert pub and pub[0]["inputs"]["ArtifactName"] == "CodeAnalysisLogs"
assert pub[0]["condition"] == "succeededOrFailed()"
for s in t["steps"]:
    for m in re.findall(r"integrations/azure-pipelines/[\w.-]+\.sh", s.get("bash", "")):
        assert os.access(os.path.join(src, m), os.X_OK), m
PY

finish
