// vigil hook install|uninstall (placeholder until the integrations land).
#include <CLI/CLI.hpp>

#include "scanner/cli/commands.h"

namespace vigil {

void AddHookCommands(CLI::App& app, int* exit_code) {
  auto* hook = app.add_subcommand("hook", "Install or remove the git pre-commit hook");
  hook->require_subcommand(1);
  hook->add_subcommand("install", "Install the pre-commit hook");
  hook->add_subcommand("uninstall", "Remove the pre-commit hook");
  (void)exit_code;
}

}  // namespace vigil
