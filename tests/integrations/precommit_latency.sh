#!/usr/bin/env bash
# Measures a pre-commit run: `vigil scan --staged --quiet` on a staged change
# of 5 files in a repository of 10,000 files, warm cache (bench/README.md,
# "Pre-commit latency"). Not a CTest test. Usage: precommit_latency.sh VIGIL [DIR]
set -euo pipefail
vigil=$(realpath "${1:?usage: $0 /path/to/vigil [dir]}")
dir=${2:-$(mktemp -d /tmp/vigil-latency.XXXXXX)}
mkdir -p "$dir" && cd "$dir"
if [ ! -d .git ]; then
  git init -q
  python3 - <<'PY'
import os, random
rnd = random.Random(1)
for i in range(10000):
    d = f"svc{i % 100:03d}/dir{(i // 100) % 10}"
    os.makedirs(d, exist_ok=True)
    name = f"{d}/file{i:05d}." + ("yaml" if i % 3 == 0 else "txt")
    with open(name, "w") as f:
        for l in range(40):
            f.write(f"key{l}: value-{rnd.randrange(10**9)} some text line {l}\n")
PY
  git add -A && git -c user.name=bench -c user.email=bench@vigil.invalid commit -qm init
  for i in 1 2 3 4 5; do f=$(ls svc00$i/dir0/* | head -1); echo "changed: $i" >>"$f"; git add "$f"; done
fi
"$vigil" scan --staged --quiet   # warms the rule cache
hyperfine --warmup 3 --runs 30 -N -i "$vigil scan --staged --quiet" 'git diff --cached --quiet --exit-code'
