#!/usr/bin/env bash
# vigil explain: a secret rule, a policy (any case), an unknown id (exit 2
# with suggestions); every rule and policy id explains.
source "$(dirname "$0")/lib.sh"
expect_rc 0 "explain a secret rule" "$VIGIL" explain github-pat-classic
for s in "What it detects" "Why it matters" "How to fix" "Rotate first" "vigil:ignore github-pat-classic" "References" "https://"; do
  check "rule: has '$s'" contains "$OUT" "$s"
done
expect_rc 0 "explain a policy (lower case)" "$VIGIL" explain gsp-plain-001
check "policy: canonical id" contains "$OUT" "GSP-PLAIN-001:"
check "policy: kind" contains "$OUT" "manifest policy"
check "policy: fix" contains "$OUT" "How to fix"
expect_rc 2 "unknown id" "$VIGIL" explain github-pat
check "suggests the closest id" contains "$OUT" "did you mean: github-pat-classic"
expect_rc 2 "unknown policy id" "$VIGIL" explain GSP-PLAIN-01
check "suggests a policy" contains "$OUT" "GSP-PLAIN-001"
expect_rc 2 "no id is a usage error" "$VIGIL" explain
n=0
for id in $("$VIGIL" rules list | awk -F'\t' 'NF>1 {print $1}') $("$VIGIL" policies list 2>/dev/null | grep -o '^GSP-[A-Z]*-[0-9]*'); do
  "$VIGIL" explain "$id" >/dev/null || fail "explain $id"
  n=$((n + 1))
done
check "explained every id ($n)" test "$n" -gt 30
finish
