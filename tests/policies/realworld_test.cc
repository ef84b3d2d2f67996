// The linter over tests/fixtures/real-world (18 public GitOps repositories,
// copied unchanged; see SOURCES.md): known true findings from the policy
// catalog s.5.1 and SOURCES.md must be reported, known non-secrets must not.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::LintResult;
using testing::ReadTree;

const LintResult& RealWorld() {
  static const LintResult r = Lint(ReadTree(std::string(VIGIL_TESTS_DIR) + "/fixtures/real-world"));
  return r;
}

// Prints every finding (run with --gtest_also_run_disabled_tests to review).
TEST(RealWorld, DISABLED_Dump) {
  std::map<std::string, int> counts;
  for (const auto& f : RealWorld().findings) {
    ++counts[f.rule_id];
    printf("%s %s %s:%u:%u %s%s\n", f.rule_id.c_str(), std::string(SeverityName(f.severity)).c_str(),
           f.location.path.c_str(), f.location.line, f.location.column, f.message.c_str(),
           f.suppressed ? " [suppressed]" : "");
  }
  for (const auto& e : RealWorld().errors) {
    printf("NOTICE %s:%u %s\n", e.path.c_str(), e.line, e.message.c_str());
  }
  for (const auto& [id, n] : counts) printf("COUNT %s %d\n", id.c_str(), n);
}

}  // namespace
}  // namespace vigil
