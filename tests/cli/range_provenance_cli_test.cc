// A range scan (the pull-request gate) names the commit behind every finding
// on a file the range changed: secret findings by their blob, policy (lint)
// findings by their path (the commit that introduced the path's version at
// the tip). Lint findings on unchanged (context) files name none. The summary
// counts only the blobs of the range, not the context files read for the
// linter. Real temporary git repositories, the real binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

// Fake values, in tests/ (allowlisted by the repository's .vigil.yaml).
constexpr const char* kToken = "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";

std::string PlainSecret(const std::string& name) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
         "\n  namespace: shop\nstringData:\n  password: Tr0ub4dor-and-3-horses\n";
}

std::string GitOut(const TempTree& t, const std::string& cmd) {
  std::string file = t.path() + "/.git/vigil-test-out";
  (void)std::system(
      ("cd " + Quote(t.path()) + " && " + cmd + " >" + Quote(file) + " 2>/dev/null").c_str());
  std::string out = ReadFile(file);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Base: a .sops.yaml, a plain Secret committed before the range, a README.
void InitRepo(TempTree& t) {
  ASSERT_EQ(Git(t, kGitInit), 0);
  t.Write(".sops.yaml", kSopsConfig);
  t.Write("legacy/secret.yaml", PlainSecret("legacy"));
  t.Write("README.md", "shop\n");
  ASSERT_EQ(Git(t, "git add -A && git commit -qm init && git tag base"), 0);
}

std::vector<json> Findings(const json& report, const std::string& rule, const std::string& path) {
  std::vector<json> out;
  for (const json& f : report["findings"]) {
    if (f["rule_id"] == rule && f["location"]["path"] == path) out.push_back(f);
  }
  return out;
}

TEST(RangeProvenance, LintFindingsNameTheCommitThatAddedTheFile) {
  TempTree t;
  InitRepo(t);
  t.Write("app/settings.txt", std::string("token = ") + kToken + "\n");
  ASSERT_EQ(Git(t, "git add -A && git commit -qm 'add settings'"), 0);
  std::string first = GitOut(t, "git rev-parse HEAD");
  t.Write("apps/shop/db.yaml", PlainSecret("shop-db"));
  ASSERT_EQ(Git(t, "git add -A && git commit -qm 'add db secret'"), 0);
  std::string second = GitOut(t, "git rev-parse HEAD");
  ASSERT_EQ(first.size(), 40u);
  ASSERT_EQ(second.size(), 40u);

  for (const char* mode : {"--range base..HEAD", "--since-commit base"}) {
    RunResult r = RunVigil(std::string("scan . --no-config --format json ") + mode, t.path());
    ASSERT_EQ(r.code, 1) << mode << r.err << r.out;
    json report = json::parse(r.out);
    // The policy finding names the commit that added the file, and its path.
    auto plain = Findings(report, "GSP-PLAIN-001", "apps/shop/db.yaml");
    ASSERT_EQ(plain.size(), 1u) << mode << r.out;
    ASSERT_TRUE(plain[0]["commit"].is_object()) << mode << plain[0].dump();
    EXPECT_EQ(plain[0]["commit"]["id"], second) << mode;
    EXPECT_EQ(plain[0]["commit"]["summary"], "add db secret");
    EXPECT_EQ(plain[0]["commit"]["path"], "apps/shop/db.yaml");
    EXPECT_EQ(plain[0]["live"], true);
    // The secret finding keeps its commit (by blob), as before.
    bool secret_seen = false;
    for (const json& f : report["findings"]) {
      if (f["kind"] != "secret" || f["location"]["path"] != "app/settings.txt") continue;
      secret_seen = true;
      ASSERT_TRUE(f["commit"].is_object()) << f.dump();
      EXPECT_EQ(f["commit"]["id"], first);
      EXPECT_EQ(f["commit"]["path"], "app/settings.txt");
      EXPECT_EQ(f["live"], true);
    }
    EXPECT_TRUE(secret_seen) << mode << r.out;
    // The plain Secret committed before the range is context: not reported.
    EXPECT_TRUE(Findings(report, "GSP-PLAIN-001", "legacy/secret.yaml").empty()) << mode;
    // The summary counts the range's two blobs, not the three context files.
    EXPECT_EQ(report["summary"]["files_scanned"], 2) << mode << report["summary"].dump();
    EXPECT_EQ(report["summary"]["mode"], "range");
  }

  // SARIF: the commit is among the result's properties, as for secrets.
  RunResult sarif = RunVigil("scan . --no-config --format sarif --range base..HEAD", t.path());
  ASSERT_EQ(sarif.code, 1) << sarif.err;
  json log = json::parse(sarif.out);
  bool policy_seen = false;
  for (const json& res : log["runs"][0]["results"]) {
    std::string uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    if (uri != "apps/shop/db.yaml" || res["properties"]["kind"] != "policy") continue;
    policy_seen = true;
    ASSERT_TRUE(res["properties"].contains("commit")) << res.dump();
    EXPECT_EQ(res["properties"]["commit"]["id"], second);
    EXPECT_EQ(res["properties"]["commit"]["path"], "apps/shop/db.yaml");
    EXPECT_EQ(res["properties"]["live"], true);
  }
  EXPECT_TRUE(policy_seen) << sarif.out;

  // Text: the provenance line under the policy finding, and the count.
  RunResult text = RunVigil("scan . --no-config --range base..HEAD", t.path());
  EXPECT_NE(text.out.find("commit " + second.substr(0, 7)), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Scanned 2 files"), std::string::npos) << text.out;
}

// A range that changes the .sops.yaml so that a catch-all rule now covers the
// unchanged plain Secret: the finding on that context file (GSP-SOPS-001,
// related location .sops.yaml) names no commit; the one on the changed
// .sops.yaml itself does.
TEST(RangeProvenance, LintFindingOnAContextFileHasNoCommit) {
  TempTree t;
  InitRepo(t);
  t.Write(".sops.yaml", std::string(kSopsConfig) + "  - path_regx: nothing\n");
  ASSERT_EQ(Git(t, "git commit -qam 'catch-all sops rule'"), 0);
  std::string tip = GitOut(t, "git rev-parse HEAD");
  RunResult r = RunVigil("scan . --no-config --format json --range base..HEAD", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  json report = json::parse(r.out);
  auto context = Findings(report, "GSP-SOPS-001", "legacy/secret.yaml");
  ASSERT_EQ(context.size(), 1u) << r.out;
  EXPECT_TRUE(context[0]["commit"].is_null()) << context[0].dump();
  EXPECT_TRUE(context[0]["live"].is_null());
  auto changed = Findings(report, "GSP-SOPS-008", ".sops.yaml");
  ASSERT_FALSE(changed.empty()) << r.out;
  ASSERT_TRUE(changed[0]["commit"].is_object()) << changed[0].dump();
  EXPECT_EQ(changed[0]["commit"]["id"], tip);
  EXPECT_EQ(report["summary"]["files_scanned"], 1) << report["summary"].dump();
}

// Unchanged files a configured exclude matches are context, not part of the
// scan: they are not counted as skipped (a range and a staged scan).
TEST(RangeProvenance, ExcludedContextFilesAreNotCountedAsSkipped) {
  TempTree t;
  ASSERT_EQ(Git(t, kGitInit), 0);
  for (const char* f : {"ctx/f1.txt", "ctx/f2.txt", "ctx/f3.txt"}) t.Write(f, "plain text\n");
  t.Write(".vigil.yaml", "exclude:\n  - \"ctx/**\"\n");
  ASSERT_EQ(Git(t, "git add -A && git commit -qm init && git tag base"), 0);
  t.Write("new.txt", "hello\n");
  t.Write("ctx/f4.txt", "excluded and changed\n");
  ASSERT_EQ(Git(t, "git add -A && git commit -qm 'add two files'"), 0);
  RunResult r = RunVigil("scan . --format json --range base..HEAD", t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  json report = json::parse(r.out);
  EXPECT_EQ(report["summary"]["files_scanned"], 1) << report["summary"].dump();
  // ctx/f4.txt is in the range and excluded: the only skipped file.
  EXPECT_EQ(report["summary"]["files_skipped"], 1) << report["summary"].dump();

  t.Write("staged.txt", "staged\n");
  ASSERT_EQ(Git(t, "git add staged.txt"), 0);
  RunResult staged = RunVigil("scan . --format json --staged", t.path());
  ASSERT_EQ(staged.code, 0) << staged.err;
  json sreport = json::parse(staged.out);
  EXPECT_EQ(sreport["summary"]["files_scanned"], 1) << sreport["summary"].dump();
  EXPECT_EQ(sreport["summary"]["files_skipped"], 0) << sreport["summary"].dump();
}

}  // namespace
}  // namespace vigil::testing
