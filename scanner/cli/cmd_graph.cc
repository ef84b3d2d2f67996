// vigil graph [PATH]: the secret producer/consumer graph of a tree, per
// namespace (docs/graph.md). The tree is read by the working-tree source and
// parsed by the manifest linter's parser (NewSecretGraphInspector) through the
// ordinary pipeline, so .gitignore, .vigil.yaml path allowlists and the file
// size limit apply as in `vigil lint`; the writers are in reporters/.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "policies/graph.h"
#include "reporters/graph_writer.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"
#include "scanner/pipeline/config.h"
#include "scanner/pipeline/scan.h"
#include "scanner/source/source.h"

namespace vigil {
namespace {

struct GraphFlags {
  std::string path = ".";
  std::string format = "text";
  std::string output;
  std::string config;
  bool no_config = false;
  bool include_ignored = false;
  int threads = 0;
  bool quiet = false;
};

int RunGraph(const GraphFlags& f) {
  signal(SIGPIPE, SIG_IGN);
  std::error_code ec;
  if (!std::filesystem::exists(f.path, ec)) {
    std::cerr << "vigil: " << f.path << ": no such file or directory\n";
    return 2;
  }
  Config config;
  if (!f.no_config) {
    std::string cfg_path = f.config.empty() ? FindConfig(f.path) : f.config;
    if (!cfg_path.empty()) {
      auto c = LoadConfigFile(cfg_path);
      if (!c.ok()) {
        std::cerr << "vigil: " << c.status().message() << "\n";
        return 2;
      }
      config = std::move(c.value());
    }
  }
  WorkingTreeOptions wopts;
  wopts.include_ignored = f.include_ignored;
  wopts.max_file_size = config.max_file_size.value_or(10ull << 20);
  std::unique_ptr<Source> source = NewWorkingTreeSource({f.path}, wopts);

  SecretGraph graph;
  std::unique_ptr<Inspector> inspector = NewSecretGraphInspector(&graph);
  PipelineOptions popts;
  popts.threads = f.threads;
  popts.config = &config;
  popts.progress = false;
  ScanOutcome outcome = RunScan(*source, {inspector.get()}, popts);

  GraphReportInfo info;
  info.tool_version = VigilVersion();
  info.root = f.path;
  info.errors = outcome.errors;
  for (const auto& e : info.errors) {
    if (e.warning && f.quiet) continue;
    std::cerr << "vigil: " << (e.warning ? "note: " : "error: ") << e.path
              << (e.line ? ":" + std::to_string(e.line) : "") << (e.path.empty() ? "" : ": ")
              << e.message << "\n";
  }
  std::ostringstream buf;
  if (!WriteGraph(f.format, graph, info, buf)) {
    std::cerr << "vigil: unknown format `" << f.format << "`\n";
    return 2;
  }
  if (Status s = WriteOutput(buf.str(), f.output, "the graph"); !s.ok()) {
    std::cerr << "vigil: " << s.message() << "\n";
    return 2;
  }
  return outcome.summary.incomplete ? 2 : 0;
}

}  // namespace

void AddGraphCommands(CLI::App& app, int* exit_code) {
  static GraphFlags flags;
  auto* cmd =
      app.add_subcommand("graph", "Print which workload gets which Secret from which producer");
  cmd->add_option("path", flags.path, "Directory (or file) to read (default: .)");
  cmd->add_option("-f,--format", flags.format, "Output format: text, json or dot (Graphviz)")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  cmd->add_option("-o,--output", flags.output,
                  "Write the graph to FILE (atomically) instead of stdout");
  cmd->add_option("-c,--config", flags.config,
                  "Configuration file (default: .vigil.yaml found upwards)");
  cmd->add_flag("--no-config", flags.no_config, "Ignore .vigil.yaml");
  cmd->add_flag("--include-ignored,--no-ignore", flags.include_ignored,
                "Also read files .gitignore excludes");
  cmd->add_option("-j,--threads", flags.threads, "Worker threads (default: all cores)");
  cmd->add_flag("-q,--quiet", flags.quiet, "No notes on stderr");
  cmd->callback([exit_code] { *exit_code = RunGraph(flags); });
}

}  // namespace vigil
