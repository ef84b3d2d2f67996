// BuildSecretGraph (policies/graph.h) on multi-file trees: producers and
// consumers joined per namespace through kustomize namespaces, every producer
// mechanism, unresolved and unconsumed Secrets, and bad input.
#include "policies/graph.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "policies/linter.h"
#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

const GraphSecret* Find(const SecretGraph& g, const std::string& ns, const std::string& name) {
  for (const auto& n : g.namespaces) {
    if (n.name != ns) continue;
    for (const auto& s : n.secrets) {
      if (s.name == name) return &s;
    }
  }
  return nullptr;
}

std::vector<std::string> Hows(const GraphSecret& s) {
  std::vector<std::string> out;
  for (const auto& c : s.consumers) out.push_back(c.kind + "/" + c.name + ":" + c.how);
  return out;
}

// A shop namespace set by kustomize, a payments namespace written in the
// manifests, a tools namespace that holds a pull secret the shop also wants.
std::map<std::string, std::string> ShopTree() {
  return {
      {"apps/shop/kustomization.yaml", R"(apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [api.yaml, db.yaml, cert.yaml, ingress.yaml, spc.yaml]
secretGenerator:
  - name: api-flags
    literals: [mode=fast]
)"},
      {"apps/shop/api.yaml", R"(apiVersion: apps/v1
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
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
            - name: OPTIONAL
              valueFrom: {secretKeyRef: {name: maybe, key: k, optional: true}}
          envFrom:
            - secretRef: {name: api-flags}
      volumes:
        - name: missing
          secret: {secretName: missing-vol}
        - name: kv
          csi:
            driver: secrets-store.csi.k8s.io
            volumeAttributes: {secretProviderClass: kv}
      imagePullSecrets:
        - name: regcred
)"},
      {"apps/shop/db.yaml", R"(apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db
spec:
  encryptedData: {password: AgBxFAKE}
)"},
      {"apps/shop/cert.yaml", R"(apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop-tls
spec:
  secretName: shop-tls
  issuerRef: {name: le, kind: ClusterIssuer}
)"},
      {"apps/shop/ingress.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  tls:
    - secretName: shop-tls
)"},
      {"apps/shop/spc.yaml", R"(apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: kv
spec:
  provider: azure
  secretObjects:
    - secretName: kv-synced
      type: Opaque
      data: [{objectName: a, key: a-key}]
)"},
      {"tools/regcred.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: tools
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{}}'
)"},
      {"payments/release.yaml", R"(apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: payments
  namespace: payments
spec:
  valuesFrom:
    - kind: Secret
      name: stripe
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: stripe
  namespace: payments
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: kv}
  target: {name: stripe}
  data:
    - secretKey: api-key
      remoteRef: {key: stripe-api-key}
)"},
      {"shared/cluster-es.yaml", R"(apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata:
  name: shared
spec:
  namespaceSelectors:
    - matchLabels: {shared: "true"}
  externalSecretSpec:
    secretStoreRef: {kind: ClusterSecretStore, name: kv}
    target: {name: shared-ca}
    data:
      - secretKey: ca.crt
        remoteRef: {key: ca}
)"},
  };
}

TEST(SecretGraph, JoinsProducersAndConsumersPerNamespace) {
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory(ShopTree(), &errors);
  EXPECT_TRUE(errors.empty());

  // Namespaces sorted, the any-namespace group last.
  std::vector<std::string> names;
  for (const auto& n : g.namespaces) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"payments", "shop", "tools", "*"}));

  // SealedSecret -> env secretKeyRef, the namespace coming from kustomize.
  const GraphSecret* db = Find(g, "shop", "db");
  ASSERT_NE(db, nullptr);
  ASSERT_EQ(db->producers.size(), 1u);
  EXPECT_EQ(db->producers[0].mechanism, "SealedSecret");
  EXPECT_EQ(db->producers[0].family, "sealed");
  EXPECT_EQ(db->producers[0].at.path, "apps/shop/db.yaml");
  EXPECT_EQ(db->producers[0].at.line, 4u);  // metadata.name
  EXPECT_EQ(db->producers[0].keys, (std::vector<std::string>{"password"}));
  EXPECT_EQ(Hows(*db), (std::vector<std::string>{"Deployment/api:env secretKeyRef"}));
  EXPECT_EQ(db->consumers[0].at.path, "apps/shop/api.yaml");
  EXPECT_EQ(db->consumers[0].at.line, 13u);  // the name scalar

  // secretGenerator -> envFrom.
  const GraphSecret* flags = Find(g, "shop", "api-flags");
  ASSERT_NE(flags, nullptr);
  ASSERT_EQ(flags->producers.size(), 1u);
  EXPECT_EQ(flags->producers[0].family, "generator");
  EXPECT_EQ(flags->producers[0].at.path, "apps/shop/kustomization.yaml");
  EXPECT_EQ(Hows(*flags), (std::vector<std::string>{"Deployment/api:envFrom secretRef"}));

  // Certificate -> Ingress tls.
  const GraphSecret* tls = Find(g, "shop", "shop-tls");
  ASSERT_NE(tls, nullptr);
  ASSERT_EQ(tls->producers.size(), 1u);
  EXPECT_EQ(tls->producers[0].family, "cert-manager");
  EXPECT_EQ(Hows(*tls), (std::vector<std::string>{"Ingress/shop:Ingress tls"}));

  // ExternalSecret target -> HelmRelease valuesFrom.
  const GraphSecret* stripe = Find(g, "payments", "stripe");
  ASSERT_NE(stripe, nullptr);
  ASSERT_EQ(stripe->producers.size(), 1u);
  EXPECT_EQ(stripe->producers[0].kind, "ExternalSecret");
  EXPECT_EQ(stripe->producers[0].at.line, 18u);  // target.name
  EXPECT_EQ(Hows(*stripe),
            (std::vector<std::string>{"HelmRelease/payments:HelmRelease valuesFrom"}));

  // The optional reference is not a consumer.
  EXPECT_EQ(Find(g, "shop", "maybe"), nullptr);
}

TEST(SecretGraph, UnresolvedAndUnconsumedAreVisible) {
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory(ShopTree(), &errors);

  const GraphSecret* missing = Find(g, "shop", "missing-vol");
  ASSERT_NE(missing, nullptr);
  EXPECT_FALSE(missing->resolved());
  EXPECT_EQ(Hows(*missing), (std::vector<std::string>{"Deployment/api:secret volume"}));

  // The pull secret exists only in tools: unresolved in shop, unconsumed in tools.
  const GraphSecret* reg_shop = Find(g, "shop", "regcred");
  ASSERT_NE(reg_shop, nullptr);
  EXPECT_FALSE(reg_shop->resolved());
  EXPECT_EQ(Hows(*reg_shop), (std::vector<std::string>{"Deployment/api:imagePullSecrets"}));
  const GraphSecret* reg_tools = Find(g, "tools", "regcred");
  ASSERT_NE(reg_tools, nullptr);
  EXPECT_TRUE(reg_tools->resolved());
  EXPECT_TRUE(reg_tools->consumers.empty());
  EXPECT_EQ(reg_tools->producers[0].mechanism, "plain Secret");
  EXPECT_EQ(reg_tools->producers[0].type, "kubernetes.io/dockerconfigjson");

  // CSI secretObjects nothing reads, in the SPC's (kustomize) namespace.
  const GraphSecret* synced = Find(g, "shop", "kv-synced");
  ASSERT_NE(synced, nullptr);
  EXPECT_EQ(synced->producers[0].family, "csi");
  EXPECT_EQ(synced->producers[0].keys, (std::vector<std::string>{"a-key"}));
  EXPECT_TRUE(synced->consumers.empty());

  // A ClusterExternalSecret with selectors lands in "any namespace".
  const GraphSecret* ca = Find(g, "*", "shared-ca");
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(ca->producers[0].mechanism, "ClusterExternalSecret");
}

TEST(SecretGraph, AnyNamespaceProducerServesConsumersWhereTheyAre) {
  auto tree = ShopTree();
  // A workload in namespace team-a reads the ClusterExternalSecret's target.
  tree["team-a/job.yaml"] = R"(apiVersion: batch/v1
kind: CronJob
metadata:
  name: sync
  namespace: team-a
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: x
              volumeMounts: [{name: ca, mountPath: /ca}]
          volumes:
            - name: ca
              projected:
                sources:
                  - secret: {name: shared-ca}
)";
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory(tree, &errors);
  const GraphSecret* ca = Find(g, "team-a", "shared-ca");
  ASSERT_NE(ca, nullptr);
  ASSERT_TRUE(ca->resolved());
  EXPECT_EQ(ca->producers[0].ns, "*");
  EXPECT_EQ(Hows(*ca), (std::vector<std::string>{"CronJob/sync:projected secret volume"}));
  // Served, so no longer listed on its own.
  EXPECT_EQ(Find(g, "*", "shared-ca"), nullptr);
}

TEST(SecretGraph, ServiceAccountAndFluxReferences) {
  std::vector<ScanError> errors;
  SecretGraph g =
      SecretGraphInMemory({{"flux/sources.yaml", R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: infra
  namespace: flux-system
spec:
  url: ssh://git@example.com/infra
  secretRef: {name: infra-deploy-key}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: flux-system
imagePullSecrets:
  - name: ghcr
)"},
                           {"flux/ghcr.yaml", R"(apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: ghcr
  namespace: flux-system
spec:
  encryptedData: {.dockerconfigjson: AgBFAKE}
  template: {type: kubernetes.io/dockerconfigjson}
)"}},
                          &errors);
  const GraphSecret* key = Find(g, "flux-system", "infra-deploy-key");
  ASSERT_NE(key, nullptr);
  EXPECT_FALSE(key->resolved());
  EXPECT_EQ(Hows(*key), (std::vector<std::string>{"GitRepository/infra:GitRepository secretRef"}));
  const GraphSecret* ghcr = Find(g, "flux-system", "ghcr");
  ASSERT_NE(ghcr, nullptr);
  EXPECT_TRUE(ghcr->resolved());
  EXPECT_EQ(Hows(*ghcr), (std::vector<std::string>{"ServiceAccount/builder:imagePullSecrets"}));
}

TEST(SecretGraph, BrokenFileIsReportedAndTheRestIsBuilt) {
  auto tree = ShopTree();
  tree["apps/broken.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: [unclosed\n";
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory(tree, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "apps/broken.yaml");
  EXPECT_GT(errors[0].line, 0u);
  EXPECT_NE(Find(g, "shop", "db"), nullptr);
}

// The graph and the policies agree: on the real-world corpus, the unresolved
// consumers are exactly the GSP-XREF-001 and GSP-PULL-001 findings (one per
// consumer resource, namespace and Secret; counted per file).
TEST(SecretGraph, UnresolvedMatchesXrefAndPullOnRealWorldCorpus) {
  auto files = testing::RealWorldTree();
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory(files, &errors);
  auto lint = testing::Lint(files);
  std::multiset<std::string> from_graph[2], from_lint[2];  // [0] XREF, [1] PULL
  std::set<std::tuple<std::string, std::string, std::string, std::string, std::string, bool>> seen;
  for (const auto& ns : g.namespaces) {
    for (const auto& s : ns.secrets) {
      if (s.resolved()) continue;
      for (const auto& c : s.consumers) {
        bool pull = c.how == "imagePullSecrets";
        if (seen.emplace(ns.name, s.name, c.kind, c.name, c.at.path, pull).second) {
          from_graph[pull].insert(c.at.path);
        }
      }
    }
  }
  for (const auto& f : lint.findings) {
    if (f.rule_id == "GSP-XREF-001") from_lint[0].insert(f.location.path);
    if (f.rule_id == "GSP-PULL-001") from_lint[1].insert(f.location.path);
  }
  EXPECT_GT(from_lint[0].size(), 10u);
  EXPECT_GT(from_lint[1].size(), 5u);
  EXPECT_EQ(from_graph[0], from_lint[0]);
  EXPECT_EQ(from_graph[1], from_lint[1]);
}

TEST(SecretGraph, EmptyTree) {
  std::vector<ScanError> errors;
  SecretGraph g = SecretGraphInMemory({{"README.md", "# nothing\n"}}, &errors);
  EXPECT_TRUE(g.namespaces.empty());
}

}  // namespace
}  // namespace vigil
