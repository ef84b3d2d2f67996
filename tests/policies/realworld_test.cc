// The linter over tests/fixtures/real-world (18 public GitOps repositories,
// copied unchanged; see SOURCES.md): known true findings from the policy
// catalog s.5.1 and SOURCES.md must be reported, known non-secrets must not.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <tuple>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::LintResult;
using testing::RealWorldTree;

const LintResult& RealWorld() {
  static const LintResult r = Lint(RealWorldTree());
  return r;
}

// Prints every finding (run with --gtest_also_run_disabled_tests to review).
TEST(RealWorld, DISABLED_Dump) {
  std::map<std::string, int> counts;
  for (const auto& f : RealWorld().findings) {
    ++counts[f.rule_id];
    printf("%s %s %s:%u:%u %s%s\n", f.rule_id.c_str(),
           std::string(SeverityName(f.severity)).c_str(), f.location.path.c_str(), f.location.line,
           f.location.column, f.message.c_str(), f.suppressed ? " [suppressed]" : "");
  }
  for (const auto& e : RealWorld().errors) {
    printf("NOTICE %s:%u %s\n", e.path.c_str(), e.line, e.message.c_str());
  }
  for (const auto& [id, n] : counts) printf("COUNT %s %d\n", id.c_str(), n);
}

// The policy families run on several threads after the walk
// (LintOptions::threads); the findings, their order included, are the same
// as when they run one after the other.
TEST(RealWorld, FamiliesInParallelGiveTheSameFindings) {
  LintOptions serial;
  serial.threads = 1;
  LintOptions parallel;
  parallel.threads = 4;
  const LintResult a = Lint(RealWorldTree(), serial);
  const LintResult b = Lint(RealWorldTree(), parallel);
  ASSERT_EQ(a.findings.size(), b.findings.size());
  ASSERT_GT(a.findings.size(), 100u);
  for (size_t i = 0; i < a.findings.size(); ++i) {
    const Finding& x = a.findings[i];
    const Finding& y = b.findings[i];
    EXPECT_EQ(std::tie(x.rule_id, x.location.path, x.location.line, x.location.column, x.message,
                       x.secret, x.line_text, x.suppressed),
              std::tie(y.rule_id, y.location.path, y.location.line, y.location.column, y.message,
                       y.secret, y.line_text, y.suppressed))
        << i;
  }
  // And the same as the default (one thread per core for a tree this size).
  EXPECT_EQ(RealWorld().findings.size(), a.findings.size());
}

std::vector<const Finding*> In(const std::string& path_part) {
  std::vector<const Finding*> out;
  for (const auto& f : RealWorld().findings) {
    if (f.location.path.find(path_part) != std::string::npos && !f.suppressed) out.push_back(&f);
  }
  return out;
}

// catalog s.5.1 / SOURCES.md: `unencrypted-regex` (hyphen) is silently ignored by SOPS.
TEST(RealWorld, MisspeltSopsKey) {
  bool found = false;
  for (const Finding* f : RealWorld().Of("GSP-SOPS-008")) {
    if (f->location.path == "xunholy__k8s-gitops/.sops.yaml") {
      found = true;
      EXPECT_EQ(f->location.line, 7u);
      EXPECT_EQ(f->location.column, 5u);
      EXPECT_NE(f->message.find("unencrypted-regex"), std::string::npos);
      EXPECT_NE(f->message.find("did you mean unencrypted_regex"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
  // The anchors-only `keys:` list of bjw-s is an idiom, not a defect.
  for (const Finding* f : In("bjw-s__home-ops/.sops.yaml")) EXPECT_NE(f->rule_id, "GSP-SOPS-008");
}

TEST(RealWorld, SopsFileWithoutMac) {
  EXPECT_TRUE(RealWorld().Has("GSP-SOPS-005", "getsops__sops/functional-tests/res/no_mac.yaml"));
  // Every other encrypted file of the corpus has valid metadata.
  EXPECT_EQ(RealWorld().Of("GSP-SOPS-005").size(), 1u);
  // No malformed ENC tokens and no partial plaintext in the corpus.
  EXPECT_TRUE(RealWorld().Of("GSP-SOPS-004").empty());
  EXPECT_TRUE(RealWorld().Of("GSP-SOPS-003").empty());
}

TEST(RealWorld, OnePasswordReferencesAreNotSecrets) {
  for (const Finding* f : In("onedr0p__home-ops/bootstrap"))
    ADD_FAILURE() << f->rule_id << " " << f->location.path;
  for (const Finding* f : In("HariSekhon__Kubernetes-configs/secret.yaml"))
    ADD_FAILURE() << f->rule_id;
  for (const Finding* f : In("gcpsm-sa-credentials-secret.yaml"))
    ADD_FAILURE() << f->rule_id;  // placeholder PEM
  for (const Finding* f : In("1password-token-secret.yaml"))
    ADD_FAILURE() << f->rule_id;                                                     // my-token
  for (const Finding* f : In("algorithms/vault.yaml")) ADD_FAILURE() << f->rule_id;  // key: value
  for (const Finding* f : In("testdata/sops/inside/secret.yaml"))
    ADD_FAILURE() << f->rule_id;  // SOPS inside
}

TEST(RealWorld, ClearTextCredentialsAreReported) {
  EXPECT_TRUE(RealWorld().Has("GSP-PLAIN-001", "docs/snippets/passbolt-secret-example.yaml"));
  EXPECT_TRUE(RealWorld().Has("GSP-PLAIN-001", "docs/snippets/beyondtrust-secret.yaml"));
  EXPECT_TRUE(RealWorld().Has(
      "GSP-PLAIN-001",
      "kubernetes__examples/_archived/volumes/azure_file/secret/azure-secret.yaml"));
  EXPECT_TRUE(RealWorld().Has("GSP-PLAIN-001",
                              "kubernetes__examples/_archived/volumes/iscsi/chap-secret.yaml"));
  EXPECT_TRUE(RealWorld().Has("GSP-PLAIN-002", "docs/snippets/azkv-pushsecret-key.yaml"));
  // A Helm values file encrypted with encrypted_regex ^(data|stringData)$ leaves
  // passwordSSH in clear text.
  EXPECT_TRUE(RealWorld().Has("GSP-SOPS-010", "minecraft-bedrock/app/values.enc.age.yaml"));
}

TEST(RealWorld, TemplatesAreSkippedNotParsed) {
  int raw = 0;
  for (const auto& e : RealWorld().errors) {
    EXPECT_TRUE(e.warning) << e.path << ": " << e.message;
    if (e.path.find("external-secrets__external-secrets/docs/snippets/") == 0) ++raw;
    EXPECT_NE(e.message.find("skipped: template syntax"), std::string::npos) << e.path;
  }
  EXPECT_GE(raw, 15);  // the {% raw %} snippets
  // `*.sops.yaml.j2` are Jinja templates: no SOPS-001 for them.
  for (const Finding* f : RealWorld().Of("GSP-SOPS-001")) {
    EXPECT_EQ(f->location.path.find(".j2"), std::string::npos) << f->location.path;
  }
}

TEST(RealWorld, RealSealedSecretsAreClean) {
  // code4romania: 23 production SealedSecrets, strict scope, RSA-4096.
  for (const Finding* f : In("code4romania__code4ro-k8s/")) {
    ADD_FAILURE() << f->rule_id << " " << f->location.path << ":" << f->location.line << " "
                  << f->message;
  }
}

TEST(RealWorld, EveryFindingIsWellFormed) {
  for (const auto& f : RealWorld().findings) {
    EXPECT_EQ(f.kind, FindingKind::kPolicy);
    EXPECT_FALSE(f.rule_id.empty());
    EXPECT_FALSE(f.secret.empty()) << f.rule_id << " " << f.location.path;
    EXPECT_GT(f.location.line, 0u) << f.rule_id << " " << f.location.path;
    EXPECT_GT(f.location.column, 0u);
    EXPECT_GT(f.location.end_column, f.location.column);
  }
}

}  // namespace
}  // namespace vigil
