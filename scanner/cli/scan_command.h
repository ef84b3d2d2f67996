// The scan machinery shared by `vigil scan`, `vigil lint` and `vigil baseline`:
// flags, then ExecuteScan() which loads the configuration, picks the source,
// builds the inspectors and runs the pipeline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "scanner/cli/common.h"
#include "scanner/core/reporter.h"
#include "scanner/core/status.h"

namespace CLI {
class App;
}

namespace vigil {

struct ScanFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  bool show_secrets = false;
  bool show_suppressed = false;
  std::string fail_on;
  RuleLoadOptions rules;
  std::string config;
  bool no_config = false;
  bool include_ignored = false;
  std::string max_file_size;
  int threads = 0;
  bool history = false;
  bool all_objects = false;
  std::string range;
  std::string since_commit;
  bool staged = false;
  bool no_policies = false;
  bool no_secrets = false;
  std::string baseline;
  bool no_baseline = false;
  bool quiet = false;
  double timeout = 0;
  std::string color = "auto";
  std::string stdin_name;
};

struct ScanExecution {
  ScanReport report;
  Severity fail_on = Severity::kLow;
  std::string baseline_path;  // the baseline that was applied ("" = none)
  // The source and inspectors of the run (their indexes, tables and rule
  // database), kept alive with the report so that `vigil scan` can end the
  // process once the report is written without tearing them down.
  std::shared_ptr<void> machinery;
};

// Runs a scan as the flags say. Errors (bad flags, configuration, rules,
// a source that cannot be opened) come back as a Status.
Result<ScanExecution> ExecuteScan(ScanFlags& flags, bool lint_only);

// Registers the flags shared by scan-like commands.
void AddScanFlags(CLI::App* cmd, ScanFlags& flags, bool lint_only);

// The exit code for a finished scan: 2 incomplete, 1 findings at or above
// fail_on (not suppressed), 0 otherwise.
int ExitCodeFor(const ScanExecution& ex);

}  // namespace vigil
