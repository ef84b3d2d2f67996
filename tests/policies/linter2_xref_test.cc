// GSP-XREF-001..002: the secret producer/consumer graph (catalog s.4.2).
#include <gtest/gtest.h>

#include <set>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::RealWorldTree;

TEST(Xref001, EveryConsumerKindIsResolved) {
  auto r = Lint({{"apps/kustomization.yaml", R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [api.yaml, db.yaml, ingress.yaml, cert.yaml]
secretGenerator:
  - name: gen
    literals: [a=b]
)"},
                 {"apps/api.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: x
          env:
            - name: A
              valueFrom: {secretKeyRef: {name: db, key: password}}
            - name: B
              valueFrom: {secretKeyRef: {name: missing-env, key: k}}
            - name: C
              valueFrom: {secretKeyRef: {name: maybe, key: k, optional: true}}
          envFrom:
            - secretRef: {name: gen}
      volumes:
        - name: s
          secret: {secretName: missing-vol}
        - name: p
          projected:
            sources:
              - secret: {name: tls}
)"},
                 {"apps/db.yaml", R"(apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db
spec:
  encryptedData: {password: AgBx}
)"},
                 {"apps/ingress.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  tls:
    - secretName: tls
    - secretName: missing-tls
)"},
                 {"apps/cert.yaml", R"(apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: api
spec:
  secretName: tls
)"}});
  auto f = r.Of("GSP-XREF-001");
  std::set<std::string> names;
  for (const Finding* x : f) {
    names.insert(x->key);
    EXPECT_EQ(x->severity, Severity::kInfo);
    EXPECT_NE(x->message.find("no producer"), std::string::npos);
    EXPECT_NE(x->message.find("Secret shop/missing-"), std::string::npos) << x->message;
  }
  EXPECT_EQ(f.size(), 3u);
  EXPECT_TRUE(names.count("env secretKeyRef"));
  EXPECT_TRUE(names.count("secret volume"));
  EXPECT_TRUE(names.count("Ingress tls"));
}

TEST(Xref001, FluxAndStoreRefsWithOtherNamespaceProducer) {
  auto r = Lint({{"clusters/prod/apps.yaml", R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./apps
  decryption:
    provider: sops
    secretRef:
      name: sops-age
  postBuild:
    substituteFrom:
      - kind: Secret
        name: cluster-secrets
      - kind: ConfigMap
        name: cluster-settings
)"},
                 {"apps/age.sops.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: sops-age
  namespace: default
stringData:
  age.agekey: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]
sops:
  mac: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]
  version: 3.9.0
)"},
                 {"stores.yaml", R"(apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault
spec:
  provider:
    vault:
      server: https://vault.example
      caProvider: {type: ConfigMap, name: kube-root-ca.crt, key: ca.crt, namespace: eso}
      auth:
        tokenSecretRef: {name: vault-token, key: token, namespace: eso}
    azurekv:
      authSecretRef:
        clientId: {name: azure-sp, key: client-id}
)"}});
  auto f = r.Of("GSP-XREF-001");
  ASSERT_EQ(f.size(), 3u);
  bool age = false, subst = false, token = false;
  for (const Finding* x : f) {
    if (x->message.find("flux-system/sops-age") != std::string::npos) {
      age = true;
      EXPECT_NE(x->message.find("produced in default by SOPS-encrypted Secret"), std::string::npos);
      ASSERT_EQ(x->related.size(), 1u);
      EXPECT_EQ(x->related[0].location.path, "apps/age.sops.yaml");
    }
    if (x->message.find("flux-system/cluster-secrets") != std::string::npos) subst = true;
    if (x->message.find("eso/vault-token") != std::string::npos) token = true;
  }
  EXPECT_TRUE(age && subst && token);  // no ConfigMap, no referent (namespace-less) selector
}

TEST(Xref002, TwoMechanismsOneBuild) {
  auto r = Lint({{"apps/kustomization.yaml", R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [es.yaml, plain.yaml]
)"},
                 {"apps/es.yaml", R"(apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-es
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault}
  target: {name: db}
  data:
    - secretKey: password
      remoteRef: {key: db}
)"},
                 {"apps/plain.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${DB_PASSWORD}
)"}});
  auto f = r.Of("GSP-XREF-002");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.path, "apps/es.yaml");
  EXPECT_NE(f[0]->message.find("Secret shop/db is produced by ExternalSecret and also by plain Secret"),
            std::string::npos);
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "apps/plain.yaml");
}

TEST(Xref002, SampleNamesAreNotObjects) {
  auto r = Lint({{"a/sealed.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: NAME\n  namespace: NAMESPACE\nspec:\n  encryptedData: {a: AgBx}\n"},
                 {"a/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: NAME\n  namespace: NAMESPACE\nstringData: {a: b}\n"}});
  EXPECT_TRUE(r.Of("GSP-XREF-002").empty());
}

// Real-world corpus, one repository at a time (a real scan sees one repo; the
// corpus side by side would let one repo's producers satisfy another's refs).
TEST(XrefRealWorld, PerRepository) {
  // onedr0p/home-ops: five Flux Kustomizations decrypt with sops-age, which is
  // bootstrapped out of band (never committed) -> info.
  auto home = Lint(RealWorldTree("onedr0p__home-ops"));
  auto f = home.Of("GSP-XREF-001");
  EXPECT_EQ(f.size(), 5u);
  for (const Finding* x : f) EXPECT_NE(x->message.find("flux-system/sops-age"), std::string::npos);
  // bjw-s commits it (SOPS-encrypted): nothing to report.
  EXPECT_TRUE(Lint(RealWorldTree("bjw-s__home-ops")).Of("GSP-XREF-001").empty());
  // ESO docs snippets: store auth Secrets exist only in prose; the caProvider
  // ConfigMap and `namespace: ...` placeholders are not reported.
  auto eso = Lint(RealWorldTree("external-secrets__external-secrets"));
  for (const Finding* x : eso.Of("GSP-XREF-001")) {
    EXPECT_EQ(x->message.find("kube-root-ca.crt"), std::string::npos);
    EXPECT_EQ(x->message.find("..."), std::string::npos);
  }
  EXPECT_EQ(eso.Of("GSP-XREF-001").size(), 15u);
  // HariSekhon's sample Secret and SealedSecret both named NAME: not a conflict.
  EXPECT_TRUE(Lint(RealWorldTree("HariSekhon__Kubernetes-configs")).Of("GSP-XREF-002").empty());
}

TEST(XrefCatalog, Examples) {
  for (const auto& f : testing::ExampleFailures({"GSP-XREF"})) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace vigil
