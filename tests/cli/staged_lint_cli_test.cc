// `vigil scan --staged` lints the staged files against the whole index: the
// unchanged files (a committed .sops.yaml, peer resources) are context, and
// only findings on staged files (or cross-resource findings that point at
// one) are reported. Real temporary git repositories, the real binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

std::string SopsSecret(const std::string& name) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
         "\n  namespace: shop\nstringData:\n"
         "  password: ENC[AES256_GCM,data:KSKw5DJeAR4=,iv:VC/yJy9SM44BinbqEbxBWjcJG06sKNU+u/0s3Rd3EP4=,"
         "tag:T4Z6ai4uEsm335XTQ6huxw==,type:str]\n"
         "sops:\n"
         "    age:\n"
         "        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
         "          enc: |\n"
         "            -----BEGIN AGE ENCRYPTED FILE-----\n"
         "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBxZmFrZXN0YW56YQ==\n"
         "            -----END AGE ENCRYPTED FILE-----\n"
         "    lastmodified: \"2024-05-01T10:00:00Z\"\n"
         "    mac: ENC[AES256_GCM,data:PgZNsabcZeLCGER08ie4md3eAOCSxU2cHftcbUl/8dkTB024qCdQrsfFbx60ceyts2ig2FTYBeT/"
         "9JIrSP4wCQ==,iv:9ns6eczrRHX9rrBIQ1WPZDSHvSWWpRKowNfrrCHsnJM=,tag:fpz/qpW7+HrvGMD5aIBA2g==,type:str]\n"
         "    encrypted_regex: ^(data|stringData)$\n"
         "    version: 3.8.1\n";
}

const char kDeployment[] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n"
    "          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n"
    "                  name: shop-db\n                  key: password\n";

// A plain Secret with a real-looking value (GSP-PLAIN-001) committed earlier.
const char kPlainSecret[] =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: legacy\n  namespace: shop\n"
    "stringData:\n  password: Tr0ub4dor-and-3-horses\n";

void InitRepo(TempTree& t) {
  ASSERT_EQ(Git(t, kGitInit), 0);
  t.Write(".sops.yaml", kSopsConfig);
  t.Write("legacy/secret.yaml", kPlainSecret);
  t.Write("apps/shop/db.sops.yaml", SopsSecret("shop-db"));
  ASSERT_EQ(Git(t, "git add -A && git commit -qm init"), 0);
}

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(StagedLint, CommittedSopsConfigCoversAStagedEncryptedFile) {
  TempTree t;
  InitRepo(t);
  t.Write("apps/shop/api.sops.yaml", SopsSecret("shop-api"));   // a rule covers it
  t.Write("apps/shop/stray.yaml", SopsSecret("shop-stray"));    // no rule covers it
  ASSERT_EQ(Git(t, "git add apps/shop/api.sops.yaml apps/shop/stray.yaml"), 0);
  RunResult r = RunVigil("scan --staged . --no-config --format json", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  // GSP-SOPS-002 only on the stray file: the unstaged .sops.yaml was seen.
  EXPECT_EQ(Count(r.out, "\"GSP-SOPS-002\""), 1u) << r.out;
  EXPECT_NE(r.out.find("apps/shop/stray.yaml"), std::string::npos);
  // The committed plain Secret is context: neither linted nor secret-scanned here.
  EXPECT_EQ(r.out.find("legacy/secret.yaml"), std::string::npos) << r.out;
  // The working-tree lint of the same repository does report it.
  RunResult all = RunVigil("lint . --no-config --format json", t.path());
  EXPECT_NE(all.out.find("legacy/secret.yaml"), std::string::npos) << all.out;
}

TEST(StagedLint, PeersResolveCrossResourceReferences) {
  TempTree t;
  InitRepo(t);
  t.Write("apps/shop/api.yaml", kDeployment);  // consumes shop-db, produced by a committed file
  ASSERT_EQ(Git(t, "git add apps/shop/api.yaml"), 0);
  RunResult r = RunVigil("scan --staged . --no-config --format json", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  EXPECT_EQ(r.out.find("GSP-XREF-001"), std::string::npos) << r.out;
  // Consuming a Secret nobody produces still reports.
  std::string other = kDeployment;
  other.replace(other.find("shop-db"), 7, "shop-cache");
  t.Write("apps/shop/api.yaml", other);
  ASSERT_EQ(Git(t, "git add apps/shop/api.yaml"), 0);
  RunResult missing = RunVigil("scan --staged . --no-config --format json", t.path());
  EXPECT_EQ(Count(missing.out, "\"GSP-XREF-001\""), 1u) << missing.out;
}

TEST(StagedLint, StagedSopsConfigChangeIsCheckedAgainstCommittedFiles) {
  TempTree t;
  InitRepo(t);
  // A staged .sops.yaml is linted with the committed files as context: its
  // own defect is reported (GSP-SOPS-008, a misspelt key), and so is what it
  // does to an unchanged file when the finding points back at it: the rule
  // without path_regex is a catch-all that now covers the committed plain
  // Secret (GSP-SOPS-001, related location .sops.yaml). The Secret's own
  // GSP-PLAIN-001 is not this change's.
  t.Write(".sops.yaml", std::string(kSopsConfig) + "  - path_regx: nothing\n");
  ASSERT_EQ(Git(t, "git add .sops.yaml"), 0);
  RunResult r = RunVigil("scan --staged . --no-config --format json", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  EXPECT_NE(r.out.find("GSP-SOPS-008"), std::string::npos) << r.out;
  EXPECT_EQ(Count(r.out, "\"GSP-SOPS-001\""), 1u) << r.out;
  EXPECT_NE(r.out.find("legacy/secret.yaml"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("GSP-PLAIN-001"), std::string::npos) << r.out;
}

// A KSOPS generator staged alone lists an unchanged file the linter does not
// read during the walk (not one of its formats): whether that file carries
// SOPS markers is read on demand, so an encrypted one is quiet and a plain
// one still reports GSP-GEN-004.
TEST(StagedLint, UnreadContextFileIsReadWhenAPolicyAsks) {
  TempTree t;
  InitRepo(t);
  t.Write("apps/shop/creds.bin",
          "{\"data\": \"ENC[AES256_GCM,data:Zm9vYmFy,iv:VC/yJy9SM44BinbqEbxBWjcJG06sKNU+u/0s3Rd3EP4=,"
          "tag:T4Z6ai4uEsm335XTQ6huxw==,type:str]\", \"sops\": {\"version\": \"3.8.1\"}}\n");
  t.Write("apps/shop/notes.bin", "just notes\n");
  ASSERT_EQ(Git(t, "git add -A && git commit -qm creds"), 0);
  const std::string generator =
      "apiVersion: viaduct.ai/v1\nkind: ksops\nmetadata:\n  name: shop-secrets\n"
      "  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ksops\nfiles:\n  - ";
  t.Write("apps/shop/secret-generator.yaml", generator + "creds.bin\n");
  ASSERT_EQ(Git(t, "git add apps/shop/secret-generator.yaml"), 0);
  RunResult r = RunVigil("scan --staged . --no-config --format json", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  EXPECT_EQ(r.out.find("GSP-GEN-004"), std::string::npos) << r.out;
  t.Write("apps/shop/secret-generator.yaml", generator + "notes.bin\n");
  ASSERT_EQ(Git(t, "git add apps/shop/secret-generator.yaml"), 0);
  RunResult plain = RunVigil("scan --staged . --no-config --format json", t.path());
  EXPECT_EQ(Count(plain.out, "\"GSP-GEN-004\""), 1u) << plain.out;
  EXPECT_NE(plain.out.find("not SOPS-encrypted"), std::string::npos) << plain.out;
}

// The context is the index, not the working tree: an unstaged edit of the
// committed producer does not change what the staged Deployment resolves to.
TEST(StagedLint, ContextIsTheIndexNotTheWorkingTree) {
  TempTree t;
  InitRepo(t);
  t.Write("apps/shop/db.sops.yaml", SopsSecret("shop-renamed"));  // not staged
  t.Write("apps/shop/api.yaml", kDeployment);
  ASSERT_EQ(Git(t, "git add apps/shop/api.yaml"), 0);
  RunResult r = RunVigil("scan --staged . --no-config --format json", t.path());
  ASSERT_NE(r.code, 2) << r.err;
  EXPECT_EQ(r.out.find("GSP-XREF-001"), std::string::npos) << r.out;
}

// `--range` and `--since-commit` lint the files the range changed with the
// tip's tree as context (issue 4), like --staged with the index.
TEST(RangeLint, CrossFilePoliciesResolveAgainstTheTip) {
  TempTree t;
  InitRepo(t);
  ASSERT_EQ(Git(t, "git tag base"), 0);
  t.Write("apps/shop/api.yaml", kDeployment);                   // consumes shop-db (unchanged file)
  t.Write("apps/shop/api.sops.yaml", SopsSecret("shop-api"));   // covered by the unchanged .sops.yaml
  t.Write("apps/shop/stray.yaml", SopsSecret("shop-stray"));    // covered by no rule
  ASSERT_EQ(Git(t, "git add -A && git commit -qm change"), 0);
  for (const char* mode : {"--range base..HEAD", "--since-commit base"}) {
    RunResult r = RunVigil(std::string("scan . --no-config --format json ") + mode, t.path());
    ASSERT_NE(r.code, 2) << mode << r.err;
    // The Secret the Deployment consumes is defined in an unchanged file.
    EXPECT_EQ(r.out.find("GSP-XREF-001"), std::string::npos) << mode << r.out;
    // The unchanged .sops.yaml was seen: only the stray file is uncovered.
    EXPECT_EQ(Count(r.out, "\"GSP-SOPS-002\""), 1u) << mode << r.out;
    EXPECT_NE(r.out.find("apps/shop/stray.yaml"), std::string::npos) << mode;
    // Unchanged files are context only: the committed plain Secret is not this range's.
    EXPECT_EQ(r.out.find("legacy/secret.yaml"), std::string::npos) << mode << r.out;
  }
  // A consumer of a Secret nobody produces still reports in a range.
  std::string other = kDeployment;
  other.replace(other.find("shop-db"), 7, "shop-cache");
  t.Write("apps/shop/api.yaml", other);
  ASSERT_EQ(Git(t, "git commit -qam cache"), 0);
  RunResult missing = RunVigil("scan . --no-config --format json --range base..HEAD", t.path());
  EXPECT_EQ(Count(missing.out, "\"GSP-XREF-001\""), 1u) << missing.out;
  // --no-policies: secrets only, as before.
  RunResult secrets = RunVigil("scan . --no-config --format json --no-policies --range base..HEAD", t.path());
  EXPECT_EQ(secrets.out.find("GSP-"), std::string::npos) << secrets.out;
}

}  // namespace
}  // namespace vigil::testing
