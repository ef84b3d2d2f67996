// CLI tests: the real binary on the bundled example repository and on small
// trees made for each case.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "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";

json ScanJson(const std::string& args, int* code = nullptr, const std::string& cwd = VIGIL_SOURCE_DIR) {
  RunResult r = RunVigil("scan " + args + " --format json -q", cwd);
  if (code) *code = r.code;
  EXPECT_FALSE(r.out.empty()) << r.err;
  return json::parse(r.out, nullptr, false);
}

std::set<std::string> RulesAt(const json& report, const std::string& path_part) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) {
    if (f["location"]["path"].get<std::string>().find(path_part) != std::string::npos)
      out.insert(f["rule_id"].get<std::string>());
  }
  return out;
}

TEST(ScanCli, ExampleRepoFindsPlantedSecretsAndNotEncryptedOnes) {
  int code = 0;
  json r = ScanJson("examples/gitops-repo", &code);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(RulesAt(r, "config.env").count("github-pat-classic"));
  EXPECT_FALSE(RulesAt(r, "payments/secret.yaml").empty());
  EXPECT_FALSE(RulesAt(r, "pull-secret.yaml").empty());
  // Encrypted and referenced secrets produce no secret findings.
  for (const auto& f : r["findings"]) {
    std::string path = f["location"]["path"];
    if (f["kind"] != "secret") continue;
    EXPECT_EQ(path.find("db-credentials.sops.yaml"), std::string::npos) << f.dump();
    EXPECT_EQ(path.find("sealed-secret.yaml"), std::string::npos) << f.dump();
    EXPECT_EQ(path.find("external-secret.yaml"), std::string::npos) << f.dump();
    EXPECT_EQ(path.find("secret-provider-class.yaml"), std::string::npos) << f.dump();
  }
}

TEST(ScanCli, DecodedSecretDataPointsAtTheKey) {
  json r = ScanJson("examples/gitops-repo/clusters/prod/apps/payments/secret.yaml");
  bool decoded = false;
  for (const auto& f : r["findings"]) {
    if (f["kind"] != "secret") continue;
    if (f.value("key", "") == "data.password") {
      decoded = true;
      EXPECT_EQ(f["location"]["line"], 9);
      EXPECT_NE(f.value("decoded_from", "").find("base64"), std::string::npos);
    }
  }
  EXPECT_TRUE(decoded) << r.dump(1);
}

TEST(ScanCli, SecretsAreRedactedUnlessAsked) {
  TempTree t;
  t.Write("app.env", std::string("GITHUB_TOKEN=") + kToken + "\n");
  for (const char* fmt : {"text", "json", "sarif", "github", "markdown"}) {
    RunResult r = RunVigil(std::string("scan . --no-config --format ") + fmt, t.path());
    EXPECT_EQ(r.code, 1) << fmt << r.err;
    EXPECT_EQ(r.out.find(kToken), std::string::npos) << fmt;
    EXPECT_EQ(r.err.find(kToken), std::string::npos) << fmt;
    EXPECT_EQ(r.out.find(std::string(kToken).substr(4, 20)), std::string::npos) << fmt;
  }
  RunResult shown = RunVigil("scan . --no-config --format json --show-secrets", t.path());
  EXPECT_NE(shown.out.find(kToken), std::string::npos);
}

TEST(ScanCli, ExitCodes) {
  TempTree clean;
  clean.Write("README.md", "nothing to see\n");
  EXPECT_EQ(RunVigil("scan . --no-config", clean.path()).code, 0);
  TempTree dirty;
  dirty.Write("a.env", std::string("T=") + kToken + "\n");
  EXPECT_EQ(RunVigil("scan . --no-config", dirty.path()).code, 1);
  // The token is critical: --fail-on critical still fails, a made-up level is a usage error.
  EXPECT_EQ(RunVigil("scan . --no-config --fail-on critical", dirty.path()).code, 1);
  EXPECT_EQ(RunVigil("scan . --no-config --fail-on urgent", dirty.path()).code, 2);
  EXPECT_EQ(RunVigil("scan . --no-config --format xml", dirty.path()).code, 2);
  EXPECT_EQ(RunVigil("scan /no/such/dir --no-config", dirty.path()).code, 2);
  EXPECT_EQ(RunVigil("frobnicate", dirty.path()).code, 2);
}

TEST(ScanCli, BadConfigNamesFileAndLine) {
  TempTree t;
  t.Write(".vigil.yaml", "version: 1\nrules:\n  disabel: [x]\n");
  t.Write("a.txt", "hello\n");
  RunResult r = RunVigil("scan .", t.path());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(".vigil.yaml:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("disabel"), std::string::npos) << r.err;
}

TEST(ScanCli, StdinAndOutputFile) {
  TempTree t;
  RunResult r = RunVigil("scan - --no-config --format json --stdin-name pasted.env", t.path(),
                         std::string("T=") + kToken + "\n");
  EXPECT_EQ(r.code, 1) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object());
  ASSERT_FALSE(j["findings"].empty());
  EXPECT_EQ(j["findings"][0]["location"]["path"], "pasted.env");
  t.Write("b.env", std::string("T=") + kToken + "\n");
  RunResult o = RunVigil("scan b.env --no-config --format sarif -o out.sarif", t.path());
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(o.out.empty());
  json s = json::parse(ReadFile(t.path() + "/out.sarif"), nullptr, false);
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["version"], "2.1.0");
}

TEST(ScanCli, GitignoreIsRespectedUnlessAsked) {
  TempTree t;
  ASSERT_EQ(std::system(("git init -q " + Quote(t.path())).c_str()), 0);
  t.Write(".gitignore", "ignored/\n");
  t.Write("ignored/a.env", std::string("T=") + kToken + "\n");
  t.Write("kept.txt", "fine\n");
  EXPECT_EQ(RunVigil("scan . --no-config", t.path()).code, 0);
  EXPECT_EQ(RunVigil("scan . --no-config --include-ignored", t.path()).code, 1);
}

TEST(ScanCli, OversizeFileIsReportedNotSilent) {
  TempTree t;
  t.Write("big.log", std::string(4096, 'x') + kToken);
  RunResult r = RunVigil("scan . --no-config --max-file-size 1KB --format json", t.path());
  EXPECT_EQ(r.code, 0);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object());
  std::string errors = j["errors"].dump();
  EXPECT_NE(errors.find("big.log"), std::string::npos) << errors;
  EXPECT_NE(errors.find("size limit"), std::string::npos) << errors;
}

TEST(ScanCli, RulesCheckPassesAndListCountsRules) {
  RunResult check = RunVigil("rules check");
  EXPECT_EQ(check.code, 0) << check.out;
  EXPECT_NE(check.out.find("all passed"), std::string::npos);
  RunResult list = RunVigil("rules list --format json");
  json j = json::parse(list.out, nullptr, false);
  ASSERT_TRUE(j.is_array());
  EXPECT_GE(j.size(), 150u);
}

TEST(ScanCli, ExtraRulesDirAddsRules) {
  TempTree t;
  t.Write("rules/acme.yaml",
          "provider: Acme\nrules:\n  - id: acme-api-token\n    name: Acme token\n    severity: high\n"
          "    pattern: '\\b(acme_[a-z0-9]{24})\\b'\n    examples:\n"
          "      - {text: 'k=acme_q8vz3lkp0wr7mn2xj4hd9tfa', secret: acme_q8vz3lkp0wr7mn2xj4hd9tfa}\n"
          "    negative_examples: ['acme_short']\n");
  t.Write("src/app.py", "KEY = 'acme_q8vz3lkp0wr7mn2xj4hd9tfa'\n");
  EXPECT_EQ(RunVigil("scan src --no-config", t.path()).code, 0);
  RunResult r = RunVigil("scan src --no-config --rules rules --format json", t.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("acme-api-token"), std::string::npos);
  t.Write("bad/bad.yaml", "rules:\n  - id: broken-rule\n    pattern: '(?<=x)abc'\n");
  RunResult bad = RunVigil("scan src --no-config --rules bad", t.path());
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("broken-rule"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("bad.yaml"), std::string::npos) << bad.err;
}

TEST(ScanCli, StagedHonoursGitIndexFile) {
  // `git commit -a` runs the hook with GIT_INDEX_FILE naming a temporary index.
  TempTree t;
  std::string q = Quote(t.path());
  ASSERT_EQ(std::system(("cd " + q + " && git init -q && git config user.email t@example.invalid && "
                         "git config user.name t && echo x > a.env && git add a.env && git commit -qm init")
                            .c_str()),
            0);
  t.Write("a.env", std::string("T=") + kToken + "\n");
  ASSERT_EQ(std::system(("cd " + q + " && cp .git/index tmp-index && GIT_INDEX_FILE=" + q +
                         "/tmp-index git add a.env").c_str()),
            0);
  EXPECT_EQ(RunVigil("scan --staged . --no-config -q", t.path()).code, 0);
  setenv("GIT_INDEX_FILE", (t.path() + "/tmp-index").c_str(), 1);
  RunResult r = RunVigil("scan --staged . --no-config -q", t.path());
  unsetenv("GIT_INDEX_FILE");
  EXPECT_EQ(r.code, 1) << r.err;
}

}  // namespace
}  // namespace vigil::testing
