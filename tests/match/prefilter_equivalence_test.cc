// Every built-in rule with a `prefilter` finds exactly what the same rule
// finds without it (Hyperscan scanning the full pattern, the default
// window): on its own examples and negative examples, alone and inside
// other text (a long run of base64 before it, code and YAML around it, the
// example repeated), so a prefilter that is not a superset of its pattern,
// or a `window` too short for its longest match, fails here.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "scanner/match/matcher.h"

namespace vigil {
namespace {

using Found = std::vector<std::tuple<uint64_t, uint64_t, uint64_t, uint64_t>>;

std::shared_ptr<const RuleDatabase> Compile(const Rule& rule) {
  CompileOptions co;
  co.use_cache = false;
  auto db = RuleDatabase::Build({rule}, co);
  EXPECT_TRUE(db.ok()) << rule.id << ": " << db.status().message();
  return db.ok() ? db.value() : nullptr;
}

Found Scan(Matcher& m, const std::string& text) {
  std::vector<RawMatch> out;
  EXPECT_TRUE(m.Scan(text, &out).ok());
  Found f;
  for (const auto& x : out) f.emplace_back(x.start, x.end, x.secret_start, x.secret_end);
  return f;
}

std::vector<std::string> Contexts(const std::string& s) {
  const std::string b64 =
      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw";
  return {
      s,
      s + "\n" + s,
      "  " + s + "  # trailing comment\n",
      b64 + s,  // no boundary before: the left context must still be checked
      b64 + " " + s + "\n" + b64,
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  " + s + "\n",
      "const token = process.env.API_TOKEN; // read at startup\n" + s +
          "\n    password = os.environ[\"DB_PASSWORD\"]\n",
      std::string(300, ' ') + s + std::string(300, 'A'),
  };
}

TEST(PrefilterEquivalence, EveryBuiltinPrefilterFindsWhatItsPatternFinds) {
  std::vector<Rule> rules;
  ASSERT_TRUE(LoadBuiltinRules(&rules).ok());
  size_t checked = 0, non_empty = 0;
  for (const Rule& r : rules) {
    if (r.prefilter.empty()) continue;
    Rule plain = r;
    plain.prefilter.clear();
    plain.window = 0;  // the default window: the full pattern's own candidates
    auto db_with = Compile(r), db_plain = Compile(plain);
    ASSERT_TRUE(db_with && db_plain);
    Matcher with_prefilter(db_with), without(db_plain);
    std::vector<std::string> inputs;
    for (const auto& e : r.examples) inputs.push_back(e.text);
    for (const auto& n : r.negative_examples) inputs.push_back(n);
    for (const auto& in : inputs) {
      for (const auto& text : Contexts(in)) {
        Found with = Scan(with_prefilter, text);
        EXPECT_EQ(with, Scan(without, text)) << r.id << " on: " << text;
        non_empty += !with.empty();
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 15u);     // the generic rules at least
  EXPECT_GE(non_empty, 100u);  // and the comparison is not vacuous
}

}  // namespace
}  // namespace vigil
