// Helpers shared by the CLI subcommands: loading the rule database (built-in
// rules plus --rules DIR, compiled or loaded from the cache) and writing a
// report atomically.
#pragma once

#include <memory>
#include <string>

#include "scanner/core/reporter.h"
#include "scanner/core/status.h"
#include "scanner/match/matcher.h"

namespace vigil {

struct RuleLoadOptions {
  std::string rules_dir;  // --rules
  bool use_cache = true;
};

Result<std::shared_ptr<const RuleDatabase>> LoadRuleDatabase(const RuleLoadOptions& options);

// Writes the report with the named format to `path` ("" or "-" = stdout). A
// file is written to a temporary name and renamed, so a reader never sees a
// half-written report.
// Writes `text` to `path` ("" or "-" = stdout) atomically (temporary file and
// rename); `what` names it in error messages ("report", "the graph").
Status WriteOutput(const std::string& text, const std::string& path, const std::string& what);

Status WriteReport(const ScanReport& report, const std::string& format,
                   const ReportOptions& options, const std::string& path);

std::string VigilVersion();

}  // namespace vigil
