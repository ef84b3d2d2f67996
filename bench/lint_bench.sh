#!/usr/bin/env bash
# Lint benchmark: a generated tree of N manifests (default 10,000); times
# `vigil lint` (policies only) against `vigil scan --no-policies` (secrets
# only) on the same tree, warm cache, and prints both with CPU time and peak RSS
# (on a shared machine compare the CPU times: wall time follows the load).
#
#   bench/lint_bench.sh [COUNT] [DIR]
#
# GEN_ARGS=--defects generates the earlier sessions' tree instead (every app
# draws findings: bench/gen_manifests.py), in DIR (default
# /tmp/vigil-manifests-defects-COUNT).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
count=${1:-10000}
gen_args=${GEN_ARGS:-}
if [ -n "$gen_args" ]; then
  dir=${2:-/tmp/vigil-manifests-defects-$count}
else
  dir=${2:-/tmp/vigil-manifests-v2-$count}
fi
vigil=${VIGIL:-$top/build/release/vigil}
[ -x "$vigil" ] || { echo "build the release preset first: $vigil"; exit 2; }
# shellcheck disable=SC2086
[ -d "$dir/clusters" ] || python3 "$here/gen_manifests.py" "$dir" --count "$count" $gen_args
find "$dir" -type f -print0 | xargs -0 cat > /dev/null
"$vigil" rules list > /dev/null
tf=$(mktemp)
trap 'rm -f "$tf"' EXIT
run() {
  local name=$1; shift
  local best=""
  for i in 1 2 3; do
    local t
    # /usr/bin/time writes to a file: vigil's own stderr is discarded, and
    # its exit code 1 (findings) is not a failure here.
    /usr/bin/time -o "$tf" -f "%e %M %U %S" "$@" > /dev/null 2>/dev/null || true
    t=$(tail -1 "$tf")
    best=${best:-$t}
    [ "$(echo "$t" | cut -d' ' -f1 | tr -d .)" -lt "$(echo "$best" | cut -d' ' -f1 | tr -d .)" ] && best=$t
  done
  echo "$name: $(echo "$best" | cut -d' ' -f1) s wall, $(echo "$best" | cut -d' ' -f3) s user + $(echo "$best" | cut -d' ' -f4) s sys CPU, peak RSS $(( $(echo "$best" | cut -d' ' -f2) / 1024 )) MB (best of 3 by wall)"
}
echo "$(find "$dir" -name '*.yaml' | wc -l) manifests, $(du -sb "$dir" | cut -f1) bytes"
run "vigil lint           " "$vigil" lint "$dir" --no-config -q --format json
run "vigil scan (secrets) " "$vigil" scan "$dir" --no-config -q --no-policies --format json
run "vigil scan (both)    " "$vigil" scan "$dir" --no-config -q --format json
