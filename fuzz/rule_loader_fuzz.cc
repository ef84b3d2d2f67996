// Fuzzes the rule loader: ParseRulesYaml on arbitrary text, then
// ValidateRules, and for small rule sets that validate, RuleDatabase::Build
// (both engines must accept or reject a pattern with a Status, never crash).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "scanner/match/matcher.h"
#include "scanner/match/rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::Rule> rules;
  vigil::Status s = vigil::ParseRulesYaml(text, "fuzz.yaml", &rules);
  if (!s.ok()) {
    // Every error names the origin.
    if (s.message().find("fuzz.yaml") == std::string::npos) __builtin_trap();
    return 0;
  }
  if (!vigil::ValidateRules(rules).ok()) return 0;
  if (rules.empty() || rules.size() > 4) return 0;
  for (const auto& r : rules) {
    if (r.pattern.size() > 256) return 0;  // keep compile time per input small
  }
  vigil::CompileOptions co;
  co.use_cache = false;
  auto db = vigil::RuleDatabase::Build(rules, co);
  if (db.ok()) {
    vigil::Matcher m(db.value());
    std::vector<vigil::RawMatch> out;
    (void)m.Scan(text, &out);
    for (const auto& r : out) {
      if (r.end > text.size() || r.start > r.end || r.secret_end > text.size() ||
          r.secret_start > r.secret_end)
        __builtin_trap();
    }
  }
  return 0;
}
