#!/usr/bin/env python3
"""Precision and recall of vigil on a corpus made by gen_corpus.py.

  eval.py VIGIL CORPUS_DIR

Runs `VIGIL scan CORPUS_DIR --format json --show-secrets --no-config
--no-policies`, matches each finding to the planted secret on the same file
and line, and prints per family: planted, found, missed, and per rule the
false positives (findings on no planted line). Exit 0 always; the figures
are the output.
"""
import collections
import json
import os
import subprocess
import sys


def main():
    vigil, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    truth = [json.loads(l) for l in open(os.path.join(corpus, "truth.jsonl"))]
    planted = {(t["path"], t["line"]): t for t in truth if "family" in t}
    out = subprocess.run([vigil, "scan", ".", "--format", "json", "--show-secrets", "--no-config",
                          "--no-policies", "-q"], cwd=corpus, capture_output=True, text=True)
    report = json.loads(out.stdout)
    found = collections.defaultdict(set)
    fps = collections.Counter()
    fp_examples = {}
    for f in report["findings"]:
        path = f["location"]["path"]
        if path.startswith("./"):
            path = path[2:]
        if path == "truth.jsonl":
            continue
        line = f["location"]["line"]
        key = None
        for l in (line, line - 1):  # multi-line secrets start on the planted line
            if (path, l) in planted:
                key = (path, l)
        if key:
            found[planted[key]["family"]].add(key)
        else:
            fps[f["rule_id"]] += 1
            fp_examples.setdefault(f["rule_id"], f"{path}:{line}")
    by_family = collections.Counter(t["family"] for t in planted.values())
    tp_total = sum(len(v) for v in found.values())
    print(f"{'family':<18} {'planted':>7} {'found':>6} {'recall':>7}")
    for fam in sorted(by_family):
        n = by_family[fam]
        k = len(found[fam])
        print(f"{fam:<18} {n:>7} {k:>6} {k / n:>7.1%}")
    fp_total = sum(fps.values())
    print(f"\ntotal: planted {len(planted)}, true positives {tp_total}, false positives {fp_total}")
    if tp_total + fp_total:
        print(f"precision {tp_total / (tp_total + fp_total):.1%}, recall {tp_total / max(1, len(planted)):.1%}")
    for rule, c in fps.most_common():
        print(f"  false positives: {rule}: {c} (e.g. {fp_examples[rule]})")


if __name__ == "__main__":
    main()
