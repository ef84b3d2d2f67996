#include "scanner/match/rules_check.h"

namespace vigil {

RuleCheckReport CheckRules(std::shared_ptr<const RuleDatabase> db) {
  RuleCheckReport report;
  Matcher matcher(db);
  const auto& rules = db->rules();
  report.rules = rules.size();
  std::vector<RawMatch> matches;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    if (r.examples.empty()) report.failures.push_back(r.id + ": has no examples");
    if (r.negative_examples.empty()) report.failures.push_back(r.id + ": has no negative examples");
    for (const auto& ex : r.examples) {
      ++report.examples;
      matches.clear();
      if (Status s = matcher.Scan(ex.text, &matches); !s.ok()) {
        report.failures.push_back(r.id + ": scan failed: " + s.message());
        continue;
      }
      bool found = false;
      std::string got;
      for (const auto& m : matches) {
        if (m.rule != i) continue;
        std::string secret = ex.text.substr(m.secret_start, m.secret_end - m.secret_start);
        if (ex.secret.empty() || secret == ex.secret) {
          found = true;
          break;
        }
        got = secret;
      }
      if (!found) {
        std::string msg = r.id + ": example did not match: " + ex.text.substr(0, 120);
        if (!got.empty()) msg += " (got secret `" + got + "`, want `" + ex.secret + "`)";
        report.failures.push_back(msg);
      }
    }
    for (const auto& neg : r.negative_examples) {
      ++report.negative_examples;
      matches.clear();
      if (Status s = matcher.Scan(neg, &matches); !s.ok()) continue;
      for (const auto& m : matches) {
        if (m.rule == i) {
          report.failures.push_back(r.id + ": negative example matched: " + neg.substr(0, 120));
          break;
        }
      }
    }
  }
  return report;
}

}  // namespace vigil
