// Google Benchmark of the secret matcher: the full built-in rule set, one
// thread, on generated benign text (Kubernetes YAML, code, prose, base64,
// lockfile lines), reported as bytes/s. Also the compile and cache-load cost
// of the rule database, and the Kubernetes Secret path.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>
#include <string>

#include "scanner/match/matcher.h"

namespace vigil {
namespace {

std::string BenignText(size_t bytes, uint32_t seed) {
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

std::shared_ptr<const RuleDatabase> Db() {
  static auto db = [] {
    std::vector<Rule> rules;
    (void)LoadBuiltinRules(&rules);
    CompileOptions co;
    co.use_cache = false;
    return RuleDatabase::Build(std::move(rules), co).value();
  }();
  return db;
}

void BM_MatcherBenignText(benchmark::State& state) {
  std::string text = BenignText(static_cast<size_t>(state.range(0)), 7);
  Matcher m(Db());
  std::vector<RawMatch> out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(m.Scan(text, &out));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
  state.counters["rules"] = static_cast<double>(Db()->rules().size());
  state.counters["matches"] = static_cast<double>(out.size());
}
BENCHMARK(BM_MatcherBenignText)->Arg(64 << 20)->Unit(benchmark::kMillisecond);

// Many small blobs: per-call overhead of one Hyperscan scan per file.
void BM_MatcherSmallBlobs(benchmark::State& state) {
  std::string text = BenignText(16 << 20, 9);
  size_t blob = static_cast<size_t>(state.range(0));
  Matcher m(Db());
  std::vector<RawMatch> out;
  for (auto _ : state) {
    for (size_t off = 0; off + blob <= text.size(); off += blob) {
      out.clear();
      benchmark::DoNotOptimize(m.Scan(std::string_view(text).substr(off, blob), &out));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_MatcherSmallBlobs)->Arg(4096)->Arg(32768)->Unit(benchmark::kMillisecond);

void BM_CompileRules(benchmark::State& state) {
  std::vector<Rule> rules;
  (void)LoadBuiltinRules(&rules);
  for (auto _ : state) {
    CompileOptions co;
    co.use_cache = false;
    benchmark::DoNotOptimize(RuleDatabase::Build(rules, co));
  }
}
BENCHMARK(BM_CompileRules)->Unit(benchmark::kMillisecond);

void BM_LoadRulesFromCache(benchmark::State& state) {
  std::vector<Rule> rules;
  (void)LoadBuiltinRules(&rules);
  auto dir = std::filesystem::temp_directory_path() / "vigil-bench-cache";
  CompileOptions co;
  co.cache_dir = dir.string();
  (void)RuleDatabase::Build(rules, co);  // warm the cache
  for (auto _ : state) {
    auto db = RuleDatabase::Build(rules, co);
    if (!db.ok() || !db.value()->loaded_from_cache()) state.SkipWithError("cache miss");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LoadRulesFromCache)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
