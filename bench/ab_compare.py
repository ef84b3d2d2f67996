#!/usr/bin/env python3
"""Runs two vigil binaries alternately on the same command and prints the
median (and minimum) wall and CPU time of each.

On a shared VM whose speed drifts by a third between minutes, running A then
B in one batch each (as hyperfine does) compares two different machines;
alternating them run by run compares the binaries.

    bench/ab_compare.py BIN_A BIN_B DIR [-n RUNS] -- ARGS...

e.g. bench/ab_compare.py /tmp/vigil.before build/release/vigil \
         /tmp/vigil-manifests-v2-10000 -n 30 -- lint --quiet --no-config

CPU time is user + system of the child (getrusage), so it counts every thread.
The first two rounds warm the page cache and are not counted.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bin_a")
    ap.add_argument("bin_b")
    ap.add_argument("dir", help="working directory of the runs")
    ap.add_argument("-n", "--runs", type=int, default=20)
    argv = sys.argv[1:]
    if "--" not in argv:
        ap.error("give vigil's arguments after --")
    cut = argv.index("--")
    a = ap.parse_args(argv[:cut])
    args = argv[cut + 1:]
    bins = [os.path.abspath(a.bin_a), os.path.abspath(a.bin_b)]
    if bins[0] == bins[1]:
        print("give two different binaries", file=sys.stderr)
        return 2
    for b in bins:
        if not os.access(b, os.X_OK):
            print(f"not executable: {b}", file=sys.stderr)
            return 2
    times = {b: [] for b in bins}
    for i in range(a.runs + 2):
        for b in bins:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run([b] + args, cwd=a.dir, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            t1 = time.perf_counter()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i >= 2:
                cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
                times[b].append(((t1 - t0) * 1000, cpu * 1000))
    for b in bins:
        wall = [w for w, _ in times[b]]
        cpu = [c for _, c in times[b]]
        print(f"{b}: wall median {statistics.median(wall):.1f} ms (min {min(wall):.1f}), "
              f"CPU median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f}), {len(wall)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
