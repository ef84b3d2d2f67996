// The linter's shortcuts find what the long way finds: the raw-text test in
// front of GEN-003's value walk (escapes can spell the marker), the SOPS
// selector regexes compiled once per thread, and the Secret producers and
// consumers that PULL, XREF and CSI share when the families run on several
// threads.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;

std::string Deployment(const std::string& name, const std::string& extra) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name +
         "\n  namespace: app\n" + extra +
         "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
         "          image: app:1\n";
}

TEST(LinterShortcuts, Gen003FindsAPlaceholderSpelledWithAnEscape) {
  // "\x3c" is '<': the text holds no "<path:", the parsed value does.
  auto r = Lint({{"apps/escaped.yaml",
                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: app\n"
                  "data:\n  password: \"\\x3cpath:secret/data/db#password>\"\n"},
                 {"apps/plain.yaml",
                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg2\n  namespace: app\n"
                  "data:\n  password: <path:secret/data/db#password>\n"},
                 {"apps/none.yaml",
                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg3\n  namespace: app\n"
                  "data:\n  url: \"https://example.com/\\x3cpath\"\n"}});
  EXPECT_TRUE(r.Has("GSP-GEN-003", "apps/escaped.yaml"));
  EXPECT_TRUE(r.Has("GSP-GEN-003", "apps/plain.yaml"));
  EXPECT_FALSE(r.Has("GSP-GEN-003", "apps/none.yaml"));
}

TEST(LinterShortcuts, Gen003FindsTheAnnotationKeySpelledWithAnEscape) {
  auto r = Lint({{"apps/a.yaml",
                  Deployment("a", "  annotations:\n    \"avp.kubernetes.io\\x2fpath\": secret/data/a\n")},
                 {"apps/b.yaml",
                  Deployment("b", "  annotations:\n    avp.kubernetes.io/path: secret/data/b\n")},
                 {"apps/c.yaml", Deployment("c", "  annotations:\n    avp.kubernetes.io/other: x\n")}});
  EXPECT_TRUE(r.Has("GSP-GEN-003", "apps/a.yaml"));
  EXPECT_TRUE(r.Has("GSP-GEN-003", "apps/b.yaml"));
  EXPECT_FALSE(r.Has("GSP-GEN-003", "apps/c.yaml"));
}

std::string SopsSecret(const std::string& name, const std::string& selector) {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name +
         "\n  namespace: app\nstringData:\n"
         "  username: ENC[AES256_GCM,data:KSKw5DJeAR4=,iv:VC/yJy9SM44BinbqEbxBWjcJG06sKNU+u/0s3Rd3EP4=,"
         "tag:T4Z6ai4uEsm335XTQ6huxw==,type:str]\n"
         "  password: hunter2-Pr0d\n"
         "sops:\n  age:\n    - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
         "      enc: |\n        -----BEGIN AGE ENCRYPTED FILE-----\n"
         "        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBxZmFrZXN0YW56YQ==\n"
         "        -----END AGE ENCRYPTED FILE-----\n"
         "  lastmodified: \"2024-05-01T10:00:00Z\"\n"
         "  mac: ENC[AES256_GCM,data:PgZNsabcZeLCGER08ie4md3eAOCSxU2cHftcbUl/8dkTB024qCdQrsfFbx60ceyts2ig2FTYB"
         "eT/9JIrSP4wCQ==,iv:9ns6eczrRHX9rrBIQ1WPZDSHvSWWpRKowNfrrCHsnJM=,tag:fpz/qpW7+HrvGMD5aIBA2g==,type:str]\n"
         "  " + selector + "\n  version: 3.8.1\n";
}

TEST(LinterShortcuts, SopsSelectorsCompiledOnceStillDecidePerFile) {
  // Three files share one encrypted_regex, one has another: each is judged
  // by its own (the compiled regexes are kept between files and runs).
  std::map<std::string, std::string> files;
  for (int i = 0; i < 3; ++i) {
    files["apps/s" + std::to_string(i) + ".yaml"] =
        SopsSecret("s" + std::to_string(i), "encrypted_regex: ^(data|stringData)$");
  }
  files["apps/other.yaml"] = SopsSecret("other", "encrypted_regex: ^username$");
  for (int run = 0; run < 2; ++run) {
    auto r = Lint(files);
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(r.Has("GSP-SOPS-003", "apps/s" + std::to_string(i) + ".yaml")) << run << " " << i;
    }
    EXPECT_FALSE(r.Has("GSP-SOPS-003", "apps/other.yaml")) << run;
  }
}

TEST(LinterShortcuts, SharedProducersAndConsumersGiveTheSameFindingsOnOneOrManyThreads) {
  // 80 apps (families run in parallel from 64 files on): every other one
  // names a Secret no one produces, an imagePullSecret, and a CSI class.
  std::map<std::string, std::string> files;
  for (int i = 0; i < 80; ++i) {
    std::string n = "app" + std::to_string(i);
    std::string secret = i % 2 == 0 ? n + "-missing" : n + "-creds";
    files["apps/" + n + "/deploy.yaml"] =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + n +
        "\n  namespace: app\nspec:\n  template:\n    spec:\n      imagePullSecrets:\n        - name: " +
        n + "-pull\n      containers:\n        - name: app\n          image: registry.example.com/app:1\n"
        "          env:\n            - name: DB\n              valueFrom:\n                secretKeyRef:\n"
        "                  name: " + secret + "\n                  key: password\n";
    if (i % 2 == 1) {
      files["apps/" + n + "/secret.yaml"] =
          "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: " + n +
          "-creds\n  namespace: app\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n";
    }
  }
  LintOptions one;
  one.threads = 1;
  LintOptions many;
  many.threads = 4;
  auto a = Lint(files, one);
  auto b = Lint(files, many);
  auto key = [](const testing::LintResult& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) {
      out.push_back(f.rule_id + " " + f.location.path + ":" + std::to_string(f.location.line) + " " +
                    f.message);
    }
    return out;
  };
  EXPECT_EQ(key(a), key(b));
  EXPECT_EQ(a.Of("GSP-XREF-001").size(), 40u);
  EXPECT_EQ(a.Of("GSP-PULL-001").size(), 80u);
}

}  // namespace
}  // namespace vigil
