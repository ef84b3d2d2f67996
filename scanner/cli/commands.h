// The subcommands of the vigil CLI. CLI11 is used in scanner/cli/ only. Each
// Add*Commands() registers its subcommands on the app; their callbacks store
// the process exit code in *exit_code (0 clean, 1 findings, 2 error).
#pragma once

namespace CLI {
class App;
}

namespace vigil {

void AddScanCommands(CLI::App& app, int* exit_code);      // scan, lint (cmd_scan.cc)
void AddRulesCommands(CLI::App& app, int* exit_code);     // rules list|check (cmd_rules.cc)
void AddPoliciesCommands(CLI::App& app, int* exit_code);  // policies list|check (cmd_policies.cc)
void AddBaselineCommands(CLI::App& app, int* exit_code);  // baseline create|update (cmd_baseline.cc)
void AddHookCommands(CLI::App& app, int* exit_code);      // hook install|uninstall (cmd_hook.cc)
void AddExplainCommands(CLI::App& app, int* exit_code);   // explain ID (cmd_explain.cc)
void AddGraphCommands(CLI::App& app, int* exit_code);     // graph [PATH] (cmd_graph.cc)

}  // namespace vigil
