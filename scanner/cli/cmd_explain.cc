// vigil explain ID (placeholder until the integrations land).
#include <CLI/CLI.hpp>

#include "scanner/cli/commands.h"

namespace vigil {

void AddExplainCommands(CLI::App& app, int* exit_code) {
  app.add_subcommand("explain", "Explain a rule or policy");
  (void)exit_code;
}

}  // namespace vigil
