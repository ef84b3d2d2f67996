// Google Benchmark of the secret matcher: the full built-in rule set, one
// thread, on generated benign text (Kubernetes YAML, code, prose, base64,
// lockfile lines), reported as bytes/s. Also the compile and cache-load cost
// of the rule database, and the Kubernetes Secret path.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "bench/bench_text.h"
#include "scanner/match/matcher.h"

namespace vigil {
namespace {

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
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["rules"] = static_cast<double>(Db()->rules().size());
  state.counters["matches"] = static_cast<double>(out.size());
}
BENCHMARK(BM_MatcherBenignText)->Arg(64 << 20)->Unit(benchmark::kMillisecond);

// Real files: every file under a directory, one scan per file, as the
// working-tree source does, without the file reading.
void ScanTree(benchmark::State& state, const char* dir) {
  std::vector<std::string> files = ReadTree(dir);
  size_t bytes = 0;
  for (const auto& f : files) bytes += f.size();
  Matcher m(Db());
  std::vector<RawMatch> out;
  size_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (const auto& f : files) {
      out.clear();
      benchmark::DoNotOptimize(m.Scan(f, &out));
      matches += out.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
  state.counters["files"] = static_cast<double>(files.size());
  state.counters["matches"] = static_cast<double>(matches);
}

// $VIGIL_BENCH_CORPUS: for instance the labeled corpus of
// bench/corpus/gen_corpus.py, or /usr/include for ordinary code.
void BM_MatcherCorpus(benchmark::State& state) {
  const char* dir = std::getenv("VIGIL_BENCH_CORPUS");
  if (!dir) {
    state.SkipWithError("set VIGIL_BENCH_CORPUS to a directory");
    return;
  }
  ScanTree(state, dir);
}
BENCHMARK(BM_MatcherCorpus)->Unit(benchmark::kMillisecond);

// The bundled real-world GitOps manifests (tests/fixtures/real-world: SOPS,
// SealedSecrets, External Secrets, plain Secrets): the densest real text in
// secret keywords vigil is meant for.
void BM_MatcherGitOpsManifests(benchmark::State& state) {
  ScanTree(state, VIGIL_SOURCE_DIR "/tests/fixtures/real-world");
}
BENCHMARK(BM_MatcherGitOpsManifests)->Unit(benchmark::kMillisecond);

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
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
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
