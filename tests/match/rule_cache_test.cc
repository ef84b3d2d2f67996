// The parsed-rules cache (RuleDatabase::Load): a warm load reads the rules
// back exactly as parsed; a corrupt, truncated or stale cache is ignored and
// rewritten, never trusted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scanner/match/matcher.h"
#include "scanner/match/rule.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class RuleCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil-rule-cache-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(CollectRuleFiles("", &files_).ok());
    options_.cache_dir = dir_.string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<fs::path> CacheFiles(const std::string& ext) const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_))
      if (e.path().extension() == ext) out.push_back(e.path());
    return out;
  }
  fs::path dir_;
  std::vector<RuleFileText> files_;
  CompileOptions options_;
};

void ExpectSameRules(const std::vector<Rule>& a, const std::vector<Rule>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].pattern, b[i].pattern);
    EXPECT_EQ(a[i].prefilter, b[i].prefilter);
    EXPECT_EQ(a[i].keywords, b[i].keywords);
    EXPECT_EQ(a[i].severity, b[i].severity);
    EXPECT_EQ(a[i].min_entropy, b[i].min_entropy);
    EXPECT_EQ(a[i].validator, b[i].validator);
    EXPECT_EQ(a[i].placeholder_check, b[i].placeholder_check);
    EXPECT_EQ(a[i].window, b[i].window);
    EXPECT_EQ(a[i].description, b[i].description);
    EXPECT_EQ(a[i].references, b[i].references);
    EXPECT_EQ(a[i].tags, b[i].tags);
    EXPECT_EQ(a[i].negative_examples, b[i].negative_examples);
    EXPECT_EQ(a[i].source_file, b[i].source_file);
    ASSERT_EQ(a[i].examples.size(), b[i].examples.size());
    for (size_t k = 0; k < a[i].examples.size(); ++k) {
      EXPECT_EQ(a[i].examples[k].text, b[i].examples[k].text);
      EXPECT_EQ(a[i].examples[k].secret, b[i].examples[k].secret);
    }
  }
}

TEST_F(RuleCacheTest, WarmLoadReadsTheParsedRulesBack) {
  std::vector<Rule> parsed;
  ASSERT_TRUE(ParseRuleFiles(files_, &parsed).ok());
  auto cold = RuleDatabase::Load(files_, options_);
  ASSERT_TRUE(cold.ok()) << cold.status().message();
  EXPECT_FALSE(cold.value()->rules_from_cache());
  ASSERT_EQ(CacheFiles(".rules").size(), 1u);
  auto warm = RuleDatabase::Load(files_, options_);
  ASSERT_TRUE(warm.ok()) << warm.status().message();
  EXPECT_TRUE(warm.value()->rules_from_cache());
  EXPECT_TRUE(warm.value()->loaded_from_cache());
  ExpectSameRules(parsed, warm.value()->rules());
  // And the warm database matches like the parsed one.
  Matcher m(warm.value());
  std::vector<RawMatch> out;
  ASSERT_TRUE(m.Scan("GITHUB_TOKEN=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\n", &out).ok());
  EXPECT_FALSE(out.empty());
}

TEST_F(RuleCacheTest, CorruptOrTruncatedCacheIsRebuilt) {
  ASSERT_TRUE(RuleDatabase::Load(files_, options_).ok());
  auto cache = CacheFiles(".rules");
  ASSERT_EQ(cache.size(), 1u);
  std::string good;
  {
    std::ifstream in(cache[0], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    good = ss.str();
  }
  std::vector<Rule> rules;
  EXPECT_TRUE(DeserializeRules(good, &rules).ok());
  for (std::string bad : {good.substr(0, good.size() / 2), std::string("garbage"),
                          good.substr(0, 20) + std::string(good.size() - 20, '\xff')}) {
    EXPECT_FALSE(DeserializeRules(bad, &rules).ok());
    EXPECT_TRUE(rules.empty());
    std::ofstream(cache[0], std::ios::binary | std::ios::trunc) << bad;
    auto db = RuleDatabase::Load(files_, options_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    EXPECT_FALSE(db.value()->rules_from_cache());
    std::vector<Rule> reparsed;
    ASSERT_TRUE(ParseRuleFiles(files_, &reparsed).ok());
    ExpectSameRules(reparsed, db.value()->rules());
    // Rewritten: the next load is warm again.
    EXPECT_TRUE(RuleDatabase::Load(files_, options_).value()->rules_from_cache());
  }
}

TEST_F(RuleCacheTest, ChangedRulesTextIsANewKey) {
  ASSERT_TRUE(RuleDatabase::Load(files_, options_).ok());
  fs::path rules_dir = dir_ / "extra";
  fs::create_directories(rules_dir);
  std::ofstream(rules_dir / "x.yaml") << "provider: test\nrules:\n  - id: test-token\n    pattern: 'tok_([a-z]{12})'\n";
  std::vector<RuleFileText> more;
  ASSERT_TRUE(CollectRuleFiles(rules_dir.string(), &more).ok());
  auto db = RuleDatabase::Load(more, options_);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_FALSE(db.value()->rules_from_cache());
  EXPECT_EQ(db.value()->rules().back().id, "test-token");
  EXPECT_EQ(CacheFiles(".rules").size(), 2u);
  // The edited file: again a different key, never the stale entry.
  std::ofstream(rules_dir / "x.yaml", std::ios::trunc)
      << "provider: test\nrules:\n  - id: test-token2\n    pattern: 'tok_([a-z]{12})'\n";
  std::vector<RuleFileText> edited;
  ASSERT_TRUE(CollectRuleFiles(rules_dir.string(), &edited).ok());
  auto db2 = RuleDatabase::Load(edited, options_);
  ASSERT_TRUE(db2.ok());
  EXPECT_FALSE(db2.value()->rules_from_cache());
  EXPECT_EQ(db2.value()->rules().back().id, "test-token2");
}

}  // namespace
}  // namespace vigil
