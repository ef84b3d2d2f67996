#!/usr/bin/env python3
"""Prints the pattern of every rule in rules/*.yaml, one per line (for rg -f)."""
import glob
import os
import sys

import yaml

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "rules")
for path in sorted(glob.glob(os.path.join(root, "*.yaml"))):
    doc = yaml.safe_load(open(path))
    for rule in doc.get("rules", []):
        print(rule["pattern"])
