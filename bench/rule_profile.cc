// rule_profile: which rules make the combined database slow. For every
// built-in rule, compiles it alone and scans generated benign text, printing
// Hyperscan candidates (each costs an RE2 confirmation), confirmed matches
// and the time (thread CPU time), worst first. Candidate counts do not depend on machine load.
//
//   build/release/bench/rule_profile [MB]
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "bench/bench_text.h"
#include "scanner/match/matcher.h"

namespace {
// Thread CPU time: the figures stay meaningful on a loaded machine.
struct CpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<CpuClock>;
  static time_point now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
  }
};
}  // namespace

int main(int argc, char** argv) {
  size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 16;
  std::string text;
  if (const char* dir = std::getenv("VIGIL_PROFILE_DIR")) {
    // Real files instead of generated text: the first MB of a tree.
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || text.size() >= (mb << 20)) continue;
      std::ifstream in(e.path(), std::ios::binary);
      text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  } else {
    text = vigil::BenignText(mb << 20, 7);
  }
  std::vector<vigil::Rule> rules;
  if (!vigil::LoadBuiltinRules(&rules).ok()) return 2;
  struct Row {
    std::string id;
    unsigned long long candidates = 0;
    size_t matches = 0;
    double ms = 0;
    double full_ms = 0;  // Hyperscan + RE2 confirmation + filters
  };
  std::vector<Row> rows;
  for (const auto& r : rules) {
    Row row;
    row.id = r.id;
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    const std::string& hs_pattern = r.prefilter.empty() ? r.pattern : r.prefilter;
    if (hs_compile(hs_pattern.c_str(), 0, HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      continue;
    }
    hs_scratch_t* scratch = nullptr;
    hs_alloc_scratch(db, &scratch);
    auto cb = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
      ++*static_cast<unsigned long long*>(ctx);
      return 0;
    };
    auto t0 = CpuClock::now();
    hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, cb, &row.candidates);
    row.ms = std::chrono::duration<double, std::milli>(CpuClock::now() - t0).count();
    hs_free_scratch(scratch);
    hs_free_database(db);
    vigil::CompileOptions co;
    co.use_cache = false;
    auto one = vigil::RuleDatabase::Build({r}, co);
    if (one.ok()) {
      vigil::Matcher m(one.value());
      std::vector<vigil::RawMatch> out;
      auto t1 = CpuClock::now();
      (void)m.Scan(text, &out);
      row.full_ms = std::chrono::duration<double, std::milli>(CpuClock::now() - t1).count();
      row.matches = out.size();
    }
    rows.push_back(row);
  }
  // Marginal cost of each rules file: the combined database with and
  // without it.
  auto combined_ms = [&](const std::vector<vigil::Rule>& set) {
    vigil::CompileOptions co;
    co.use_cache = false;
    auto db = vigil::RuleDatabase::Build(set, co);
    if (!db.ok()) return -1.0;
    vigil::Matcher m(db.value());
    std::vector<vigil::RawMatch> out;
    double best = 1e18;
    for (int rep = 0; rep < 3; ++rep) {
      out.clear();
      auto t0 = CpuClock::now();
      (void)m.Scan(text, &out);
      best = std::min(best, std::chrono::duration<double, std::milli>(CpuClock::now() - t0).count());
    }
    return best;
  };
  // Hyperscan alone, combined database: CPU ms to scan the text with the
  // given rules (their prefilter when they have one), best of 3.
  auto hs_only_ms = [&](const std::vector<const vigil::Rule*>& set) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < set.size(); ++i) {
      exprs.push_back(set[i]->prefilter.empty() ? set[i]->pattern.c_str() : set[i]->prefilter.c_str());
      flags.push_back(0);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) != HS_SUCCESS) {
      hs_free_compile_error(err);
      return -1.0;
    }
    hs_scratch_t* scratch = nullptr;
    hs_alloc_scratch(db, &scratch);
    double best = 1e18;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = CpuClock::now();
      hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch,
              [](unsigned, unsigned long long, unsigned long long, unsigned, void*) -> int { return 0; }, nullptr);
      best = std::min(best, std::chrono::duration<double, std::milli>(CpuClock::now() - t0).count());
    }
    hs_free_scratch(scratch);
    hs_free_database(db);
    return best;
  };
  if (std::getenv("VIGIL_PROFILE_TIERS")) {
    // The combined Hyperscan pass without the k rules that are slowest
    // alone: how much of the combined cost the weakest literals carry.
    std::vector<std::pair<double, size_t>> alone;
    for (size_t i = 0; i < rules.size(); ++i) alone.emplace_back(hs_only_ms({&rules[i]}), i);
    std::sort(alone.rbegin(), alone.rend());
    for (size_t k : {0, 1, 2, 4, 8, 16, 32, 64, 128}) {
      if (k >= rules.size()) break;
      std::vector<const vigil::Rule*> rest;
      std::string dropped;
      for (size_t j = k; j < alone.size(); ++j) rest.push_back(&rules[alone[j].second]);
      double ms = hs_only_ms(rest);
      std::printf("without the %3zu slowest: %6.1f ms (%.2f GB/s)", k, ms, text.size() / (ms * 1e6));
      if (k > 0) {
        std::printf("  [next dropped:");
        for (size_t j = k / 2; j < k; ++j) std::printf(" %s(%.1f)", rules[alone[j].second].id.c_str(), alone[j].first);
        std::printf("]");
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    return 0;
  }
  if (std::getenv("VIGIL_PROFILE_CANDIDATES")) {
    // Candidates per rule in the combined database (what Hyperscan actually
    // scans: the prefilter when a rule has one).
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < rules.size(); ++i) {
      exprs.push_back(rules[i].prefilter.empty() ? rules[i].pattern.c_str() : rules[i].prefilter.c_str());
      flags.push_back(0);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                         nullptr, &db, &err) != HS_SUCCESS)
      return 2;
    hs_scratch_t* scratch = nullptr;
    hs_alloc_scratch(db, &scratch);
    std::vector<unsigned long long> counts(rules.size());
    auto t0 = CpuClock::now();
    hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch,
            [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
              (*static_cast<std::vector<unsigned long long>*>(ctx))[id]++;
              return 0;
            },
            &counts);
    double hs_ms = std::chrono::duration<double, std::milli>(CpuClock::now() - t0).count();
    unsigned long long total = 0;
    for (auto c : counts) total += c;
    std::printf("combined database, Hyperscan alone: %.1f ms (%.2f GB/s), %llu candidates\n", hs_ms,
                text.size() / (hs_ms * 1e6), total);
    std::vector<std::pair<unsigned long long, std::string>> v;
    for (size_t i = 0; i < rules.size(); ++i) v.emplace_back(counts[i], rules[i].id);
    std::sort(v.rbegin(), v.rend());
    for (size_t i = 0; i < 25 && i < v.size(); ++i) std::printf("%10llu %s\n", v[i].first, v[i].second.c_str());
    return 0;
  }
  if (std::getenv("VIGIL_PROFILE_FILES")) {
    double all = combined_ms(rules);
    std::printf("combined, all %zu rules: %.1f ms (%.2f GB/s)\n", rules.size(), all, text.size() / (all * 1e6));
    std::vector<std::string> files;
    for (const auto& r : rules)
      if (std::find(files.begin(), files.end(), r.source_file) == files.end()) files.push_back(r.source_file);
    std::vector<std::pair<double, std::string>> marg;
    for (const auto& f : files) {
      std::vector<vigil::Rule> rest;
      for (const auto& r : rules)
        if (r.source_file != f) rest.push_back(r);
      marg.emplace_back(all - combined_ms(rest), f);
    }
    std::sort(marg.rbegin(), marg.rend());
    for (const auto& [ms, f] : marg) std::printf("%-40s saves %7.1f ms when left out\n", f.c_str(), ms);
    return 0;
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.full_ms > b.full_ms; });
  std::printf("%zu MB text, %zu rules; worst first\n%-44s %12s %8s %9s %8s %9s\n", mb, rows.size(), "rule",
              "candidates", "matches", "ms alone", "GB/s", "ms+RE2");
  for (const auto& r : rows) {
    std::printf("%-44s %12llu %8zu %9.1f %8.2f %9.1f\n", r.id.c_str(), r.candidates, r.matches, r.ms,
                text.size() / (r.ms * 1e6), r.full_ms);
  }
  return 0;
}
