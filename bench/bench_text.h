// Inputs for the benchmarks: generated benign text for the matcher
// (Kubernetes YAML, code, prose and base64 lines, deterministic for a seed),
// and the files of a directory tree read into memory.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// The contents of every regular file below `dir`, in path order; with
// `extensions`, only the files that end in one of them (".yaml", ...).
inline std::vector<std::string> ReadTree(const std::filesystem::path& dir,
                                         std::initializer_list<std::string_view> extensions = {}) {
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string ext = e.path().extension().string();
    if (extensions.size() != 0 &&
        std::find(extensions.begin(), extensions.end(), ext) == extensions.end())
      continue;
    paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

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
