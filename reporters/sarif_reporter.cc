// The SARIF 2.1.0 reporter, shaped for GitHub code scanning (see
// shared/schemas/github-code-scanning-sarif.md and docs/output.md). One run;
// tool.driver carries every rule of the report; results carry redacted
// snippets only; suppressed findings stay in with `suppressions`.
//
// Fingerprints: partialFingerprints holds "vigil/v1" (the finding's own
// fingerprint: rule + secret + path, no line numbers or commit ids) and
// "primaryLocationLineHash" derived from it plus an occurrence counter, so
// that uploads through the REST API (which computes nothing) and through
// upload-sarif both keep alerts stable across line moves and rebases.

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <set>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;
using report::Scrubber;

constexpr std::string_view kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kSrcRoot = "%SRCROOT%";

// "GitHub personal access token" -> "GitHubPersonalAccessToken".
std::string PascalName(std::string_view text) {
  std::string out;
  bool upper_next = true;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out += upper_next ? static_cast<char>(std::toupper(c)) : static_cast<char>(c);
      upper_next = false;
    } else {
      upper_next = true;
    }
  }
  return out;
}

// "1.2.3", "1.2.3-rc.1+build": what semanticVersion must hold ("v1.2" is not).
bool LooksLikeSemver(std::string_view v) {
  int dots = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] != '-' && v[i] != '+'; ++i) {
    if (v[i] == '.') {
      if (i == 0 || v[i - 1] == '.') return false;
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(v[i]))) {
      return false;
    }
  }
  return dots == 2 && i > 0 && v[i - 1] != '.';
}

std::string_view Precision(const RuleInfo& r) {
  if (r.kind == FindingKind::kPolicy) return "very-high";
  if (r.kind == FindingKind::kNotice) return "medium";
  bool generic = r.id.find("generic") != std::string::npos ||
                 std::find(r.tags.begin(), r.tags.end(), "generic") != r.tags.end();
  return generic ? "medium" : "high";
}

Json RuleJson(const RuleInfo& r) {
  std::string name = PascalName(!r.name.empty() ? r.name : r.id);
  if (name.empty()) name = "Rule";
  std::string title = !r.name.empty() ? r.name : r.id;
  std::string full = !r.description.empty() ? r.description : title;

  std::string help = full;
  std::string help_md = full;
  if (!r.remediation.empty()) {
    help += "\n\nHow to fix: " + r.remediation;
    help_md += "\n\n**How to fix:** " + r.remediation;
  }
  std::string help_uri;
  if (!r.references.empty()) {
    help += "\n\nReferences:";
    help_md += "\n\n**References**\n";
    for (const std::string& ref : r.references) {
      help += "\n- " + ref;
      help_md += "\n- " + ref;
      if (help_uri.empty() && report::IsAbsoluteUri(ref) && ref.rfind("http", 0) == 0) {
        help_uri = ref;
      }
    }
  }

  Json j;
  j["id"] = r.id;
  j["name"] = report::TruncateUtf8(name, kSarifMaxRuleNameChars, "");
  j["shortDescription"] = Json{{"text", report::TruncateUtf8(title, kSarifMaxDescriptionChars)}};
  j["fullDescription"] = Json{{"text", report::TruncateUtf8(full, kSarifMaxDescriptionChars)}};
  if (!help_uri.empty()) j["helpUri"] = help_uri;
  j["help"] = Json{{"text", help}, {"markdown", help_md}};
  j["defaultConfiguration"] = Json{{"level", SarifLevel(r.severity)}};

  std::vector<std::string> tags;
  auto add_tag = [&](const std::string& t) {
    if (!t.empty() && tags.size() < kSarifMaxTagsPerRule &&
        std::find(tags.begin(), tags.end(), t) == tags.end()) {
      tags.push_back(t);
    }
  };
  if (r.kind != FindingKind::kNotice) add_tag("security");
  add_tag(std::string(report::KindName(r.kind)));
  for (const std::string& t : r.tags) add_tag(t);
  Json props;
  props["tags"] = tags;
  props["precision"] = Precision(r);
  if (r.kind == FindingKind::kNotice) {
    props["problem.severity"] = "recommendation";
  } else {
    props["security-severity"] = SecurityScore(r.severity);
  }
  props["severity"] = SeverityName(r.severity);
  j["properties"] = std::move(props);
  return j;
}

// Converts a 1-based byte column on `line` (a line of the finding's
// line_text) to a 1-based UTF-16 column; unchanged when it cannot.
uint32_t Utf16Column(std::string_view line, uint32_t byte_col) {
  if (byte_col == 0 || byte_col - 1 > line.size()) return byte_col;
  uint32_t units = 0;
  for (size_t i = 0; i < byte_col - 1; ++i) {
    unsigned char c = line[i];
    if ((c & 0xC0) == 0x80) continue;
    units += (c >= 0xF0) ? 2 : 1;
  }
  return units + 1;
}

std::string_view LineOf(std::string_view text, size_t index) {
  size_t start = 0;
  for (size_t i = 0; i < index; ++i) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t nl = text.find('\n', start);
  std::string_view line = text.substr(start, nl == std::string_view::npos ? nl : nl - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Json ArtifactLocation(std::string_view path) {
  Json a;
  a["uri"] = SarifArtifactUri(path);
  if (path.empty() || path.front() != '/') a["uriBaseId"] = kSrcRoot;
  return a;
}

// A full region (GitHub wants start and end line and column). `text` is the
// finding's line_text when its columns may be converted to UTF-16.
Json RegionJson(const Location& l, std::string_view text, size_t secret_len) {
  uint32_t start_line = std::max<uint32_t>(1, l.line);
  uint32_t start_col = std::max<uint32_t>(1, l.column);
  uint32_t end_line = std::max(start_line, l.end_line);
  uint32_t end_col = l.end_column;
  if (end_col == 0) {
    end_col = (end_line == start_line && secret_len > 0)
                  ? start_col + static_cast<uint32_t>(secret_len)
                  : start_col + 1;
  }
  if (!text.empty() && l.line > 0) {
    uint32_t s = Utf16Column(LineOf(text, 0), start_col);
    std::string_view end_text = LineOf(text, end_line - start_line);
    uint32_t e =
        end_text.empty() && end_line != start_line ? end_col : Utf16Column(end_text, end_col);
    start_col = s;
    end_col = e;
  }
  if (end_line == start_line && end_col <= start_col) end_col = start_col + 1;
  return Json{{"startLine", start_line},
              {"startColumn", start_col},
              {"endLine", end_line},
              {"endColumn", end_col}};
}

std::string ResultMessage(const Finding& f, const RuleInfo* rule, const Scrubber& scrub) {
  std::string text = scrub.Text(f.message);
  if (text.empty()) text = !f.rule_name.empty() ? f.rule_name : rule ? rule->name : f.rule_id;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') text += ".";
  std::string decoded = report::DecodedLine(f, scrub);
  if (!decoded.empty()) {
    decoded[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(decoded[0])));
    text += " " + decoded + ".";
  }
  if (f.commit) {
    std::string prov = report::ProvenanceLine(f, scrub);
    prov[0] = 'C';
    text += " " + prov + ".";
  }
  return report::TruncateUtf8(text, kSarifMaxMessageChars);
}

std::string_view SuppressionKind(std::string_view why) {
  // Inline comments live in the file; baselines and config allowlists do not.
  if (why.find("inline") != std::string_view::npos ||
      why.find("vigil:ignore") != std::string_view::npos) {
    return "inSource";
  }
  return "external";
}

Json Notification(std::string_view level, std::string text) {
  return Json{{"level", level}, {"message", Json{{"text", std::move(text)}}}};
}

class SarifReporter : public Reporter {
 public:
  explicit SarifReporter(SarifOptions options) : options_(std::move(options)) {}

  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    // Which findings fit: the most severe unsuppressed ones first, then
    // written in the report's order.
    std::vector<size_t> keep(report.findings.size());
    std::iota(keep.begin(), keep.end(), 0);
    size_t omitted = 0;
    if (keep.size() > options_.max_results) {
      std::stable_sort(keep.begin(), keep.end(), [&](size_t a, size_t b) {
        const Finding& fa = report.findings[a];
        const Finding& fb = report.findings[b];
        if (fa.suppressed != fb.suppressed) return !fa.suppressed;
        return fa.severity > fb.severity;
      });
      omitted = keep.size() - options_.max_results;
      keep.resize(options_.max_results);
      std::sort(keep.begin(), keep.end());
    }

    // Rules: every rule of the report, plus any rule a finding names that
    // the report did not describe (so every ruleIndex resolves).
    std::vector<RuleInfo> rules;
    std::map<std::string, size_t> index;
    for (const RuleInfo& r : report.rules) {
      if (index.emplace(r.id, rules.size()).second) rules.push_back(r);
    }
    for (size_t i : keep) {
      const Finding& f = report.findings[i];
      if (index.count(f.rule_id)) continue;
      RuleInfo r;
      r.id = f.rule_id;
      r.name = f.rule_name;
      r.severity = f.severity;
      r.kind = f.kind;
      index.emplace(r.id, rules.size());
      rules.push_back(std::move(r));
    }
    if (rules.size() > kSarifMaxRules) {
      std::set<std::string> used;
      for (size_t i : keep) used.insert(report.findings[i].rule_id);
      std::stable_partition(rules.begin(), rules.end(),
                            [&](const RuleInfo& r) { return used.count(r.id) > 0; });
      rules.resize(kSarifMaxRules);
      index.clear();
      for (size_t i = 0; i < rules.size(); ++i) index.emplace(rules[i].id, i);
    }

    Json driver;
    driver["name"] = "vigil";
    if (!report.tool_version.empty()) {
      driver["version"] = report.tool_version;
      if (LooksLikeSemver(report.tool_version)) driver["semanticVersion"] = report.tool_version;
    }
    if (!VigilInformationUri().empty()) driver["informationUri"] = std::string(VigilInformationUri());
    Json rules_json = Json::array();
    for (const RuleInfo& r : rules) rules_json.push_back(RuleJson(r));
    driver["rules"] = std::move(rules_json);

    Json notifications = Json::array();
    const std::vector<std::string> secrets = report::CollectSecrets(report.findings);
    size_t written = 0;
    for (const ScanError& e : report.errors) {
      if (written == kSarifMaxNotifications) {
        notifications.push_back(Notification(
            "warning", std::to_string(report.errors.size() - written) +
                           " more scan errors were left out of this SARIF file; see the text or "
                           "JSON output for all of them."));
        break;
      }
      std::string msg = options.show_secrets ? e.message : report::ScrubAll(e.message, secrets);
      if (msg.empty()) msg = e.warning ? "warning" : "error";
      Json n = Notification(e.warning ? "warning" : "error",
                            report::TruncateUtf8(msg, kSarifMaxMessageChars));
      if (!e.path.empty()) {
        Json phys{{"artifactLocation", ArtifactLocation(e.path)}};
        if (e.line > 0) phys["region"] = Json{{"startLine", e.line}};
        n["locations"] = Json::array({Json{{"physicalLocation", std::move(phys)}}});
      }
      notifications.push_back(std::move(n));
      ++written;
    }
    if (omitted > 0) {
      notifications.push_back(Notification(
          "warning", "Results truncated: " + std::to_string(omitted) + " of " +
                         std::to_string(report.findings.size()) +
                         " findings were left out to stay within GitHub code scanning's limit of " +
                         std::to_string(options_.max_results) +
                         " results per run (the most severe were kept). Run vigil with "
                         "--format json to see all of them."));
    }
    if (report.summary.incomplete) {
      notifications.push_back(
          Notification("error", "The scan did not complete; these results are partial."));
    }

    Json invocation;
    invocation["executionSuccessful"] = !report.summary.incomplete;
    invocation["toolExecutionNotifications"] = std::move(notifications);
    Json inv_props;
    if (!report.summary.mode.empty()) inv_props["mode"] = report.summary.mode;
    inv_props["filesScanned"] = report.summary.files_scanned;
    inv_props["bytesScanned"] = report.summary.bytes_scanned;
    inv_props["filesSkipped"] = report.summary.files_skipped;
    inv_props["seconds"] = report.summary.seconds;
    if (report.repo.shallow) inv_props["shallow"] = true;
    invocation["properties"] = std::move(inv_props);

    Json run;
    run["tool"] = Json{{"driver", std::move(driver)}};
    run["invocations"] = Json::array({std::move(invocation)});
    Json base;
    if (!report.root.empty() && report.root.front() == '/') {
      std::string root = report.root;
      if (root.back() != '/') root += '/';
      base["uri"] = "file://" + report::PercentEncodePath(root);
    }
    base["description"] =
        Json{{"text", "The root of the scanned tree" +
                          (report.root.empty() ? std::string() : " (" + report.root + ")") + "."}};
    run["originalUriBaseIds"] = Json{{std::string(kSrcRoot), std::move(base)}};
    std::string repo_uri = report::NormalizeRepositoryUri(report.repo.repository_uri);
    if (!repo_uri.empty()) {
      Json vcs{{"repositoryUri", repo_uri}};
      if (!report.repo.revision.empty()) vcs["revisionId"] = report.repo.revision;
      if (!report.repo.branch.empty()) vcs["branch"] = report.repo.branch;
      run["versionControlProvenance"] = Json::array({std::move(vcs)});
    }
    if (!options_.category.empty()) {
      std::string id = options_.category;
      if (id.back() != '/') id += '/';
      run["automationDetails"] = Json{{"id", id}};
    }
    run["columnKind"] = "utf16CodeUnits";
    if (omitted > 0) {
      run["properties"] = Json{{"resultsTruncated", true}, {"resultsOmitted", omitted}};
    }
    run["results"] = Json::array();  // last key: streamed below

    Json log;
    log["$schema"] = kSchemaUri;
    log["version"] = "2.1.0";
    log["runs"] = Json::array({std::move(run)});

    // Results are written one per line as they are built, so memory stays
    // bounded by one result, not by 25,000 of them.
    std::string head = log.dump(2, ' ', false, Json::error_handler_t::replace);
    constexpr std::string_view kMarker = "\"results\": []";
    size_t at = head.rfind(kMarker);
    out << std::string_view(head).substr(0, at) << "\"results\": [";
    std::map<std::string, int> occurrences;  // primaryLocationLineHash counters
    bool first = true;
    for (size_t i : keep) {
      const Finding& f = report.findings[i];
      auto idx = index.find(f.rule_id);
      if (idx == index.end()) continue;  // its rule did not fit (never in practice)
      Json r = ResultJson(f, rules[idx->second], idx->second, options, &occurrences);
      out << (first ? "\n" : ",\n") << "        "
          << r.dump(-1, ' ', false, Json::error_handler_t::replace);
      first = false;
    }
    out << (first ? "]" : "\n      ]") << std::string_view(head).substr(at + kMarker.size())
        << "\n";
  }

 private:
  Json ResultJson(const Finding& f, const RuleInfo& rule, size_t rule_index,
                  const ReportOptions& options, std::map<std::string, int>* occurrences) const {
    Scrubber scrub(f, options.show_secrets);
    Json r;
    r["ruleId"] = f.rule_id;
    r["ruleIndex"] = rule_index;
    r["level"] = SarifLevel(f.severity);
    r["message"] = Json{{"text", ResultMessage(f, &rule, scrub)}};

    std::string_view text = f.decoded_from.empty() ? std::string_view(f.line_text) : "";
    Json region = RegionJson(f.location, text, f.secret.size());
    std::string snippet = scrub.Snippet();
    if (!snippet.empty()) region["snippet"] = Json{{"text", snippet}};
    r["locations"] = Json::array(
        {Json{{"physicalLocation", Json{{"artifactLocation", ArtifactLocation(f.location.path)},
                                        {"region", region}}}}});

    if (!f.related.empty()) {
      Json related = Json::array();
      for (size_t i = 0; i < f.related.size() && i < kSarifMaxRelatedLocations; ++i) {
        const RelatedLocation& rl = f.related[i];
        Json loc;
        loc["id"] = i + 1;
        loc["physicalLocation"] = Json{{"artifactLocation", ArtifactLocation(rl.location.path)},
                                       {"region", RegionJson(rl.location, "", 0)}};
        std::string msg = scrub.Text(rl.message);
        if (!msg.empty())
          loc["message"] = Json{{"text", report::TruncateUtf8(msg, kSarifMaxMessageChars)}};
        related.push_back(std::move(loc));
      }
      r["relatedLocations"] = std::move(related);
    }

    // Stable identity: no line numbers, no commit ids.
    std::string fp = f.fingerprint;
    if (fp.empty()) {
      std::string basis = f.rule_id + '\0' + f.location.path + '\0' + f.key + '\0' +
                          Scrubber(f, false).Snippet(4096);
      fp = report::HexHash64(basis, 1) + report::HexHash64(basis, 2);
    }
    std::string line_hash = report::HexHash64(f.rule_id + '\0' + fp);
    int n = ++(*occurrences)[f.location.path + '\0' + line_hash];
    r["partialFingerprints"] =
        Json{{"primaryLocationLineHash", line_hash + ":" + std::to_string(n)}, {"vigil/v1", fp}};

    if (f.suppressed) {
      Json s{{"kind", SuppressionKind(f.suppression)}, {"status", "accepted"}};
      if (!f.suppression.empty()) s["justification"] = f.suppression;
      r["suppressions"] = Json::array({std::move(s)});
    }

    Json props;
    props["severity"] = SeverityName(f.severity);
    props["kind"] = report::KindName(f.kind);
    if (!f.secret.empty()) props["secret"] = scrub.Secret();
    if (!f.key.empty()) props["key"] = scrub.Text(f.key);
    if (!f.decoded_from.empty()) props["decodedFrom"] = f.decoded_from;
    if (!f.validation.empty()) props["validation"] = f.validation;
    if (!f.blob_id.empty()) props["blobId"] = f.blob_id;
    if (f.commit) {
      props["commit"] = Json{{"id", f.commit->id},
                             {"author", f.commit->author},
                             {"email", f.commit->email},
                             {"date", f.commit->date},
                             {"summary", scrub.Text(f.commit->summary)},
                             {"path", f.commit_path}};
    }
    if (f.live.has_value()) props["live"] = *f.live;
    r["properties"] = std::move(props);
    return r;
  }

  SarifOptions options_;
};

}  // namespace

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

std::string SarifRepositoryUri(std::string_view remote) {
  return report::NormalizeRepositoryUri(remote);
}

std::string SarifArtifactUri(std::string_view path) {
  std::string_view p = path;
  while (p.size() >= 2 && p.substr(0, 2) == "./") p.remove_prefix(2);
  if (p.empty()) return "stdin";
  if (p.front() == '/') return "file://" + report::PercentEncodePath(p);
  return report::PercentEncodePath(p);
}

std::unique_ptr<Reporter> NewSarifReporter(SarifOptions options) {
  return std::make_unique<SarifReporter>(std::move(options));
}

}  // namespace vigil
