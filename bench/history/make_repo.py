#!/usr/bin/env python3
"""Builds a deterministic bare git repository with a deep history for the
history-scan benchmark (bench/history/bench_history.sh).

Shape (defaults): 20,000+ commits on a mostly linear main branch with a feature
branch merged back every 500 commits and a tag every 1,000, a GitOps-like tree
(~60 apps of Kubernetes YAML, Go-like code, Markdown, lockfiles) and >= 500 MB
of distinct blob content (each commit rewrites a few lines of a few files, the
way Renovate-style churn does). Fake secrets (GitHub tokens with valid
checksums, AWS key ids) are planted every ~400 commits; most are deleted a few
commits later, some stay until HEAD. They are listed in <out>.planted.tsv.

Everything comes from one seeded PRNG, so the same arguments give the same
repository (same commit ids). Objects are written with `git fast-import` and
then repacked (`git repack -adf`) so the pack looks like a gc'd real repo.

Usage: make_repo.py OUT_DIR [--commits N] [--target-mb MB] [--seed S] [--no-repack]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
WORDS = ("app service deploy config value replica image tag version port name "
         "namespace label selector container volume mount secret ref env data "
         "spec status metadata release chart helm kustomize overlay base patch "
         "ingress host path backend rule route gateway policy network allow "
         "deny cluster node pool resource limit request cpu memory storage class "
         "claim persistent job cron schedule backup restore monitor alert rule "
         "metric log trace span sample rate window bucket region zone account").split()


def b62pad6(n):
    s = ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return s.rjust(6, "0")


def github_token(rng):
    body = "".join(rng.choice(ALNUM) for _ in range(30))
    return "ghp_" + body + b62pad6(zlib.crc32(body.encode()))


def aws_key_id(rng):
    return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def word(self):
        return self.rng.choice(WORDS)

    def line(self, kind):
        r = self.rng
        if kind == "yaml":
            indent = "  " * r.randint(0, 4)
            choice = r.random()
            if choice < 0.3:
                return f"{indent}{self.word()}: {self.word()}-{r.randint(0, 99999)}"
            if choice < 0.5:
                return (f"{indent}image: ghcr.io/{self.word()}/{self.word()}:"
                        f"v{r.randint(0, 9)}.{r.randint(0, 40)}.{r.randint(0, 99)}")
            if choice < 0.7:
                return f"{indent}- name: {self.word().upper()}_{self.word().upper()}"
            if choice < 0.85:
                return f"{indent}{self.word()}: \"{r.randint(0, 1 << 30)}\""
            return f"{indent}# {' '.join(self.word() for _ in range(r.randint(3, 10)))}"
        if kind == "go":
            choice = r.random()
            if choice < 0.3:
                return f"\t{self.word()}{r.randint(0, 999)} := {self.word()}.{self.word().title()}(ctx, {r.randint(0, 9999)})"
            if choice < 0.5:
                return f"\tif err != nil {{ return fmt.Errorf(\"{self.word()} {self.word()}: %w\", err) }}"
            if choice < 0.7:
                return f"func {self.word().title()}{self.word().title()}{r.randint(0, 999)}(x int) int {{ return x * {r.randint(2, 99)} }}"
            return f"\t// {' '.join(self.word() for _ in range(r.randint(3, 12)))}"
        if kind == "md":
            return " ".join(self.word() for _ in range(r.randint(6, 18))) + f" ({r.randint(0, 9999)})."
        # lockfile
        h = "".join(r.choice("0123456789abcdef") for _ in range(64))
        return f"{self.word()}-{self.word()}@{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)} sha256:{h}"

    def file(self, kind):
        # Lognormal line counts: median ~6 KB, long tail, capped at ~200 KB.
        n = int(min(4000, max(5, self.rng.lognormvariate(4.6, 0.9))))
        return [self.line(kind) for _ in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--target-mb", type=float, default=520.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-repack", action="store_true")
    args = ap.parse_args()

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", args.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], stdin=subprocess.PIPE,
                          cwd=args.out)
    out = fi.stdin
    gen = Gen(args.seed)
    rng = gen.rng

    kinds = [("yaml", ".yaml", 0.5), ("go", ".go", 0.3), ("md", ".md", 0.15), ("lock", ".lock", 0.05)]

    def pick_kind():
        x = rng.random()
        for kind, ext, p in kinds:
            if x < p:
                return kind, ext
            x -= p
        return kinds[0][0], kinds[0][1]

    files = {}  # path -> (kind, lines)
    apps = [f"apps/{gen.word()}-{i:02d}" for i in range(60)]
    mark = [0]
    total_bytes = [0]
    planted = []  # (commit number, path, secret, deleted at commit or "")
    live_secrets = {}  # path -> list of indices into planted

    def new_mark():
        mark[0] += 1
        return mark[0]

    def write_blob(lines):
        data = ("\n".join(lines) + "\n").encode()
        m = new_mark()
        out.write(b"blob\nmark :%d\ndata %d\n" % (m, len(data)))
        out.write(data)
        out.write(b"\n")
        total_bytes[0] += len(data)
        return m

    def new_path():
        kind, ext = pick_kind()
        app = rng.choice(apps)
        sub = rng.choice(["", "base/", "overlays/prod/", "overlays/staging/", "src/", "docs/"])
        return f"{app}/{sub}{gen.word()}-{rng.randint(0, 9999)}{ext}", kind

    # Initial tree: 400 files.
    initial = {}
    for _ in range(400):
        path, kind = new_path()
        files[path] = (kind, gen.file(kind))
        initial[path] = write_blob(files[path][1])

    when = [1600000000]
    commit_no = [0]
    tips = {}

    def commit(branch, changes, deletes, message, parents_from=None, merge=None):
        commit_no[0] += 1
        when[0] += rng.randint(60, 7200)
        m = new_mark()
        author = rng.choice(["Ada Lovelace <ada@example.com>", "Renovate Bot <bot@renovate.example>",
                             "Grace Hopper <grace@example.com>", "Linus Example <linus@example.com>"])
        msg = message.encode()
        out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), m))
        out.write(b"author %s %d +0000\ncommitter %s %d +0000\n" %
                  (author.encode(), when[0], author.encode(), when[0]))
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        src = parents_from if parents_from is not None else tips.get(branch)
        if src is not None:
            out.write(b"from :%d\n" % src)
        if merge is not None:
            out.write(b"merge :%d\n" % merge)
        for path in deletes:
            out.write(b"D %s\n" % path.encode())
        for path, blob in changes.items():
            out.write(b"M 100644 :%d %s\n" % (blob, path.encode()))
        out.write(b"\n")
        tips[branch] = m
        return m

    commit("main", initial, [], "initial import")

    per_commit = args.target_mb * 1e6 / args.commits

    def churn(branch, message_prefix):
        """One ordinary commit: rewrite a few lines in a few files."""
        changes, deletes = {}, []
        budget = per_commit * rng.uniform(0.3, 1.7)
        spent = 0
        x = rng.random()
        if x < 0.04 or len(files) < 300:
            path, kind = new_path()
            if path not in files:
                files[path] = (kind, gen.file(kind))
                before = total_bytes[0]
                changes[path] = write_blob(files[path][1])
                spent += total_bytes[0] - before
        elif x < 0.06 and len(files) > 350:
            path = rng.choice(sorted(files))
            if path not in live_secrets:
                del files[path]
                deletes.append(path)
        paths = sorted(files)
        while spent < budget or not changes:
            path = rng.choice(paths)
            kind, lines = files[path]
            lines = list(lines)
            for _ in range(max(1, int(len(lines) * rng.uniform(0.005, 0.03)))):
                i = rng.randrange(len(lines))
                if lines[i].startswith(("  token: ghp_", "  aws_access_key_id: ")):
                    continue  # planted secrets are removed on purpose, below
                lines[i] = gen.line(kind)
            if rng.random() < 0.2 and len(lines) < 4000:
                lines.append(gen.line(kind))
            files[path] = (kind, lines)
            before = total_bytes[0]
            changes[path] = write_blob(lines)
            spent += total_bytes[0] - before
        commit(branch, changes, deletes, f"{message_prefix}: update {len(changes)} file(s)")
        return changes, deletes

    n = 1
    while commit_no[0] < args.commits:
        if n % 400 == 0:
            # Plant a secret in a YAML file.
            yamls = sorted(p for p, (k, _) in files.items() if k == "yaml")
            path = rng.choice(yamls)
            kind, lines = files[path]
            secret = github_token(rng) if rng.random() < 0.6 else aws_key_id(rng)
            key = "token" if secret.startswith("ghp_") else "aws_access_key_id"
            lines = list(lines)
            pos = rng.randrange(len(lines) + 1)
            lines.insert(pos, f"  {key}: {secret}")
            files[path] = (kind, lines)
            commit("main", {path: write_blob(lines)}, [], f"configure {path}")
            planted.append([n, path, secret, ""])
            live_secrets.setdefault(path, []).append(len(planted) - 1)
            n += 1
            continue
        if live_secrets and rng.random() < 0.05:
            # Remove a planted secret (most are removed; some stay live).
            path = sorted(live_secrets)[0]
            if rng.random() < 0.85:
                kind, lines = files[path]
                lines = [l for l in lines if not l.startswith(("  token: ghp_", "  aws_access_key_id: "))]
                files[path] = (kind, lines)
                commit("main", {path: write_blob(lines)}, [], f"remove credentials from {path}")
                for i in live_secrets[path]:
                    planted[i][3] = str(n)
            del live_secrets[path]
            n += 1
            continue
        if n % 500 == 250:
            # A short feature branch, merged back with a merge commit. Main
            # does not move meanwhile, so the merge result is the branch tree:
            # the merge commit (first parent: main) re-applies its changes.
            branch = f"feature/{n}"
            tips[branch] = tips["main"]
            merged, removed = {}, set()
            for _ in range(3):
                changes, deletes = churn(branch, branch)
                for path in deletes:
                    merged.pop(path, None)
                    removed.add(path)
                for path, blob in changes.items():
                    merged[path] = blob
                    removed.discard(path)
                n += 1
            commit("main", merged, sorted(removed), f"Merge {branch}", merge=tips[branch])
            n += 1
            continue
        churn("main", "chore")
        if n % 1000 == 0:
            out.write(b"reset refs/tags/v%d\nfrom :%d\n\n" % (n // 1000, tips["main"]))
        n += 1

    out.write(b"done\n")
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    if not args.no_repack:
        subprocess.run(["git", "repack", "-q", "-a", "-d", "-f", "--window=10", "--depth=50"],
                       cwd=args.out, check=True)
    with open(args.out.rstrip("/") + ".planted.tsv", "w") as f:
        f.write("commit_no\tpath\tsecret\tremoved_at\n")
        for row in planted:
            f.write("\t".join(map(str, row)) + "\n")
    print(f"{args.out}: {commit_no[0]} commits, {total_bytes[0] / 1e6:.1f} MB of blob content "
          f"written, {len(planted)} planted secrets", file=sys.stderr)


if __name__ == "__main__":
    main()
