// The text reporter: findings grouped by file, for a terminal or a CI log.
// Colors only when ReportOptions::color. Control characters from scanned
// files are escaped so a hostile file cannot drive the terminal.

#include <algorithm>
#include <cctype>
#include <map>
#include <ostream>
#include <string>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using report::Scrubber;

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";

const char* SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\x1b[1;31m";
    case Severity::kHigh:
      return "\x1b[31m";
    case Severity::kMedium:
      return "\x1b[33m";
    case Severity::kLow:
      return "\x1b[36m";
    case Severity::kInfo:
      return "\x1b[2m";
  }
  return "";
}

// Escapes C0 controls (except tab and, when keep_newlines, newline) and DEL.
// A carriage return is dropped only where it ends a line (CRLF text):
// dropping one elsewhere could join two halves of a secret that the scrubber
// saw apart.
std::string Printable(std::string_view s, bool keep_newlines = false) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if ((c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7f) {
      if (c == '\r' && (i + 1 == s.size() || s[i + 1] == '\n')) continue;
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class TextReporter : public Reporter {
 public:
  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    auto paint = [&](const char* color, std::string_view text) {
      std::string s;
      if (options.color) s += color;
      s.append(text);
      if (options.color) s += kReset;
      return s;
    };
    const auto rules = report::RulesById(report.rules);
    const std::vector<const Finding*> shown = report::VisibleFindings(report, options);

    // Group by file, in the order files first appear (the pipeline sorts by
    // path, so this is path order).
    std::vector<std::string> order;
    std::map<std::string, std::vector<const Finding*>> by_path;
    for (const Finding* f : shown) {
      auto [it, inserted] = by_path.try_emplace(f->location.path);
      if (inserted) order.push_back(f->location.path);
      it->second.push_back(f);
    }

    const std::string indent = "      ";
    for (const std::string& path : order) {
      out << paint(kBold, Printable(path.empty() ? "(stdin)" : path)) << "\n";
      for (const Finding* fp : by_path[path]) {
        const Finding& f = *fp;
        Scrubber scrub(f, options.show_secrets);
        std::string sev = Upper(SeverityName(f.severity));
        sev.resize(std::max<size_t>(sev.size(), 8), ' ');
        auto rule_it = rules.find(f.rule_id);
        const RuleInfo* rule = rule_it == rules.end() ? nullptr : rule_it->second;
        std::string name = !f.rule_name.empty() ? f.rule_name : rule ? rule->name : "";
        out << "  " << paint(SeverityColor(f.severity), sev) << "  " << Printable(f.rule_id);
        if (!name.empty()) out << "  " << Printable(name);
        out << "  " << f.location.line << ":" << f.location.column;
        if (f.suppressed) {
          out << "  "
              << paint(kDim, "(suppressed" +
                                 (f.suppression.empty() ? "" : ": " + Printable(f.suppression)) +
                                 ")");
        }
        out << "\n";
        if (!f.message.empty()) out << indent << Printable(scrub.Text(f.message)) << "\n";
        std::string snippet = scrub.Snippet();
        if (!snippet.empty()) {
          std::string body = Printable(snippet, /*keep_newlines=*/true);
          std::string prefixed;
          size_t start = 0;
          while (start <= body.size()) {
            size_t nl = body.find('\n', start);
            std::string_view line = std::string_view(body).substr(
                start, nl == std::string::npos ? std::string::npos : nl - start);
            prefixed += indent + paint(kDim, "| ") + std::string(line) + "\n";
            if (nl == std::string::npos) break;
            start = nl + 1;
          }
          out << prefixed;
        } else if (!f.secret.empty()) {
          out << indent << "secret: " << Printable(scrub.Secret()) << "\n";
        }
        std::string decoded = report::DecodedLine(f, scrub);
        if (!decoded.empty()) out << indent << Printable(decoded) << "\n";
        if (!f.validation.empty())
          out << indent << "validation: " << Printable(f.validation) << "\n";
        std::string prov = report::ProvenanceLine(f, scrub);
        if (!prov.empty()) out << indent << Printable(prov) << "\n";
        for (const RelatedLocation& r : f.related) {
          out << indent << "see " << Printable(r.location.path) << ":" << r.location.line;
          if (!r.message.empty()) out << " (" << Printable(scrub.Text(r.message)) << ")";
          out << "\n";
        }
        if (rule != nullptr && !rule->remediation.empty()) {
          out << indent << paint(kBold, "fix:") << " "
              << Printable(scrub.Text(report::FirstLine(rule->remediation))) << "\n";
        }
      }
      out << "\n";
    }

    const std::vector<std::string> secrets = report::CollectSecrets(report.findings);
    if (!report.errors.empty()) {
      out << paint(kBold, "Errors (" + std::to_string(report.errors.size()) + "):") << "\n";
      for (const ScanError& e : report.errors) {
        std::string level = e.warning ? "warning" : "error  ";
        out << "  "
            << paint(e.warning ? SeverityColor(Severity::kMedium) : SeverityColor(Severity::kHigh),
                     level);
        if (!e.path.empty()) {
          out << "  " << Printable(e.path);
          if (e.line > 0) out << ":" << e.line;
        }
        std::string msg = options.show_secrets ? e.message : report::ScrubAll(e.message, secrets);
        out << "  " << Printable(msg) << "\n";
      }
      out << "\n";
    }

    // Summary.
    const ScanSummary& s = report.summary;
    const auto counts = report::CountBySeverity(report.findings);
    uint64_t total = 0, suppressed = 0;
    for (uint64_t c : counts) total += c;
    for (const Finding& f : report.findings) suppressed += f.suppressed ? 1 : 0;
    suppressed = std::max<uint64_t>(suppressed, s.suppressed);
    uint64_t errors = 0, warnings = 0;
    for (const ScanError& e : report.errors) (e.warning ? warnings : errors) += 1;

    std::string line = "Scanned " + std::to_string(s.files_scanned) +
                       (s.files_scanned == 1 ? " file" : " files") + " (" +
                       report::FormatBytes(s.bytes_scanned) + ")";
    if (s.files_skipped > 0) line += ", " + std::to_string(s.files_skipped) + " skipped";
    if (!s.mode.empty()) line += ", " + s.mode;
    line += ", in " + report::FormatSeconds(s.seconds) + ": ";
    if (total == 0) {
      line += "no findings";
    } else {
      line += std::to_string(total) + (total == 1 ? " finding" : " findings") + " (" +
              report::SeverityBreakdown(counts) + ")";
    }
    if (suppressed > 0) line += ", " + std::to_string(suppressed) + " suppressed";
    if (errors > 0) line += ", " + std::to_string(errors) + (errors == 1 ? " error" : " errors");
    if (warnings > 0) {
      line += ", " + std::to_string(warnings) + (warnings == 1 ? " warning" : " warnings");
    }
    line += ".";
    out << paint(total > 0 ? SeverityColor(Severity::kHigh) : kBold, line) << "\n";
    if (s.incomplete) {
      out << paint(SeverityColor(Severity::kCritical),
                   "INCOMPLETE: the scan did not finish; these results are partial.")
          << "\n";
    }
    if (report.repo.shallow) {
      out << "Note: shallow clone; only the history that is present was scanned.\n";
    }
  }
};

}  // namespace

std::unique_ptr<Reporter> NewTextReporter() { return std::make_unique<TextReporter>(); }

}  // namespace vigil
