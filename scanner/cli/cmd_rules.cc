// vigil rules list|check.
#include <CLI/CLI.hpp>

#include <iostream>

#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"
#include "scanner/match/rules_check.h"

namespace vigil {

void AddRulesCommands(CLI::App& app, int* exit_code) {
  auto* rules = app.add_subcommand("rules", "List or check the secret rules");
  rules->require_subcommand(1);
  static RuleLoadOptions opts;
  static std::string format = "text";
  rules->add_option("--rules", opts.rules_dir, "Directory of extra rule files (add or override)");
  rules->add_flag("--no-cache", [](int64_t) { opts.use_cache = false; }, "Do not use the compiled-rule cache");

  auto* list = rules->add_subcommand("list", "List every rule");
  list->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  list->callback([exit_code] {
    auto db = LoadRuleDatabase(opts);
    if (!db.ok()) {
      std::cerr << "vigil: " << db.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    const auto& rs = db.value()->rules();
    if (format == "json") {
      std::cout << "[";
      for (size_t i = 0; i < rs.size(); ++i) {
        auto esc = [](const std::string& s) {
          std::string o;
          for (char c : s) {
            if (c == '"' || c == '\\') o += '\\';
            if (c == '\n') { o += "\\n"; continue; }
            o += c;
          }
          return o;
        };
        std::cout << (i ? "," : "") << "\n  {\"id\": \"" << esc(rs[i].id) << "\", \"name\": \""
                  << esc(rs[i].name) << "\", \"provider\": \"" << esc(rs[i].provider)
                  << "\", \"severity\": \"" << SeverityName(rs[i].severity) << "\"}";
      }
      std::cout << "\n]\n";
    } else {
      for (const auto& r : rs) {
        std::cout << r.id << "\t" << SeverityName(r.severity) << "\t" << r.provider << "\t" << r.name
                  << "\n";
      }
      std::cout << rs.size() << " rules\n";
    }
    *exit_code = 0;
  });

  auto* check = rules->add_subcommand("check", "Compile every rule in both engines and run its examples");
  check->callback([exit_code] {
    RuleLoadOptions o = opts;
    o.use_cache = false;  // always compile: this is the check
    auto db = LoadRuleDatabase(o);
    if (!db.ok()) {
      std::cerr << "vigil: " << db.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    RuleCheckReport rep = CheckRules(db.value());
    for (const auto& f : rep.failures) std::cout << "FAIL " << f << "\n";
    std::cout << rep.rules << " rules, " << rep.examples << " examples, " << rep.negative_examples
              << " negative examples: " << (rep.failures.empty() ? "all passed" : std::to_string(rep.failures.size()) + " failures")
              << "\n";
    *exit_code = rep.failures.empty() ? 0 : 1;
  });
}

}  // namespace vigil
