#!/usr/bin/env bash
# Inline `vigil:ignore` in YAML, shell, JSON-with-comments, Python, Go and
# Terraform: same line, line before, rule-specific, and multi-line values
# (YAML block scalars, PEM blocks, heredocs, triple-quoted and raw strings)
# suppressed from their first line. Suppressed findings are counted, listed
# with --show-suppressed and carry `suppressions` in SARIF.
source "$(dirname "$0")/lib.sh"
d=$TMP/tree
mkdir -p "$d"
cd "$d"
KEY=$(pem_key one)
indent() { sed "s/^/$1/"; }

# Each file: suppressed findings, then exactly one that must stay. (The PEM
# block in config.yaml also draws a manifest-policy finding, suppressed too.)
cat >config.yaml <<Y
same: $TOKEN  # vigil:ignore
# vigil:ignore github-pat-classic
before: $TOKEN2
# vigil:ignore
tls.key: |
$(echo "$KEY" | indent "  ")
script: |  # vigil:ignore
  echo start
  export GITHUB_TOKEN=$TOKEN3
  echo done
other: $TOKEN3
Y
cat >deploy.sh <<S
export A=$TOKEN  # vigil:ignore
# vigil:ignore github-pat-classic
export B=$TOKEN2
cat >/etc/app.conf <<'CONF'  # vigil:ignore
[auth]
token = $TOKEN3
CONF
export KEEP=$TOKEN3
S
cat >settings.jsonc <<J
{
  // vigil:ignore
  "a": "$TOKEN",
  "b": "$TOKEN2", /* vigil:ignore github-pat-classic */
  "n": 1,
  "keep": "$TOKEN3"
}
J
cat >app.py <<P
A = "$TOKEN"  # vigil:ignore
# vigil:ignore
B = """
user = x
token = $TOKEN2
"""
KEEP = "$TOKEN3"
P
cat >main.go <<G
package main

// vigil:ignore github-pat-classic
const a = "$TOKEN"

var cfg = \`  // vigil:ignore
token: $TOKEN2
\`

const keep = "$TOKEN3"
G
cat >main.tf <<T
variable "a" {
  default = "$TOKEN" # vigil:ignore
}
locals {
  # vigil:ignore github-pat-classic
  b = "$TOKEN2"
}
resource "x" "y" {
  # vigil:ignore
  user_data = <<-EOT
    #!/bin/sh
    export T=$TOKEN
  EOT
  keep = "$TOKEN3"
}
T
cat >wrong-rule.yaml <<W
# vigil:ignore aws-access-key-id
k: $TOKEN
W

set +e
"$VIGIL" scan . --no-config -q --format json --show-suppressed >"$TMP/r.json"
rc=$?
set -e
check "findings remain (exit 1)" test "$rc" = 1
if python3 - "$TMP/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
files = {}
for f in d["findings"]:
    if f["kind"] == "notice":
        continue
    p = f["location"]["path"]
    p = p[2:] if p.startswith("./") else p
    files.setdefault(p, []).append((f["location"]["line"], f["rule_id"], f["suppressed"]))
want = {  # file: (suppressed, kept)
    "config.yaml": (5, 1), "deploy.sh": (3, 1), "settings.jsonc": (2, 1), "app.py": (2, 1),
    "main.go": (2, 1), "main.tf": (3, 1), "wrong-rule.yaml": (0, 1),
}
bad = False
for name, (sup, kept) in want.items():
    got = files.get(name, [])
    s = sum(1 for x in got if x[2])
    k = sum(1 for x in got if not x[2])
    status = "ok" if (s, k) == (sup, kept) else "FAIL"
    bad |= status == "FAIL"
    print(f"{status}: {name}: {s} suppressed, {k} kept (want {sup}, {kept}) {sorted(got)}")
s = d["summary"]
print("summary:", s["findings"], "findings,", s["suppressed"], "suppressed")
if s["suppressed"] != sum(v[0] for v in want.values()):
    bad = True
    print("FAIL: summary suppressed count")
sys.exit(1 if bad else 0)
PY
then ok "suppression per file"; else fail "suppression per file"; fi

# Without --show-suppressed, suppressed findings are counted, not listed.
set +e; text=$("$VIGIL" scan . --no-config -q --color never); set -e
check "text report counts suppressed" grep -qi "17 suppressed" <<<"$text"
check "text report lists only the kept ones" test "$(grep -c "github-pat-classic" <<<"$text")" = 7

# SARIF keeps suppressed results with `suppressions`.
set +e; "$VIGIL" scan . --no-config -q --format sarif --show-suppressed --output "$TMP/r.sarif"; set -e
check "SARIF validates" python3 "$SRC/tests/schemas/validate_sarif.py" --forbid "$TOKEN" --forbid "$TOKEN2" "$TMP/r.sarif"
check "SARIF marks suppressions" python3 - "$TMP/r.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
res = [r for run in d["runs"] for r in run["results"]]
sup = [r for r in res if r.get("suppressions")]
assert len(sup) == 17, len(sup)
assert all(s["suppressions"][0]["kind"] == "inSource" for s in sup), sup[0]["suppressions"]
PY

# A marker does not reach past the value it precedes.
mkdir -p "$TMP/reach"
cat >"$TMP/reach/reach.yaml" <<R
# vigil:ignore
a: |
  x: $TOKEN
b: $TOKEN2
R
set +e; "$VIGIL" scan "$TMP/reach" --no-config -q --format json >"$TMP/reach.json"; set -e
check "marker stops at the end of the block" test "$(count_findings <"$TMP/reach.json")" = 1

finish
