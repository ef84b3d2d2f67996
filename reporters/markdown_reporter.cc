// The Markdown reporter: a summary for a pull-request comment or a GitHub job
// summary ($GITHUB_STEP_SUMMARY). A heading with the counts, one table row per
// finding (at most kMaxRows; a PR comment holds 65,536 characters), the fixes
// per rule, and the scan errors in a collapsed section. Cells are escaped so
// a file name cannot break the table or inject markup.

#include <algorithm>
#include <ostream>
#include <set>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using report::Scrubber;

constexpr size_t kMaxRows = 200;
constexpr size_t kMaxCell = 200;

// Appends c, or U+FFFD for a control character: dropping it could join two
// halves of a secret that the scrubber saw apart.
void AppendVisible(std::string* out, char c) {
  if (static_cast<unsigned char>(c) >= 0x20) {
    *out += c;
  } else {
    *out += "\xEF\xBF\xBD";
  }
}

// Escapes text for a table cell (GitHub-flavoured Markdown).
std::string Cell(std::string_view s) {
  std::string in = report::TruncateUtf8(report::SanitizeUtf8(s), kMaxCell);
  std::string out;
  for (char c : in) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '#':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        AppendVisible(&out, c);
    }
  }
  return out;
}

// Inline code in a table cell: <code> with HTML escaping, which (unlike a
// backtick span) cannot be closed early by the content.
std::string Code(std::string_view s) {
  if (s.empty()) return "";
  std::string in = report::TruncateUtf8(report::SanitizeUtf8(s), kMaxCell);
  std::string out = "<code>";
  for (char c : in) {
    switch (c) {
      case '|':
        out += "&#124;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '`':
        out += "&#96;";
        break;
      case '\\':
        out += "&#92;";
        break;
      case '*':
        out += "&#42;";
        break;
      case '_':
        out += "&#95;";
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        AppendVisible(&out, c);
    }
  }
  return out + "</code>";
}

class MarkdownReporter : public Reporter {
 public:
  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    const auto rules = report::RulesById(report.rules);
    const auto counts = report::CountBySeverity(report.findings);
    uint64_t total = 0, suppressed = 0;
    for (uint64_t c : counts) total += c;
    for (const Finding& f : report.findings) suppressed += f.suppressed ? 1 : 0;
    suppressed = std::max<uint64_t>(suppressed, report.summary.suppressed);

    out << "### vigil: ";
    if (total == 0) {
      out << "no findings\n\n";
    } else {
      out << total << (total == 1 ? " finding" : " findings") << " ("
          << report::SeverityBreakdown(counts) << ")\n\n";
    }
    if (report.summary.incomplete) {
      out << "> [!WARNING]\n> The scan did not complete; these results are partial.\n\n";
    }

    const std::vector<const Finding*> shown = report::VisibleFindings(report, options);
    bool history = false;
    for (const Finding* f : shown) history |= f->commit.has_value();
    if (!shown.empty()) {
      out << "| Severity | Rule | Location | Secret | Details |" << (history ? " Commit |" : "")
          << "\n|---|---|---|---|---|" << (history ? "---|" : "") << "\n";
      size_t rows = 0;
      for (const Finding* fp : shown) {
        if (rows == kMaxRows) break;
        ++rows;
        const Finding& f = *fp;
        Scrubber scrub(f, options.show_secrets);
        auto rit = rules.find(f.rule_id);
        const RuleInfo* rule = rit == rules.end() ? nullptr : rit->second;
        std::string name = !f.rule_name.empty() ? f.rule_name : rule ? rule->name : f.rule_id;
        std::string sev(SeverityName(f.severity));
        bool loud = f.severity >= Severity::kHigh && !f.suppressed;
        out << "| " << (loud ? "**" + sev + "**" : sev) << " | " << Code(f.rule_id) << " "
            << Cell(name) << " | " << Code(f.location.path + ":" + std::to_string(f.location.line))
            << " | " << Code(f.secret.empty() ? "" : scrub.Secret()) << " | ";
        std::string details = scrub.Text(f.message);
        std::string decoded = report::DecodedLine(f, scrub);
        if (!decoded.empty()) details += (details.empty() ? "" : "; ") + decoded;
        if (f.suppressed) {
          details += (details.empty() ? "" : "; ") +
                     ("suppressed" + (f.suppression.empty() ? "" : ": " + f.suppression));
        }
        out << Cell(details) << " |";
        if (history) {
          if (f.commit) {
            out << " " << Code(report::ShortId(f.commit->id));
            if (f.live.has_value()) out << (*f.live ? " still in HEAD" : " history only");
            out << " |";
          } else {
            out << "  |";
          }
        }
        out << "\n";
      }
      if (shown.size() > rows) {
        out << "\n_…and " << (shown.size() - rows)
            << " more; see the full report (SARIF or JSON) for all of them._\n";
      }
      out << "\n";

      // One fix per rule that fired, in order of first appearance.
      std::set<std::string> seen;
      std::string fixes;
      for (const Finding* f : shown) {
        auto rit = rules.find(f->rule_id);
        if (rit == rules.end() || rit->second->remediation.empty()) continue;
        if (!seen.insert(f->rule_id).second) continue;
        fixes += "- " + Code(f->rule_id) + ": " +
                 Cell(report::FirstLine(rit->second->remediation)) + "\n";
      }
      if (!fixes.empty())
        out << "<details><summary>How to fix</summary>\n\n" << fixes << "\n</details>\n\n";
    }

    if (!report.errors.empty()) {
      const std::vector<std::string> secrets = report::CollectSecrets(report.findings);
      out << "<details><summary>" << report.errors.size()
          << (report.errors.size() == 1 ? " scan error" : " scan errors") << "</summary>\n\n";
      size_t n = 0;
      for (const ScanError& e : report.errors) {
        if (n++ == kMaxRows) {
          out << "- …and " << (report.errors.size() - kMaxRows) << " more\n";
          break;
        }
        std::string msg = options.show_secrets ? e.message : report::ScrubAll(e.message, secrets);
        out << "- " << (e.warning ? "warning" : "error");
        if (!e.path.empty()) {
          out << " " << Code(e.line > 0 ? e.path + ":" + std::to_string(e.line) : e.path);
        }
        out << ": " << Cell(msg) << "\n";
      }
      out << "\n</details>\n\n";
    }

    const ScanSummary& s = report.summary;
    out << "<sub>Scanned " << s.files_scanned << " files (" << report::FormatBytes(s.bytes_scanned)
        << ")";
    if (!s.mode.empty()) out << ", " << Cell(s.mode);
    out << " in " << report::FormatSeconds(s.seconds);
    if (suppressed > 0) out << " · " << suppressed << " suppressed";
    if (!report.errors.empty()) out << " · " << report.errors.size() << " errors";
    if (!report.tool_version.empty()) out << " · vigil " << Cell(report.tool_version);
    out << "</sub>\n";
  }
};

}  // namespace

std::unique_ptr<Reporter> NewMarkdownReporter() { return std::make_unique<MarkdownReporter>(); }

}  // namespace vigil
