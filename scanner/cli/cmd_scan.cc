// vigil scan / vigil lint: the commands that run the pipeline.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>
#include <map>

#include "policies/linter.h"
#include "reporters/baseline.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"
#include "scanner/cli/scan_command.h"
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

}  // namespace

Result<ScanExecution> ExecuteScan(ScanFlags& f, bool lint_only) {
  InstallSignalHandlers();
  ScanExecution ex;
  if (f.paths.empty()) f.paths.push_back(".");
  int git_modes = (f.history ? 1 : 0) + (!f.range.empty() ? 1 : 0) +
                  (!f.since_commit.empty() ? 1 : 0) + (f.staged ? 1 : 0);
  if (git_modes > 1)
    return Status::Error("--history, --range, --since-commit and --staged exclude each other");
  if (git_modes && f.paths.size() > 1) return Status::Error("git modes take one repository path");
  if (f.history || !f.range.empty() || !f.since_commit.empty()) {
    if (lint_only)
      return Status::Error("vigil lint works on a tree: use vigil scan for history and ranges");
  }

  // Configuration.
  Config config;
  if (!f.no_config) {
    std::string cfg_path = f.config;
    if (cfg_path.empty() && f.paths[0] != "-") cfg_path = FindConfig(f.paths[0]);
    if (!cfg_path.empty()) {
      auto c = LoadConfigFile(cfg_path);
      if (!c.ok()) return c.status();
      config = std::move(c.value());
    }
  }
  ex.fail_on = config.fail_on.value_or(Severity::kLow);
  if (!f.fail_on.empty()) {
    auto s = ParseSeverity(f.fail_on);
    if (!s)
      return Status::Error("--fail-on: unknown severity `" + f.fail_on +
                           "` (info, low, medium, high, critical)");
    ex.fail_on = *s;
  }
  uint64_t max_size = config.max_file_size.value_or(10ull << 20);
  if (!f.max_file_size.empty()) {
    auto m = ParseSize(f.max_file_size, "--max-file-size");
    if (!m.ok()) return m.status();
    max_size = m.value();
  }

  // Baseline: --baseline wins over the configuration's `baseline:`.
  std::set<std::string> baseline;
  std::string baseline_path =
      f.no_baseline ? "" : (f.baseline.empty() ? config.baseline : f.baseline);
  if (!baseline_path.empty() && f.baseline.empty() && !config.path.empty()) {
    // A baseline named in .vigil.yaml is relative to that file.
    std::filesystem::path p(baseline_path);
    if (p.is_relative())
      baseline_path = (std::filesystem::path(config.path).parent_path() / p).string();
  }
  if (!baseline_path.empty()) {
    auto b = LoadBaseline(baseline_path);
    if (!b.ok()) return b.status();
    baseline = b.value().Fingerprints();
    ex.baseline_path = baseline_path;
  }

  // The machinery of the run (ScanExecution::machinery): members in the
  // order of their dependencies (the secret inspector uses the decoder).
  struct Machinery {
    std::unique_ptr<Source> source;
    std::unique_ptr<Decoder> decoder;
    std::unique_ptr<SecretInspector> secrets;
    std::unique_ptr<Inspector> linter;
  };
  auto machinery = std::make_shared<Machinery>();
  ex.machinery = machinery;

  // The rule database loads on another thread while the source opens (a
  // staged source also reads the index then: ~10 ms for 10,000 entries).
  std::future<Result<std::shared_ptr<const RuleDatabase>>> rules_loading;
  if (!lint_only && !f.no_secrets) {
    rules_loading = std::async(std::launch::async, [&f] { return LoadRuleDatabase(f.rules); });
  }

  // Source.
  std::unique_ptr<Source>& source = machinery->source;
  GitOptions gopts;
  gopts.max_file_size = max_size;
  gopts.include_unreachable = f.all_objects;
  gopts.progress = !f.quiet;
  // Policies need a whole tree: the working tree, the staged index, stdin,
  // or a range's tip (its unchanged files as context); not the history.
  bool policy_mode = !f.history;
  gopts.context = policy_mode && (lint_only || !f.no_policies);
  std::string repo_path = f.paths[0];
  if (git_modes) {
    Result<std::unique_ptr<Source>> s = Status::Error("");
    if (f.history) {
      s = NewGitHistorySource(repo_path, gopts);
    } else if (f.staged) {
      s = NewGitStagedSource(repo_path, gopts);
    } else {
      std::string range = f.range.empty() ? f.since_commit + "..HEAD" : f.range;
      s = NewGitRangeSource(repo_path, range, gopts);
    }
    if (!s.ok()) return s.status();
    source = std::move(s.value());
  } else if (f.paths.size() == 1 && f.paths[0] == "-") {
    source = NewStdinSource(f.stdin_name);
  } else {
    WorkingTreeOptions wopts;
    wopts.include_ignored = f.include_ignored;
    wopts.max_file_size = max_size;
    source = NewWorkingTreeSource(f.paths, wopts);
  }

  // Inspectors.
  std::vector<Inspector*> inspectors;
  std::unique_ptr<Decoder>& decoder = machinery->decoder;
  std::unique_ptr<SecretInspector>& secrets = machinery->secrets;
  std::unique_ptr<Inspector>& linter = machinery->linter;
  ScanReport& report = ex.report;
  if (rules_loading.valid()) {
    auto db = rules_loading.get();
    if (!db.ok()) return db.status();
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
    lo.threads = f.threads;  // -j also bounds the policy families' threads
    linter = NewManifestLinter(lo);
    inspectors.push_back(linter.get());
  }
  if (inspectors.empty()) return Status::Error("nothing to do (both secrets and policies are off)");

  PipelineOptions popts;
  popts.threads = f.threads;
  popts.timeout_seconds = f.timeout;
  popts.config = &config;
  popts.cancel = &g_cancel;
  popts.progress = !f.quiet;
  popts.baseline = std::move(baseline);
  popts.roots = f.paths;
  ScanOutcome out = RunScan(*source, inspectors, popts);

  report.tool_version = VigilVersion();
  report.root = f.paths.size() == 1 ? f.paths[0] : ".";
  report.findings = std::move(out.findings);
  report.errors = std::move(out.errors);
  report.summary = out.summary;
  if (f.paths[0] != "-") {
    std::optional<RepoInfo> known = source->Repository();
    report.repo = known ? std::move(*known) : DescribeRepository(repo_path);
  }
  // The policy catalog (embedded YAML) is parsed only when the report needs
  // it: SARIF lists every rule of the run; other formats need the metadata
  // of the policies that fired. A clean pre-commit run never parses it.
  if (linter) {
    bool needed = f.format == "sarif";
    for (const auto& fd : report.findings) needed = needed || fd.kind != FindingKind::kSecret;
    if (needed) {
      for (auto& p : PolicyCatalog()) report.rules.push_back(std::move(p));
    }
  }
  // Findings carry their rule's name (policies report only their id).
  std::map<std::string, const RuleInfo*> by_id;
  for (const auto& r : report.rules) by_id[r.id] = &r;
  for (auto& fd : report.findings) {
    if (!fd.rule_name.empty() && fd.rule_name != fd.rule_id) continue;
    if (auto it = by_id.find(fd.rule_id); it != by_id.end() && !it->second->name.empty())
      fd.rule_name = it->second->name;
  }
  return ex;
}

int ExitCodeFor(const ScanExecution& ex) {
  if (ex.report.summary.incomplete) return 2;
  for (const auto& fd : ex.report.findings) {
    if (!fd.suppressed && fd.kind != FindingKind::kNotice && fd.severity >= ex.fail_on) return 1;
  }
  return 0;
}

namespace {

// Ends `vigil scan` / `vigil lint` once the report is written: flushes the
// standard streams and leaves without running destructors. Tearing down a
// large run's structures (a pre-commit scan keeps a record per file of the
// repository) costs more than the rest of a small scan's finish, and the
// kernel frees the memory anyway. Sanitizer builds return normally, so
// LeakSanitizer sees every object freed.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define VIGIL_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(leak_sanitizer)
#define VIGIL_SANITIZED_BUILD 1
#endif
#endif

int Finished(int code) {
#ifndef VIGIL_SANITIZED_BUILD
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
#endif
  return code;
}

int Run(ScanFlags& f, bool lint_only) {
  auto res = ExecuteScan(f, lint_only);
  if (!res.ok()) {
    std::cerr << "vigil: " << res.status().message() << "\n";
    return 2;
  }
  ScanExecution& ex = res.value();
  ReportOptions ropts;
  ropts.show_secrets = f.show_secrets;
  ropts.show_suppressed = f.show_suppressed;
  bool to_stdout = f.output.empty() || f.output == "-";
  ropts.color =
      f.color == "always" || (f.color == "auto" && to_stdout && isatty(1) && !getenv("NO_COLOR"));
  // Per-item problems go to stderr once, unless the text report on stdout
  // already lists them.
  bool text_on_stdout = f.format == "text" && to_stdout;
  if (!text_on_stdout) {
    for (const auto& e : ex.report.errors) {
      if (e.warning && f.quiet) continue;
      std::cerr << "vigil: " << (e.warning ? "note: " : "error: ") << e.path
                << (e.line ? ":" + std::to_string(e.line) : "") << (e.path.empty() ? "" : ": ")
                << e.message << "\n";
    }
  }
  if (Status s = WriteReport(ex.report, f.format, ropts, f.output); !s.ok()) {
    std::cerr << "vigil: " << s.message() << "\n";
    return 2;
  }
  return Finished(ExitCodeFor(ex));
}

}  // namespace

void AddScanFlags(CLI::App* cmd, ScanFlags& f, bool lint_only) {
  cmd->add_option("paths", f.paths, "Files or directories to scan (default: .; - for stdin)");
  cmd->add_option("-f,--format", f.format, "Output format: text, json, sarif, github, markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "github", "markdown"}));
  cmd->add_option("-o,--output", f.output,
                  "Write the report to FILE (atomically) instead of stdout");
  cmd->add_flag("--show-secrets", f.show_secrets, "Print secrets in clear (redacted by default)");
  cmd->add_flag("--show-suppressed", f.show_suppressed, "List suppressed findings too");
  cmd->add_option("--fail-on", f.fail_on,
                  "Exit 1 when a finding is at or above this severity (default: low)");
  cmd->add_option("-c,--config", f.config,
                  "Configuration file (default: .vigil.yaml found upwards)");
  cmd->add_flag("--no-config", f.no_config, "Ignore .vigil.yaml");
  cmd->add_flag("--include-ignored,--no-ignore", f.include_ignored,
                "Also scan files .gitignore excludes");
  cmd->add_option("--max-file-size", f.max_file_size,
                  "Skip (and report) larger files (default: 10MB)");
  cmd->add_option("-j,--threads", f.threads, "Worker threads (default: all cores)");
  cmd->add_option("--baseline", f.baseline, "Suppress the findings recorded in this baseline file");
  cmd->add_flag("--no-baseline", f.no_baseline, "Ignore the baseline named in .vigil.yaml");
  cmd->add_flag("-q,--quiet", f.quiet, "No progress display and no notes on stderr");
  cmd->add_option("--timeout", f.timeout, "Stop after SECONDS with partial results (exit 2)");
  cmd->add_option("--color", f.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--stdin-name", f.stdin_name, "Path to report for stdin input");
  cmd->add_flag("--staged", f.staged, "Scan the staged changes (the pre-commit view)");
  if (lint_only) return;
  cmd->add_option("--rules", f.rules.rules_dir, "Directory of extra rule files (add or override)");
  cmd->add_flag(
      "--no-cache", [&f](int64_t) { f.rules.use_cache = false; },
      "Do not use the compiled-rule cache");
  cmd->add_flag("--history", f.history, "Scan every blob in the git history (all refs)");
  cmd->add_flag("--all-objects", f.all_objects, "With --history: also unreachable objects");
  cmd->add_option("--range", f.range, "Scan the blobs added by the commits in BASE..HEAD");
  cmd->add_option("--since-commit", f.since_commit, "Shorthand for --range REF..HEAD");
  cmd->add_flag("--no-policies", f.no_policies, "Secrets only: skip the manifest linter");
}

void AddScanCommands(CLI::App& app, int* exit_code) {
  static ScanFlags scan_flags;
  auto* scan = app.add_subcommand("scan", "Find clear-text secrets and lint manifests");
  AddScanFlags(scan, scan_flags, false);
  scan->callback([exit_code] { *exit_code = Run(scan_flags, false); });

  static ScanFlags lint_flags;
  auto* lint = app.add_subcommand("lint", "Lint GitOps manifests (policies only, no secret rules)");
  AddScanFlags(lint, lint_flags, true);
  lint->callback([exit_code] { *exit_code = Run(lint_flags, true); });
}

}  // namespace vigil
