#!/usr/bin/env python3
"""Regenerates fuzz/corpus/<target>/ from the repository's fixtures: rule
files and their examples, the example GitOps repo, the configuration files.
Small on purpose (a handful of files per target); libFuzzer grows its own
working corpus in build/fuzz/corpus-work/ (fuzz/run.sh)."""
import hashlib, os, pathlib, shutil, yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"

def put(target, data, name=None):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    name = name or hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)

def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    rules = sorted((ROOT / "rules").glob("*.yaml"))
    for f in rules[:4]:
        put("rule_loader", f.read_bytes(), f.name)
    put("rule_loader", "provider: x\nrules:\n  - id: catastrophic\n    pattern: '(a*)*b'\n", "catastrophic.yaml")
    examples, negatives = [], []
    for f in rules:
        doc = yaml.safe_load(f.read_text())
        for r in doc.get("rules", []):
            for e in r.get("examples", [])[:1]:
                examples.append(e["text"] if isinstance(e, dict) else e)
            negatives += r.get("negative_examples", [])[:1]
    for i, t in enumerate(examples[:6]):
        put("matcher", t, f"example-{i}")
    for i, t in enumerate(negatives[:2]):
        put("matcher", t, f"negative-{i}")
    repo = ROOT / "examples" / "gitops-repo"
    manifests = sorted(p for p in repo.rglob("*.yaml") if p.name != ".vigil.yaml")
    put("matcher", (repo / "clusters/prod/apps/payments/secret.yaml").read_bytes(), "secret.yaml")
    for p in manifests:
        put("linter", p.read_bytes(), p.name)
        put("yaml_tree", p.read_bytes(), p.name)
    put("yaml_tree", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases.yaml")
    put("yaml_tree", "[" * 64 + "]" * 64, "nested.yaml")
    for p in manifests:
        if "secret" in p.name or "pull" in p.name:
            put("secret_decoder", p.read_bytes(), p.name)
    for p in [ROOT / ".vigil.yaml", repo / ".vigil.yaml"]:
        put("config", p.read_bytes(), p.parent.name + "-vigil.yaml")
    put("config", "version: 1\nmax-file-size: 10MB\nfail-on: high\nexclude: ['*.lock', 'docs/**']\n", "small.yaml")
    put("path_filter", "*.lock\ndocs/**\n/vendor/\n**/test/*.yaml\ndocs/a/b.md", "globs")
    put("path_filter", "[!a-c]?.txt\n\\*literal\nfoo/\nfoo/bar.txt", "classes")
    for t in ["ghp_" + "A" * 36, "AKIAIOSFODNN7EXAMPLE", "ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]",
              "${SECRET}", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZw=="]:
        put("filters", t)
    # reporters take structured bytes (FuzzedDataProvider): seed with text.
    put("reporters", b"\x00" * 8 + b"deploy/secret.yaml" + bytes(range(256)))
    put("reporters", os.urandom(0) + b"A" * 300)
    put("reporters", (repo / "clusters/prod/apps/payments/secret.yaml").read_bytes())

main()
