// Image pull secret policies GSP-PULL-001..003 (catalog s.1.1, s.4.2): every
// imagePullSecrets entry of a pod template or a ServiceAccount is resolved to
// the Secret producers of the repo in the consumer's namespace (plain or SOPS
// Secret, SealedSecret, ExternalSecret / ClusterExternalSecret target, CSI
// secretObjects, kustomize secretGenerator). Findings point at the consumer's
// entry and name the producer (or its absence); the producers are related
// locations. Pull-secret credentials are decoded only to list registry hosts.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "policies/secret_graph.h"

namespace vigil {
namespace {

using Producer = SecretProducer;

bool Templated(const std::string& s) {
  return s.find("{{") != std::string::npos || s.find("${") != std::string::npos;
}

void MapKeys(const YNode* m, std::set<std::string>* out) {
  if (m == nullptr || !m->IsMap()) return;
  for (const auto& k : m->keys) out->insert(k.value);
}

const YNode* NameNode(const Resource& r) {
  const YNode* n = r.node->Path("metadata.name");
  return n ? n : r.node->KeyNode("kind");
}

}  // namespace

std::vector<SecretProducer> CollectSecretProducers(const ResourceIndex& index) {
  std::vector<Producer> out;
  for (const auto& r : index.resources()) {
    if (r.file->from_history) continue;
    auto each_placement = [&](Producer base) {
      if (r.placements.empty()) {
        base.ns = r.namespace_;
        out.push_back(base);
        return;
      }
      for (const auto& p : r.placements) {
        Producer c = base;
        c.ns = p.namespace_;
        c.via = p.via;
        if (c.name.empty() || c.name == r.name) c.name = p.name;
        out.push_back(std::move(c));
      }
    };
    if (r.kind == "Secret" && r.api_version == "v1") {
      Producer p;
      p.r = &r;
      p.file = r.file;
      p.at = NameNode(r);
      p.name = r.name;
      p.mechanism = r.sops ? "SOPS-encrypted Secret" : "plain Secret";
      p.family = r.sops ? "sops" : "secret";
      p.type = r.node->Str("type");
      p.type_at = r.node->KeyNode("type");
      MapKeys(r.node->Get("data"), &p.keys);
      MapKeys(r.node->Get("stringData"), &p.keys);
      p.plaintext = !r.sops;
      if (Templated(p.type)) p.type_known = false;
      each_placement(p);
    } else if (r.kind == "SealedSecret") {
      Producer p;
      p.r = &r;
      p.file = r.file;
      p.at = NameNode(r);
      p.name = r.name;
      p.mechanism = "SealedSecret";
      p.family = "sealed";
      const YNode* tmpl = r.node->Path("spec.template");
      p.type = tmpl ? tmpl->Str("type") : "";
      p.type_at = tmpl ? tmpl->KeyNode("type") : nullptr;
      MapKeys(r.node->Path("spec.encryptedData"), &p.keys);
      if (tmpl != nullptr) MapKeys(tmpl->Get("data"), &p.keys);
      if (Templated(p.type)) p.type_known = false;
      each_placement(p);
    } else if (r.kind == "ExternalSecret" || r.kind == "ClusterExternalSecret") {
      const YNode* spec = r.node->Get("spec");
      if (spec == nullptr) continue;
      const YNode* es = r.kind == "ExternalSecret" ? spec : spec->Get("externalSecretSpec");
      if (es == nullptr || !es->IsMap()) continue;
      const YNode* target = es->Get("target");
      std::string policy = target ? target->Str("creationPolicy") : "";
      if (policy == "None" || policy == "Merge") continue;  // creates nothing itself
      Producer p;
      p.r = &r;
      p.file = r.file;
      p.mechanism = r.kind == "ExternalSecret" ? "ExternalSecret" : "ClusterExternalSecret";
      p.family = "eso";
      std::string tname = target ? target->Str("name") : "";
      if (tname.empty() && r.kind == "ClusterExternalSecret") tname = spec->Str("externalSecretName");
      p.name = tname.empty() ? r.name : tname;
      p.at = target && target->Get("name") ? target->Get("name") : NameNode(r);
      const YNode* tmpl = target ? target->Get("template") : nullptr;
      p.type = tmpl ? tmpl->Str("type") : "";
      p.type_at = tmpl ? tmpl->KeyNode("type") : nullptr;
      if (Templated(p.type)) p.type_known = false;
      const YNode* tdata = tmpl ? tmpl->Get("data") : nullptr;
      if (tdata != nullptr && tdata->IsMap()) {
        MapKeys(tdata, &p.keys);
        if (tmpl->Get("templateFrom") != nullptr || tmpl->Str("mergePolicy") == "Merge") p.keys_known = false;
      } else {
        if (es->Get("dataFrom") != nullptr || (tmpl && tmpl->Get("templateFrom"))) p.keys_known = false;
        if (const YNode* data = es->Get("data"); data != nullptr && data->IsSeq()) {
          for (const auto& d : data->values) p.keys.insert(d.Str("secretKey"));
        }
      }
      if (r.kind == "ExternalSecret") {
        each_placement(p);
      } else {
        const YNode* nss = spec->Get("namespaces");
        bool selectors = spec->Get("namespaceSelector") != nullptr || spec->Get("namespaceSelectors") != nullptr;
        if (nss != nullptr && nss->IsSeq() && !selectors) {
          for (const auto& n : nss->values) {
            Producer c = p;
            c.ns = n.value;
            out.push_back(c);
          }
        } else {
          p.ns = kAnyNamespace;
          out.push_back(p);
        }
      }
    } else if (r.kind == "SecretProviderClass") {
      const YNode* objs = r.node->Path("spec.secretObjects");
      if (objs == nullptr || !objs->IsSeq()) continue;
      for (const auto& so : objs->values) {
        if (!so.IsMap() || so.Str("secretName").empty()) continue;
        Producer p;
        p.r = &r;
        p.file = r.file;
        p.at = so.Get("secretName");
        p.name = so.Str("secretName");
        p.mechanism = "SecretProviderClass " + r.name + " secretObjects";
        p.family = "csi";
        p.type = so.Str("type");
        p.type_at = so.KeyNode("type");
        if (Templated(p.type)) p.type_known = false;
        if (const YNode* data = so.Get("data"); data != nullptr && data->IsSeq()) {
          for (const auto& d : data->values) p.keys.insert(d.Str("key"));
        }
        // secretObjects are synced into the SPC's namespace; keep the SPC's name.
        if (r.placements.empty()) {
          p.ns = r.namespace_;
          out.push_back(p);
        } else {
          for (const auto& pl : r.placements) {
            Producer c = p;
            c.ns = pl.namespace_;
            c.via = pl.via;
            out.push_back(c);
          }
        }
      }
    }
  }
  // kustomize secretGenerator.
  for (const auto& k : index.kustomizations()) {
    if (k.file->from_history) continue;
    const YNode* gens = k.node->Get("secretGenerator");
    if (gens == nullptr || !gens->IsSeq()) continue;
    for (const auto& g : gens->values) {
      if (!g.IsMap() || g.Str("name").empty()) continue;
      Producer p;
      p.file = k.file;
      p.at = g.Get("name");
      p.name = g.Str("name");
      p.mechanism = "secretGenerator in " + k.file->path;
      p.family = "generator";
      p.via = k.file->path;
      p.type = g.Str("type");
      p.type_at = g.KeyNode("type");
      std::string ns = g.Str("namespace");
      if (ns.empty()) ns = k.node->Str("namespace");
      // Without a namespace here an outer build decides it: accept any.
      p.ns = ns.empty() ? kAnyNamespace : ns;
      auto add_keys = [&](const char* field, bool literal) {
        const YNode* list = g.Get(field);
        if (list == nullptr || !list->IsSeq()) return;
        for (const auto& item : list->values) {
          std::string s = item.value;
          size_t eq = s.find('=');
          if (eq != std::string::npos) {
            p.keys.insert(s.substr(0, eq));
          } else if (!literal) {
            p.keys.insert(BaseName(s));
          }
        }
      };
      add_keys("literals", true);
      add_keys("files", false);
      if (g.Get("envs") != nullptr || g.Get("env") != nullptr) p.keys_known = false;
      if (g.Get("behavior") != nullptr && g.Str("behavior") != "create") p.keys_known = false;
      out.push_back(std::move(p));
    }
  }
  return out;
}

namespace {

std::string NsText(const std::string& ns) { return ns.empty() ? "(no namespace)" : ns; }

// The registry hosts of a clear-text dockerconfigjson/dockercfg, when it holds
// credentials (not placeholders). False when no credential is present.
bool PlaintextRegistries(const LintContext& ctx, const Producer& p, std::vector<std::string>* hosts,
                         const YNode** at) {
  const Resource& r = *p.r;
  for (const char* field : {"stringData", "data"}) {
    const YNode* m = r.node->Get(field);
    if (m == nullptr || !m->IsMap()) continue;
    for (const char* key : {".dockerconfigjson", ".dockercfg"}) {
      const YNode* v = m->Get(key);
      if (v == nullptr || !v->IsScalar()) continue;
      std::string json = v->value;
      if (std::string(field) == "data") {
        std::string decoded;
        if (!DecodeBase64Strict(v->value, &decoded)) continue;
        json = decoded;
      }
      std::vector<YDocument> docs;
      uint32_t line = 0;
      if (!ParseYaml(json, &docs, &line).ok() || docs.empty() || !docs[0].root.IsMap()) continue;
      const YNode* auths = docs[0].root.Get("auths");
      if (auths == nullptr) auths = &docs[0].root;  // dockercfg: hosts at the top level
      if (!auths->IsMap()) continue;
      bool creds = false;
      for (size_t i = 0; i < auths->keys.size(); ++i) {
        const YNode& e = auths->values[i];
        if (!e.IsMap()) continue;
        bool has = false;
        for (const char* c : {"auth", "password", "identitytoken", "registrytoken"}) {
          std::string s = e.Str(c);
          if (!s.empty() && !ctx.IsPlaceholder(s)) has = true;
        }
        if (has) {
          creds = true;
          hosts->push_back(auths->keys[i].value);
        }
      }
      if (creds) {
        *at = m->KeyNode(key);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void RunPullPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  const std::vector<Producer>& producers = index.SharedProducers();
  std::map<std::string, std::vector<const Producer*>> by_name;
  for (const auto& p : producers) by_name[p.name].push_back(&p);
  std::set<std::string> done;
  for (const SecretConsumer& c : index.SharedConsumers()) {
    if (c.pull_from.empty()) continue;  // not an imagePullSecrets entry
    std::string who = Describe(*c.r);
    std::string disc = c.r->Id() + "@" + c.ns + ":imagePullSecrets." + c.name;
    if (!done.insert(c.r->file->path + "#" + disc).second) continue;
    std::vector<const Producer*> same, other;
    for (const Producer* p : by_name[c.name]) (ProducerServes(*p, c.ns) ? same : other).push_back(p);
    auto base = [&](const char* id) {
      LintContext::Report rep;
      rep.policy = id;
      rep.file = c.r->file;
      rep.at = c.at;
      rep.object = c.r;
      rep.key = "imagePullSecrets." + c.name;
      rep.discriminator = disc;
      return rep;
    };
    if (same.empty()) {
      LintContext::Report rep = base("GSP-PULL-001");
      if (other.empty()) {
        rep.message = "imagePullSecrets entry '" + c.name + "' of " + who + " (" + c.pull_from +
                      "): no Secret '" + c.name + "' is produced " +
                      (c.ns.empty() ? std::string("") : "in namespace " + c.ns + " ") + "anywhere in the repo (no Secret, SealedSecret, ExternalSecret, CSI secretObjects "
                      "or secretGenerator); image pulls fail unless it is created out of band";
      } else {
        std::set<std::string> nss;
        for (const Producer* p : other) nss.insert(p->ns);
        std::string list;
        for (const auto& n : nss) list += (list.empty() ? "" : ", ") + n;
        rep.severity = Severity::kHigh;
        rep.message = "imagePullSecrets entry '" + c.name + "' of " + who + " (" + c.pull_from +
                      "): Secret '" + c.name + "' is produced only in namespace(s) " + list + " (by " +
                      other[0]->mechanism + "), not in " + NsText(c.ns) +
                      "; a pull secret is a local reference and must live in the pod's namespace";
        for (const Producer* p : other) {
          rep.related.push_back(LintContext::Related(p->file, p->at, p->mechanism + " in namespace " + NsText(p->ns)));
        }
      }
      ctx.Add(std::move(rep));
      continue;
    }
    for (const Producer* p : same) {
      // PULL-002: the producer is a clear-text dockerconfigjson in the repo.
      if (p->r != nullptr && p->plaintext) {
        std::vector<std::string> hosts;
        const YNode* key_at = nullptr;
        if (PlaintextRegistries(ctx, *p, &hosts, &key_at)) {
          std::string list;
          for (const auto& h : hosts) list += (list.empty() ? "" : ", ") + h;
          LintContext::Report rep = base("GSP-PULL-002");
          rep.message = "imagePullSecrets entry '" + c.name + "' of " + who + " uses Secret " +
                        NsText(p->ns) + "/" + c.name + ", committed in clear text (" + p->file->path +
                        ") with registry credentials for: " + list;
          rep.related.push_back(LintContext::Related(p->file, key_at ? key_at : p->at,
                                                     "plaintext pull secret (registry hosts: " + list + ")"));
          ctx.Add(std::move(rep));
        }
      }
      // PULL-003: wrong type or key.
      if (!p->type_known) continue;
      std::string type = p->type.empty() ? "Opaque" : p->type;
      std::string why;
      if (type == "kubernetes.io/dockerconfigjson") {
        if (p->keys_known && !p->keys.count(".dockerconfigjson")) why = "has no .dockerconfigjson key";
      } else if (type == "kubernetes.io/dockercfg") {
        if (p->keys_known && !p->keys.count(".dockercfg")) why = "has no .dockercfg key";
      } else {
        why = "is of type " + type + (p->type.empty() ? " (no type set)" : "") +
              ", not kubernetes.io/dockerconfigjson";
      }
      if (why.empty()) continue;
      LintContext::Report rep = base("GSP-PULL-003");
      rep.message = "imagePullSecrets entry '" + c.name + "' of " + who + ": the Secret produced by " +
                    p->mechanism + " " + why + "; the kubelet ignores it for image pulls";
      rep.related.push_back(LintContext::Related(p->file, p->type_at ? p->type_at : p->at, p->mechanism));
      ctx.Add(std::move(rep));
    }
  }
}

}  // namespace vigil
