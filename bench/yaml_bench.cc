// The linter's YAML loader on manifests: ParseYamlFast (the fast path) and
// ParseYaml (fast path, then yaml-cpp for the rest), bytes/s on one thread,
// with the trees' teardown timed apart (BM_YamlTreeFree).
//
//   build/release/bench/yaml_bench
//   VIGIL_BENCH_MANIFESTS=/tmp/m10k build/release/bench/yaml_bench
//
// The default input is the bundled real-world corpus (tests/fixtures/real-world,
// 372 manifests); VIGIL_BENCH_MANIFESTS names another tree, e.g. one made by
// bench/gen_manifests.py. Every .yaml/.yml/.json file below it is read once,
// before timing.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_text.h"
#include "policies/yaml_tree.h"

namespace {

const std::vector<std::string>& Manifests() {
  static const std::vector<std::string> texts = [] {
    const char* env = std::getenv("VIGIL_BENCH_MANIFESTS");
    std::filesystem::path root =
        env != nullptr && *env != '\0'
            ? std::filesystem::path(env)
            : std::filesystem::path(VIGIL_SOURCE_DIR) / "tests/fixtures/real-world";
    return vigil::ReadTree(root, {".yaml", ".yml", ".json"});
  }();
  return texts;
}

size_t TotalBytes(const std::vector<std::string>& texts) {
  size_t n = 0;
  for (const auto& t : texts) n += t.size();
  return n;
}

// Parses every file (the trees are freed outside the timed part).
void BM_ParseYamlFast(benchmark::State& state) {
  const auto& texts = Manifests();
  size_t accepted = 0;
  for (auto _ : state) {
    std::vector<std::vector<vigil::YDocument>> docs(texts.size());
    accepted = 0;
    for (size_t i = 0; i < texts.size(); ++i) accepted += vigil::ParseYamlFast(texts[i], &docs[i]);
    benchmark::DoNotOptimize(docs.data());
    state.PauseTiming();
    docs.clear();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(texts)));
  state.counters["files"] = static_cast<double>(texts.size());
  state.counters["fast_path"] = static_cast<double>(accepted);
}
BENCHMARK(BM_ParseYamlFast)->Unit(benchmark::kMillisecond);

void BM_ParseYaml(benchmark::State& state) {
  const auto& texts = Manifests();
  for (auto _ : state) {
    std::vector<std::vector<vigil::YDocument>> docs(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      uint32_t line = 0;
      (void)vigil::ParseYaml(texts[i], &docs[i], &line);
    }
    benchmark::DoNotOptimize(docs.data());
    state.PauseTiming();
    docs.clear();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(texts)));
}
BENCHMARK(BM_ParseYaml)->Unit(benchmark::kMillisecond);

// Frees the trees of every file (parsed outside the timed part).
void BM_YamlTreeFree(benchmark::State& state) {
  const auto& texts = Manifests();
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::vector<vigil::YDocument>> docs(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      uint32_t line = 0;
      (void)vigil::ParseYaml(texts[i], &docs[i], &line);
    }
    state.ResumeTiming();
    docs.clear();
  }
}
BENCHMARK(BM_YamlTreeFree)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
