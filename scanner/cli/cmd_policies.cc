// vigil policies list|check: the manifest policies of the built-in catalog
// (policies/catalog/*.yaml) and their example manifests.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "policies/linter.h"
#include "scanner/cli/commands.h"

namespace vigil {
namespace {

std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      case '\r': o += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += c;
        }
    }
  }
  return o;
}

}  // namespace

void AddPoliciesCommands(CLI::App& app, int* exit_code) {
  auto* policies = app.add_subcommand("policies", "List or check the manifest policies");
  policies->require_subcommand(1);
  static std::string format = "text";

  auto* list = policies->add_subcommand("list", "List every policy");
  list->add_option("--format", format, "text or json")->check(CLI::IsMember({"text", "json"}));
  list->callback([exit_code] {
    std::vector<RuleInfo> all = PolicyCatalog();
    if (format == "json") {
      std::cout << "[";
      for (size_t i = 0; i < all.size(); ++i) {
        const RuleInfo& p = all[i];
        std::cout << (i ? "," : "") << "\n  {\"id\": \"" << JsonEscape(p.id) << "\", \"title\": \""
                  << JsonEscape(p.name) << "\", \"severity\": \"" << SeverityName(p.severity)
                  << "\", \"description\": \"" << JsonEscape(p.description)
                  << "\", \"remediation\": \"" << JsonEscape(p.remediation) << "\", \"references\": [";
        for (size_t r = 0; r < p.references.size(); ++r) {
          std::cout << (r ? ", " : "") << "\"" << JsonEscape(p.references[r]) << "\"";
        }
        std::cout << "], \"tags\": [";
        for (size_t t = 0; t < p.tags.size(); ++t) {
          std::cout << (t ? ", " : "") << "\"" << JsonEscape(p.tags[t]) << "\"";
        }
        std::cout << "]}";
      }
      std::cout << "\n]\n";
    } else {
      for (const auto& p : all) {
        std::cout << p.id << "\t" << SeverityName(p.severity) << "\t" << p.name << "\n";
      }
      std::cout << all.size() << " policies\n";
    }
    *exit_code = 0;
  });

  auto* check = policies->add_subcommand("check", "Run every policy's example manifests");
  check->callback([exit_code] {
    std::vector<std::string> failures;
    size_t examples = CheckPolicyExamples(&failures);
    for (const auto& f : failures) std::cout << "FAIL " << f << "\n";
    std::cout << PolicyCatalog().size() << " policies, " << examples << " examples: "
              << (failures.empty() ? "all passed" : std::to_string(failures.size()) + " failures")
              << "\n";
    *exit_code = failures.empty() ? 0 : 1;
  });
}

}  // namespace vigil
