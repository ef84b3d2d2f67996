#!/usr/bin/env bash
# Baselines end to end: create, move lines, rebase a branch (new commit ids),
# squash: no new findings; a new secret is still reported; update prunes a
# fixed one; the file never holds a secret and is stable.
source "$(dirname "$0")/lib.sh"
repo=$TMP/repo
new_repo "$repo"
cd "$repo"
printf 'A=1\nGITHUB_TOKEN=%s\n' "$TOKEN" >app.env
printf 'token: %s\n' "$TOKEN2" >notes.txt
git add . && git commit -qm "secrets"

scan_count() {  # scan_count ARGS...: unsuppressed findings
  set +e; "$VIGIL" scan "$@" --no-config -q --format json >"$TMP/r.json"; set -e
  count_findings <"$TMP/r.json"
}

expect_rc 0 "baseline create" "$VIGIL" baseline create --no-config -q
check "reports 2 findings" contains "$OUT" ": 2 findings"
check "baseline file written" test -s .vigil-baseline.json
check "baseline holds no secret" bash -c '! grep -qF "$1" .vigil-baseline.json && ! grep -qF "$2" .vigil-baseline.json' _ "$TOKEN" "$TOKEN2"
cp .vigil-baseline.json "$TMP/first.json"
expect_rc 0 "create again is byte-identical (first_seen kept)" "$VIGIL" baseline create --no-config -q
check "stable file" cmp -s .vigil-baseline.json "$TMP/first.json"
git add .vigil-baseline.json && git commit -qm "baseline"

check "working tree: no new findings" test "$(scan_count . --baseline .vigil-baseline.json)" = 0
check "without the baseline: 2" test "$(scan_count .)" = 2

# Move lines.
printf '# moved\n\n\nB=2\nGITHUB_TOKEN=%s\nA=1\n' "$TOKEN" >app.env
check "moved lines: no new findings" test "$(scan_count . --baseline .vigil-baseline.json)" = 0
git commit -qam "move"

# A new secret is reported.
printf 'other: %s\n' "$TOKEN3" >new.yaml
check "a new secret is reported" test "$(scan_count . --baseline .vigil-baseline.json)" = 1
rm new.yaml

# Rebase a branch: the branch's commits get new ids.
git checkout -q -b feature HEAD~1
printf 'token: %s\nextra: 1\n' "$TOKEN2" >notes.txt
git commit -qam "feature edit"
git checkout -q main
echo "more" >>README.md && git commit -qam "main moves on"
git checkout -q feature
git rebase -q main
check "rebased range: no new findings" test "$(scan_count --range main~2..feature . --baseline "$TMP/first.json")" = 0
check "rebased history: no new findings" test "$(scan_count --history . --baseline "$TMP/first.json")" = 0
check "history without the baseline finds them" test "$(scan_count --history .)" -ge 2

# Squash: one commit with everything.
git checkout -q --orphan squashed
git commit -qm "squashed"
check "squashed history: no new findings" test "$(scan_count --history . --baseline "$TMP/first.json")" = 0
git checkout -q main

# Fix one: update prunes it.
printf 'A=1\nGITHUB_TOKEN=${GITHUB_TOKEN}\n' >app.env
expect_rc 0 "baseline update" "$VIGIL" baseline update --no-config -q
check "one fixed finding removed" contains "$OUT" "1 fixed findings removed, 1 remain"
check "pruned entry gone" test "$(grep -c '"fingerprint"' .vigil-baseline.json)" = 1
check "remaining entry keeps first_seen" bash -c 'grep -F "$(grep -A1 notes.txt "$1" | head -1)" .vigil-baseline.json >/dev/null' _ "$TMP/first.json"
check "still no new findings" test "$(scan_count . --baseline .vigil-baseline.json)" = 0

# The baseline named in .vigil.yaml applies without --baseline.
echo "baseline: .vigil-baseline.json" >.vigil.yaml
set +e; "$VIGIL" scan . -q --format json >"$TMP/r.json"; rc=$?; set -e
check "baseline from .vigil.yaml" test "$(count_findings <"$TMP/r.json")" = 0
check "exit 0 when everything is baselined" test "$rc" = 0

finish
