// vigil policies list|check. (Placeholder until the manifest linter lands.)
#include <CLI/CLI.hpp>

#include "scanner/cli/commands.h"

namespace vigil {

void AddPoliciesCommands(CLI::App& app, int* exit_code) {
  auto* policies = app.add_subcommand("policies", "List or check the manifest policies");
  policies->require_subcommand(1);
  policies->add_subcommand("list", "List every policy");
  policies->add_subcommand("check", "Run every policy's examples");
  (void)exit_code;
}

}  // namespace vigil
