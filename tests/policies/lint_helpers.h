// Test helpers: lint a directory or an in-memory tree with the real linter,
// the real-world corpus (tests/fixtures/real-world), the catalog's examples.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "policies/linter.h"

namespace vigil::testing {

inline std::map<std::string, std::string> ReadTree(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    files[std::filesystem::relative(e.path(), root).generic_string()] = ss.str();
  }
  return files;
}

struct LintResult {
  std::vector<Finding> findings;
  std::vector<ScanError> errors;
  // Findings of one policy (unsuppressed).
  std::vector<const Finding*> Of(const std::string& id) const {
    std::vector<const Finding*> out;
    for (const auto& f : findings) {
      if (f.rule_id == id && !f.suppressed) out.push_back(&f);
    }
    return out;
  }
  bool Has(const std::string& id, const std::string& path_part) const {
    for (const Finding* f : Of(id)) {
      if (f->location.path.find(path_part) != std::string::npos) return true;
    }
    return false;
  }
};

inline LintResult Lint(const std::map<std::string, std::string>& files, LintOptions options = {}) {
  LintResult r;
  r.findings = LintInMemory(files, options, &r.errors);
  return r;
}

// The real-world corpus, or one repository of it ("owner__name").
inline std::map<std::string, std::string> RealWorldTree(const std::string& repo = "") {
  return ReadTree(std::string(VIGIL_TESTS_DIR) + "/fixtures/real-world" + (repo.empty() ? "" : "/" + repo));
}

// The catalog-example failures (CheckPolicyExamples) that start with one of `prefixes`.
inline std::vector<std::string> ExampleFailures(std::initializer_list<std::string_view> prefixes) {
  std::vector<std::string> failures, out;
  CheckPolicyExamples(&failures);
  for (const auto& f : failures) {
    for (std::string_view p : prefixes) {
      if (f.rfind(p, 0) == 0) {
        out.push_back(f);
        break;
      }
    }
  }
  return out;
}

}  // namespace vigil::testing
