#!/usr/bin/env bash
# SARIF from every mode (working tree, stdin, --staged, --range,
# --since-commit, --history) validates against the SARIF 2.1.0 schema and
# GitHub's ingestion rules (tests/schemas/validate_sarif.py), and never holds
# the secret.
source "$(dirname "$0")/lib.sh"
validate="$SRC/tests/schemas/validate_sarif.py"
repo=$TMP/repo
new_repo "$repo"
cd "$repo"
base=$(git rev-parse HEAD)
printf 'GITHUB_TOKEN=%s\n' "$TOKEN" >app.env
mkdir -p k8s
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\nstringData:\n  token: %s\n' "$TOKEN2" >k8s/secret.yaml
git add . && git commit -qm "secrets"
printf 'T=%s\n' "$TOKEN3" >staged.env
git add staged.env

sarif_check() {  # sarif_check NAME WANT_MIN_RESULTS VIGIL_ARGS...
  local name=$1 want=$2; shift 2
  local out="$TMP/$name.sarif"
  set +e; "$VIGIL" scan "$@" --no-config -q --format sarif --output "$out"; local rc=$?; set -e
  check "$name: exit 1 (findings)" test "$rc" = 1
  check "$name: SARIF validates" python3 "$validate" --forbid "$TOKEN" --forbid "$TOKEN2" --forbid "$TOKEN3" "$out"
  local n
  n=$(python3 -c 'import json,sys; print(sum(len(r.get("results",[])) for r in json.load(open(sys.argv[1]))["runs"]))' "$out")
  check "$name: $want+ results (got $n)" test "$n" -ge "$want"
}

sarif_check working-tree 3 .
sarif_check staged 1 --staged .
sarif_check range 2 --range "$base..HEAD" .
sarif_check since-commit 2 --since-commit "$base" .
sarif_check history 2 --history .
set +e; "$VIGIL" scan - --stdin-name piped.env --no-config -q --format sarif --output "$TMP/stdin.sarif" <app.env; rc=$?; set -e
check "stdin: exit 1" test "$rc" = 1
check "stdin: SARIF validates" python3 "$validate" --forbid "$TOKEN" "$TMP/stdin.sarif"
check "history SARIF names the commit" grep -q "$(git rev-parse HEAD)" "$TMP/history.sarif"

# A clean scan is valid SARIF too.
mkdir -p "$TMP/clean" && echo hello >"$TMP/clean/a.txt"
set +e; "$VIGIL" scan "$TMP/clean" --no-config -q --format sarif --output "$TMP/clean.sarif"; rc=$?; set -e
check "clean: exit 0" test "$rc" = 0
check "clean: SARIF validates" python3 "$validate" "$TMP/clean.sarif"

finish
