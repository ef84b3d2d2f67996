// GSP-PULL-001..003: imagePullSecrets resolved against the Secret producers
// of the consumer's namespace (catalog s.1.1, s.4.2).
#include <gtest/gtest.h>

#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;

const char kDeploy[] = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: web
spec:
  template:
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0
)";

TEST(Pull001, ProducedNowhereIsMediumAndPointsAtTheEntry) {
  auto r = Lint({{"apps/web.yaml", kDeploy}});
  auto f = r.Of("GSP-PULL-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kMedium);
  EXPECT_EQ(f[0]->location.path, "apps/web.yaml");
  EXPECT_EQ(f[0]->location.line, 10u);  // the `name: regcred` value
  EXPECT_NE(f[0]->message.find("no Secret 'regcred' is produced in namespace web"), std::string::npos);
  EXPECT_TRUE(f[0]->related.empty());
}

TEST(Pull001, OtherNamespaceIsHighWithRelatedProducer) {
  auto r = Lint({{"apps/web.yaml", kDeploy},
                 {"infra/regcred.yaml", R"(apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: regcred
  namespace: infra
spec:
  encryptedData:
    .dockerconfigjson: AgBx
  template:
    type: kubernetes.io/dockerconfigjson
)"}});
  auto f = r.Of("GSP-PULL-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kHigh);
  EXPECT_NE(f[0]->message.find("only in namespace(s) infra (by SealedSecret)"), std::string::npos);
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "infra/regcred.yaml");
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

TEST(Pull001, FluxTargetNamespaceAndCsiSecretObjects) {
  // The pod has no namespace; Flux puts it into web; the SPC (same build) syncs regcred there.
  auto r = Lint({{"clusters/prod/apps.yaml", R"(apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./apps
  targetNamespace: web
)"},
                 {"apps/pod.yaml", R"(apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  imagePullSecrets:
    - name: regcred
  containers:
    - name: web
      image: ghcr.io/acme/web:1.0
)"},
                 {"apps/spc.yaml", R"(apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata:
  name: acr
spec:
  provider: azure
  secretObjects:
    - secretName: regcred
      type: kubernetes.io/dockerconfigjson
      data:
        - objectName: acr-config
          key: .dockerconfigjson
)"}});
  EXPECT_TRUE(r.Of("GSP-PULL-001").empty());
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

TEST(Pull001, ClusterExternalSecretAndServiceAccount) {
  auto r = Lint({{"sa.yaml", R"(apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: team-a
imagePullSecrets:
  - name: regcred
  - name: "{{ .Values.pullSecret }}"
)"},
                 {"ces.yaml", R"(apiVersion: external-secrets.io/v1
kind: ClusterExternalSecret
metadata:
  name: regcred
spec:
  namespaceSelectors:
    - matchLabels: {pull: "true"}
  externalSecretSpec:
    secretStoreRef: {kind: ClusterSecretStore, name: vault}
    target:
      name: regcred
      template:
        type: kubernetes.io/dockerconfigjson
    data:
      - secretKey: .dockerconfigjson
        remoteRef: {key: regcred}
)"}});
  EXPECT_TRUE(r.Of("GSP-PULL-001").empty());  // templated names are skipped
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

TEST(Pull002, ReportsRegistryHostsNeverCredentials) {
  auto r = Lint({{"apps/web.yaml", kDeploy},
                 {"apps/regcred.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: web
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"registry.acme.io":{"username":"bot","password":"s3cr3t-pull-token-123"},"ghcr.io":{"auth":"${GHCR}"}}}'
)"}});
  auto f = r.Of("GSP-PULL-002");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_EQ(f[0]->location.path, "apps/web.yaml");
  EXPECT_NE(f[0]->message.find("registry.acme.io"), std::string::npos);
  EXPECT_EQ(f[0]->message.find("ghcr.io"), std::string::npos);  // placeholder entry
  EXPECT_EQ(f[0]->message.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(f[0]->secret.find("s3cr3t"), std::string::npos);
  ASSERT_EQ(f[0]->related.size(), 1u);
  EXPECT_EQ(f[0]->related[0].location.path, "apps/regcred.yaml");
  EXPECT_EQ(f[0]->related[0].message.find("s3cr3t"), std::string::npos);
  EXPECT_TRUE(r.Of("GSP-PULL-001").empty());
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

TEST(Pull002, SopsEncryptedSecretIsNotPlaintext) {
  auto r = Lint({{"apps/web.yaml", kDeploy},
                 {"apps/regcred.sops.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: web
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]
sops:
  mac: ENC[AES256_GCM,data:abcd,iv:efgh,tag:ijkl,type:str]
  version: 3.9.0
)"}});
  EXPECT_TRUE(r.Of("GSP-PULL-002").empty());
  EXPECT_TRUE(r.Of("GSP-PULL-001").empty());
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

TEST(Pull003, WrongTypeAndMissingKey) {
  auto r = Lint({{"apps/web.yaml", kDeploy},
                 {"apps/regcred.yaml", R"(apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: regcred
  namespace: web
spec:
  encryptedData:
    config.json: AgBx
  template:
    type: kubernetes.io/dockerconfigjson
)"}});
  auto f = r.Of("GSP-PULL-003");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0]->message.find("has no .dockerconfigjson key"), std::string::npos);

  auto r2 = Lint({{"apps/web.yaml", kDeploy},
                  {"apps/regcred.yaml", R"(apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: web
data:
  .dockerconfigjson: e30=
)"}});
  auto f2 = r2.Of("GSP-PULL-003");
  ASSERT_EQ(f2.size(), 1u);
  EXPECT_NE(f2[0]->message.find("type Opaque (no type set)"), std::string::npos);
}

TEST(PullCatalog, Examples) {
  for (const auto& f : testing::ExampleFailures({"GSP-PULL", "catalog"})) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// The real-world corpus (catalog s.5): the only imagePullSecrets consumers are
// the Kyverno test fixtures, none of which has a producer; the Helm values
// files of the CSI charts (no kind) are not workloads.
TEST(PullRealWorld, OnlyKyvernoFixturesHaveUnproducedPullSecrets) {
  static const auto r = testing::Lint(testing::RealWorldTree());
  auto f = r.Of("GSP-PULL-001");
  EXPECT_EQ(f.size(), 14u);
  for (const Finding* x : f) {
    EXPECT_EQ(x->location.path.rfind("kyverno__policies/other/", 0), 0u) << x->location.path;
    EXPECT_EQ(x->severity, Severity::kMedium);
  }
  EXPECT_TRUE(r.Of("GSP-PULL-002").empty());
  EXPECT_TRUE(r.Of("GSP-PULL-003").empty());
}

}  // namespace
}  // namespace vigil
