// The JSON reporter: one stable, documented schema (docs/output.md, schema
// version "1"). Every key is always present (empty string, null or [] when it
// does not apply) so consumers can rely on the shape. Keys keep their order.

#include <nlohmann/json.hpp>
#include <ostream>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;
using report::Scrubber;

Json LocationJson(const Location& l) {
  return Json{{"path", l.path},
              {"line", l.line},
              {"column", l.column},
              {"end_line", l.end_line},
              {"end_column", l.end_column}};
}

Json FindingJson(const Finding& f, const ReportOptions& options) {
  Scrubber scrub(f, options.show_secrets);
  Json j;
  j["rule_id"] = f.rule_id;
  j["rule_name"] = f.rule_name;
  j["kind"] = report::KindName(f.kind);
  j["severity"] = SeverityName(f.severity);
  j["message"] = scrub.Text(f.message);
  j["location"] = LocationJson(f.location);
  j["secret"] = f.secret.empty() ? "" : scrub.Secret();
  j["snippet"] = scrub.Snippet();
  j["key"] = scrub.Text(f.key);
  j["decoded_from"] = f.decoded_from;
  j["validation"] = f.validation;
  j["fingerprint"] = f.fingerprint;
  j["blob_id"] = f.blob_id;
  if (f.commit) {
    j["commit"] = Json{{"id", f.commit->id},
                       {"author", f.commit->author},
                       {"email", f.commit->email},
                       {"date", f.commit->date},
                       {"summary", scrub.Text(f.commit->summary)},
                       {"path", f.commit_path}};
  } else {
    j["commit"] = nullptr;
  }
  j["live"] = f.live.has_value() ? Json(*f.live) : Json(nullptr);
  Json related = Json::array();
  for (const RelatedLocation& r : f.related) {
    related.push_back(
        Json{{"location", LocationJson(r.location)}, {"message", scrub.Text(r.message)}});
  }
  j["related"] = std::move(related);
  j["suppressed"] = f.suppressed;
  j["suppression"] = f.suppression;
  return j;
}

class JsonReporter : public Reporter {
 public:
  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    Json doc;
    doc["version"] = "1";
    // information_uri: the build's VIGIL_HOMEPAGE, "" when none is configured.
    doc["tool"] = Json{{"name", "vigil"},
                       {"version", report.tool_version},
                       {"information_uri", std::string(VigilInformationUri())}};

    const ScanSummary& s = report.summary;
    const auto counts = report::CountBySeverity(report.findings);
    uint64_t total = 0, suppressed = 0;
    for (uint64_t c : counts) total += c;
    for (const Finding& f : report.findings) suppressed += f.suppressed ? 1 : 0;
    uint64_t errors = 0, warnings = 0;
    for (const ScanError& e : report.errors) (e.warning ? warnings : errors) += 1;
    Json by_sev;
    for (int sev = 4; sev >= 0; --sev) {
      by_sev[std::string(SeverityName(static_cast<Severity>(sev)))] = counts[sev];
    }
    doc["summary"] = Json{{"root", report.root},
                          {"mode", s.mode},
                          {"files_scanned", s.files_scanned},
                          {"bytes_scanned", s.bytes_scanned},
                          {"files_skipped", s.files_skipped},
                          {"findings", total},
                          {"by_severity", by_sev},
                          {"suppressed", std::max<uint64_t>(suppressed, s.suppressed)},
                          {"errors", errors},
                          {"warnings", warnings},
                          {"seconds", s.seconds},
                          {"incomplete", s.incomplete}};
    if (!report.repo.repository_uri.empty() || !report.repo.revision.empty()) {
      doc["repository"] = Json{{"uri", report::NormalizeRepositoryUri(report.repo.repository_uri)},
                               {"revision", report.repo.revision},
                               {"branch", report.repo.branch},
                               {"shallow", report.repo.shallow}};
    } else {
      doc["repository"] = nullptr;
    }

    Json findings = Json::array();
    for (const Finding* f : report::VisibleFindings(report, options)) {
      findings.push_back(FindingJson(*f, options));
    }
    doc["findings"] = std::move(findings);

    const std::vector<std::string> secrets = report::CollectSecrets(report.findings);
    Json errs = Json::array();
    for (const ScanError& e : report.errors) {
      errs.push_back(Json{
          {"path", e.path},
          {"line", e.line},
          {"level", e.warning ? "warning" : "error"},
          {"message", options.show_secrets ? e.message : report::ScrubAll(e.message, secrets)}});
    }
    doc["errors"] = std::move(errs);

    out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  }
};

}  // namespace

std::unique_ptr<Reporter> NewJsonReporter() { return std::make_unique<JsonReporter>(); }

}  // namespace vigil
