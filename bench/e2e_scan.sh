#!/usr/bin/env bash
# End-to-end working-tree benchmark: generates a labeled corpus (default
# 1 GiB) and times, in one run, on the same warm page cache:
#   cat (the I/O floor), rg -f <every rule's pattern>, vigil scan (secrets only)
# and prints throughput, ratios and peak RSS. Figures go in bench/README.md.
#
#   bench/e2e_scan.sh [SIZE] [CORPUS_DIR]      e.g. bench/e2e_scan.sh 1G /tmp/vigil-corpus
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
size=${1:-1G}
corpus=${2:-/tmp/vigil-corpus-$size}
vigil=${VIGIL:-$top/build/release/vigil}
[ -x "$vigil" ] || { echo "build the release preset first: $vigil"; exit 2; }
command -v rg >/dev/null || { echo "needs ripgrep (apt-get install ripgrep)"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 2; }

if [ ! -f "$corpus/truth.jsonl" ]; then
  python3 "$here/corpus/gen_corpus.py" "$corpus" --size "$size"
fi
python3 "$here/rule_patterns.py" "$top/rules" > /tmp/vigil-patterns.txt
bytes=$(du -sb "$corpus" | cut -f1)
files=$(find "$corpus" -type f | wc -l)
echo "corpus: $corpus, $files files, $bytes bytes; $(wc -l < /tmp/vigil-patterns.txt) rule patterns; $(nproc) cores"

# Warm the page cache.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null

measure() {  # name, command...  -> prints seconds and peak RSS
  local name=$1; shift
  local out
  out=$( { /usr/bin/time -f "%e %M" "$@" > /dev/null 2>/dev/null; } 2>&1 | tail -1 )
  echo "$name $out"
}

t_cat=$(measure cat bash -c "find '$corpus' -type f -print0 | xargs -0 cat")
t_rg=$(measure rg rg -c -U --regex-size-limit 2G --dfa-size-limit 2G -f /tmp/vigil-patterns.txt "$corpus")
"$vigil" rules list > /dev/null   # warm the rule cache
t_vigil=$(measure vigil "$vigil" scan "$corpus" --no-config --no-policies -q --format json)
t_vigil1=$(measure vigil-1thread "$vigil" scan "$corpus" --no-config --no-policies -q --format json -j 1)

python3 - "$bytes" "$t_cat" "$t_rg" "$t_vigil" "$t_vigil1" <<'PY'
import sys
b = int(sys.argv[1])
rows = [a.split() for a in sys.argv[2:]]
base = {r[0]: float(r[1]) for r in rows}
print(f"{'tool':<14} {'seconds':>8} {'GB/s':>7} {'peak RSS MB':>12} {'vs cat':>7}")
for name, sec, rss in rows:
    s = float(sec)
    print(f"{name:<14} {s:>8.2f} {b / max(s, 1e-9) / 1e9:>7.2f} {int(rss) / 1024:>12.1f} {s / max(base['cat'], 1e-9):>6.2f}x")
print(f"vigil is {base['rg'] / max(base['vigil'], 1e-9):.1f}x faster than rg -f with the same patterns")
PY
