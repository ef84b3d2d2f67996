// SecretGraph: the secret producer/consumer graph of a tree, per namespace,
// as plain values (standard library only) so that policies/ can build it
// (policies/graph.h: BuildSecretGraph) and reporters/ can print it
// (reporters/graph_writer.h: text, JSON, DOT) without knowing each other.
// It holds names, mechanisms and locations, never a secret's value.
//
// Thread safety: a plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil {

// Where a producer or consumer is written (1-based; line 0 = unknown).
struct GraphLocation {
  std::string path;  // relative to the scan root, '/'-separated
  uint32_t line = 0;
  uint32_t column = 0;
};

// Something that creates the Secret: a plain or SOPS Secret, a SealedSecret,
// an ExternalSecret / ClusterExternalSecret target, CSI secretObjects, a
// kustomize secretGenerator, a cert-manager Certificate.
struct GraphProducer {
  std::string mechanism;  // "SealedSecret", "secretGenerator in apps/kustomization.yaml", ...
  std::string family;     // "secret", "sops", "sealed", "eso", "csi", "generator", "cert-manager"
  std::string kind;       // the producing resource's kind ("" for a secretGenerator)
  std::string resource;   // its metadata.name ("" for a secretGenerator)
  std::string type;       // the Secret type it yields ("" = Opaque / not set)
  std::vector<std::string> keys;  // key names (never values), sorted
  bool keys_known = true;         // false when templates or dataFrom decide the keys
  std::string via;  // the kustomize root / Flux Kustomization that places it ("" = none)
  std::string ns;   // the producer's own namespace: "" = not written, "*" = any/several
  GraphLocation at;
};

// A resource that reads the Secret.
struct GraphConsumer {
  std::string kind;  // "Deployment", "HelmRelease", "ServiceAccount", ...
  std::string name;
  std::string how;   // "env secretKeyRef", "secret volume", "imagePullSecrets", ...
  GraphLocation at;  // the scalar that names the Secret
};

// One Secret name in one namespace with what produces and reads it.
struct GraphSecret {
  std::string name;
  std::vector<GraphProducer> producers;  // empty = unresolved (no producer in the repo)
  std::vector<GraphConsumer> consumers;  // empty = produced but not read by anything in the repo
  bool resolved() const { return !producers.empty(); }
};

// A namespace: "" = unknown (not written, no build sets it), "*" = producers
// that land in any or several namespaces and serve no consumer of the tree.
struct GraphNamespace {
  std::string name;
  std::vector<GraphSecret> secrets;  // sorted by name
};

struct SecretGraph {
  std::vector<GraphNamespace> namespaces;  // sorted by name ("" first, "*" last)
};

}  // namespace vigil
