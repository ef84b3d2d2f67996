#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scanner/match/secret_inspector.h"
#include "scanner/pipeline/config.h"
#include "scanner/pipeline/path_filter.h"
#include "scanner/pipeline/scan.h"
#include "scanner/source/source.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("vigil-pipe-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  void Write(const std::string& rel, const std::string& content) {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
  static inline int counter_ = 0;
};

std::shared_ptr<const RuleDatabase> Db() {
  static auto db = [] {
    std::vector<Rule> rules;
    EXPECT_TRUE(LoadBuiltinRules(&rules).ok());
    CompileOptions co;
    co.use_cache = false;
    return RuleDatabase::Build(std::move(rules), co).value();
  }();
  return db;
}

constexpr const char* kToken = "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";

ScanOutcome Scan(const std::string& root, const Config* cfg = nullptr, WorkingTreeOptions wo = {}) {
  auto src = NewWorkingTreeSource({root}, wo);
  SecretInspector secrets(Db(), nullptr);
  PipelineOptions po;
  po.config = cfg;
  po.threads = 2;
  return RunScan(*src, {&secrets}, po);
}

TEST(PathFilter, GitignoreSemantics) {
  PathFilter f;
  ASSERT_TRUE(f.Add({"*.lock", "docs/**", "vendor/", "/top.txt", "**/fixtures/*.yaml"}).ok());
  EXPECT_TRUE(f.Matches("a/b/package.lock"));
  EXPECT_TRUE(f.Matches("docs/x/y.md"));
  EXPECT_TRUE(f.Matches("lib/vendor/z.go"));
  EXPECT_TRUE(f.Matches("top.txt"));
  EXPECT_FALSE(f.Matches("sub/top.txt"));
  EXPECT_TRUE(f.Matches("tests/fixtures/a.yaml"));
  EXPECT_TRUE(f.Matches("fixtures/a.yaml"));
  EXPECT_FALSE(f.Matches("tests/fixtures/deeper/a.yaml"));
  EXPECT_FALSE(f.Matches("src/main.cc"));
}

TEST(Config, ParsesAndRejectsUnknownKeysWithLine) {
  auto ok = ParseConfig("version: 1\nexclude: ['*.lock']\nrules:\n  disable: [github-oauth-token]\n"
                        "  severity: {github-pat-classic: low}\nfail-on: high\nmax-file-size: 2MB\n",
                        ".vigil.yaml");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok.value().exclude.size(), 1u);
  EXPECT_EQ(ok.value().severity.at("github-pat-classic"), Severity::kLow);
  EXPECT_EQ(*ok.value().fail_on, Severity::kHigh);
  EXPECT_EQ(*ok.value().max_file_size, 2u << 20);
  auto bad = ParseConfig("version: 1\nexlude: []\n", "cfg.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cfg.yaml:2"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("exlude"), std::string::npos);
  EXPECT_FALSE(ParseConfig("fail-on: urgent\n", "c.yaml").ok());
  EXPECT_FALSE(ParseConfig("allowlist:\n  regexes: ['(']\n", "c.yaml").ok());
  EXPECT_FALSE(ParseConfig("rules: [\n", "c.yaml").ok());
}

TEST(IgnoreMarkers, FoundWithOptionalRule) {
  auto m = FindIgnoreMarkers("a\n# vigil:ignore\nb\nc // vigil:ignore github-pat-classic\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], std::make_pair(2u, std::string()));
  EXPECT_EQ(m[1], std::make_pair(4u, std::string("github-pat-classic")));
}

TEST(Pipeline, FindsSecretWithLocationAndFingerprint) {
  TempDir d;
  d.Write("app/config.env", std::string("A=1\nGITHUB_TOKEN=") + kToken + "\n");
  auto out = Scan(d.str());
  ASSERT_EQ(out.summary.findings, 1u);
  const Finding& f = out.findings[0];
  EXPECT_EQ(f.rule_id, "github-pat-classic");
  EXPECT_EQ(f.location.line, 2u);
  EXPECT_EQ(f.location.column, 14u);
  EXPECT_EQ(f.location.end_column, 54u);
  EXPECT_EQ(f.secret, kToken);
  EXPECT_EQ(f.fingerprint.size(), 40u);
  EXPECT_NE(f.location.path.find("app/config.env"), std::string::npos);
}

TEST(Pipeline, FingerprintSurvivesLineMoves) {
  TempDir a, b;
  a.Write("x.env", std::string("T=") + kToken + "\n");
  b.Write("x.env", std::string("\n\n\n# moved\nT=") + kToken + "\n");
  auto fa = Scan(a.str()), fb = Scan(b.str());
  ASSERT_EQ(fa.findings.size(), 1u);
  ASSERT_EQ(fb.findings.size(), 1u);
  Finding x = fa.findings[0], y = fb.findings[0];
  x.location.path = "x.env";
  y.location.path = "x.env";
  EXPECT_EQ(Fingerprint(x), Fingerprint(y));
  EXPECT_NE(fa.findings[0].location.line, fb.findings[0].location.line);
}

TEST(Pipeline, InlineIgnoreSameLineAndLineBefore) {
  TempDir d;
  d.Write("a.yaml", std::string("token: ") + kToken + "  # vigil:ignore\n");
  d.Write("b.py", std::string("# vigil:ignore github-pat-classic\nTOKEN = '") + kToken + "'\n");
  d.Write("c.go", std::string("// vigil:ignore some-other-rule\nvar t = \"") + kToken + "\"\n");
  auto out = Scan(d.str());
  EXPECT_EQ(out.summary.suppressed, 2u);
  EXPECT_EQ(out.summary.findings, 1u);
  for (const auto& f : out.findings) {
    if (f.location.path.find("c.go") != std::string::npos) EXPECT_FALSE(f.suppressed);
    else EXPECT_TRUE(f.suppressed) << f.location.path;
  }
}

TEST(Pipeline, ConfigAllowlistsExcludesAndDisables) {
  TempDir d;
  d.Write("keep/a.env", std::string("T=") + kToken + "\n");
  d.Write("skip/b.env", std::string("T=") + kToken + "\n");
  d.Write("docs/c.md", std::string("T=") + kToken + "\n");
  auto cfg = ParseConfig("exclude: ['skip/']\nallowlist:\n  paths: ['docs/**']\n", d.str() + "/.vigil.yaml");
  ASSERT_TRUE(cfg.ok());
  auto out = Scan(d.str(), &cfg.value());
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_NE(out.findings[0].location.path.find("keep/a.env"), std::string::npos);
  auto cfg2 = ParseConfig("rules:\n  disable: [github-pat-classic]\n", "c.yaml");
  EXPECT_EQ(Scan(d.str(), &cfg2.value()).findings.size(), 0u);
  auto cfg3 = ParseConfig("allowlist:\n  stopwords: [KY9PF34]\n", "c.yaml");
  EXPECT_EQ(Scan(d.str(), &cfg3.value()).findings.size(), 0u);
}

TEST(Pipeline, SkipsBinaryLargeAndGitAndIgnored) {
  TempDir d;
  d.Write("bin.dat", std::string("\0\0\0", 3) + kToken);
  d.Write("big.txt", std::string(2000, 'a') + kToken);
  d.Write(".git/config", std::string("x=") + kToken);
  auto wo = WorkingTreeOptions{};
  wo.max_file_size = 1000;
  auto out = Scan(d.str(), nullptr, wo);
  EXPECT_EQ(out.findings.size(), 0u);
  bool size_noted = false;
  for (const auto& e : out.errors) {
    if (e.path.find("big.txt") != std::string::npos && e.message.find("size limit") != std::string::npos)
      size_noted = true;
  }
  EXPECT_TRUE(size_noted);
}

TEST(Pipeline, UnreadableFileIsReportedAndScanGoesOn) {
  if (::geteuid() == 0) {
    // root reads everything; use a dangling path instead via a vanished file.
  }
  TempDir d;
  d.Write("ok.env", std::string("T=") + kToken + "\n");
  auto out = Scan(d.str() + "/ok.env");
  EXPECT_EQ(out.findings.size(), 1u);
  auto src = NewWorkingTreeSource({d.str() + "/missing.env", d.str() + "/ok.env"}, {});
  SecretInspector secrets(Db(), nullptr);
  PipelineOptions po;
  auto out2 = RunScan(*src, {&secrets}, po);
  EXPECT_EQ(out2.findings.size(), 1u);
  ASSERT_FALSE(out2.errors.empty());
  EXPECT_NE(out2.errors[0].path.find("missing.env"), std::string::npos);
}

TEST(Pipeline, SymlinkOutsideTreeIsNotFollowed) {
  TempDir outside, d;
  outside.Write("secret.env", std::string("T=") + kToken + "\n");
  d.Write("in.txt", "nothing here\n");
  fs::create_symlink(outside.str() + "/secret.env", d.str() + "/link.env");
  fs::create_directory_symlink(d.str(), d.str() + "/loop");
  auto out = Scan(d.str());
  EXPECT_EQ(out.findings.size(), 0u);
  bool noted = false;
  for (const auto& e : out.errors) noted |= e.message.find("outside the tree") != std::string::npos;
  EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace vigil
