// vigil: a secret scanner and policy linter for GitOps repositories.
#include <CLI/CLI.hpp>

#include <iostream>

#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"

int main(int argc, char** argv) {
  CLI::App app{"vigil: find clear-text secrets and lint secret handling in GitOps repositories"};
  app.require_subcommand(1);
  app.set_version_flag("-V,--version", vigil::VigilVersion());
  int exit_code = 0;
  vigil::AddScanCommands(app, &exit_code);
  vigil::AddRulesCommands(app, &exit_code);
  vigil::AddPoliciesCommands(app, &exit_code);
  vigil::AddBaselineCommands(app, &exit_code);
  vigil::AddHookCommands(app, &exit_code);
  vigil::AddExplainCommands(app, &exit_code);
  vigil::AddGraphCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
