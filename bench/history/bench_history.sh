#!/usr/bin/env bash
# End-to-end history benchmark: `vigil scan --history` against the floor
# (`git cat-file --batch-all-objects --batch`, every object inflated; also the
# `--unordered` pack-order variant) and against the gitleaks-style pipeline
# (`git log -p --all | rg -f <rule patterns>`), in one run, printing times,
# CPU, peak RSS and ratios.
#
# Usage: bench/history/bench_history.sh [REPO]
#   REPO     a git repository (bare or not). Default: the generated benchmark
#            repository $VIGIL_BENCH_DIR/history.git, built on first use with
#            bench/history/make_repo.py (20k commits, >= 500 MB of blobs).
# Environment:
#   VIGIL    the vigil binary (default: build/release/vigil)
#   REPS     repetitions per command; the median is reported (default 3)
#   VIGIL_BENCH_DIR  where the generated repository lives (default /tmp/vigil-bench)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bench_dir="${VIGIL_BENCH_DIR:-/tmp/vigil-bench}"
repo="${1:-$bench_dir/history.git}"
vigil="${VIGIL:-$root/build/release/vigil}"
reps="${REPS:-3}"

command -v rg > /dev/null || { echo "ripgrep (rg) is needed" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
[[ -x "$vigil" ]] || { echo "vigil binary not found at $vigil (set VIGIL=...)" >&2; exit 2; }

if [[ ! -d "$repo" ]]; then
  if [[ $# -eq 0 ]]; then
    mkdir -p "$bench_dir"
    echo "building the benchmark repository in $repo (a few minutes)..." >&2
    python3 "$here/make_repo.py" "$repo"
  else
    echo "no repository at $repo" >&2
    exit 2
  fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Rule patterns for rg, from the embedded rule files (one regex per line;
# patterns rg's engine rejects are dropped and counted).
python3 - "$root/rules" "$work/patterns.txt" <<'EOF'
import glob, subprocess, sys, yaml
rules_dir, out = sys.argv[1], sys.argv[2]
pats = []
for f in sorted(glob.glob(rules_dir + "/*.yaml")):
    doc = yaml.safe_load(open(f)) or {}
    for r in doc.get("rules", []):
        p = r.get("pattern")
        if p:
            pats.append(p)
ok = []
for p in pats:
    if subprocess.run(["rg", "-q", "--regex-size-limit", "2G", "-e", p, "/dev/null"], capture_output=True).returncode in (0, 1):
        ok.append(p)
open(out, "w").write("\n".join(ok) + "\n")
print(f"rg patterns: {len(ok)} of {len(pats)} rules", file=sys.stderr)
EOF

# Warm the page cache.
git -C "$repo" cat-file --batch-all-objects --batch --unordered > /dev/null

# run NAME CMD...: runs CMD $reps times under /usr/bin/time; records the
# median wall time, its CPU time and the peak RSS.
declare -A wall cpu rss
run() {
  local name="$1"
  shift
  local samples=()
  for ((i = 0; i < reps; i++)); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || {
      # vigil exits 1 when it finds something: that is a result, not a failure.
      code=$?
      if [[ "$name" != vigil* || $code -ne 1 ]]; then
        echo "$name failed (exit $code):" >&2
        tail -5 "$work/stderr" >&2
        exit 2
      fi
    }
    samples+=("$(tail -1 "$work/time")")
  done
  local median
  median="$(printf '%s\n' "${samples[@]}" | sort -n | sed -n "$(((reps + 1) / 2))p")"
  read -r w u s m <<< "$median"
  wall[$name]="$w"
  cpu[$name]="$(echo "$u + $s" | bc)"
  rss[$name]="$((m / 1024))"
  printf '  %-28s %7.2f s wall %7.2f s cpu %6d MB peak RSS\n' "$name" "$w" "${cpu[$name]}" "${rss[$name]}"
}

objects="$(git -C "$repo" count-objects -v | awk '/^(count|in-pack):/ {n += $2} END {print n}')"
commits="$(git -C "$repo" rev-list --all --count)"
blob_bytes="$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' --unordered |
  awk '$1 == "blob" {n++; s += $2} END {printf "%d blobs, %.1f MB", n, s / 1e6}')"
echo "repository: $repo"
echo "  $commits commits, $objects objects, $blob_bytes, $(nproc) cores"
echo "vigil: $vigil ($("$vigil" --version 2>/dev/null || echo '?'))"
echo

run "cat-file --batch" git -C "$repo" cat-file --batch-all-objects --batch
run "cat-file --batch --unordered" git -C "$repo" cat-file --batch-all-objects --batch --unordered
run "vigil scan --history" "$vigil" scan --history --quiet --format json --output "$work/findings.json" "$repo"
run "git log -p --all | rg" bash -c "git -C '$repo' log -p --all | rg -c --regex-size-limit 2G --dfa-size-limit 2G -f '$work/patterns.txt'"

ratio() { echo "scale=2; $1 / $2" | bc; }
echo
echo "ratios (wall):"
echo "  vigil / cat-file --batch             $(ratio "${wall[vigil scan --history]}" "${wall[cat-file --batch]}")x  (target <= 1.5)"
echo "  vigil / cat-file --batch --unordered $(ratio "${wall[vigil scan --history]}" "${wall[cat-file --batch --unordered]}")x"
echo "  (git log -p | rg) / vigil            $(ratio "${wall[git log -p --all | rg]}" "${wall[vigil scan --history]}")x  (target >= 10)"
echo "  vigil peak RSS                       ${rss[vigil scan --history]} MB  (target < 300)"
if [[ -s "$work/findings.json" ]]; then
  python3 - "$work/findings.json" <<'EOF' || true
import json, sys
doc = json.load(open(sys.argv[1]))
fs = doc.get("findings", doc if isinstance(doc, list) else [])
live = sum(1 for f in fs if f.get("live") is True)
print(f"  vigil findings: {len(fs)} ({live} live at HEAD, {len(fs) - live} history only)")
EOF
fi
