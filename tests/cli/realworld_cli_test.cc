// The real binary on the copy of 372 real-world GitOps manifests
// (tests/fixtures/real-world, see its SOURCES.md): encrypted and referenced
// secrets give no secret finding; plain Secrets with real values are found.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

const std::string kRoot = "tests/fixtures/real-world/";

struct Corpus {
  json report;
  std::map<std::string, json> manifest;  // file -> entry
};

const Corpus& Load() {
  static Corpus c = [] {
    Corpus out;
    RunResult r = RunVigil("scan " + kRoot + " --no-config --format json -q");
    out.report = json::parse(r.out, nullptr, false);
    json m = json::parse(ReadFile(std::string(VIGIL_SOURCE_DIR) + "/" + kRoot + "MANIFEST.json"));
    for (const auto& e : m) out.manifest[e["file"].get<std::string>()] = e;
    return out;
  }();
  return c;
}

std::multimap<std::string, json> ByFile(const std::string& kind) {
  std::multimap<std::string, json> out;
  for (const auto& f : Load().report["findings"]) {
    if (f["kind"] != kind) continue;
    std::string p = f["location"]["path"];
    if (p.rfind(kRoot, 0) == 0) p = p.substr(kRoot.size());
    out.emplace(p, f);
  }
  return out;
}

TEST(RealWorld, NoSecretFindingsOnEncryptedOrReferencedFiles) {
  ASSERT_TRUE(Load().report.is_object());
  auto secrets = ByFile("secret");
  size_t checked = 0;
  for (const auto& [file, e] : Load().manifest) {
    std::string kind = e["primary_kind"];
    std::set<std::string> tags(e["tags"].begin(), e["tags"].end());
    bool encrypted = kind == "sops-encrypted" || kind == "SealedSecret" || tags.count("sops-encrypted") ||
                     tags.count("kind:SealedSecret");
    bool reference = tags.count("1password-op-reference") || kind.rfind("ESO: ExternalSecret", 0) == 0 ||
                     kind == "SecretProviderClass";
    if (!encrypted && !reference) continue;
    ++checked;
    auto range = secrets.equal_range(file);
    for (auto it = range.first; it != range.second; ++it)
      ADD_FAILURE() << file << ": " << it->second["rule_id"] << " at line " << it->second["location"]["line"];
  }
  EXPECT_GT(checked, 150u);
}

TEST(RealWorld, PlainSecretsWithRealValuesAreFound) {
  auto secrets = ByFile("secret");
  auto policies = ByFile("policy");
  auto has = [](const std::multimap<std::string, json>& m, const std::string& file, const std::string& rule,
                const std::string& key) {
    auto range = m.equal_range(file);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second["rule_id"] == rule && (key.empty() || it->second["key"] == key)) return true;
    }
    return false;
  };
  // Decoded from base64 `data:` and pointed at the key.
  EXPECT_TRUE(has(secrets, "kubernetes__examples/_archived/volumes/azure_file/secret/azure-secret.yaml",
                  "azure-storage-account-key", "data.azurestorageaccountkey"));
  EXPECT_TRUE(has(secrets, "kubernetes__examples/_archived/volumes/scaleio/secret.yaml", "generic-password-unquoted",
                  "data.password"));
  EXPECT_TRUE(has(secrets, "external-secrets__external-secrets/docs/snippets/azkv-pushsecret-key.yaml",
                  "private-key-rsa", "data.tls.key"));
  // Every plain Secret with a real value gets the plain-Secret policy.
  for (const char* f : {"kubernetes__examples/_archived/volumes/azure_file/secret/azure-secret.yaml",
                        "kubernetes__examples/_archived/volumes/scaleio/secret.yaml",
                        "HariSekhon__Kubernetes-configs/octopus-deploy/base/octopus-deploy-secrets.yaml",
                        "HariSekhon__Kubernetes-configs/jenkins/base/initial-admin-secret.patch.yaml"}) {
    EXPECT_TRUE(has(policies, f, "GSP-PLAIN-001", "")) << f;
  }
  // Placeholders and `op://` references are not plain secrets.
  for (const char* f : {"HariSekhon__Kubernetes-configs/secret.yaml",
                        "xunholy__k8s-gitops/kubernetes/apps/base/home-system/zigbee2mqtt/app/secret.yaml",
                        "onedr0p__home-ops/bootstrap/kustomize/personal/network/secret.yaml"}) {
    EXPECT_FALSE(has(policies, f, "GSP-PLAIN-001", "")) << f;
    EXPECT_EQ(secrets.count(f), 0u) << f;
  }
}

TEST(RealWorld, SarifOfTheCorpusValidates) {
  TempTree t;
  RunResult r = RunVigil("scan " + kRoot + " --no-config -q --format sarif -o " + Quote(t.path() + "/rw.sarif"));
  EXPECT_EQ(r.code, 1) << r.err;
  std::string cmd = "python3 " + Quote(std::string(VIGIL_SOURCE_DIR) + "/tests/schemas/validate_sarif.py") + " " +
                    Quote(t.path() + "/rw.sarif") + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace vigil::testing
