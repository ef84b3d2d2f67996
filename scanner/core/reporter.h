// Reporter: turns a finished scan into text, JSON or SARIF. The pipeline fills
// a ScanReport; a Reporter writes it to a stream. Reporters redact secrets
// unless options.show_secrets.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "scanner/core/finding.h"

namespace vigil {

// Rule or policy metadata, as reporters need it (SARIF tool.driver.rules).
struct RuleInfo {
  std::string id;
  std::string name;
  std::string description;
  std::string remediation;
  std::vector<std::string> references;
  std::vector<std::string> tags;
  Severity severity = Severity::kMedium;
  FindingKind kind = FindingKind::kSecret;
};

struct RepoInfo {
  std::string repository_uri;  // origin remote, when there is one
  std::string revision;        // HEAD commit id
  std::string branch;
  bool shallow = false;
};

struct ScanSummary {
  uint64_t files_scanned = 0;
  uint64_t bytes_scanned = 0;
  uint64_t files_skipped = 0;
  uint64_t findings = 0;
  uint64_t suppressed = 0;
  double seconds = 0;
  bool incomplete = false;  // timeout, interrupt, or a source that failed
  std::string mode;         // "working-tree", "history", "range", "staged", ...
};

struct ScanReport {
  std::string tool_version;
  std::string root;  // what was scanned, as the user named it
  std::vector<Finding> findings;  // sorted: path, line, column, rule
  std::vector<ScanError> errors;
  std::vector<RuleInfo> rules;    // every rule/policy that could fire
  ScanSummary summary;
  RepoInfo repo;
};

struct ReportOptions {
  bool show_secrets = false;
  bool show_suppressed = false;
  bool color = false;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Write(const ScanReport& report, const ReportOptions& options,
                     std::ostream& out) = 0;
};

}  // namespace vigil
