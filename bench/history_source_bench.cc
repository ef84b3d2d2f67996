// The history source without the secret matcher: what enumeration, blob
// reading, the pipeline's hand-over and provenance cost on their own, so the
// source layer's share of `vigil scan --history` can be told apart from the
// matcher's (bench/history/README.md).
//
//   VIGIL_BENCH_REPO=/tmp/histrepo.git build/release/history_source_bench
//
// Benchmarks (one iteration each; the repository is large):
//   BM_Enumerate            commits, trees, blob order: Enumerate() alone
//   BM_ScanNoMatcher/T      Enumerate + read every blob on T worker threads
//                           through RunScan, with an inspector that only looks
//                           for the two planted-secret prefixes (memmem), then
//                           provenance for what it found
//   BM_Provenance           AddProvenance alone, for the findings of one
//                           BM_ScanNoMatcher-like run
// Google Benchmark's CPU column counts the main thread only: measure whole-
// process CPU with /usr/bin/time -v and --benchmark_filter.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "scanner/pipeline/scan.h"
#include "scanner/source/git_source.h"

namespace vigil {
namespace {

const char* Repo() { return std::getenv("VIGIL_BENCH_REPO"); }

// Reports AWS access key ids ("AKIA" + 16) and classic GitHub tokens
// ("ghp_" + 36), the secrets bench/history/make_repo.py plants.
class PrefixInspector : public Inspector {
 public:
  class Worker : public InspectorWorker {
   public:
    void Inspect(const BlobRef& blob, std::vector<Finding>* out,
                 std::vector<ScanError>* /*errors*/) override {
      Find(blob, "AKIA", 20, out);
      Find(blob, "ghp_", 40, out);
    }

   private:
    static void Find(const BlobRef& blob, const char* prefix, size_t len,
                     std::vector<Finding>* out) {
      const char* p = blob.data.data();
      const char* end = p + blob.data.size();
      while (p < end) {
        const void* hit = memmem(p, static_cast<size_t>(end - p), prefix, 4);
        if (!hit) break;
        const char* h = static_cast<const char*>(hit);
        if (static_cast<size_t>(end - h) >= len) {
          Finding f;
          f.rule_id = prefix;
          f.location.path = std::string(blob.path);
          f.location.line = 1;
          f.secret.assign(h, len);
          out->push_back(std::move(f));
        }
        p = h + 4;
      }
    }
  };
  std::unique_ptr<InspectorWorker> NewWorker() const override {
    return std::make_unique<Worker>();
  }
};

void BM_Enumerate(benchmark::State& state) {
  if (!Repo()) return state.SkipWithError("set VIGIL_BENCH_REPO to a git repository");
  for (auto _ : state) {
    auto src = NewGitHistorySource(Repo(), GitOptions{});
    if (!src.ok()) return state.SkipWithError(src.status().message().c_str());
    uint64_t items = 0, bytes = 0;
    std::vector<ScanError> errors;
    Status st = src.value()->Enumerate(
        [&](WorkItem item) {
          ++items;
          bytes += item.size;
        },
        &errors);
    if (!st.ok()) return state.SkipWithError(st.message().c_str());
    state.counters["blobs"] = static_cast<double>(items);
    state.counters["objects"] = static_cast<double>(src.value()->ObjectsEnumerated());
  }
}
BENCHMARK(BM_Enumerate)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ScanNoMatcher(benchmark::State& state) {
  if (!Repo()) return state.SkipWithError("set VIGIL_BENCH_REPO to a git repository");
  for (auto _ : state) {
    auto src = NewGitHistorySource(Repo(), GitOptions{});
    if (!src.ok()) return state.SkipWithError(src.status().message().c_str());
    PrefixInspector prefixes;
    PipelineOptions po;
    po.threads = static_cast<int>(state.range(0));
    ScanOutcome out = RunScan(*src.value(), {&prefixes}, po);
    size_t with_commit = 0;
    for (const Finding& f : out.findings) with_commit += f.commit.has_value();
    state.counters["blobs"] = static_cast<double>(out.summary.files_scanned);
    state.counters["MB"] = static_cast<double>(out.summary.bytes_scanned) / 1e6;
    state.counters["findings"] = static_cast<double>(out.findings.size());
    state.counters["with_commit"] = static_cast<double>(with_commit);
    state.SetBytesProcessed(static_cast<int64_t>(out.summary.bytes_scanned));
  }
}
BENCHMARK(BM_ScanNoMatcher)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Provenance(benchmark::State& state) {
  if (!Repo()) return state.SkipWithError("set VIGIL_BENCH_REPO to a git repository");
  for (auto _ : state) {
    state.PauseTiming();
    auto src = NewGitHistorySource(Repo(), GitOptions{});
    if (!src.ok()) return state.SkipWithError(src.status().message().c_str());
    // The findings of a scan, stripped of their provenance again.
    PrefixInspector prefixes;
    PipelineOptions po;
    po.threads = 2;
    ScanOutcome out = RunScan(*src.value(), {&prefixes}, po);
    for (Finding& f : out.findings) {
      f.commit.reset();
      f.commit_path.clear();
      f.live.reset();
    }
    state.ResumeTiming();
    src.value()->AddProvenance(&out.findings);
    state.counters["findings"] = static_cast<double>(out.findings.size());
  }
}
BENCHMARK(BM_Provenance)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
