#!/usr/bin/env python3
"""Generates a GitOps tree of N Kubernetes manifests (deterministic) for the
lint benchmark: Deployments, Services, ConfigMaps, ExternalSecrets,
SealedSecrets, SOPS-encrypted Secrets, kustomizations, and a few plain Secrets,
spread over clusters/<env>/apps/<app>/, with what a working repository also
has: one ClusterSecretStore per cluster and each namespace's registry pull
secret (an ExternalSecret). The plain Secrets (one app in 50) are the tree's
deliberate defects.

  gen_manifests.py OUT_DIR [--count 10000] [--seed 1] [--defects]

--defects writes the tree of the first sessions' figures instead: no
ClusterSecretStore, no pull secrets, and SOPS metadata without the
encrypted_regex that sops records, so every app draws findings (10,000 in all
for 10,000 manifests).
"""
import argparse
import base64
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defects", action="store_true")
    a = ap.parse_args()
    r = random.Random(a.seed)
    rnd = lambda n: base64.b64encode(bytes(r.getrandbits(8) for _ in range(n))).decode()
    envs = ["prod", "staging", "dev"]
    n = 0
    if not a.defects:
        for env in envs:
            d = os.path.join(a.out, "clusters", env, "platform")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "cluster-secret-store.yaml"), "w") as f:
                f.write(f"""apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: azure-kv
spec:
  provider:
    azurekv:
      authType: WorkloadIdentity
      vaultUrl: https://kv-{env}-apps.vault.azure.net
      serviceAccountRef:
        name: external-secrets
        namespace: external-secrets
""")
            n += 1
            for t in range(40):
                ns = f"team-{t:02d}"
                with open(os.path.join(d, f"registry-{ns}.yaml"), "w") as f:
                    f.write(f"""apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: registry
  namespace: {ns}
spec:
  refreshInterval: 1h
  secretStoreRef: {{kind: ClusterSecretStore, name: azure-kv}}
  target:
    name: registry
    template:
      type: kubernetes.io/dockerconfigjson
      data:
        .dockerconfigjson: "{{{{ .config }}}}"
  data:
    - secretKey: config
      remoteRef: {{key: registry-dockerconfig}}
""")
                n += 1
    sops_regex = "" if a.defects else "    encrypted_regex: ^(data|stringData)$\n"
    app = 0
    while n < a.count:
        env = envs[app % 3]
        name = f"app{app:04d}"
        ns = f"team-{app % 40:02d}"
        d = os.path.join(a.out, "clusters", env, "apps", name)
        os.makedirs(d, exist_ok=True)
        docs = {
            "deployment.yaml": f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      serviceAccountName: {name}
      imagePullSecrets:
        - name: registry
      containers:
        - name: {name}
          image: registry.internal/{name}:1.{app % 30}.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: {name}-db, key: password}}
""",
            "service.yaml": f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80, targetPort: 8080}}]
""",
            "configmap.yaml": f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {ns}
data:
  LOG_LEVEL: info
  FEATURES: "a,b,c"
""",
            "external-secret.yaml": f"""apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {name}-db
  namespace: {ns}
spec:
  refreshInterval: 1h
  secretStoreRef: {{kind: ClusterSecretStore, name: azure-kv}}
  target: {{name: {name}-db}}
  data:
    - secretKey: password
      remoteRef: {{key: {name}-db-password}}
""",
            "sealed-secret.yaml": f"""apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: {name}-session
  namespace: {ns}
spec:
  encryptedData:
    key: {base64.b64encode(bytes([2, 0]) + bytes(r.getrandbits(8) for _ in range(540))).decode()}
  template:
    metadata: {{name: {name}-session, namespace: {ns}}}
""",
            "secret.sops.yaml": f"""apiVersion: v1
kind: Secret
metadata:
    name: {name}-api
    namespace: {ns}
stringData:
    token: ENC[AES256_GCM,data:{rnd(24)},iv:{rnd(32)},tag:{rnd(16)},type:str]
sops:
    age:
        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            {rnd(48)}
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-10-02T08:14:51Z"
    mac: ENC[AES256_GCM,data:{rnd(48)},iv:{rnd(32)},tag:{rnd(16)},type:str]
{sops_regex}    version: 3.8.1
""",
            "kustomization.yaml": f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {ns}
resources: [deployment.yaml, service.yaml, configmap.yaml, external-secret.yaml, sealed-secret.yaml, secret.sops.yaml]
""",
        }
        if app % 50 == 0:
            docs["plain-secret.yaml"] = f"""apiVersion: v1
kind: Secret
metadata:
  name: {name}-legacy
  namespace: {ns}
data:
  password: {base64.b64encode(rnd(12).encode()).decode()}
"""
        for fname, text in docs.items():
            if n >= a.count:
                break
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)
            n += 1
        app += 1
    with open(os.path.join(a.out, ".sops.yaml"), "w") as f:
        f.write("creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n"
                "    age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n")
    print(f"wrote {n} manifests for {app} apps under {a.out}")


if __name__ == "__main__":
    main()
