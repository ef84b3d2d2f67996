// vigil baseline create|update: record the current findings' fingerprints so
// later scans (--baseline FILE, or `baseline:` in .vigil.yaml) report only
// new findings; update prunes the fixed ones.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "reporters/baseline.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/scan_command.h"

namespace vigil {

void AddBaselineCommands(CLI::App& app, int* exit_code) {
  auto* base = app.add_subcommand("baseline", "Create or update a baseline of accepted findings");
  base->require_subcommand(1);

  static ScanFlags create_flags;
  auto* create = base->add_subcommand(
      "create", "Record every current finding (never the secret) in --output (default .vigil-baseline.json)");
  AddScanFlags(create, create_flags, false);
  create->callback([exit_code] {
    ScanFlags f = create_flags;
    const std::string create_out = f.output.empty() ? ".vigil-baseline.json" : f.output;
    f.no_baseline = true;
    f.baseline.clear();
    auto ex = ExecuteScan(f, false);
    if (!ex.ok()) {
      std::cerr << "vigil: " << ex.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    if (ex.value().report.summary.incomplete) {
      std::cerr << "vigil: the scan did not complete; no baseline written\n";
      *exit_code = 2;
      return;
    }
    Baseline previous;
    const Baseline* prev = nullptr;
    if (std::filesystem::exists(create_out)) {
      auto p = LoadBaseline(create_out);
      if (p.ok()) {
        previous = std::move(p.value());
        prev = &previous;
      }
    }
    Baseline b = MakeBaseline(ex.value().report.findings, prev, NowIso8601());
    if (Status s = WriteBaseline(create_out, b); !s.ok()) {
      std::cerr << "vigil: " << s.message() << "\n";
      *exit_code = 2;
      return;
    }
    std::cout << "wrote " << create_out << ": " << b.entries.size() << " findings\n";
    *exit_code = 0;
  });

  static ScanFlags update_flags;
  auto* update = base->add_subcommand(
      "update", "Drop the fixed entries of --baseline FILE (default .vigil-baseline.json)");
  AddScanFlags(update, update_flags, false);
  update->callback([exit_code] {
    const std::string update_file =
        !update_flags.baseline.empty() ? update_flags.baseline
                                       : (!update_flags.output.empty() ? update_flags.output : ".vigil-baseline.json");
    auto prev = LoadBaseline(update_file);
    if (!prev.ok()) {
      std::cerr << "vigil: " << prev.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    ScanFlags f = update_flags;
    f.no_baseline = true;
    f.baseline.clear();
    auto ex = ExecuteScan(f, false);
    if (!ex.ok() || ex.value().report.summary.incomplete) {
      std::cerr << "vigil: " << (ex.ok() ? "the scan did not complete" : ex.status().message())
                << "; baseline unchanged\n";
      *exit_code = 2;
      return;
    }
    size_t pruned = 0;
    Baseline b = PruneBaseline(prev.value(), ex.value().report.findings, &pruned);
    if (Status s = WriteBaseline(update_file, b); !s.ok()) {
      std::cerr << "vigil: " << s.message() << "\n";
      *exit_code = 2;
      return;
    }
    std::cout << "updated " << update_file << ": " << pruned << " fixed findings removed, " << b.entries.size()
              << " remain\n";
    *exit_code = 0;
  });
}

}  // namespace vigil
