// Generated benign text for the matcher benchmarks: Kubernetes YAML, code,
// prose and base64 lines, deterministic for a seed.
#pragma once

#include <random>
#include <string>

namespace vigil {

inline std::string BenignText(size_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* kYaml[] = {
      "apiVersion: apps/v1\n", "kind: Deployment\n", "metadata:\n  name: checkout-api\n",
      "  namespace: payments\n", "spec:\n  replicas: 3\n", "      containers:\n        - name: api\n",
      "          image: registry.internal/checkout:1.4.2\n",
      "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n"
      "                  name: checkout-db\n                  key: password\n",
      "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n"};
  static const char* kCode[] = {
      "func handle(ctx context.Context, req *Request) (*Response, error) {\n",
      "\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"handle: %w\", err)\n\t}\n",
      "def load_settings(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n",
      "const token = process.env.API_TOKEN; // read at startup\n",
      "    password = os.environ[\"DB_PASSWORD\"]\n"};
  static const char* kProse[] = {
      "The controller decrypts the secret in the cluster and the key never leaves the vault. ",
      "Rotate the credentials after every incident and review the pull request. ",
      "Flux applies the kustomization; sealed secrets are bound to their namespace. "};
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(bytes + 4096);
  while (out.size() < bytes) {
    switch (rng() % 10) {
      case 0: case 1: case 2: case 3:
        out += kYaml[rng() % (sizeof kYaml / sizeof *kYaml)];
        break;
      case 4: case 5: case 6:
        out += kCode[rng() % (sizeof kCode / sizeof *kCode)];
        break;
      case 7: case 8:
        out += kProse[rng() % (sizeof kProse / sizeof *kProse)];
        if (rng() % 4 == 0) out += "\n";
        break;
      default:
        for (int i = 0; i < 76; ++i) out += kB64[rng() % 64];
        out += "\n";
    }
  }
  return out;
}

}  // namespace vigil
