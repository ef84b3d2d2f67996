// vigil scan / vigil lint: the commands that run the pipeline.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "policies/linter.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"
#include "scanner/match/secret_inspector.h"
#include "scanner/pipeline/config.h"
#include "scanner/pipeline/scan.h"
#include "scanner/source/git_source.h"

namespace vigil {

namespace {

std::atomic<bool> g_cancel{false};

void OnSignal(int) { g_cancel = true; }

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

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
  bool quiet = false;
  double timeout = 0;
  std::string color = "auto";
  std::string stdin_name;
};

Result<uint64_t> ParseSizeFlag(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return Status::Error("--max-file-size: invalid size `" + s + "` (e.g. 10MB)");
  uint64_t n = std::stoull(s.substr(0, i));
  std::string u = s.substr(i);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.empty() || u == "B") return n;
  if (u == "K" || u == "KB" || u == "KIB") return n << 10;
  if (u == "M" || u == "MB" || u == "MIB") return n << 20;
  if (u == "G" || u == "GB" || u == "GIB") return n << 30;
  return Status::Error("--max-file-size: invalid unit in `" + s + "`");
}

int Run(ScanFlags& f, bool lint_only) {
  InstallSignalHandlers();
  if (f.paths.empty()) f.paths.push_back(".");
  int git_modes = (f.history ? 1 : 0) + (!f.range.empty() ? 1 : 0) + (!f.since_commit.empty() ? 1 : 0) +
                  (f.staged ? 1 : 0);
  if (git_modes > 1) {
    std::cerr << "vigil: --history, --range, --since-commit and --staged exclude each other\n";
    return 2;
  }
  if (git_modes && f.paths.size() > 1) {
    std::cerr << "vigil: git modes take one repository path\n";
    return 2;
  }

  // Configuration.
  Config config;
  if (!f.no_config) {
    std::string cfg_path = f.config;
    if (cfg_path.empty() && f.paths[0] != "-") cfg_path = FindConfig(f.paths[0]);
    if (!cfg_path.empty()) {
      auto c = LoadConfigFile(cfg_path);
      if (!c.ok()) {
        std::cerr << "vigil: " << c.status().message() << "\n";
        return 2;
      }
      config = std::move(c.value());
    }
  }
  Severity fail_on = config.fail_on.value_or(Severity::kLow);
  if (!f.fail_on.empty()) {
    auto s = ParseSeverity(f.fail_on);
    if (!s) {
      std::cerr << "vigil: --fail-on: unknown severity `" << f.fail_on
                << "` (info, low, medium, high, critical)\n";
      return 2;
    }
    fail_on = *s;
  }
  uint64_t max_size = config.max_file_size.value_or(10ull << 20);
  if (!f.max_file_size.empty()) {
    auto m = ParseSizeFlag(f.max_file_size);
    if (!m.ok()) {
      std::cerr << "vigil: " << m.status().message() << "\n";
      return 2;
    }
    max_size = m.value();
  }

  // Source.
  std::unique_ptr<Source> source;
  GitOptions gopts;
  gopts.max_file_size = max_size;
  gopts.include_unreachable = f.all_objects;
  gopts.progress = !f.quiet;
  std::string repo_path = f.paths[0];
  if (f.history || !f.range.empty() || !f.since_commit.empty() || f.staged) {
    Result<std::unique_ptr<Source>> s = Status::Error("");
    if (f.history) {
      s = NewGitHistorySource(repo_path, gopts);
    } else if (f.staged) {
      s = NewGitStagedSource(repo_path, gopts);
    } else {
      std::string range = f.range.empty() ? f.since_commit + "..HEAD" : f.range;
      s = NewGitRangeSource(repo_path, range, gopts);
    }
    if (!s.ok()) {
      std::cerr << "vigil: " << s.status().message() << "\n";
      return 2;
    }
    source = std::move(s.value());
  } else if (f.paths.size() == 1 && f.paths[0] == "-") {
    source = NewStdinSource(f.stdin_name);
  } else {
    WorkingTreeOptions wopts;
    wopts.include_ignored = f.include_ignored;
    wopts.max_file_size = max_size;
    source = NewWorkingTreeSource(f.paths, wopts);
  }
  bool policy_mode = !f.history && f.range.empty() && f.since_commit.empty();

  // Inspectors.
  std::vector<Inspector*> inspectors;
  std::unique_ptr<Decoder> decoder;
  std::unique_ptr<SecretInspector> secrets;
  std::unique_ptr<Inspector> linter;
  ScanReport report;
  if (!lint_only && !f.no_secrets) {
    auto db = LoadRuleDatabase(f.rules);
    if (!db.ok()) {
      std::cerr << "vigil: " << db.status().message() << "\n";
      return 2;
    }
    decoder = NewKubernetesSecretDecoder();
    secrets = std::make_unique<SecretInspector>(db.value(), decoder.get());
    inspectors.push_back(secrets.get());
    report.rules = RuleInfos(*db.value());
  }
  if ((lint_only || !f.no_policies) && policy_mode) {
    LintOptions lo;
    lo.disabled = config.disabled_rules;
    lo.severity_override = config.severity;
    lo.placeholder_patterns = config.placeholders;
    lo.environments = config.environments;
    linter = NewManifestLinter(lo);
    inspectors.push_back(linter.get());
    for (auto& p : PolicyCatalog()) report.rules.push_back(std::move(p));
  }
  if (inspectors.empty()) {
    std::cerr << "vigil: nothing to do (both secrets and policies are off)\n";
    return 2;
  }

  PipelineOptions popts;
  popts.threads = f.threads;
  popts.timeout_seconds = f.timeout;
  popts.config = &config;
  popts.cancel = &g_cancel;
  popts.progress = !f.quiet;
  ScanOutcome out = RunScan(*source, inspectors, popts);

  report.tool_version = VigilVersion();
  report.root = f.paths.size() == 1 ? f.paths[0] : ".";
  report.findings = std::move(out.findings);
  report.errors = std::move(out.errors);
  report.summary = out.summary;
  if (f.paths[0] != "-") report.repo = DescribeRepository(repo_path);
  ReportOptions ropts;
  ropts.show_secrets = f.show_secrets;
  ropts.show_suppressed = f.show_suppressed;
  bool to_tty = (f.output.empty() || f.output == "-") && isatty(1);
  ropts.color = f.color == "always" || (f.color == "auto" && to_tty && !getenv("NO_COLOR"));

  // Per-item problems go to stderr once, unless the text report on the
  // terminal already lists them.
  bool text_on_stdout = f.format == "text" && (f.output.empty() || f.output == "-");
  if (!text_on_stdout) {
    for (const auto& e : report.errors) {
      if (e.warning && f.quiet) continue;
      std::cerr << "vigil: " << (e.warning ? "note: " : "error: ") << (e.path.empty() ? "" : e.path)
                << (e.line ? ":" + std::to_string(e.line) : "") << (e.path.empty() ? "" : ": ")
                << e.message << "\n";
    }
  }
  if (Status s = WriteReport(report, f.format, ropts, f.output); !s.ok()) {
    std::cerr << "vigil: " << s.message() << "\n";
    return 2;
  }
  if (report.summary.incomplete) return 2;
  for (const auto& fd : report.findings) {
    if (!fd.suppressed && fd.kind != FindingKind::kNotice && fd.severity >= fail_on) return 1;
  }
  return 0;
}

void AddCommonFlags(CLI::App* cmd, ScanFlags& f) {
  cmd->add_option("paths", f.paths, "Files or directories to scan (default: .; - for stdin)");
  cmd->add_option("-f,--format", f.format, "Output format: text, json, sarif, github, markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "markdown"}));
  cmd->add_option("-o,--output", f.output, "Write the report to FILE (atomically) instead of stdout");
  cmd->add_flag("--show-secrets", f.show_secrets, "Print secrets in clear (redacted by default)");
  cmd->add_flag("--show-suppressed", f.show_suppressed, "List suppressed findings too");
  cmd->add_option("--fail-on", f.fail_on, "Exit 1 when a finding is at or above this severity (default: low)");
  cmd->add_option("-c,--config", f.config, "Configuration file (default: .vigil.yaml found upwards)");
  cmd->add_flag("--no-config", f.no_config, "Ignore .vigil.yaml");
  cmd->add_flag("--include-ignored,--no-ignore", f.include_ignored, "Also scan files .gitignore excludes");
  cmd->add_option("--max-file-size", f.max_file_size, "Skip (and report) larger files (default: 10MB)");
  cmd->add_option("-j,--threads", f.threads, "Worker threads (default: all cores)");
  cmd->add_option("--baseline", f.baseline, "Report only findings not in this baseline file");
  cmd->add_flag("-q,--quiet", f.quiet, "No progress display and no notes on stderr");
  cmd->add_option("--timeout", f.timeout, "Stop after SECONDS with partial results (exit 2)");
  cmd->add_option("--color", f.color, "auto, always or never")->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--stdin-name", f.stdin_name, "Path to report for stdin input");
}

}  // namespace

void AddScanCommands(CLI::App& app, int* exit_code) {
  static ScanFlags scan_flags;
  auto* scan = app.add_subcommand("scan", "Find clear-text secrets and lint manifests");
  AddCommonFlags(scan, scan_flags);
  scan->add_option("--rules", scan_flags.rules.rules_dir, "Directory of extra rule files (add or override)");
  scan->add_flag("--no-cache", [](int64_t) { scan_flags.rules.use_cache = false; },
                 "Do not use the compiled-rule cache");
  scan->add_flag("--history", scan_flags.history, "Scan every blob in the git history (all refs)");
  scan->add_flag("--all-objects", scan_flags.all_objects, "With --history: also unreachable objects");
  scan->add_option("--range", scan_flags.range, "Scan the blobs added by the commits in BASE..HEAD");
  scan->add_option("--since-commit", scan_flags.since_commit, "Shorthand for --range REF..HEAD");
  scan->add_flag("--staged", scan_flags.staged, "Scan the staged changes (the pre-commit view)");
  scan->add_flag("--no-policies", scan_flags.no_policies, "Secrets only: skip the manifest linter");
  scan->callback([exit_code] { *exit_code = Run(scan_flags, false); });

  static ScanFlags lint_flags;
  auto* lint = app.add_subcommand("lint", "Lint GitOps manifests (policies only, no secret rules)");
  AddCommonFlags(lint, lint_flags);
  lint->add_flag("--staged", lint_flags.staged, "Lint the staged changes");
  lint->callback([exit_code] { *exit_code = Run(lint_flags, true); });
}

}  // namespace vigil
