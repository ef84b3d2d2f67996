// GSP-CSI-001..009: SecretProviderClass checks (Azure provider) and the pod
// specs that mount them (catalog s.1.8, s.4.2, s.5.1).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::LintResult;
using testing::RealWorldTree;

// A complete workload-identity SecretProviderClass; `params` replaces the
// parameters block (4-space indent), `extra` goes under spec.
std::string Spc(const std::string& params = "", const std::string& extra = "",
                const std::string& ns = "shop", const std::string& name = "shop-kv") {
  std::string p = params.empty() ? "    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n"
                                   "    keyvaultName: kv-shop-01\n"
                                   "    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n"
                                   "    objects: |\n"
                                   "      array:\n"
                                   "        - |\n"
                                   "          objectName: db-password\n"
                                   "          objectType: secret\n"
                                 : params;
  return "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  "
         "name: " +
         name + "\n" + (ns.empty() ? "" : "  namespace: " + ns + "\n") +
         "spec:\n  provider: azure\n" + extra + "  parameters:\n" + p;
}

const char kSpParams[] =
    "    keyvaultName: kv-shop-01\n"
    "    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n"
    "    objects: |\n"
    "      array:\n"
    "        - |\n"
    "          objectName: db-password\n"
    "          objectType: secret\n";

// A Deployment mounting `spc`; `csi_extra` goes under csi (12-space indent),
// `env` under the container (10-space indent).
std::string Deploy(const std::string& name = "api", const std::string& ns = "shop",
                   const std::string& spc = "shop-kv", const std::string& csi_extra = "",
                   const std::string& env = "", bool volume = true) {
  std::string s = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\n" +
                  (ns.empty() ? "" : "  namespace: " + ns + "\n") +
                  "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
                  "          image: ghcr.io/acme/app:1.0\n" +
                  env;
  if (volume) {
    s += "      volumes:\n        - name: kv\n          csi:\n            driver: "
         "secrets-store.csi.k8s.io\n"
         "            readOnly: true\n            volumeAttributes:\n              "
         "secretProviderClass: " +
         spc + "\n" + csi_extra;
  }
  return s;
}

const char kSync[] =
    "  secretObjects:\n"
    "    - secretName: db\n"
    "      type: Opaque\n"
    "      data:\n"
    "        - objectName: db-password\n"
    "          key: password\n";

const char kEnv[] =
    "          env:\n"
    "            - name: DB_PASSWORD\n"
    "              valueFrom:\n"
    "                secretKeyRef:\n"
    "                  name: db\n"
    "                  key: password\n";

bool Says(const Finding* f, const std::string& text) {
  return f->message.find(text) != std::string::npos;
}

size_t CountSaying(const LintResult& r, const std::string& id, const std::string& text) {
  size_t n = 0;
  for (const Finding* f : r.Of(id)) n += Says(f, text) ? 1 : 0;
  return n;
}

TEST(CsiCatalog, EveryPolicyWithMetadata) {
  for (int i = 1; i <= 9; ++i) {
    char id[32];
    snprintf(id, sizeof id, "GSP-CSI-%03d", i);
    bool found = false;
    for (const auto& r : PolicyCatalog()) {
      if (r.id != id) continue;
      found = true;
      EXPECT_FALSE(r.description.empty()) << id;
      EXPECT_FALSE(r.remediation.empty()) << id;
      EXPECT_FALSE(r.references.empty()) << id;
    }
    EXPECT_TRUE(found) << id;
  }
}

TEST(Csi001, CompleteSecretProviderClassIsClean) {
  auto r = Lint({{"apps/spc.yaml", Spc()}, {"apps/api.yaml", Deploy()}});
  for (const auto& f : r.findings) {
    EXPECT_TRUE(f.rule_id.rfind("GSP-CSI-", 0) != 0) << f.rule_id << " " << f.message;
  }
}

TEST(Csi001, MissingParametersAndProvider) {
  auto r = Lint({{"a.yaml", Spc("    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n")},
                 {"b.yaml",
                  "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\n"
                  "metadata:\n  name: x\nspec:\n  parameters:\n    foo: bar\n"}});
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "lack keyvaultName"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "lack tenantID"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "lack objects"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "spec.provider is missing"), 1u);
  EXPECT_TRUE(r.Has("GSP-CSI-001", "b.yaml"));
  for (const Finding* f : r.Of("GSP-CSI-001")) EXPECT_EQ(f->severity, Severity::kHigh);
}

TEST(Csi001, TenantSpellingsAndV1alpha1) {
  std::string both =
      Spc("    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n    keyvaultName: kv-shop-01\n"
          "    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n    tenantId: "
          "11111111-2222-4333-8444-555555555555\n"
          "    objects: |\n      array:\n        - |\n          objectName: a\n          "
          "objectType: secret\n");
  std::string legacy =
      Spc("    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n    keyvaultName: kv-shop-01\n"
          "    tenantId: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n"
          "    objects: |\n      array:\n        - |\n          objectName: a\n          "
          "objectType: secret\n");
  std::string alpha = Spc();
  alpha.replace(alpha.find("/v1\n"), 4, "/v1alpha1\n");
  auto r = Lint({{"both.yaml", both}, {"legacy.yaml", legacy}, {"alpha.yaml", alpha}});
  auto f = r.Of("GSP-CSI-001");
  ASSERT_EQ(f.size(), 3u);
  for (const Finding* x : f) {
    if (x->location.path == "both.yaml") {
      EXPECT_EQ(x->severity, Severity::kHigh);
      EXPECT_TRUE(Says(x, "different values"));
      EXPECT_EQ(x->location.line, 12u);  // the tenantId key
    } else if (x->location.path == "legacy.yaml") {
      EXPECT_EQ(x->severity, Severity::kInfo);
      EXPECT_TRUE(Says(x, "legacy parameter tenantId"));
    } else {
      EXPECT_EQ(x->location.path, "alpha.yaml");
      EXPECT_EQ(x->severity, Severity::kLow);
      EXPECT_EQ(x->location.line, 1u);
    }
  }
}

std::string WithVault(const std::string& name) {
  return Spc("    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n    keyvaultName: " + name +
             "\n    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n"
             "    objects: |\n      array:\n        - |\n          objectName: a\n          "
             "objectType: secret\n");
}

TEST(Csi002, VaultNameRules) {
  struct Case {
    const char* name;
    const char* why;  // "" = valid
  } cases[] = {{"kv", "characters long"},
               {"kv-shop-production-westeu1", "characters long"},
               {"kv_shop", "characters other than"},
               {"1kv-shop", "start with a letter"},
               {"kv-shop-", "ends with '-'"},
               {"kv--shop", "consecutive hyphens"},
               {"kvs", ""},
               {"KV-Shop-01", ""},
               {"abcdefghijklmnopqrstuvwx", ""},
               {"${KEYVAULT_NAME}", ""},
               {"$KEYVAULT_NAME", ""},
               {"KEYVAULT_NAME", ""}};
  for (const Case& c : cases) {
    auto r = Lint({{"spc.yaml", WithVault(c.name)}});
    auto f = r.Of("GSP-CSI-002");
    if (std::string(c.why).empty()) {
      EXPECT_TRUE(f.empty()) << c.name;
    } else {
      ASSERT_EQ(f.size(), 1u) << c.name;
      EXPECT_TRUE(Says(f[0], c.why)) << c.name << ": " << f[0]->message;
      EXPECT_EQ(f[0]->location.line, 10u);
      EXPECT_EQ(f[0]->severity, Severity::kMedium);
    }
  }
}

std::string WithObjects(const std::string& objects_block) {
  return Spc(
      "    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n    keyvaultName: kv-shop-01\n"
      "    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n    objects: |\n" +
      objects_block);
}

TEST(Csi003, EntryProblemsPointAtTheLineInsideTheBlock) {
  // Lines: 13 "array:", 14 "- |", 15 objectName, 16 objectType ...
  auto r = Lint({{"spc.yaml", WithObjects("      array:\n"
                                          "        - |\n"
                                          "          objectName: db-password\n"
                                          "          objectType: password\n"
                                          "        - |\n"
                                          "          objectType: secret\n"
                                          "        - |\n"
                                          "          objectName: signing\n"
                                          "          objectType: key\n"
                                          "          objectFormat: pfx\n"
                                          "          objectEncoding: base64\n"
                                          "        - |\n"
                                          "          objectName: tls\n"
                                          "          objectType: cert\n"
                                          "          objectAlias: ../etc/tls\n"
                                          "        - |\n"
                                          "          objectName: db-password\n"
                                          "          objectType: secret\n")}});
  auto f = r.Of("GSP-CSI-003");
  std::map<uint32_t, std::string> by_line;
  for (const Finding* x : f) by_line[x->location.line] += x->message + "|";
  EXPECT_NE(by_line[16].find("objectType 'password'"), std::string::npos) << by_line[16];
  EXPECT_NE(by_line[17].find("has no objectName"), std::string::npos) << by_line[17];
  EXPECT_NE(by_line[22].find("pfx on objectType key"), std::string::npos) << by_line[22];
  EXPECT_NE(by_line[23].find("objectEncoding on objectType key"), std::string::npos) << by_line[23];
  EXPECT_NE(by_line[27].find("contains '..'"), std::string::npos) << by_line[27];
  EXPECT_NE(by_line[29].find("writes file 'db-password' again"), std::string::npos) << by_line[29];
  EXPECT_NE(by_line[29].find("line 15"), std::string::npos) << by_line[29];
  EXPECT_EQ(f.size(), 6u);
}

TEST(Csi003, ShapeOfTheObjectsString) {
  auto no_array = Lint({{"spc.yaml", WithObjects("      - objectName: a\n")}});
  ASSERT_EQ(no_array.Of("GSP-CSI-003").size(), 1u);
  EXPECT_TRUE(Says(no_array.Of("GSP-CSI-003")[0], "`array:`"));
  auto map_item = Lint(
      {{"spc.yaml",
        WithObjects("      array:\n        - objectName: a\n          objectType: secret\n")}});
  ASSERT_EQ(map_item.Of("GSP-CSI-003").size(), 1u);
  EXPECT_TRUE(Says(map_item.Of("GSP-CSI-003")[0], "not a YAML string"));
  EXPECT_EQ(map_item.Of("GSP-CSI-003")[0]->location.line, 14u);
  auto broken = Lint({{"spc.yaml", WithObjects("      array: [\n")}});
  ASSERT_EQ(broken.Of("GSP-CSI-003").size(), 1u);
  EXPECT_TRUE(Says(broken.Of("GSP-CSI-003")[0], "not valid YAML"));
  // Upper-case object types and rendered names are accepted.
  auto ok = Lint(
      {{"spc.yaml", WithObjects("      array:\n        - |\n          objectName: $SECRET_NAME\n"
                                "          objectType: Secret\n")}});
  EXPECT_TRUE(ok.Of("GSP-CSI-003").empty());
}

std::string WithFlags(const std::string& flags) {
  return Spc(flags +
             "    keyvaultName: kv-shop-01\n    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n"
             "    objects: |\n      array:\n        - |\n          objectName: a\n          "
             "objectType: secret\n");
}

TEST(Csi004, IdentityModes) {
  auto two =
      Lint({{"spc.yaml",
             WithFlags("    useVMManagedIdentity: \"true\"\n    useAzureTokenProxy: \"true\"\n"
                       "    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n")}});
  EXPECT_EQ(CountSaying(two, "GSP-CSI-004", "more than one identity mode"), 1u);
  EXPECT_EQ(two.Of("GSP-CSI-004").size(), 1u);
  auto proxy = Lint({{"spc.yaml", WithFlags("    useAzureTokenProxy: \"true\"\n")}});
  EXPECT_EQ(CountSaying(proxy, "GSP-CSI-004", "without clientID"), 1u);
  auto pod = Lint({{"spc.yaml", WithFlags("    usePodIdentity: \"true\"\n")}});
  EXPECT_EQ(CountSaying(pod, "GSP-CSI-004", "deprecated"), 1u);
  auto nonbool = Lint({{"spc.yaml", WithFlags("    useVMManagedIdentity: \"yes\"\n")}});
  EXPECT_EQ(CountSaying(nonbool, "GSP-CSI-004", "not a boolean"), 1u);
  auto fine =
      Lint({{"spc.yaml",
             WithFlags("    usePodIdentity: \"False\"\n    useVMManagedIdentity: \"1\"\n")}});
  EXPECT_TRUE(fine.Of("GSP-CSI-004").empty());
  EXPECT_TRUE(fine.Of("GSP-CSI-005").empty());  // managed identity, not service principal
}

const char kCreds[] =
    "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: kv-creds\n  "
    "namespace: shop\n"
    "spec:\n  encryptedData:\n    clientid: AgBy3i4OJSWK\n    clientsecret: AgCtr8OJSWK\n"
    "  template:\n    metadata:\n      labels:\n        secrets-store.csi.k8s.io/used: \"true\"\n";

const char kNps[] = "            nodePublishSecretRef:\n              name: kv-creds\n";

TEST(Csi005, ServicePrincipalWiring) {
  // Correctly wired: only the low last-resort note at the SPC.
  auto good = Lint({{"apps/spc.yaml", Spc(kSpParams)},
                    {"apps/api.yaml", Deploy("api", "shop", "shop-kv", kNps)},
                    {"apps/creds.yaml", kCreds}});
  auto g = good.Of("GSP-CSI-005");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0]->severity, Severity::kLow);
  EXPECT_EQ(g[0]->location.path, "apps/spc.yaml");
  EXPECT_TRUE(Says(g[0], "last-resort"));

  auto missing_ref = Lint({{"apps/spc.yaml", Spc(kSpParams)}, {"apps/api.yaml", Deploy()}});
  auto m = missing_ref.Of("GSP-CSI-005");
  ASSERT_EQ(m.size(), 2u);
  const Finding* at_pod = m[0]->location.path == "apps/api.yaml" ? m[0] : m[1];
  EXPECT_EQ(at_pod->severity, Severity::kHigh);
  EXPECT_TRUE(Says(at_pod, "without nodePublishSecretRef"));
  ASSERT_EQ(at_pod->related.size(), 1u);
  EXPECT_EQ(at_pod->related[0].location.path, "apps/spc.yaml");

  const std::string unlabelled =
      "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: kv-creds\n  "
      "namespace: shop\n"
      "spec:\n  encryptedData:\n    clientid: AgBy3i4OJSWK\n    client-secret: AgCtr8OJSWK\n";
  auto bad = Lint({{"apps/spc.yaml", Spc(kSpParams)},
                   {"apps/api.yaml", Deploy("api", "shop", "shop-kv", kNps)},
                   {"apps/creds.yaml", unlabelled}});
  bool found = false;
  for (const Finding* f : bad.Of("GSP-CSI-005")) {
    if (f->location.path != "apps/api.yaml") continue;
    found = true;
    EXPECT_EQ(f->severity, Severity::kHigh);
    EXPECT_TRUE(Says(f, "has no key clientsecret")) << f->message;
    EXPECT_TRUE(Says(f, "lacks label secrets-store.csi.k8s.io/used=true")) << f->message;
    EXPECT_TRUE(Says(f, "produced by SealedSecret"));
    EXPECT_EQ(f->location.line, 20u);  // nodePublishSecretRef.name
    EXPECT_EQ(f->related.size(), 2u);
  }
  EXPECT_TRUE(found);

  std::string elsewhere = kCreds;
  elsewhere.replace(elsewhere.find("namespace: shop"), 15, "namespace: infra");
  auto other = Lint({{"apps/spc.yaml", Spc(kSpParams)},
                     {"apps/api.yaml", Deploy("api", "shop", "shop-kv", kNps)},
                     {"infra/creds.yaml", elsewhere}});
  EXPECT_EQ(CountSaying(other, "GSP-CSI-005", "produced only in namespace(s) infra"), 1u);

  auto nowhere = Lint({{"apps/spc.yaml", Spc(kSpParams)},
                       {"apps/api.yaml", Deploy("api", "shop", "shop-kv", kNps)}});
  size_t low = 0;
  for (const Finding* f : nowhere.Of("GSP-CSI-005")) {
    if (Says(f, "produced nowhere")) {
      ++low;
      EXPECT_EQ(f->severity, Severity::kLow);
    }
  }
  EXPECT_EQ(low, 1u);
}

TEST(Csi006, UnresolvedSecretProviderClass) {
  auto nowhere = Lint({{"apps/api.yaml", Deploy()}});
  auto f = nowhere.Of("GSP-CSI-006");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(Says(f[0], "not defined anywhere in the repo (it must exist in namespace shop)"));
  EXPECT_EQ(f[0]->location.line, 18u);

  auto other = Lint({{"apps/api.yaml", Deploy()}, {"infra/spc.yaml", Spc("", "", "infra")}});
  f = other.Of("GSP-CSI-006");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(Says(f[0], "defined only in namespace(s) infra, not in shop"));
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "infra/spc.yaml");

  // A kustomization puts both into one namespace: resolved.
  auto kust = Lint(
      {{"apps/kustomization.yaml", "namespace: shop\nresources:\n  - api.yaml\n  - spc.yaml\n"},
       {"apps/api.yaml", Deploy("api", "")},
       {"apps/spc.yaml", Spc("", "", "")}});
  EXPECT_TRUE(kust.Of("GSP-CSI-006").empty());
}

TEST(Csi006, VolumeShapeAndDriverName) {
  std::string rw = Deploy();
  rw.replace(rw.find("            readOnly: true\n"), 27, "");
  std::string no_attr = Deploy();
  no_attr = no_attr.substr(0, no_attr.find("            volumeAttributes:"));
  std::string typo = Deploy();
  typo.replace(typo.find("secrets-store.csi.k8s.io"), 24, "secrets-store.csi.x-k8s.io");
  auto r =
      Lint({{"rw.yaml", rw}, {"noattr.yaml", no_attr}, {"typo.yaml", typo}, {"spc.yaml", Spc()}});
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006", "csi.readOnly is not set"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006", "has no volumeAttributes.secretProviderClass"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006", "uses CSI driver 'secrets-store.csi.x-k8s.io'"), 1u);
  EXPECT_EQ(r.Of("GSP-CSI-006").size(), 3u);
}

TEST(Csi006, EveryPodTemplateKind) {
  const char kCron[] = R"(apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: shop
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: ghcr.io/acme/report:1.0
          volumes:
            - name: kv
              csi:
                driver: secrets-store.csi.k8s.io
                readOnly: true
                volumeAttributes:
                  secretProviderClass: report-kv
)";
  // HelmRelease values holding a literal pod spec land in spec.targetNamespace.
  const char kHelm[] = R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: flux-system
spec:
  targetNamespace: web
  chart:
    spec:
      chart: app
  values:
    pod:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0
      volumes:
        - name: kv
          csi:
            driver: secrets-store.csi.k8s.io
            readOnly: true
            volumeAttributes:
              secretProviderClass: shop-kv
)";
  auto r = Lint({{"cron.yaml", kCron}, {"helm.yaml", kHelm}, {"spc.yaml", Spc()}});
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006",
                        "CronJob shop/report volume 'kv' mounts SecretProviderClass 'report-kv'"),
            1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006",
                        "HelmRelease flux-system/web volume 'kv' mounts SecretProviderClass "
                        "'shop-kv', which is defined only in namespace(s) shop, not in web"),
            1u);
}

TEST(Csi007, SecretObjectsNobodyMounts) {
  auto alone = Lint({{"spc.yaml", Spc("", kSync)}});
  auto f = alone.Of("GSP-CSI-007");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_TRUE(
      Says(f[0], "declares secretObjects (db) but no workload in namespace shop mounts it"));
  EXPECT_EQ(f[0]->location.line, 8u);
  // Mounted only from another namespace: still not synced in shop.
  auto other = Lint({{"spc.yaml", Spc("", kSync)}, {"api.yaml", Deploy("api", "web")}});
  EXPECT_EQ(other.Of("GSP-CSI-007").size(), 1u);
  auto mounted = Lint({{"spc.yaml", Spc("", kSync)}, {"api.yaml", Deploy()}});
  EXPECT_TRUE(mounted.Of("GSP-CSI-007").empty());
}

TEST(Csi008, SyncedSecretConsumedWithoutTheVolume) {
  auto r = Lint({{"spc.yaml", Spc("", kSync)},
                 {"api.yaml", Deploy("api", "shop", "shop-kv", "", kEnv)},
                 {"worker.yaml", Deploy("worker", "shop", "", "", kEnv, false)}});
  auto f = r.Of("GSP-CSI-008");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.path, "worker.yaml");
  EXPECT_EQ(f[0]->location.line, 16u);  // secretKeyRef.name
  EXPECT_TRUE(
      Says(f[0],
           "Deployment shop/worker uses Secret 'db' (env secretKeyRef), which SecretProviderClass "
           "'shop-kv' syncs, but does not mount that SecretProviderClass itself"));
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "spc.yaml");
  EXPECT_TRUE(r.Of("GSP-CSI-007").empty());

  // An Ingress cannot mount: fine while a pod of the namespace mounts the SPC.
  const char kIngress[] =
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n"
      "spec:\n  tls:\n    - secretName: db\n";
  auto ing_ok =
      Lint({{"spc.yaml", Spc("", kSync)}, {"api.yaml", Deploy()}, {"ing.yaml", kIngress}});
  EXPECT_TRUE(ing_ok.Of("GSP-CSI-008").empty());
  auto ing_bad = Lint({{"spc.yaml", Spc("", kSync)}, {"ing.yaml", kIngress}});
  EXPECT_EQ(CountSaying(ing_bad, "GSP-CSI-008", "no workload in its namespace mounts"), 1u);
  // Produced by another mechanism as well: left to GSP-XREF-002.
  auto dual = Lint({{"spc.yaml", Spc("", kSync)},
                    {"api.yaml", Deploy()},
                    {"worker.yaml", Deploy("worker", "shop", "", "", kEnv, false)},
                    {"db.yaml",
                     "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n"
                     "  namespace: shop\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK\n"}});
  EXPECT_TRUE(dual.Of("GSP-CSI-008").empty());
}

// CSI-008 sees every use of a synced Secret (the shared consumer walk with
// all_uses): an optional reference and the tls Secret of an Ingress that
// cert-manager annotates, which XREF-001 and the graph leave out.
TEST(Csi008, OptionalAndCertManagerUsesCount) {
  const char kOptionalEnv[] =
      "          env:\n"
      "            - name: DB_PASSWORD\n"
      "              valueFrom:\n"
      "                secretKeyRef: {name: db, key: password, optional: true}\n";
  auto opt = Lint({{"spc.yaml", Spc("", kSync)},
                   {"api.yaml", Deploy()},
                   {"worker.yaml", Deploy("worker", "shop", "", "", kOptionalEnv, false)}});
  EXPECT_EQ(CountSaying(opt, "GSP-CSI-008", "Deployment shop/worker uses Secret 'db' (env secretKeyRef)"), 1u);
  const char kIssued[] =
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: shop\n"
      "  annotations: {cert-manager.io/cluster-issuer: letsencrypt}\nspec:\n  tls:\n    - secretName: db\n";
  auto ing = Lint({{"spc.yaml", Spc("", kSync)}, {"ing.yaml", kIssued}});
  EXPECT_EQ(CountSaying(ing, "GSP-CSI-008", "no workload in its namespace mounts"), 1u);
}

TEST(Csi009, SecretObjectsMappings) {
  const char kObjects[] =
      "    clientID: 5d3c6a1e-8f2b-4c7d-9a0e-1b2c3d4e5f60\n    keyvaultName: kv-shop-01\n"
      "    tenantID: 9b1f2e3d-4c5b-4a69-8e7f-0a1b2c3d4e5f\n    objects: |\n      array:\n        - "
      "|\n"
      "          objectName: db-password\n          objectType: secret\n          objectAlias: "
      "password\n"
      "        - |\n          objectName: shop-cert\n          objectType: secret\n";
  const char kBad[] =
      "  secretObjects:\n"
      "    - secretName: db\n"
      "      type: Opaque\n"
      "      data:\n"
      "        - objectName: db-password\n"  // line 12: the alias must be used
      "          key: password\n"
      "    - secretName: tls\n"
      "      type: kubernetes.io/tls\n"
      "      data:\n"
      "        - objectName: shop-cert\n"
      "          key: tls.crt\n"
      "    - secretName: reg\n"
      "      type: kubernetes.io/dockerconfigjson\n"
      "      data:\n"
      "        - objectName: password\n"
      "          key: config\n"
      "    - secretName: odd\n"
      "      type: kubernetes.io/weird\n"
      "      data:\n"
      "        - objectName: password\n"
      "    - type: Opaque\n"
      "      data: []\n";
  auto r = Lint({{"spc.yaml", Spc(kObjects, kBad)}});
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009",
                        "maps objectName 'db-password', which no entry of objects mounts "
                        "(mounted files: password, shop-cert"),
            1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "does not map both tls.crt and tls.key"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "maps no .dockerconfigjson key"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "type 'kubernetes.io/weird'"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "data entry 1 has no key"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "has no secretName"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "has no data entries"), 1u);
  EXPECT_EQ(r.Of("GSP-CSI-009").size(), 7u);
  for (const Finding* f : r.Of("GSP-CSI-009")) {
    if (Says(f, "db-password")) {
      EXPECT_EQ(f->location.line, 12u);
    }
  }
  // The upstream tls sample maps both keys from one object: fine.
  const char kTls[] =
      "  secretObjects:\n    - secretName: tls\n      type: kubernetes.io/tls\n      data:\n"
      "        - objectName: shop-cert\n          key: tls.key\n        - objectName: shop-cert\n  "
      "        key: tls.crt\n";
  EXPECT_TRUE(Lint({{"spc.yaml", Spc(kObjects, kTls)}}).Of("GSP-CSI-009").empty());
}

TEST(CsiBadInput, MalformedSpecsDoNotCrash) {
  auto r =
      Lint({{"a.yaml",
             "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n"
             "  name: a\nspec: [1, 2]\n"},
            {"b.yaml",
             "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n"
             "  name: b\nspec:\n  provider: azure\n  parameters: [x]\n  secretObjects: 3\n"},
            {"c.yaml",
             "apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n  containers: []\n"
             "  volumes:\n    - name: kv\n      csi: 5\n    - csi:\n        driver: "
             "secrets-store.csi.k8s.io\n"
             "        readOnly: true\n        volumeAttributes: [x]\n"}});
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "no spec"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-001", "without spec.parameters"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-009", "secretObjects is not a list"), 1u);
  EXPECT_EQ(CountSaying(r, "GSP-CSI-006", "has no volumeAttributes.secretProviderClass"), 1u);
}

// False positives found on the real-world corpus (docs/policies.md, CSI section).
TEST(CsiFalsePositives, TemplatesAndPlaceholders) {
  // The CSI driver's bats files: `apiVersion: $API_VERSION` is still an SPC.
  std::string templated = Spc("", kSync);
  templated.replace(0, templated.find('\n'), "apiVersion: $API_VERSION");
  auto bats =
      Lint({{"spc.yaml", templated}, {"api.yaml", Deploy("api", "shop", "shop-kv", "", kEnv)}});
  EXPECT_TRUE(bats.Of("GSP-CSI-006").empty());
  EXPECT_TRUE(bats.Of("GSP-CSI-008").empty());
  EXPECT_TRUE(bats.Of("GSP-CSI-007").empty());
  // The provider's load-test templates: `secretProviderClass: {{.Name}}` parses as a flow map.
  auto load = Lint({{"spc.yaml", Spc("", kSync, "", "{{.Name}}")},
                    {"api.yaml", Deploy("api", "", "{{.Name}}", "", kEnv)}});
  EXPECT_TRUE(load.Of("GSP-CSI-006").empty());
  EXPECT_TRUE(load.Of("GSP-CSI-007").empty());
  EXPECT_TRUE(load.Of("GSP-CSI-008").empty());
  // ... but a templated mount elsewhere does not hide an SPC nobody mounts.
  auto apart = Lint({{"examples/spc.yaml", Spc("", kSync, "")},
                     {"load/api.yaml", Deploy("api", "", "{{.Name}}")}});
  EXPECT_EQ(apart.Of("GSP-CSI-007").size(), 1u);
  // A consumer mounting an SPC the repo lacks: that SPC may sync the Secret (CSI-006 only).
  auto missing = Lint({{"spc.yaml", Spc("", kSync, "shop", "other-kv")},
                       {"api.yaml", Deploy("api", "shop", "shop-kv", "", kEnv)}});
  EXPECT_EQ(missing.Of("GSP-CSI-006").size(), 1u);
  EXPECT_TRUE(missing.Of("GSP-CSI-008").empty());
  EXPECT_EQ(missing.Of("GSP-CSI-007").size(), 1u);  // other-kv is still mounted by nobody
  // Two unnamespaced SPCs of one name (two repositories linted together), one
  // with workload identity: not known to be service-principal mode.
  auto two = Lint({{"a/spc.yaml", Spc(kSpParams, "", "")},
                   {"b/spc.yaml", Spc("", "", "")},
                   {"b/api.yaml", Deploy("api", "")}});
  EXPECT_EQ(two.Of("GSP-CSI-005").size(), 1u);  // only the note at a/spc.yaml
  ASSERT_FALSE(two.Of("GSP-CSI-005").empty());
  EXPECT_EQ(two.Of("GSP-CSI-005")[0]->location.path, "a/spc.yaml");
  // ALL_CAPS placeholders inside objects (the provider's `objectEncoding: "SECRET_ALIAS"`).
  auto caps =
      Lint({{"spc.yaml",
             WithObjects(
                 "      array:\n        - |\n          objectName: secret3\n"
                 "          objectType: secret\n          objectEncoding: \"SECRET_ALIAS\"\n")}});
  EXPECT_TRUE(caps.Of("GSP-CSI-003").empty());
}

// catalog s.5.1: mspnp/aks-baseline's traefik mounts an SPC defined only in its docs.
TEST(CsiRealWorld, AksBaselineSpcOnlyInDocs) {
  auto r = Lint(RealWorldTree("mspnp__aks-baseline"));
  auto f = r.Of("GSP-CSI-006");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.path, "workload/traefik.yaml");
  EXPECT_EQ(f[0]->location.line, 311u);
  EXPECT_TRUE(Says(f[0],
                   "'aks-ingress-tls-secret-csi-akv', which is not defined anywhere in the repo "
                   "(it must exist in namespace a0008)"));
}

}  // namespace
}  // namespace vigil

// Found by fuzz/linter (CI smoke run, 1 December 2026): an unterminated
// double-quoted value whose decoded text runs past the end of the file made
// GSP-CSI-004's span end beyond the input. Every span must stay in the file
// and on its line.
TEST(Csi004, SpanOfAnUnterminatedQuotedValueStaysInTheFile) {
  const std::string text =
      "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n"
      "  name: web-kv\n  namespace: web\nspec:\n  provider: azure\n  parameters:\n"
      "    usePodIdentity: \"false\xd9\xf5\xdf\xdf\xdf\xdf\x9cJJJJJType: secret\n";
  std::vector<vigil::ScanError> errors;
  auto findings = vigil::LintInMemory({{"clusters/prod/input.yaml", text}}, {}, &errors);
  bool csi004 = false;
  for (const auto& f : findings) {
    csi004 = csi004 || f.rule_id == "GSP-CSI-004";
    EXPECT_LE(f.location.offset, f.location.end_offset) << f.rule_id;
    EXPECT_LE(f.location.end_offset, text.size()) << f.rule_id;
    EXPECT_GT(f.location.end_column, f.location.column) << f.rule_id;
  }
  EXPECT_TRUE(csi004);
}
