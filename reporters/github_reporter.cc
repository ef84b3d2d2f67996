// The GitHub reporter: one workflow command per finding
// (`::error file=...,line=...,col=...,endLine=...,endColumn=...,title=...::msg`)
// so findings show as annotations on the pull request's diff, plus a notice
// with the summary. Levels: critical/high -> error, medium -> warning,
// low/info -> notice. Scan errors become warnings. Everything is escaped as
// the runner expects (toolkit/packages/core/src/command.ts), so a file name or
// message can never end the command early or inject another one.

#include <algorithm>
#include <ostream>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using report::Scrubber;

// Annotations are truncated by GitHub far below this; keep logs readable.
constexpr size_t kMaxAnnotationMessage = 4000;

std::string_view CommandFor(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "notice";
  }
  return "warning";
}

class GithubReporter : public Reporter {
 public:
  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    const auto rules = report::RulesById(report.rules);
    for (const Finding* fp : report::VisibleFindings(report, options)) {
      const Finding& f = *fp;
      Scrubber scrub(f, options.show_secrets);
      auto rit = rules.find(f.rule_id);
      const RuleInfo* rule = rit == rules.end() ? nullptr : rit->second;
      std::string name = !f.rule_name.empty() ? f.rule_name : rule ? rule->name : f.rule_id;

      std::string props;
      auto prop = [&](std::string_view key, std::string_view value) {
        if (!props.empty()) props += ",";
        props += std::string(key) + "=" + EscapeWorkflowProperty(value);
      };
      if (!f.location.path.empty()) prop("file", f.location.path);
      if (f.location.line > 0) {
        uint32_t end_line = std::max(f.location.line, f.location.end_line);
        prop("line", std::to_string(f.location.line));
        prop("endLine", std::to_string(end_line));
        // GitHub ignores columns on multi-line annotations.
        if (end_line == f.location.line && f.location.column > 0) {
          prop("col", std::to_string(f.location.column));
          if (f.location.end_column > f.location.column) {
            prop("endColumn", std::to_string(f.location.end_column));
          }
        }
      }
      std::string title =
          "vigil " + std::string(SeverityName(f.severity)) + ": " + name + " (" + f.rule_id + ")";
      if (f.suppressed) title += " [suppressed]";
      prop("title", scrub.Text(title));

      std::string msg = scrub.Text(f.message.empty() ? name : f.message);
      if (!f.secret.empty()) msg += "\nSecret: " + scrub.Secret();
      std::string decoded = report::DecodedLine(f, scrub);
      if (!decoded.empty()) msg += " (" + decoded + ")";
      std::string prov = report::ProvenanceLine(f, scrub);
      if (!prov.empty()) msg += "\nIntroduced in " + prov;
      for (const RelatedLocation& r : f.related) {
        msg += "\nSee " + r.location.path + ":" + std::to_string(r.location.line);
        if (!r.message.empty()) msg += " (" + scrub.Text(r.message) + ")";
      }
      if (rule != nullptr && !rule->remediation.empty()) {
        msg += "\nHow to fix: " + scrub.Text(report::FirstLine(rule->remediation));
      }
      if (f.suppressed && !f.suppression.empty()) msg += "\nSuppressed: " + f.suppression;
      msg = report::TruncateUtf8(report::SanitizeUtf8(msg), kMaxAnnotationMessage);

      out << "::" << (f.suppressed ? "notice" : CommandFor(f.severity)) << " " << props
          << "::" << EscapeWorkflowData(msg) << "\n";
    }

    const std::vector<std::string> secrets = report::CollectSecrets(report.findings);
    for (const ScanError& e : report.errors) {
      std::string props;
      if (!e.path.empty()) {
        props = "file=" + EscapeWorkflowProperty(e.path);
        if (e.line > 0) props += ",line=" + std::to_string(e.line);
        props += ",";
      }
      props +=
          "title=" + EscapeWorkflowProperty(e.warning ? "vigil scan warning" : "vigil scan error");
      std::string msg = options.show_secrets ? e.message : report::ScrubAll(e.message, secrets);
      out << "::warning " << props << "::" << EscapeWorkflowData(report::SanitizeUtf8(msg)) << "\n";
    }

    const auto counts = report::CountBySeverity(report.findings);
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    std::string summary = total == 0
                              ? "no findings"
                              : std::to_string(total) + (total == 1 ? " finding" : " findings") +
                                    " (" + report::SeverityBreakdown(counts) + ")";
    summary += " in " + std::to_string(report.summary.files_scanned) + " files";
    if (report.summary.suppressed > 0) {
      summary += ", " + std::to_string(report.summary.suppressed) + " suppressed";
    }
    if (!report.errors.empty()) {
      summary += ", " + std::to_string(report.errors.size()) +
                 (report.errors.size() == 1 ? " scan error" : " scan errors");
    }
    if (report.summary.incomplete) {
      out << "::error title=vigil scan incomplete::"
          << EscapeWorkflowData("The scan did not complete; results are partial: " + summary)
          << "\n";
    } else {
      out << "::notice title=vigil::" << EscapeWorkflowData(summary) << "\n";
    }
  }
};

}  // namespace

std::string EscapeWorkflowData(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeWorkflowProperty(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::unique_ptr<Reporter> NewGithubReporter() { return std::make_unique<GithubReporter>(); }

}  // namespace vigil
