// Producer/consumer graph policies GSP-XREF-001..002 (catalog s.4.2): secret
// references with no producer in the repo (info: may be bootstrapped out of
// band), and a Secret produced by more than one mechanism. The producers come
// from CollectSecretProducers (pull.cc), the consumers from
// CollectSecretConsumers (defined here, shared with pull.cc, csi.cc and the graph);
// imagePullSecrets are left to PULL-001.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "policies/secret_graph.h"

namespace vigil {
namespace {

using Ref = SecretConsumer;

bool Templated(const std::string& s) {
  return s.find("{{") != std::string::npos || s.find("${") != std::string::npos ||
         s.find("$(") != std::string::npos;
}

bool Optional(const YNode* n) { return n != nullptr && n->Str("optional") == "true"; }

// One CollectSecretConsumers run.
struct Walk {
  const ConsumerOptions& options;
  std::vector<Ref>* out;

  // False for a reference the run leaves out (optional, unless all_uses).
  bool Wanted(const YNode* ref) const { return ref != nullptr && (options.all_uses || !Optional(ref)); }

  void Push(const Resource& r, const YNode* name_node, const std::string& how,
            const std::set<std::string>& nss, const std::string& pull_from = "",
            const YNode* pod_spec = nullptr) {
    if (name_node == nullptr || !name_node->IsScalar() || name_node->value.empty() ||
        Templated(name_node->value) || !IsObjectName(name_node->value))
      return;
    for (const auto& ns : nss) out->push_back(Ref{&r, name_node, name_node->value, ns, how, pull_from, pod_spec});
  }
  void Push(const Resource& r, const YNode* name_node, const std::string& how) {
    Push(r, name_node, how, Namespaces(r));
  }

  // imagePullSecrets: [{name: ...}] of a pod spec or a ServiceAccount.
  void PullRefs(const Resource& r, const YNode* list, const std::string& where,
                const std::set<std::string>& nss, const YNode* pod_spec = nullptr) {
    if (list == nullptr || !list->IsSeq()) return;
    for (const auto& item : list->values) {
      if (item.IsMap()) Push(r, item.Get("name"), "imagePullSecrets", nss, where, pod_spec);
    }
  }

  // The namespaces a pod spec of `r` runs in.
  std::set<std::string> PodNamespaces(const Resource& r) const {
    if (options.target_namespace) {
      const YNode* tn = nullptr;
      if (r.kind == "HelmRelease") {
        tn = r.node->Path("spec.targetNamespace");
      } else if (r.kind == "Application" && r.api_version.rfind("argoproj.io", 0) == 0) {
        tn = r.node->Path("spec.destination.namespace");
      }
      if (tn != nullptr && tn->IsScalar() && IsObjectName(tn->value)) return {tn->value};
    }
    return Namespaces(r);
  }

  void PodSpecRefs(const Resource& r, const YNode& spec) {
    std::set<std::string> nss = PodNamespaces(r);
    auto push = [&](const YNode* name_node, const char* how) { Push(r, name_node, how, nss, "", &spec); };
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
      const YNode* cs = spec.Get(list);
      if (cs == nullptr || !cs->IsSeq()) continue;
      for (const auto& c : cs->values) {
        if (const YNode* env = c.Get("env"); env != nullptr && env->IsSeq()) {
          for (const auto& e : env->values) {
            const YNode* ref = e.Path("valueFrom.secretKeyRef");
            if (Wanted(ref)) push(ref->Get("name"), "env secretKeyRef");
          }
        }
        if (const YNode* ef = c.Get("envFrom"); ef != nullptr && ef->IsSeq()) {
          for (const auto& e : ef->values) {
            const YNode* ref = e.Get("secretRef");
            if (Wanted(ref)) push(ref->Get("name"), "envFrom secretRef");
          }
        }
      }
    }
    if (const YNode* vols = spec.Get("volumes"); vols != nullptr && vols->IsSeq()) {
      for (const auto& v : vols->values) {
        if (const YNode* s = v.Get("secret"); Wanted(s)) push(s->Get("secretName"), "secret volume");
        if (const YNode* src = v.Path("projected.sources"); src != nullptr && src->IsSeq()) {
          for (const auto& s : src->values) {
            const YNode* sec = s.Get("secret");
            if (Wanted(sec)) push(sec->Get("name"), "projected secret volume");
          }
        }
        if (const YNode* np = v.Path("csi.nodePublishSecretRef")) {
          push(np->Get("name"), "CSI nodePublishSecretRef");
        }
        if (const YNode* csi = v.Get("csi"); options.csi_volumes != nullptr && csi != nullptr && csi->IsMap()) {
          options.csi_volumes->push_back(CsiVolume{&r, &spec, &v, nss});
        }
      }
    }
    PullRefs(r, spec.Get("imagePullSecrets"), "pod template", nss, &spec);
  }

  // ESO SecretKeySelectors ({name, key[, namespace]}) below a store's provider.
  void StoreRefs(const Resource& r, const YNode& n, bool cluster, int depth) {
    if (depth > 12) return;
    if (n.IsMap()) {
      const YNode* name = n.Get("name");
      const YNode* key = n.Get("key");
      if (name != nullptr && name->IsScalar() && key != nullptr && key->IsScalar()) {
        if (n.Str("type") == "ConfigMap") return;  // caProvider of type ConfigMap
        std::string ns = n.Str("namespace");
        // A ClusterSecretStore selector without namespace resolves in each
        // consumer's namespace (referent auth): not a single Secret to find.
        if (cluster && ns.empty()) return;
        if (ns.empty()) {
          Push(r, name, r.kind + " auth secret");
        } else if (!Templated(ns) && IsObjectName(ns)) {
          Push(r, name, r.kind + " auth secret", {ns});
        }
        return;
      }
      for (const auto& v : n.values) StoreRefs(r, v, cluster, depth + 1);
    } else if (n.IsSeq()) {
      for (const auto& v : n.values) StoreRefs(r, v, cluster, depth + 1);
    }
  }
};

}  // namespace

std::vector<SecretConsumer> CollectSecretConsumers(const ResourceIndex& index, const ConsumerOptions& options) {
  static const std::set<std::string> kFluxSources = {"GitRepository", "HelmRepository", "OCIRepository",
                                                     "Bucket", "ImageRepository", "Receiver", "Provider"};
  std::vector<Ref> out;
  Walk w{options, &out};
  for (const auto& r : index.resources()) {
    if (r.file->from_history) continue;
    if (r.kind == "ServiceAccount") {
      w.PullRefs(r, r.node->Get("imagePullSecrets"), "ServiceAccount", Namespaces(r));
      continue;
    }
    const YNode* spec = r.node->Get("spec");
    bool flux = r.api_version.find("toolkit.fluxcd.io") != std::string::npos;
    if (r.kind == "Ingress" && spec != nullptr) {
      // cert-manager's ingress-shim creates the TLS Secrets of annotated Ingresses.
      if (!options.all_uses &&
          (r.HasAnnotation("cert-manager.io/cluster-issuer") || r.HasAnnotation("cert-manager.io/issuer")))
        continue;
      if (const YNode* tls = spec->Get("tls"); tls != nullptr && tls->IsSeq()) {
        for (const auto& t : tls->values) w.Push(r, t.Get("secretName"), "Ingress tls");
      }
      continue;
    }
    if (flux && spec != nullptr) {
      if (kFluxSources.count(r.kind)) w.Push(r, spec->Path("secretRef.name"), r.kind + " secretRef");
      if (index.IsFluxKustomization(r)) {
        w.Push(r, spec->Path("decryption.secretRef.name"), "Kustomization decryption.secretRef");
        w.Push(r, spec->Path("kubeConfig.secretRef.name"), "Kustomization kubeConfig.secretRef");
        if (const YNode* sf = spec->Path("postBuild.substituteFrom"); sf != nullptr && sf->IsSeq()) {
          for (const auto& s : sf->values) {
            if (s.Str("kind") == "Secret" && w.Wanted(&s)) {
              w.Push(r, s.Get("name"), "Kustomization postBuild.substituteFrom");
            }
          }
        }
      }
      if (r.kind == "HelmRelease") {
        if (const YNode* vf = spec->Get("valuesFrom"); vf != nullptr && vf->IsSeq()) {
          for (const auto& s : vf->values) {
            if (s.Str("kind") == "Secret" && w.Wanted(&s)) w.Push(r, s.Get("name"), "HelmRelease valuesFrom");
          }
        }
      }
    }
    if ((r.kind == "SecretStore" || r.kind == "ClusterSecretStore") &&
        r.api_version.rfind("external-secrets.io", 0) == 0 && spec != nullptr) {
      if (const YNode* prov = spec->Get("provider")) w.StoreRefs(r, *prov, r.kind == "ClusterSecretStore", 0);
      continue;
    }
    if (r.kind == "Secret" || r.kind == "SealedSecret" || r.kind == "ConfigMap") continue;
    for (const YNode* s : r.pod_specs) w.PodSpecRefs(r, *s);
  }
  return out;
}

void AddCertificateProducers(const ResourceIndex& index, std::vector<SecretProducer>* producers) {
  for (const auto& r : index.resources()) {
    if (r.kind != "Certificate" || r.api_version.rfind("cert-manager.io", 0) != 0 || r.file->from_history) continue;
    const YNode* sn = r.node->Path("spec.secretName");
    if (sn == nullptr || !sn->IsScalar()) continue;
    for (const auto& ns : Namespaces(r)) {
      SecretProducer p;
      p.ns = ns;
      p.name = sn->value;
      p.mechanism = "cert-manager Certificate";
      p.family = "cert-manager";
      p.r = &r;
      p.file = r.file;
      p.at = sn;
      p.type = "kubernetes.io/tls";
      producers->push_back(std::move(p));
    }
  }
}

namespace {

std::string NsText(const std::string& ns) { return ns.empty() ? "(no namespace)" : ns; }

// The repository a path belongs to when several are scanned side by side is
// not known; two producers conflict only within one build (or one directory).
bool SameBuild(const SecretProducer& a, const SecretProducer& b) {
  if (!a.via.empty() || !b.via.empty()) return a.via == b.via;
  return DirName(a.file->path) == DirName(b.file->path);
}

}  // namespace

void RunXrefPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  // Certificates (cert-manager) produce their spec.secretName too.
  std::vector<SecretProducer> certificates;
  AddCertificateProducers(index, &certificates);
  std::vector<const SecretProducer*> producers;  // the shared ones, then the Certificates
  for (const auto& p : index.SharedProducers()) producers.push_back(&p);
  for (const auto& p : certificates) producers.push_back(&p);
  std::map<std::string, std::vector<const SecretProducer*>> by_name;
  for (const SecretProducer* p : producers) by_name[p->name].push_back(p);

  // XREF-001.
  std::set<std::string> done;
  for (const Ref& ref : index.SharedConsumers()) {
    if (!ref.pull_from.empty()) continue;  // imagePullSecrets: PULL-001
    std::vector<const SecretProducer*> same, other;
    for (const SecretProducer* p : by_name[ref.name]) (ProducerServes(*p, ref.ns) ? same : other).push_back(p);
    if (!same.empty()) continue;
    std::string disc = ref.r->Id() + "@" + ref.ns + ":secret." + ref.name;
    if (!done.insert(ref.r->file->path + "#" + disc).second) continue;
    LintContext::Report rep;
    rep.policy = "GSP-XREF-001";
    rep.file = ref.r->file;
    rep.at = ref.at;
    rep.object = ref.r;
    rep.key = ref.how;
    rep.discriminator = disc;
    rep.message = Describe(*ref.r) + " references Secret " + (ref.ns.empty() ? "" : ref.ns + "/") + ref.name + " (" + ref.how +
                  "): no producer for it in the repo";
    if (!other.empty()) {
      std::set<std::string> nss;
      for (const SecretProducer* p : other) nss.insert(p->ns);
      std::string list;
      for (const auto& n : nss) list += (list.empty() ? "" : ", ") + n;
      rep.message += " in that namespace (a Secret of that name is produced in " + list + " by " +
                     other[0]->mechanism + ")";
      for (const SecretProducer* p : other) {
        rep.related.push_back(LintContext::Related(p->file, p->at, p->mechanism + " in namespace " + NsText(p->ns)));
      }
    } else {
      rep.message += " (no Secret, SealedSecret, ExternalSecret, CSI secretObjects, secretGenerator or Certificate)";
    }
    rep.message += "; it may be bootstrapped out of band";
    ctx.Add(std::move(rep));
  }

  // XREF-002.
  std::map<std::string, std::vector<const SecretProducer*>> by_id;
  for (const SecretProducer* p : producers) {
    if (p->ns.empty() || p->ns == kAnyNamespace || !IsObjectName(p->name) || !IsObjectName(p->ns)) continue;
    by_id[p->ns + "/" + p->name].push_back(p);
  }
  for (auto& [id, list] : by_id) {
    std::stable_sort(list.begin(), list.end(), [](const SecretProducer* a, const SecretProducer* b) {
      return a->file->path < b->file->path;
    });
    std::set<std::string> reported;
    for (size_t i = 0; i < list.size(); ++i) {
      const SecretProducer* b = list[i];
      std::vector<const SecretProducer*> rivals;
      for (size_t j = 0; j < list.size(); ++j) {
        const SecretProducer* a = list[j];
        if (a == b || a->family == b->family || !SameBuild(*a, *b)) continue;
        // SOPS and plain spellings of one Secret are the same mechanism.
        if ((a->family == "secret" || a->family == "sops") && (b->family == "secret" || b->family == "sops")) continue;
        rivals.push_back(a);
      }
      if (rivals.empty() || !reported.insert(b->family).second) continue;
      bool first = true;
      for (const SecretProducer* a : rivals) {
        if (a->file->path < b->file->path || (a->file->path == b->file->path && a->at && b->at && a->at->line < b->at->line)) first = false;
      }
      if (!first) continue;  // report once, at the first producer
      LintContext::Report rep;
      rep.policy = "GSP-XREF-002";
      rep.file = b->file;
      rep.at = b->at;
      rep.object = b->r;
      rep.key = "producer";
      rep.discriminator = "Secret/" + id + ":producers";
      std::string names;
      for (const SecretProducer* a : rivals) {
        names += (names.empty() ? "" : ", ") + a->mechanism + " (" + a->file->path + ")";
        rep.related.push_back(LintContext::Related(a->file, a->at, "also produces Secret " + id + ": " + a->mechanism));
      }
      rep.message = "Secret " + id + " is produced by " + b->mechanism + " and also by " + names +
                    "; the controllers overwrite each other";
      ctx.Add(std::move(rep));
    }
  }
}

}  // namespace vigil
