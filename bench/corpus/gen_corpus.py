#!/usr/bin/env python3
"""Labeled corpus generator for vigil.

Writes a directory tree of realistic text files (Kubernetes/Helm YAML, Go and
Python code, .env files, Markdown prose, lockfiles, base64 blobs) with planted
secrets and look-alike decoys, plus `truth.jsonl`: one line per planted secret
{"path", "line", "family", "secret"} and per decoy {"path", "line", "decoy"}.

Everything is generated from a seed, so a corpus is reproducible. Every secret
is random text in a provider's format, never a real credential.

  gen_corpus.py OUT_DIR [--size 64M] [--seed 1] [--secret-rate 0.05]
"""
import argparse
import base64
import json
import os
import random
import string
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits


def b62(n):
    s = ""
    while n:
        s = B62[n % 62] + s
        n //= 62
    return s.rjust(6, "0")


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def s(self, alphabet, n):
        return "".join(self.r.choice(alphabet) for _ in range(n))

    # ---- secrets, by family -------------------------------------------
    def github(self):
        body = self.s(ALNUM, 30)
        tok = self.r.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + body + b62(zlib.crc32(body.encode()))
        return f"GITHUB_TOKEN={tok}", tok

    def gitlab(self):
        tok = "glpat-" + self.s(ALNUM + "-_", 20)
        return f'gitlab_token: "{tok}"', tok

    def aws(self):
        kid = "AKIA" + self.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        return f"aws_access_key_id = {kid}", kid

    def aws_secret(self):
        sec = self.s(ALNUM + "+/", 40)
        return f"aws_secret_access_key = {sec}", sec

    def slack(self):
        tok = "xoxb-" + self.s(string.digits, 12) + "-" + self.s(string.digits, 13) + "-" + self.s(ALNUM, 24)
        return f"SLACK_BOT_TOKEN: {tok}", tok

    def stripe(self):
        tok = "sk_live_" + self.s(ALNUM, 48)
        return f'stripe.api_key = "{tok}"', tok

    def azure_storage(self):
        key = base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(64))).decode()
        acct = "st" + self.s(string.ascii_lowercase + string.digits, 10)
        return (f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey={key};EndpointSuffix=core.windows.net", key)

    def postgres_url(self):
        pw = self.s(ALNUM, 16)
        return f"DATABASE_URL=postgres://app_user:{pw}@db.internal:5432/app", pw

    def generic_password(self):
        pw = self.s(ALNUM + "!#%^*", 18)
        return f'  password: "{pw}"', pw

    def private_key(self):
        # DER: a SEQUENCE with a two-byte length, as every PKCS#1 RSA key starts ("MII...").
        body = base64.b64encode(bytes([0x30, 0x82, 0x04, 0xa4]) + bytes(self.r.getrandbits(8) for _ in range(48 * 20 - 4))).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        text = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"
        return text, "-----BEGIN RSA PRIVATE KEY-----"

    def jwt(self):
        def enc(d):
            return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
        tok = enc({"alg": "HS256", "typ": "JWT"}) + "." + enc({"sub": self.s(string.digits, 8), "iat": 1700000000}) + "." + self.s(ALNUM + "-_", 43)
        return f"Authorization: Bearer {tok}", tok

    # ---- decoys: must not be reported ----------------------------------
    def decoys(self):
        body = self.s(ALNUM, 30)
        bad = "ghp_" + body + "ZZZZZZ"
        sealed = base64.b64encode(bytes([2, 0]) + bytes(self.r.getrandbits(8) for _ in range(560))).decode()
        enc = "ENC[AES256_GCM,data:" + base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(12))).decode() + ",iv:" + self.s(ALNUM, 43) + "=,tag:" + self.s(ALNUM, 22) + "==,type:str]"
        return [
            f"GITHUB_TOKEN={bad}",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "  password: ${DB_PASSWORD}",
            "  password: {{ .Values.db.password }}",
            "  token: <your-token-here>",
            f"  password: {enc}",
            f"    session-key: {sealed}",
            "  image: nginx@sha256:" + self.s("0123456789abcdef", 64),
            "  uid: " + "-".join(self.s("0123456789abcdef", n) for n in (8, 4, 4, 4, 12)),
            "  commit: " + self.s("0123456789abcdef", 40),
            '  "integrity": "sha512-' + base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(64))).decode() + '"',
            "  api_key: op://platform/payments/api-key",
            "  password: changeme",
        ]

    FAMILIES = ["github", "gitlab", "aws", "aws_secret", "slack", "stripe", "azure_storage",
                "postgres_url", "generic_password", "private_key", "jwt"]

    # ---- benign filler -------------------------------------------------
    def yaml_doc(self):
        name = self.s(string.ascii_lowercase, 8)
        return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: team-{self.s(string.ascii_lowercase, 4)}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: {self.r.randint(1, 5)}
  template:
    spec:
      containers:
        - name: {name}
          image: registry.internal/{name}:{self.r.randint(1, 9)}.{self.r.randint(0, 20)}.{self.r.randint(0, 9)}
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: password
          resources:
            limits: {{cpu: 500m, memory: 256Mi}}
"""

    def code(self):
        fn = self.s(string.ascii_lowercase, 7)
        return f"""func {fn}(ctx context.Context, req *Request) (*Response, error) {{
	if req == nil {{
		return nil, errors.New("{fn}: nil request")
	}}
	token := os.Getenv("API_TOKEN")
	resp, err := client.Do(ctx, req.WithHeader("Authorization", "Bearer "+token))
	if err != nil {{
		return nil, fmt.Errorf("{fn}: %w", err)
	}}
	return resp, nil
}}

def {fn}_handler(event, context):
    password = os.environ["DB_PASSWORD"]
    items = [x for x in event.get("items", []) if x.get("id")]
    return {{"count": len(items), "ok": True}}
"""

    def prose(self):
        words = ["the", "cluster", "secret", "token", "rotate", "deploy", "flux", "kustomize", "helm",
                 "vault", "reference", "encrypted", "namespace", "controller", "key", "password", "value",
                 "store", "sealed", "operator", "commit", "review", "pipeline", "release"]
        return " ".join(self.r.choice(words) for _ in range(self.r.randint(60, 200))) + ".\n\n"

    def lockfile(self):
        out = []
        for _ in range(20):
            name = self.s(string.ascii_lowercase, 6)
            out.append(f'    "node_modules/{name}": {{\n      "version": "1.{self.r.randint(0, 30)}.{self.r.randint(0, 9)}",\n'
                       f'      "resolved": "https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz",\n'
                       f'      "integrity": "sha512-' + base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(64))).decode() + '"\n    },')
        return "\n".join(out) + "\n"

    def blob(self):
        data = base64.b64encode(bytes(self.r.getrandbits(8) for _ in range(3000))).decode()
        return "\n".join(data[i:i + 76] for i in range(0, len(data), 76)) + "\n"


KINDS = [("yaml", ".yaml", 0.35), ("code", ".go", 0.35), ("prose", ".md", 0.15), ("blob", ".txt", 0.08), ("lockfile", ".json", 0.07)]


def parse_size(s):
    s = s.upper()
    mult = 1
    for suf, m in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if s.endswith(suf):
            mult, s = m, s[:-1]
    return int(float(s) * mult)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--size", default="64M")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--secret-rate", type=float, default=0.05, help="fraction of files with a planted secret")
    ap.add_argument("--decoy-rate", type=float, default=0.05)
    args = ap.parse_args()
    g = Gen(args.seed)
    target = parse_size(args.size)
    total = 0
    n = 0
    truth = open(os.path.join(args.out, "truth.jsonl") if os.path.isdir(args.out) else (os.makedirs(args.out) or os.path.join(args.out, "truth.jsonl")), "w")
    while total < target:
        kind, ext, = None, None
        x = g.r.random()
        acc = 0
        for k, e, w in KINDS:
            acc += w
            if x <= acc:
                kind, ext = k, e
                break
        if kind is None:
            kind, ext = KINDS[0][0], KINDS[0][1]
        # lognormal-ish size: a few pieces
        pieces = max(1, int(g.r.lognormvariate(1.0, 0.9)))
        lines = []
        for _ in range(pieces):
            lines.extend(getattr(g, kind if kind != "yaml" else "yaml_doc")().splitlines())
        rel = f"d{n // 1000:03d}/{kind}_{n:06d}{ext}"
        planted = []
        if g.r.random() < args.secret_rate:
            fam = g.r.choice(Gen.FAMILIES)
            text, secret = getattr(g, fam)()
            at = g.r.randint(0, len(lines))
            lines[at:at] = text.split("\n")
            planted.append({"path": rel, "line": at + 1, "family": fam, "secret": secret})
        if g.r.random() < args.decoy_rate:
            d = g.r.choice(g.decoys())
            at = g.r.randint(0, len(lines))
            # keep planted line numbers right
            for p in planted:
                if at < p["line"]:
                    p["line"] += 1
            lines.insert(at, d)
            truth.write(json.dumps({"path": rel, "line": at + 1, "decoy": d[:60]}) + "\n")
        content = "\n".join(lines) + "\n"
        path = os.path.join(args.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
        for p in planted:
            truth.write(json.dumps(p) + "\n")
        total += len(content)
        n += 1
    truth.close()
    print(f"wrote {n} files, {total} bytes to {args.out}")


if __name__ == "__main__":
    main()
