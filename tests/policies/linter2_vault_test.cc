// GSP-VAULT-001..004: vault names, tenants and environments (catalog s.4.2).
#include <gtest/gtest.h>

#include <string>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::RealWorldTree;

std::string Spc(const std::string& vault, const std::string& tenant) {
  return "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: app\n"
         "  namespace: app\nspec:\n  provider: azure\n  parameters:\n    keyvaultName: " + vault +
         "\n    tenantID: " + tenant + "\n";
}

std::string Store(const std::string& url) {
  return "apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: azure\n  namespace: app\n"
         "spec:\n  provider:\n    azurekv:\n      authType: WorkloadIdentity\n      vaultUrl: " + url +
         "\n      serviceAccountRef:\n        name: eso\n";
}

const char kTenant[] = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const char kTenant2[] = "11111111-2222-4333-8444-555555555555";

TEST(Vault001, WrongEnvironmentAcrossMechanisms) {
  auto r = Lint({{"clusters/prod/spc.yaml", Spc("kv-shop-dev", kTenant)},
                 {"overlays/staging/store.yaml", Store("https://kv-shop-prod.vault.azure.net")},
                 {"envs/dev/app.sops.yaml",
                  "a: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]\nsops:\n  azure_kv:\n"
                  "    - vault_url: https://kv-shop-production.vault.azure.net\n      name: sops\n      version: x\n"
                  "  mac: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]\n  version: 3.9.0\n"}});
  auto f = r.Of("GSP-VAULT-001");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0]->location.path, "clusters/prod/spc.yaml");
  EXPECT_EQ(f[0]->location.line, 9u);
  EXPECT_NE(f[0]->message.find("vault 'kv-shop-dev' (environment dev)"), std::string::npos);
  EXPECT_NE(f[0]->message.find("environment prod"), std::string::npos);
}

TEST(Vault001, ConfiguredEnvironmentTokens) {
  LintOptions o;
  o.environments["live"] = {"live"};
  o.environments["test"] = {"qa", "test"};
  auto r = Lint({{"clusters/live/spc.yaml", Spc("kv-qa", kTenant)}, {"clusters/qa/spc.yaml", Spc("kv-qa", kTenant)}}, o);
  auto f = r.Of("GSP-VAULT-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.path, "clusters/live/spc.yaml");
  // Default tokens do not apply once configured.
  EXPECT_TRUE(Lint({{"clusters/live/spc.yaml", Spc("kv-dev", kTenant)}}, o).Of("GSP-VAULT-001").empty());
}

TEST(Vault002, SharedVaultAndTenantDrift) {
  auto r = Lint({{"clusters/prod/store.yaml", Store("https://kv-shop.vault.azure.net")},
                 {"clusters/dev/store.yaml", Store("https://kv-shop.vault.azure.net")},
                 {"clusters/prod/spc.yaml", Spc("kv-shop", kTenant)},
                 {"clusters/prod/spc2.yaml", Spc("kv-other", kTenant2)}});
  auto f = r.Of("GSP-VAULT-002");
  ASSERT_EQ(f.size(), 2u);
  bool shared = false, tenant = false;
  for (const Finding* x : f) {
    if (x->message.find("production and non-production must not share") != std::string::npos) {
      shared = true;
      EXPECT_EQ(x->location.path, "clusters/dev/store.yaml");
      EXPECT_FALSE(x->related.empty());
    }
    if (x->message.find("one environment should use one tenant") != std::string::npos) tenant = true;
  }
  EXPECT_TRUE(shared && tenant);
  // staging and dev sharing one vault is not reported (no prod involved).
  EXPECT_TRUE(Lint({{"clusters/staging/s.yaml", Store("https://kv-np.vault.azure.net")},
                    {"clusters/dev/s.yaml", Store("https://kv-np.vault.azure.net")}})
                  .Of("GSP-VAULT-002")
                  .empty());
}

TEST(Vault003, BaseAppliedByTwoFluxKustomizations) {
  auto ks = [](const std::string& name) {
    return "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: " + name +
           "\n  namespace: flux-system\nspec:\n  path: ./base\n  targetNamespace: " + name + "\n";
  };
  auto r = Lint({{"clusters/a/app.yaml", ks("a")}, {"clusters/b/app.yaml", ks("b")}, {"base/spc.yaml", Spc("kv-shop", kTenant)}});
  auto f = r.Of("GSP-VAULT-003");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kLow);
  EXPECT_EQ(f[0]->related.size(), 2u);
}

TEST(Vault004, SamplesAndRenderedValues) {
  auto r = Lint({{"a.yaml", Spc("kvname", "00000000-0000-0000-0000-000000000000")},
                 {"b.yaml", Spc("${KEYVAULT_NAME}", kTenant)},
                 {"c.yaml", Spc("kv-real-01", kTenant)}});
  auto f = r.Of("GSP-VAULT-004");
  ASSERT_EQ(f.size(), 3u);
  int info = 0;
  for (const Finding* x : f) {
    EXPECT_NE(x->location.path, "c.yaml");
    if (x->severity == Severity::kInfo) ++info;
  }
  EXPECT_EQ(info, 1);  // ${KEYVAULT_NAME}: a render step sets it
}

// Real-world corpus (one repository at a time): the Azure provider examples
// (kvname/tid), the CSI driver's bats templates ($KEYVAULT_NAME ...) and ESO's
// azkv snippets (all-zero identityId, xx-xxxx-xx vault). No environment-laid-out
// Azure repository is in the corpus, so VAULT-001..003 do not fire.
TEST(VaultRealWorld, PerRepository) {
  size_t total = 0;
  for (const char* repo : {"Azure__secrets-store-csi-driver-provider-azure", "kubernetes-sigs__secrets-store-csi-driver",
                           "external-secrets__external-secrets", "mspnp__aks-baseline"}) {
    auto r = Lint(RealWorldTree(repo));
    total += r.Of("GSP-VAULT-004").size();
    for (const char* id : {"GSP-VAULT-001", "GSP-VAULT-002", "GSP-VAULT-003"}) EXPECT_TRUE(r.Of(id).empty()) << repo << " " << id;
  }
  EXPECT_EQ(total, 41u);
}

TEST(VaultCatalog, Examples) {
  for (const auto& f : testing::ExampleFailures({"GSP-VAULT"})) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace vigil
