// GSP-ESO-001..011: External Secrets Operator (catalog s.1.9, s.4.2).
#include <gtest/gtest.h>

#include <string>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::RealWorldTree;

std::string Es(
    const std::string& name, const std::string& ns, const std::string& store_ref,
    const std::string& body =
        "  data:\n    - secretKey: password\n      remoteRef:\n        key: db-password\n",
    const std::string& version = "v1") {
  return "apiVersion: external-secrets.io/" + version +
         "\nkind: ExternalSecret\nmetadata:\n  name: " + name +
         (ns.empty() ? std::string() : "\n  namespace: " + ns) + "\nspec:\n  secretStoreRef:\n" +
         store_ref + body;
}

std::string Store(const std::string& kind, const std::string& name, const std::string& ns,
                  const std::string& spec_extra, const std::string& provider) {
  return "apiVersion: external-secrets.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name +
         (ns.empty() ? std::string() : "\n  namespace: " + ns) + "\nspec:\n" + spec_extra +
         "  provider:\n" + provider;
}

const char kVault[] =
    "    vault:\n      server: https://vault.example.com\n      path: secret\n      auth:\n        "
    "kubernetes:\n"
    "          mountPath: kubernetes\n          role: eso\n";
const char kAzureWi[] =
    "    azurekv:\n      authType: WorkloadIdentity\n      vaultUrl: "
    "https://kv-shop.vault.azure.net\n"
    "      serviceAccountRef:\n        name: eso-azure\n        namespace: external-secrets\n";

TEST(Eso001, ServedVersionsFromTheCatalog) {
  auto r = Lint(
      {{"a.yaml",
        Es("db", "app", "    name: vault\n", "  data: []\n", "v1beta1") + "---\n" +
            Es("old", "app", "    name: vault\n", "  data: []\n", "v1alpha1") +
            "---\napiVersion: external-secrets.io/v1alpha1\nkind: PushSecret\nmetadata:\n  name: "
            "p\n"
            "---\napiVersion: generators.external-secrets.io/v1alpha1\nkind: Password\nmetadata:\n"
            "  name: pw\n"}});
  auto f = r.Of("GSP-ESO-001");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0]->location.line, 1u);
  EXPECT_EQ(f[0]->location.column, 13u);
  EXPECT_NE(f[0]->message.find("deprecated, served: false"), std::string::npos);
  EXPECT_NE(f[0]->message.find("use external-secrets.io/v1"), std::string::npos);
  EXPECT_NE(f[1]->message.find("v1alpha1"), std::string::npos);
}

TEST(Eso002, EachWebhookRule) {
  auto rules = [](const std::string& spec) {
    auto r =
        Lint({{"es.yaml",
               "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: x\n"
               "  namespace: a\nspec:\n  secretStoreRef:\n    name: s\n" +
                   spec}});
    std::vector<std::string> out;
    for (const Finding* f : r.Of("GSP-ESO-002")) out.push_back(f->message);
    return out;
  };
  EXPECT_EQ(rules("  refreshInterval: 1h\n").size(), 1u);  // neither data nor dataFrom
  EXPECT_EQ(rules("  dataFrom:\n    - rewrite: []\n").size(), 1u);
  EXPECT_EQ(rules("  dataFrom:\n    - extract: {key: a}\n      find: {name: {regexp: a}}\n").size(),
            1u);
  EXPECT_EQ(rules("  dataFrom:\n    - sourceRef: {}\n").size(),
            2u);  // none of three + no storeRef/generatorRef
  EXPECT_EQ(
      rules("  dataFrom:\n    - extract: {key: a}\n      sourceRef:\n        storeRef: {name: s}\n")
          .size(),
      0u);
  const std::string data = "  data:\n    - secretKey: k\n      remoteRef: {key: a}\n";
  EXPECT_EQ(
      rules("  target:\n    creationPolicy: Orphan\n    deletionPolicy: Delete\n" + data).size(),
      1u);
  EXPECT_EQ(rules("  target:\n    deletionPolicy: Delete\n" + data).size(),
            0u);  // Owner by default
  EXPECT_EQ(rules("  target:\n    creationPolicy: None\n    deletionPolicy: Merge\n" + data).size(),
            1u);
  EXPECT_EQ(
      rules("  target:\n    creationPolicy: Merge\n    deletionPolicy: Merge\n" + data).size(), 0u);
  // Duplicate secretKey: rejected with Retain (the default), allowed with Delete.
  auto dup = rules(data + "    - secretKey: k\n      remoteRef: {key: b}\n");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_NE(dup[0].find("secretKey 'k' appears twice"), std::string::npos);
  EXPECT_EQ(rules("  target:\n    deletionPolicy: Delete\n" + data +
                  "    - secretKey: k\n      remoteRef: {key: b}\n")
                .size(),
            0u);
  EXPECT_EQ(
      rules("  target:\n    template:\n      type: bootstrap.kubernetes.io/token\n" + data).size(),
      1u);
  EXPECT_EQ(rules("  target:\n    template:\n      type: kubernetes.io/service-account-token\n     "
                  " metadata:\n"
                  "        annotations:\n          kubernetes.io/service-account.name: default\n" +
                  data)
                .size(),
            1u);
  EXPECT_EQ(
      rules("  target:\n    template:\n      type: kubernetes.io/service-account-token\n" + data)
          .size(),
      0u);
  EXPECT_EQ(rules("  target:\n    template:\n      templateFrom:\n        - target: Spec\n" + data)
                .size(),
            1u);
  EXPECT_EQ(
      rules("  target:\n    manifest:\n      apiVersion: v1\n      kind: ConfigMap\n    template:\n"
            "      templateFrom:\n        - target: spec.data\n" +
            data)
          .size(),
      0u);
}

TEST(Eso002, ClusterExternalSecretSpecToo) {
  auto r = Lint(
      {{"ces.yaml",
        "apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata:\n  name: c\n"
        "spec:\n  namespaceSelectors:\n    - matchLabels: {a: b}\n  externalSecretSpec:\n"
        "    secretStoreRef: {name: s, kind: ClusterSecretStore}\n"}});
  auto f = r.Of("GSP-ESO-002");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("(externalSecretSpec)"), std::string::npos);
}

TEST(Eso003, ResolvesPerNamespaceAndKind) {
  auto r = Lint(
      {{"apps/es.yaml", Es("a", "shop", "    name: vault\n") + "---\n" +
                            Es("b", "shop", "    name: shared\n") + "---\n" +
                            Es("c", "shop", "    name: shared\n    kind: ClusterSecretStore\n") +
                            "---\n" + Es("d", "billing", "    name: vault\n")},
       {"infra/stores.yaml", Store("SecretStore", "vault", "billing", "", kVault) + "---\n" +
                                 Store("ClusterSecretStore", "shared", "",
                                       "  conditions:\n    - namespaces: [shop]\n", kVault)}});
  auto f = r.Of("GSP-ESO-003");
  ASSERT_EQ(f.size(), 2u);
  // a: SecretStore vault exists only in billing.
  EXPECT_EQ(f[0]->location.path, "apps/es.yaml");
  EXPECT_EQ(f[0]->location.line, 8u);
  EXPECT_NE(f[0]->message.find("ExternalSecret shop/a references SecretStore 'vault'"),
            std::string::npos);
  EXPECT_NE(f[0]->message.find("not defined in namespace shop"), std::string::npos);
  EXPECT_NE(f[0]->message.find("found only SecretStore billing/vault"), std::string::npos);
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "infra/stores.yaml");
  // b: kind defaults to SecretStore; a ClusterSecretStore of that name exists.
  EXPECT_NE(f[1]->message.find("ExternalSecret shop/b references SecretStore 'shared'"),
            std::string::npos);
  EXPECT_NE(f[1]->message.find("found only ClusterSecretStore shared"), std::string::npos);
}

TEST(Eso003, KustomizeNamespaceAndNoStores) {
  // The kustomization moves the ExternalSecret into the store's namespace.
  auto ok = Lint(
      {{"app/kustomization.yaml", "namespace: shop\nresources:\n  - es.yaml\n  - store.yaml\n"},
       {"app/es.yaml", Es("a", "", "    name: vault\n")},
       {"app/store.yaml", Store("SecretStore", "vault", "", "", kVault)}});
  EXPECT_TRUE(ok.Of("GSP-ESO-003").empty());
  auto none =
      Lint({{"es.yaml", Es("a", "shop", "    name: onepassword\n    kind: ClusterSecretStore\n")}});
  auto f = none.Of("GSP-ESO-003");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("no ClusterSecretStore in the repo defines"), std::string::npos);
  EXPECT_NE(f[0]->message.find("defines no SecretStore or ClusterSecretStore at all"),
            std::string::npos);
  // Templated names are skipped.
  EXPECT_TRUE(Lint({{"es.yaml", Es("a", "shop", "    name: \"{{ .Values.store }}\"\n")}})
                  .Of("GSP-ESO-003")
                  .empty());
}

TEST(Eso004, ConditionsByNameRegexAndLabels) {
  std::string css =
      Store("ClusterSecretStore", "azure", "",
            "  conditions:\n    - namespaces: [billing]\n    - namespaceRegexes: [\"^team-\"]\n"
            "    - namespaceSelector:\n        matchLabels: {eso: \"on\"}\n",
            kAzureWi);
  std::string ref = "    name: azure\n    kind: ClusterSecretStore\n";
  auto r = Lint(
      {{"css.yaml", css},
       {"ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labelled\n  labels:\n    eso: \"on\"\n"
        "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: plain\n"},
       {"es.yaml", Es("a", "billing", ref) + "---\n" + Es("b", "team-x", ref) + "---\n" +
                       Es("c", "labelled", ref) + "---\n" + Es("d", "plain", ref) + "---\n" +
                       Es("e", "unknown", ref) + "---\n" + Es("f", "", ref)}});
  auto f = r.Of("GSP-ESO-004");
  // d: Namespace object without the label. e: no Namespace object, so its labels are unknown.
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("ExternalSecret plain/d sits in namespace plain"),
            std::string::npos);
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "css.yaml");
  // Without the label selector condition, e's namespace is excluded too.
  std::string css2 = Store("ClusterSecretStore", "azure", "",
                           "  conditions:\n    - namespaces: [billing]\n", kAzureWi);
  EXPECT_EQ(
      Lint({{"css.yaml", css2}, {"es.yaml", Es("e", "unknown", ref)}}).Of("GSP-ESO-004").size(),
      1u);
}

TEST(Eso004, ClusterExternalSecretNamespaces) {
  std::string css =
      Store("ClusterSecretStore", "azure", "", "  conditions:\n    - namespaces: [a]\n", kAzureWi);
  auto r = Lint(
      {{"css.yaml", css},
       {"ces.yaml",
        "apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata:\n  name: c\n"
        "spec:\n  namespaceSelectors:\n    - matchExpressions:\n        - key: "
        "kubernetes.io/metadata.name\n"
        "          operator: In\n          values: [a, b]\n  externalSecretSpec:\n"
        "    secretStoreRef: {name: azure, kind: ClusterSecretStore}\n    dataFrom:\n"
        "      - extract: {key: x}\n"}});
  auto f = r.Of("GSP-ESO-004");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("generates ExternalSecrets in namespace b,"), std::string::npos);
}

TEST(Eso005, NoOrEmptyConditions) {
  auto r = Lint(
      {{"css.yaml",
        Store("ClusterSecretStore", "a", "", "", kVault) + "---\n" +
            Store("ClusterSecretStore", "b", "", "  conditions: []\n", kVault) + "---\n" +
            Store("ClusterSecretStore", "c", "", "  conditions:\n    - namespaces: [x]\n", kVault) +
            "---\n" + Store("SecretStore", "d", "x", "", kVault)},
       {"es.yaml", Es("e", "x", "    name: a\n    kind: ClusterSecretStore\n")}});
  auto f = r.Of("GSP-ESO-005");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NE(f[0]->message.find("ClusterSecretStore a has no spec.conditions"), std::string::npos);
  EXPECT_NE(f[0]->message.find("(1 reference(s) in the repo)"), std::string::npos);
  EXPECT_NE(f[1]->message.find("ClusterSecretStore b"), std::string::npos);
}

TEST(Eso006, ForeignNamespaceInNamespacedStore) {
  std::string prov =
      "    kubernetes:\n      remoteNamespace: other\n      server:\n        caProvider:\n         "
      " type: ConfigMap\n"
      "          name: kube-root-ca.crt\n          key: ca.crt\n          namespace: shop\n      "
      "auth:\n"
      "        serviceAccount:\n          name: reader\n          namespace: kube-system\n";
  auto r =
      Lint({{"s.yaml",
             Store("SecretStore", "k", "shop", "", prov) + "---\n" +
                 Store("ClusterSecretStore", "k", "", "", prov) + "---\n" +
                 Store("SecretStore", "v", "shop", "",
                       "    vault:\n      server: https://v\n      namespace: admin\n      auth:\n"
                       "        tokenSecretRef: {name: t, key: token}\n")}});
  auto f = r.Of("GSP-ESO-006");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->key, "spec.provider.kubernetes.auth.serviceAccount.namespace");
  EXPECT_NE(f[0]->message.find("namespace 'kube-system'"), std::string::npos);
  EXPECT_EQ(f[0]->location.line, 19u);
}

TEST(Eso007, MissingNamespaceAndTenantNamespace) {
  std::string sp =
      "    azurekv:\n      vaultUrl: https://kv-shop.vault.azure.net\n      tenantId: t\n      "
      "authSecretRef:\n"
      "        clientId: {name: sp, key: id}\n        clientCertificate: {name: sp, key: cert, "
      "namespace: shop}\n";
  auto r = Lint({{"css.yaml", Store("ClusterSecretStore", "azure", "",
                                    "  conditions:\n    - namespaces: [shop]\n", sp)},
                 {"es.yaml", Es("a", "shop", "    name: azure\n    kind: ClusterSecretStore\n")}});
  auto f = r.Of("GSP-ESO-007");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_NE(f[0]->message.find("authSecretRef.clientId has no namespace"), std::string::npos);
  EXPECT_NE(
      f[1]->message.find(
          "from namespace 'shop', where application ExternalSecrets live (ExternalSecret shop/a)"),
      std::string::npos);
  ASSERT_EQ(f[1]->related.size(), 1u);
  EXPECT_EQ(f[1]->related[0].location.path, "es.yaml");
  // Other providers and namespaced stores are not checked.
  EXPECT_TRUE(
      Lint({{"s.yaml", Store("SecretStore", "azure", "shop", "", sp)}}).Of("GSP-ESO-007").empty());
}

TEST(Eso008, AzureConfiguration) {
  auto count = [](const std::string& az) {
    auto r = Lint({{"s.yaml", Store("SecretStore", "azure", "shop", "", "    azurekv:\n" + az)}});
    std::vector<std::string> out;
    for (const Finding* f : r.Of("GSP-ESO-008")) out.push_back(f->message);
    return out;
  };
  const std::string wi = "      authType: WorkloadIdentity\n      serviceAccountRef: {name: sa}\n";
  EXPECT_EQ(count(wi + "      vaultUrl: https://kv.vault.azure.net\n").size(), 0u);
  EXPECT_EQ(count(wi + "      vaultUrl: https://kv.vault.azure.net/\n").size(), 0u);
  EXPECT_EQ(count(wi + "      vaultUrl: https://hsm.managedhsm.azure.net\n").size(), 0u);
  EXPECT_EQ(count(wi + "      vaultUrl: \"${VAULT_URL}\"\n").size(), 0u);
  EXPECT_EQ(count(wi).size(), 1u);  // missing vaultUrl
  EXPECT_EQ(count(wi + "      vaultUrl: kv.vault.azure.net\n").size(), 1u);
  EXPECT_EQ(
      count(wi + "      environmentType: ChinaCloud\n      vaultUrl: https://kv.vault.azure.net\n")
          .size(),
      1u);
  EXPECT_EQ(
      count(wi + "      environmentType: ChinaCloud\n      vaultUrl: https://kv.vault.azure.cn\n")
          .size(),
      0u);
  EXPECT_EQ(
      count(wi + "      environmentType: AzureStackCloud\n      vaultUrl: https://kv.vault.local\n")
          .size(),
      1u);
  EXPECT_EQ(
      count(wi + "      environmentType: AzureStackCloud\n      vaultUrl: https://kv.vault.local\n"
                 "      useAzureSDK: true\n      customCloudConfig: {activeDirectoryEndpoint: "
                 "https://login.local/}\n")
          .size(),
      0u);
  EXPECT_EQ(
      count(wi + "      vaultUrl: https://kv.vault.azure.net\n      customCloudConfig: {a: b}\n")
          .size(),
      1u);
  auto sp = count(
      "      vaultUrl: https://kv.vault.azure.net\n      authSecretRef:\n        clientId: {name: "
      "s, key: i}\n"
      "        clientSecret: {name: s, key: s}\n");
  ASSERT_EQ(sp.size(), 1u);
  EXPECT_NE(sp[0].find("prefer authType: WorkloadIdentity"), std::string::npos);
  EXPECT_EQ(count("      vaultUrl: https://kv.vault.azure.net\n      authSecretRef:\n        "
                  "clientSecret: {name: s, key: s}\n"
                  "        clientCertificate: {name: s, key: c}\n")
                .size(),
            1u);
  EXPECT_EQ(
      count("      authType: ManagedIdentity\n      vaultUrl: https://kv.vault.azure.net\n").size(),
      1u);
  auto mounted =
      count("      authType: WorkloadIdentity\n      vaultUrl: https://kv.vault.azure.net\n");
  ASSERT_EQ(mounted.size(), 1u);
  EXPECT_NE(mounted[0].find("without serviceAccountRef"), std::string::npos);
}

TEST(Eso009, AzureKeysOnlyForAzureStores) {
  std::string body =
      "  data:\n    - secretKey: a\n      remoteRef: {key: db_password}\n    - secretKey: b\n"
      "      remoteRef: {key: certificate/tls}\n    - secretKey: c\n      remoteRef: {key: "
      "key/signing}\n"
      "    - secretKey: d\n      remoteRef: {key: secret/" +
      std::string(128, 'x') +
      "}\n"
      "  dataFrom:\n    - extract: {key: cert/tls}\n    - extract: {key: config}\n";
  auto r = Lint({{"s.yaml", Store("SecretStore", "azure", "shop", "", kAzureWi) + "---\n" +
                                Store("SecretStore", "vault", "shop", "", kVault)},
                 {"es.yaml", Es("a", "shop", "    name: azure\n", body) + "---\n" +
                                 Es("b", "shop", "    name: vault\n", body)}});
  auto f = r.Of("GSP-ESO-009");
  ASSERT_EQ(f.size(), 4u);
  for (const Finding* x : f)
    EXPECT_NE(x->message.find("ExternalSecret shop/a "), std::string::npos) << x->message;
  EXPECT_NE(f[0]->message.find("'db_password'"), std::string::npos);
  EXPECT_NE(f[1]->message.find("prefix 'certificate/'"), std::string::npos);
  EXPECT_NE(f[2]->message.find("is not 1-127"), std::string::npos);
  EXPECT_NE(f[3]->message.find("dataFrom.extract cannot fetch cert objects"), std::string::npos);
}

TEST(Eso010, SelectionAndPerNamespaceStores) {
  auto ces = [](const std::string& sel, const std::string& ref) {
    return "apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata:\n  name: "
           "c\nspec:\n" +
           sel + "  externalSecretSpec:\n    secretStoreRef:\n" + ref +
           "    dataFrom:\n      - extract: {key: x}\n";
  };
  const std::string css = "      name: s\n      kind: ClusterSecretStore\n";
  auto msgs = [](const testing::LintResult& r) {
    std::vector<std::string> out;
    for (const Finding* f : r.Of("GSP-ESO-010")) out.push_back(f->message);
    return out;
  };
  EXPECT_EQ(msgs(Lint({{"c.yaml", ces("  namespaceSelectors:\n    - matchLabels: {a: b}\n", css)}}))
                .size(),
            0u);
  EXPECT_EQ(
      msgs(Lint({{"c.yaml", ces("  namespaceSelector:\n    matchLabels: {a: b}\n", css)}})).size(),
      1u);
  EXPECT_EQ(msgs(Lint({{"c.yaml", ces("  namespaces: [a]\n", css)}})).size(), 1u);
  auto all = msgs(Lint({{"c.yaml", ces("  namespaceSelectors:\n    - {}\n", css)}}));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0].find("matches every namespace"), std::string::npos);
  auto none = msgs(Lint({{"c.yaml", ces("", css)}}));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_NE(none[0].find("creates no ExternalSecret"), std::string::npos);
  // A SecretStore in a and b is required; only a has one.
  auto r = Lint(
      {{"c.yaml", ces("  namespaceSelectors:\n    - matchLabels: {kubernetes.io/metadata.name: a}\n"
                      "    - matchLabels: {kubernetes.io/metadata.name: b}\n",
                      "      name: vault\n")},
       {"s.yaml", Store("SecretStore", "vault", "a", "", kVault)}});
  auto f = r.Of("GSP-ESO-010");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("not defined in selected namespace b "), std::string::npos);
  EXPECT_EQ(f[0]->related.size(), 1u);
  EXPECT_TRUE(r.Of("GSP-ESO-003").empty());
}

TEST(Eso011, RefreshSettings) {
  auto n = [](const std::string& spec) {
    return Lint({{"es.yaml", Es("a", "x", "    name: s\n", spec)}}).Of("GSP-ESO-011").size();
  };
  const std::string data = "  data:\n    - secretKey: k\n      remoteRef: {key: a}\n";
  EXPECT_EQ(n("  refreshInterval: \"0\"\n" + data), 1u);
  EXPECT_EQ(n("  refreshInterval: 0h0m0s\n" + data), 1u);
  EXPECT_EQ(n("  refreshInterval: 1h0m0s\n" + data), 0u);
  EXPECT_EQ(n("  refreshInterval: 10s\n" + data), 0u);  // only a CES fan-out is reported
  EXPECT_EQ(n("  refreshPolicy: CreatedOnce\n" + data), 1u);
  EXPECT_EQ(n("  refreshPolicy: OnChange\n  refreshInterval: 0s\n" + data), 0u);
  auto r = Lint(
      {{"c.yaml",
        "apiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\nmetadata:\n  name: c\n"
        "spec:\n  namespaces: [a, b, c]\n  externalSecretSpec:\n    refreshInterval: 15s\n"
        "    secretStoreRef: {name: s, kind: ClusterSecretStore}\n    dataFrom:\n"
        "      - extract: {key: x}\n"}});
  auto f = r.Of("GSP-ESO-011");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("in each of 3 namespace(s)"), std::string::npos);
}

TEST(EsoRealWorld, UpstreamSnippets) {
  auto r = Lint(RealWorldTree("external-secrets__external-secrets"));
  EXPECT_TRUE(r.Has("GSP-ESO-008", "docs/snippets/azkv-secret-store-mi.yaml"));  // ManagedIdentity
  EXPECT_TRUE(r.Has("GSP-ESO-003",
                    "docs/snippets/gcpsm-external-secret.yaml"));  // gcp-store not in the snippets
  EXPECT_TRUE(r.Has("GSP-ESO-005", "docs/snippets/fake-provider-store.yaml"));
  // full-secret-store.yaml's `namespace: ...` placeholders are not cross-namespace references.
  EXPECT_TRUE(r.Of("GSP-ESO-006").empty());
  // CRD schema snapshots (objects without metadata.name) are not manifests.
  for (const auto& f : r.findings) {
    if (f.rule_id.rfind("GSP-ESO-", 0) == 0) {
      EXPECT_EQ(f.location.path.find("__snapshot__"), std::string::npos) << f.message;
    }
  }
}

TEST(EsoRealWorld, OnePasswordHomeOps) {
  auto r = Lint(RealWorldTree("bjw-s-labs__home-ops"));
  // Every ExternalSecret resolves to the onepassword-connect ClusterSecretStore, which has no
  // conditions.
  EXPECT_TRUE(r.Of("GSP-ESO-003").empty());
  EXPECT_TRUE(r.Of("GSP-ESO-004").empty());
  auto f = r.Of("GSP-ESO-005");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("(12 reference(s) in the repo)"), std::string::npos);
}

TEST(EsoCatalog, ElevenPoliciesWithExamples) {
  size_t n = 0;
  for (const auto& r : PolicyCatalog()) {
    if (r.id.rfind("GSP-ESO-", 0) != 0) continue;
    ++n;
    EXPECT_FALSE(r.description.empty()) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_FALSE(r.references.empty()) << r.id;
  }
  EXPECT_EQ(n, 11u);
}

TEST(EsoRobustness, WrongTypesEverywhere) {
  // Lists where maps belong and the reverse: no crash, and the store still resolves.
  auto r = Lint({{"a.yaml",
                  "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: a\n  namespace: x\n"
                  "spec:\n  secretStoreRef: [1]\n  target: 3\n  data: {a: b}\n  dataFrom: [1, [2], {sourceRef: 4}]\n"
                  "  refreshInterval: {a: 1}\n---\napiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\n"
                  "metadata:\n  name: c\nspec:\n  conditions: [1, {namespaces: 2}, {namespaceSelector: [3]}]\n"
                  "  provider:\n    azurekv: [1]\n---\napiVersion: external-secrets.io/v1\nkind: ClusterExternalSecret\n"
                  "metadata:\n  name: d\nspec:\n  namespaceSelectors: 5\n  externalSecretSpec:\n"
                  "    secretStoreRef: {name: c, kind: ClusterSecretStore}\n    data: [{remoteRef: 1}]\n"}});
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.Of("GSP-ESO-002").empty());
  EXPECT_TRUE(r.Of("GSP-ESO-003").empty());
}

}  // namespace
}  // namespace vigil
