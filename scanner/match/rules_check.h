// Rule self-check: runs every rule's examples (must match, with the expected
// secret) and negative examples (must not) through the compiled database.
// Used by `vigil rules check` and by the unit tests.
#pragma once

#include <string>
#include <vector>

#include "scanner/match/matcher.h"

namespace vigil {

struct RuleCheckReport {
  size_t rules = 0;
  size_t examples = 0;
  size_t negative_examples = 0;
  std::vector<std::string> failures;  // one line each: "rule-id: what went wrong"
};

RuleCheckReport CheckRules(std::shared_ptr<const RuleDatabase> db);

}  // namespace vigil
