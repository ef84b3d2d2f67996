// Every policy's firing and non-firing examples, run through the real linter.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "policies/linter.h"

namespace vigil {
namespace {

TEST(PolicyExamples, AllPass) {
  std::vector<std::string> failures;
  size_t n = CheckPolicyExamples(&failures);
  EXPECT_GE(n, 62u);
  for (const auto& f : failures) ADD_FAILURE() << f;
}

TEST(PolicyCatalog, HasEveryPolicyOfIssue4) {
  std::set<std::string> ids;
  for (const auto& r : PolicyCatalog()) {
    ids.insert(r.id);
    EXPECT_EQ(r.kind, FindingKind::kPolicy) << r.id;
    EXPECT_FALSE(r.name.empty()) << r.id;
    EXPECT_FALSE(r.description.empty()) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_FALSE(r.references.empty()) << r.id;
  }
  auto want = [&](const std::string& area, int n) {
    for (int i = 1; i <= n; ++i) {
      char id[32];
      snprintf(id, sizeof id, "GSP-%s-%03d", area.c_str(), i);
      EXPECT_TRUE(ids.count(id)) << id;
    }
  };
  want("PLAIN", 7);
  want("SEALED", 8);
  want("SOPS", 10);
  want("FLUX", 2);
  want("GEN", 4);
}

}  // namespace
}  // namespace vigil
