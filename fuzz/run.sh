#!/usr/bin/env bash
# Builds the fuzz preset and runs every libFuzzer target for a bounded time
# (default 20 s each; `fuzz/run.sh 300` for a longer run). Fails on any
# crash, leak, timeout or sanitizer report. Targets run one after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      e.g. fuzz/run.sh 60 matcher linter
#
# Working corpora grow in build/fuzz/corpus-work/<target> (seeded from
# fuzz/corpus/<target>); crash inputs land in build/fuzz/artifacts/; each
# target's log (with libFuzzer's final stats) in build/fuzz/logs/<target>.log.
# VIGIL_FUZZ_NO_BUILD=1 skips the build; VIGIL_FUZZ_TIMEOUT sets -timeout
# (seconds per input, default 10). VIGIL_FUZZ_RUNS=N runs N inputs per target
# with a fixed seed (VIGIL_FUZZ_SEED, default 1) instead of SECONDS each, so
# the work done does not depend on the machine's speed or load (CI uses it).
# VIGIL_FUZZ_BUILD_DIR (default build/fuzz) runs targets built elsewhere
# (with VIGIL_FUZZ_NO_BUILD=1: the build step always uses the fuzz preset).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-20}"
shift || true
ALL=(rule_loader config path_filter matcher filters yaml_tree linter secret_decoder reporters)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

export CC=clang CXX=clang++
if [ -z "${VIGIL_FUZZ_NO_BUILD:-}" ]; then  # set it to reuse the built targets
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi

B="${VIGIL_FUZZ_BUILD_DIR:-build/fuzz}"
mkdir -p "$B/artifacts" "$B/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
printf '%-16s %12s %8s %8s  %s\n' target execs cov ft result
for t in "${TARGETS[@]}"; do
  work="$B/corpus-work/$t"
  mkdir -p "$work"
  log="$B/logs/$t.log"
  set +e
  if [ -n "${VIGIL_FUZZ_RUNS:-}" ]; then
    budget=(-runs="$VIGIL_FUZZ_RUNS" -seed="${VIGIL_FUZZ_SEED:-1}")
  else
    budget=(-max_total_time="$SECONDS_EACH")
  fi
  "$B/fuzz/fuzz_$t" "$work" "fuzz/corpus/$t" "${budget[@]}" \
    -timeout="${VIGIL_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$B/artifacts/$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  ft=$(grep -ao 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  if [ $rc -eq 0 ]; then result=ok; else result="FAILED (rc $rc, see $log)"; failed+=("$t"); fi
  printf '%-16s %12s %8s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  # The logs stay in the build tree, which a CI machine discards: print the
  # sanitizer's or libFuzzer's report and the failing input (base64) here.
  for t in "${failed[@]}"; do
    echo "== $t: the end of $B/logs/$t.log" >&2
    grep -av '^#[0-9]' "$B/logs/$t.log" | tail -n 80 >&2 || true
    for a in "$B/artifacts/$t-"*; do
      [ -f "$a" ] || continue
      echo "== $t: $a ($(wc -c < "$a") bytes), base64:" >&2
      head -c 65536 "$a" | base64 -w 120 >&2
    done
  done
  echo "fuzz/run.sh: crashes in: ${failed[*]} (inputs in $B/artifacts/)" >&2
  exit 1
fi
