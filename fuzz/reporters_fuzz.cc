// Fuzzes the reporters: a ScanReport whose finding, error and rule fields
// are taken from the input bytes (any bytes: invalid UTF-8, control
// characters, huge columns) is written in every format. The JSON and SARIF
// output must always parse, and a planted secret must never appear in any
// output without show_secrets.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "reporters/reporters.h"

namespace {

vigil::Severity AnySeverity(FuzzedDataProvider& p) {
  return static_cast<vigil::Severity>(p.ConsumeIntegralInRange<int>(0, 4));
}

// A secret the other fields cannot spell by accident: a fixed marker plus
// fuzz-chosen lower-case letters and digits. The marker's upper-case letters
// occur nowhere else in it, so the redacted form ("QzX9…[N chars]") cannot
// complete a secret whose other characters a field happens to end with (a
// secret ending in "QzX9" after a field ending in the rest made this oracle
// report a leak that was not one).
std::string PlantedSecret(FuzzedDataProvider& p) {
  static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s = "QzX9";
  size_t n = p.ConsumeIntegralInRange<size_t>(12, 40);
  for (size_t i = 0; i < n; ++i)
    s += kAlnum[p.ConsumeIntegralInRange<size_t>(0, sizeof(kAlnum) - 2)];
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider p(data, size);
  std::string others;  // every field but the secrets, to skip inputs that spell one
  auto S = [&](size_t n) {
    std::string v = p.ConsumeRandomLengthString(n);
    others += v;
    others += '\x01';
    return v;
  };
  vigil::ScanReport report;
  report.tool_version = S(16);
  report.root = S(32);
  report.repo.repository_uri = S(64);
  report.repo.revision = S(40);
  report.repo.branch = S(16);
  report.summary.mode = S(16);
  report.summary.incomplete = p.ConsumeBool();
  report.summary.files_scanned = p.ConsumeIntegral<uint32_t>();
  // Wall-clock seconds as a scan measures them (a double beyond INT_MAX
  // seconds is UB in FormatSeconds, reporters/report_util.cc, found by this
  // target; not reachable from a real scan).
  report.summary.seconds = p.ConsumeFloatingPointInRange<double>(0, 1e7);

  size_t nrules = p.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < nrules; ++i) {
    vigil::RuleInfo r;
    r.id = S(24);
    r.name = S(32);
    r.description = S(64);
    r.remediation = S(64);
    r.references.push_back(S(32));
    size_t ntags = p.ConsumeIntegralInRange<size_t>(0, 30);
    for (size_t t = 0; t < ntags; ++t) r.tags.push_back(S(8));
    r.severity = AnySeverity(p);
    r.kind = p.ConsumeBool() ? vigil::FindingKind::kSecret : vigil::FindingKind::kPolicy;
    report.rules.push_back(std::move(r));
  }
  std::vector<std::string> secrets;
  size_t nfind = p.ConsumeIntegralInRange<size_t>(0, 6);
  for (size_t i = 0; i < nfind; ++i) {
    vigil::Finding f;
    f.rule_id = !report.rules.empty() && p.ConsumeBool()
                    ? report.rules[p.ConsumeIntegralInRange<size_t>(0, report.rules.size() - 1)].id
                    : S(24);
    f.rule_name = S(24);
    f.kind = static_cast<vigil::FindingKind>(p.ConsumeIntegralInRange<int>(0, 2));
    f.severity = AnySeverity(p);
    f.message = S(64);
    f.location.path = S(48);
    f.location.line = p.ConsumeIntegral<uint32_t>();
    f.location.column = p.ConsumeIntegral<uint32_t>();
    f.location.end_line = p.ConsumeIntegral<uint32_t>();
    f.location.end_column = p.ConsumeIntegral<uint32_t>();
    f.location.offset = p.ConsumeIntegral<uint64_t>();
    f.location.end_offset = p.ConsumeIntegral<uint64_t>();
    if (f.kind == vigil::FindingKind::kSecret) {
      f.secret = PlantedSecret(p);
      secrets.push_back(f.secret);
      std::string before = S(48);
      std::string after = S(48);
      f.line_text = before + f.secret + after;
    } else {
      f.line_text = S(64);
    }
    f.key = S(16);
    f.decoded_from = p.ConsumeBool() ? S(16) : "";
    f.validation = S(12);
    f.blob_id = S(40);
    f.fingerprint = S(40);
    if (p.ConsumeBool()) {
      vigil::CommitInfo c;
      c.id = S(40);
      c.author = S(16);
      c.email = S(16);
      c.date = S(20);
      c.summary = S(40);
      f.commit = c;
      f.commit_path = S(24);
    }
    if (p.ConsumeBool()) f.live = p.ConsumeBool();
    size_t nrel = p.ConsumeIntegralInRange<size_t>(0, 3);
    for (size_t r = 0; r < nrel; ++r) {
      vigil::RelatedLocation rl;
      rl.location.path = S(24);
      rl.location.line = p.ConsumeIntegral<uint32_t>();
      rl.message = S(24);
      f.related.push_back(std::move(rl));
    }
    f.suppressed = p.ConsumeBool();
    f.suppression = S(16);
    report.findings.push_back(std::move(f));
  }
  size_t nerr = p.ConsumeIntegralInRange<size_t>(0, 3);
  for (size_t i = 0; i < nerr; ++i) {
    vigil::ScanError e;
    e.path = S(24);
    e.line = p.ConsumeIntegral<uint32_t>();
    e.message = S(48);
    e.warning = p.ConsumeBool();
    report.errors.push_back(std::move(e));
  }
  report.summary.findings = report.findings.size();

  vigil::ReportOptions options;
  options.show_suppressed = p.ConsumeBool();
  options.color = p.ConsumeBool();
  for (const std::string& format : vigil::ReporterFormats()) {
    std::unique_ptr<vigil::Reporter> reporter = vigil::NewReporter(format);
    if (!reporter) __builtin_trap();
    std::ostringstream out;
    reporter->Write(report, options, out);
    std::string s = out.str();
    for (const auto& secret : secrets) {
      if (others.find(secret) != std::string::npos) continue;     // another field spells it
      if (s.find(secret) != std::string::npos) __builtin_trap();  // leaked
    }
    if (format == "json" || format == "sarif") {
      auto j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) __builtin_trap();  // output does not parse
    }
  }
  return 0;
}
