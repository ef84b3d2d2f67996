// The Secret producers of a repo, shared by the PULL and XREF families
// (policies/pull.cc defines them): plain or SOPS Secrets, SealedSecrets,
// ExternalSecret / ClusterExternalSecret targets, CSI secretObjects and
// kustomize secretGenerators, one entry per namespace they land in; and
// their consumers (policies/xref.cc defines CollectSecretConsumers, also used
// by PULL, CSI and the graph): every place a resource names a Secret (env,
// volumes, imagePullSecrets, Ingress tls, Flux secretRefs, HelmRelease
// valuesFrom, ESO store auth...). The records point into the ResourceIndex
// they came from and live as long as it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"

namespace vigil {

inline constexpr char kAnyNamespace[] = "*";

struct SecretProducer {
  std::string ns;    // "" = not written (applied with the consumer), "*" = several/unknown
  std::string name;
  std::string mechanism;  // "plain Secret", "SealedSecret", ...
  std::string family;     // "secret", "sops", "sealed", "eso", "csi", "generator"
  const Resource* r = nullptr;   // nullptr for secretGenerator
  const ManifestFile* file = nullptr;
  const YNode* at = nullptr;
  std::string via;        // the build (placement.via) that puts it there
  std::string type;       // the Secret type it yields ("" = Opaque by default)
  const YNode* type_at = nullptr;
  bool type_known = true;
  std::set<std::string> keys;
  bool keys_known = true;
  bool plaintext = false;  // a kind: Secret in clear text in the repo
};

// True for a valid object name (DNS-1123 subdomain): lower-case letters,
// digits, '-' and '.', starting and ending alphanumeric. Sample names such as
// NAME, NAMESPACE or "..." are not.
inline bool IsObjectName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(s.front()) && alnum(s.back());
}

std::vector<SecretProducer> CollectSecretProducers(const ResourceIndex& index);

// Appends the cert-manager Certificates (spec.secretName) as producers, one
// per namespace they land in (XREF and the graph count them; PULL does not).
void AddCertificateProducers(const ResourceIndex& index, std::vector<SecretProducer>* out);

// One reference from a resource to a Secret by name.
struct SecretConsumer {
  const Resource* r = nullptr;  // the consumer
  const YNode* at = nullptr;    // the name scalar
  std::string name;             // the Secret's name
  std::string ns;               // where it is looked up ("" = unknown)
  std::string how;              // "env secretKeyRef", "secret volume", "imagePullSecrets", ...
  // imagePullSecrets: where the list is ("pod template", "ServiceAccount");
  // "" for every other reference (PULL checks these, XREF the others).
  std::string pull_from;
  const YNode* pod_spec = nullptr;  // the pod spec the reference is in (nullptr elsewhere)
};

// A CSI volume (any driver) of a pod spec, with the namespaces the pod lands in.
struct CsiVolume {
  const Resource* r = nullptr;
  const YNode* pod_spec = nullptr;
  const YNode* volume = nullptr;  // the volumes[] item; its `csi` is a map
  std::set<std::string> namespaces;
};

// What CollectSecretConsumers reports beyond the references XREF, PULL and
// the graph check (the defaults).
struct ConsumerOptions {
  // Also the references marked `optional: true` and the tls Secrets of
  // Ingresses that cert-manager annotates: every use of a Secret (CSI-008).
  bool all_uses = false;
  // Pod specs in HelmRelease / Argo CD Application values land in the
  // release's target namespace (spec.targetNamespace,
  // spec.destination.namespace) rather than in the resource's own.
  bool target_namespace = false;
  // When set, receives every CSI volume of the pod specs walked.
  std::vector<CsiVolume>* csi_volumes = nullptr;
};

// Every Secret reference of the working-tree resources, in resource order:
// pod specs of any kind (env secretKeyRef, envFrom, secret/projected volumes,
// CSI nodePublishSecretRef, imagePullSecrets), ServiceAccount
// imagePullSecrets, Ingress tls (unless cert-manager annotates it), Flux
// sources / Kustomization / HelmRelease secret refs, ESO store auth
// selectors. Templated and invalid names are skipped, and optional
// references unless options.all_uses; one record per namespace the consumer
// lands in.
std::vector<SecretConsumer> CollectSecretConsumers(const ResourceIndex& index,
                                                   const ConsumerOptions& options = {});

// True when a producer may serve a consumer in namespace `ns` ("" = unknown).
inline bool ProducerServes(const SecretProducer& p, const std::string& ns) {
  return p.ns == ns || p.ns.empty() || p.ns == kAnyNamespace || ns.empty();
}

}  // namespace vigil
