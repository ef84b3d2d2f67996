# Shared helpers for the integration script tests. Source it from a test run
# as `bash tests/integrations/X_test.sh /path/to/vigil`. Each test gets a
# private HOME, git configuration and temporary directory (removed on exit);
# the compiled-rule cache stays shared so tests do not recompile it.
set -euo pipefail

VIGIL=${1:?usage: $0 /path/to/vigil}
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
[ -x "$VIGIL" ] || { echo "not executable: $VIGIL" >&2; exit 2; }
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export VIGIL SRC

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vigil-integ.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-${HOME:-$TMP}/.cache}
export HOME=$TMP/home
mkdir -p "$HOME"
export GIT_CONFIG_GLOBAL=$TMP/gitconfig GIT_CONFIG_NOSYSTEM=1
git config --global user.name "vigil test"
git config --global user.email "test@vigil.invalid"
git config --global init.defaultBranch main
git config --global commit.gpgsign false
git config --global advice.detachedHead false
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_EVENT_NAME \
  GITHUB_OUTPUT GITHUB_STEP_SUMMARY GITHUB_WORKSPACE SYSTEM_PULLREQUEST_TARGETBRANCH \
  BUILD_SOURCESDIRECTORY BUILD_ARTIFACTSTAGINGDIRECTORY NO_COLOR 2>/dev/null || true
export PRE_COMMIT_HOME=$TMP/pre-commit-home

FAILURES=0
CHECKS=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
contains() { grep -qF -- "$2" <<<"$1"; }
# expect_rc WANT DESCRIPTION COMMAND...: runs COMMAND, captures its output in $OUT.
expect_rc() {
  local want=$1 what=$2; shift 2
  set +e
  OUT=$("$@" 2>&1)
  local rc=$?
  set -e
  if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else fail "$what: exit $rc, want $want"; printf '%s\n' "$OUT" | tail -n 40 >&2; fi
  return 0
}
finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES of $((CHECKS + FAILURES)) checks failed" >&2
    exit 1
  fi
  echo "all $CHECKS checks passed"
}

# A checksum-valid GitHub classic token made from a 30-character seed (the
# fixtures never hold a literal token, so scanning this repository stays quiet).
ghp() {
  python3 - "$1" <<'PY'
import sys, zlib
seed = (sys.argv[1] * 30)[:30]
alpha = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
n, s = zlib.crc32(seed.encode()), ""
while n:
    s, n = alpha[n % 62] + s, n // 62
print("ghp_" + seed + s.rjust(6, "0"))
PY
}
# A fake RSA private key block (random base64; not a key).
pem_key() {
  python3 - "${1:-}" <<'PY'
import base64, random, sys
rnd = random.Random(sys.argv[1] or "vigil")
body = base64.b64encode(bytes(rnd.randrange(256) for _ in range(48 * 4))).decode()
lines = ["MIIEow" + body[:58]] + [body[i:i + 64] for i in range(58, len(body), 64)]
print("-----BEGIN RSA PRIVATE KEY-----")
print("\n".join(lines))
print("-----END RSA PRIVATE KEY-----")
PY
}
TOKEN=$(ghp Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y)
TOKEN2=$(ghp Qm7Tn2Lx9Vb4Wc8Zr5Yp3Hs6Jd1Kf0)
TOKEN3=$(ghp Ab3Cd5Ef7Gh9Ij2Kl4Mn6Op8Qr0St1)
export TOKEN TOKEN2 TOKEN3

# new_repo DIR: an empty repository with one clean commit.
new_repo() {
  git init -q "$1"
  echo "# demo" >"$1/README.md"
  git -C "$1" add README.md
  git -C "$1" commit -qm "initial"
}

# JSON helpers (python3): json_get FILE EXPR, e.g. json_get r.json 'len(d["findings"])'
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# unsuppressed finding count of a vigil JSON report on stdin
count_findings() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for f in d["findings"] if not f.get("suppressed") and f.get("kind")!="notice"))'; }
