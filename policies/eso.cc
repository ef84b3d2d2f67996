// External Secrets Operator policies GSP-ESO-001..011 (catalog s.1.9, s.4.2):
// API versions the current CRDs serve, ExternalSecret specs the ESO webhook
// rejects, secretStoreRef resolution (SecretStore in the consumer's namespace
// or a ClusterSecretStore), ClusterSecretStore conditions, namespaced-store
// cross-namespace references, ClusterSecretStore credential isolation, azurekv
// configuration and auth posture, Azure remoteRef keys, ClusterExternalSecret
// namespace selection and refresh settings.
//
// Consumers are ExternalSecrets and the ExternalSecrets a ClusterExternalSecret
// generates (one per selected namespace). Namespaces come from the placements
// (kustomize / Flux rewrites); "" = not written, matches any. The served API
// versions are data: `served_versions` in policies/catalog/eso.yaml.
#include <re2/re2.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"
#include "policies/secret_graph.h"

namespace vigil {

void RunEsoPolicies(LintContext& ctx);

namespace {

constexpr char kGroup[] = "external-secrets.io/";

bool Templated(const std::string& s) {
  return s.find("{{") != std::string::npos || s.find("${") != std::string::npos ||
         s.find("#{") != std::string::npos || s.find("$(") != std::string::npos;
}

bool IsEso(const Resource& r) { return r.api_version.rfind(kGroup, 0) == 0; }

std::string Version(const Resource& r) { return r.api_version.substr(sizeof(kGroup) - 1); }

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s)
    out += (out.empty() ? "" : ", ") + (x.empty() ? std::string("(no namespace)") : x);
  return out;
}

const YNode* NameNode(const Resource& r) {
  const YNode* n = r.node->Path("metadata.name");
  return n ? n : r.node->KeyNode("kind");
}

// kind -> versions served, from `served_versions` of the embedded eso.yaml.
const std::map<std::string, std::set<std::string>>& ServedVersions() {
  static const std::map<std::string, std::set<std::string>> served = [] {
    std::map<std::string, std::set<std::string>> out;
    const char* text = EmbeddedCatalogFile("eso.yaml");
    std::vector<YDocument> docs;
    uint32_t line = 0;
    if (text == nullptr || !ParseYaml(text, &docs, &line).ok() || docs.empty()) return out;
    const YNode* sv = docs[0].root.Get("served_versions");
    if (sv == nullptr || !sv->IsMap()) return out;
    for (size_t k = 0; k < sv->keys.size(); ++k) {
      const YNode& v = sv->values[k];
      if (v.IsScalar()) out[sv->keys[k].value].insert(v.value);
      for (const auto& x : v.values) {
        if (x.IsScalar()) out[sv->keys[k].value].insert(x.value);
      }
    }
    return out;
  }();
  return served;
}

// Go time.ParseDuration, in seconds; nullopt when not a duration.
std::optional<double> ParseDuration(const std::string& s) {
  if (s.empty()) return std::nullopt;
  if (s == "0") return 0.0;
  static const std::map<std::string, double> kUnits = {
      {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ms", 1e-3},
      {"s", 1},     {"m", 60},    {"h", 3600}};
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double num = std::atof(s.substr(start, i - start).c_str());
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    auto it = kUnits.find(s.substr(ustart, i - ustart));
    if (it == kUnits.end()) return std::nullopt;
    total += num * it->second;
  }
  return total;
}

// --- label selectors ---------------------------------------------------

enum class Tri { kNo, kYes, kUnknown };

constexpr char kNameLabel[] = "kubernetes.io/metadata.name";

// The labels of a namespace: its Namespace object's labels (when the repo
// defines it) plus the kubernetes.io/metadata.name label the API server sets.
struct NsLabels {
  std::map<std::string, std::string> labels;
  bool complete = false;  // the Namespace object is in the repo
};

NsLabels LabelsOf(const std::string& ns, const std::map<std::string, const Resource*>& ns_objects) {
  NsLabels out;
  out.labels[kNameLabel] = ns;
  auto it = ns_objects.find(ns);
  if (it != ns_objects.end()) {
    out.complete = true;
    if (const YNode* l = it->second->node->Path("metadata.labels"); l != nullptr && l->IsMap()) {
      for (size_t k = 0; k < l->keys.size(); ++k) out.labels[l->keys[k].value] = l->values[k].value;
    }
  }
  return out;
}

// metav1.LabelSelector semantics; kUnknown when a requirement reads a label
// the repo does not tell.
Tri MatchSelector(const YNode& sel, const NsLabels& ns) {
  bool unknown = false;
  auto has = [&](const std::string& key, std::string* value) -> Tri {
    auto it = ns.labels.find(key);
    if (it != ns.labels.end()) {
      *value = it->second;
      return Tri::kYes;
    }
    return ns.complete ? Tri::kNo : Tri::kUnknown;
  };
  if (const YNode* ml = sel.Get("matchLabels"); ml != nullptr && ml->IsMap()) {
    for (size_t k = 0; k < ml->keys.size(); ++k) {
      std::string v;
      Tri t = has(ml->keys[k].value, &v);
      if (t == Tri::kUnknown) {
        unknown = true;
      } else if (t == Tri::kNo || v != ml->values[k].value) {
        return Tri::kNo;
      }
    }
  }
  if (const YNode* me = sel.Get("matchExpressions"); me != nullptr && me->IsSeq()) {
    for (const auto& e : me->values) {
      std::string key = e.Str("key"), op = e.Str("operator"), v;
      std::set<std::string> values;
      if (const YNode* vs = e.Get("values"); vs != nullptr && vs->IsSeq()) {
        for (const auto& x : vs->values) values.insert(x.value);
      }
      Tri t = has(key, &v);
      if (t == Tri::kUnknown) {
        unknown = true;
        continue;
      }
      bool present = t == Tri::kYes;
      bool ok = true;
      if (op == "In")
        ok = present && values.count(v);
      else if (op == "NotIn")
        ok = !present || !values.count(v);
      else if (op == "Exists")
        ok = present;
      else if (op == "DoesNotExist")
        ok = !present;
      if (!ok) return Tri::kNo;
    }
  }
  return unknown ? Tri::kUnknown : Tri::kYes;
}

bool EmptySelector(const YNode& sel) {
  if (sel.IsNull()) return true;
  if (!sel.IsMap()) return false;
  const YNode* ml = sel.Get("matchLabels");
  const YNode* me = sel.Get("matchExpressions");
  return (ml == nullptr || ml->size() == 0) && (me == nullptr || me->size() == 0);
}

// --- the model -----------------------------------------------------------

struct Store {
  const Resource* r = nullptr;
  bool cluster = false;
  std::string name;
  std::set<std::string> nss;
  const YNode* provider = nullptr;  // spec.provider
  std::string provider_name;        // first key of spec.provider ("azurekv", ...)
};

// Where a ClusterExternalSecret's ExternalSecrets land.
struct Selection {
  std::set<std::string> nss;
  bool complete = true;  // nss is every namespace selected
};

// One (Cluster)ExternalSecret spec and the store references in it.
struct Consumer {
  const Resource* r = nullptr;
  const YNode* spec = nullptr;  // ExternalSecret spec (CES: externalSecretSpec)
  std::string where;            // "spec" or "spec.externalSecretSpec"
  bool ces = false;
  Selection sel;  // namespaces of the (generated) ExternalSecrets
};

struct StoreRef {
  const Consumer* c = nullptr;
  const YNode* node = nullptr;  // the storeRef map
  const YNode* at = nullptr;    // its name scalar
  std::string name;
  std::string kind;  // SecretStore (default) or ClusterSecretStore
  std::string key;   // "spec.secretStoreRef", ...
};

struct Model {
  std::vector<Store> stores;
  std::vector<Consumer> consumers;
  std::vector<StoreRef> refs;
  std::map<std::string, const Resource*> ns_objects;
};

Selection CesSelection(const Resource& ces,
                       const std::map<std::string, const Resource*>& ns_objects) {
  Selection out;
  const YNode* spec = ces.node->Get("spec");
  if (spec == nullptr) return out;
  if (const YNode* l = spec->Get("namespaces"); l != nullptr && l->IsSeq()) {
    for (const auto& n : l->values) {
      if (n.IsScalar() && !Templated(n.value)) out.nss.insert(n.value);
    }
  }
  std::vector<const YNode*> sels;
  if (const YNode* s = spec->Get("namespaceSelector"); s != nullptr && s->IsMap())
    sels.push_back(s);
  if (const YNode* l = spec->Get("namespaceSelectors"); l != nullptr && l->IsSeq()) {
    for (const auto& s : l->values) sels.push_back(&s);
  }
  for (const YNode* s : sels) {
    // A selector on the name label alone selects exactly those namespaces.
    bool by_name = false;
    if (const YNode* ml = s->Get("matchLabels"); ml != nullptr && ml->IsMap() && ml->size() == 1 &&
                                                 ml->keys[0].value == kNameLabel &&
                                                 s->Get("matchExpressions") == nullptr) {
      out.nss.insert(ml->values[0].value);
      by_name = true;
    }
    if (const YNode* me = s->Get("matchExpressions");
        me != nullptr && me->IsSeq() && me->size() == 1 && s->Get("matchLabels") == nullptr) {
      const YNode& e = me->values[0];
      if (e.Str("key") == kNameLabel && e.Str("operator") == "In" && e.Get("values") &&
          e.Get("values")->IsSeq()) {
        for (const auto& v : e.Get("values")->values) out.nss.insert(v.value);
        by_name = true;
      }
    }
    if (by_name) continue;
    out.complete = false;  // namespaces outside the repo may match too
    for (const auto& [name, obj] : ns_objects) {
      if (MatchSelector(*s, LabelsOf(name, ns_objects)) == Tri::kYes) out.nss.insert(name);
    }
  }
  return out;
}

void AddRef(const Consumer& c, const YNode* ref, const std::string& key,
            std::vector<StoreRef>* out) {
  if (ref == nullptr || !ref->IsMap()) return;
  const YNode* name = ref->Get("name");
  if (name == nullptr || !name->IsScalar() || name->value.empty() || Templated(name->value)) return;
  std::string kind = ref->Str("kind");
  if (kind.empty()) kind = "SecretStore";
  if (kind != "SecretStore" && kind != "ClusterSecretStore") return;
  out->push_back(StoreRef{&c, ref, name, name->value, kind, key});
}

Model Build(const ResourceIndex& index) {
  Model m;
  for (const auto& r : index.resources()) {
    if (r.file->from_history) continue;
    if (r.kind == "Namespace" && r.api_version == "v1" && !r.name.empty())
      m.ns_objects.emplace(r.name, &r);
  }
  for (const auto& r : index.resources()) {
    // An object without metadata.name cannot be applied (CRD schema snapshots).
    if (r.file->from_history || !IsEso(r) || r.name.empty()) continue;
    const YNode* spec = r.node->Get("spec");
    if (spec == nullptr || !spec->IsMap()) continue;
    if (r.kind == "SecretStore" || r.kind == "ClusterSecretStore") {
      Store s;
      s.r = &r;
      s.cluster = r.kind == "ClusterSecretStore";
      s.name = r.placements.empty() ? r.name : r.placements[0].name;
      s.nss = s.cluster ? std::set<std::string>{""} : Namespaces(r);
      s.provider = spec->Get("provider");
      if (s.provider != nullptr && s.provider->IsMap() && !s.provider->keys.empty()) {
        s.provider_name = s.provider->keys[0].value;
      }
      m.stores.push_back(s);
    } else if (r.kind == "ExternalSecret") {
      m.consumers.push_back(Consumer{&r, spec, "spec", false, Selection{Namespaces(r), true}});
    } else if (r.kind == "ClusterExternalSecret") {
      const YNode* es = spec->Get("externalSecretSpec");
      if (es == nullptr || !es->IsMap()) continue;
      m.consumers.push_back(
          Consumer{&r, es, "spec.externalSecretSpec", true, CesSelection(r, m.ns_objects)});
    }
  }
  for (const auto& c : m.consumers) {
    AddRef(c, c.spec->Get("secretStoreRef"), c.where + ".secretStoreRef", &m.refs);
    for (const char* list : {"data", "dataFrom"}) {
      const YNode* l = c.spec->Get(list);
      if (l == nullptr || !l->IsSeq()) continue;
      for (size_t i = 0; i < l->size(); ++i) {
        AddRef(c, l->values[i].Path("sourceRef.storeRef"),
               c.where + "." + list + "[" + std::to_string(i) + "].sourceRef.storeRef", &m.refs);
      }
    }
  }
  return m;
}

// Stores a reference may resolve to in namespace ns.
std::vector<const Store*> Resolve(const Model& m, const std::string& kind, const std::string& name,
                                  const std::string& ns) {
  std::vector<const Store*> out;
  for (const auto& s : m.stores) {
    if (s.name != name || s.cluster != (kind == "ClusterSecretStore")) continue;
    if (s.cluster || ns.empty() || s.nss.count(ns) || s.nss.count("")) out.push_back(&s);
  }
  return out;
}

LintContext::Report Make(const char* id, const Resource& r, const YNode* at, const std::string& key,
                         std::string message) {
  LintContext::Report rep;
  rep.policy = id;
  rep.file = r.file;
  rep.at = at != nullptr ? at : NameNode(r);
  rep.object = &r;
  rep.key = key;
  rep.discriminator = r.Id() + ":" + key;
  rep.message = std::move(message);
  return rep;
}

std::string Name(const Resource& r) { return Describe(r); }

// --- GSP-ESO-001 ---------------------------------------------------------

void CheckVersions(LintContext& ctx) {
  for (const auto& r : ctx.index().resources()) {
    if (r.file->from_history || !IsEso(r)) continue;
    // Parsed on first use: a tree without ESO objects (a pre-commit run)
    // never parses the catalog file.
    const auto& served = ServedVersions();
    auto it = served.find(r.kind);
    if (it == served.end() || it->second.count(Version(r))) continue;
    std::string want;
    for (const auto& v : it->second) want += (want.empty() ? "" : " or ") + std::string(kGroup) + v;
    ctx.Add(Make("GSP-ESO-001", r, r.node->Get("apiVersion"), "apiVersion",
                 Name(r) + " uses " + r.api_version +
                     ", which the current ESO CRDs do not serve (" +
                     (Version(r) == "v1beta1" ? std::string("deprecated, served: false")
                                              : std::string("removed")) +
                     "); the API server rejects it once ESO is upgraded: use " + want));
  }
}

// --- GSP-ESO-002 ---------------------------------------------------------

void CheckWebhook(LintContext& ctx, const Consumer& c) {
  const Resource& r = *c.r;
  const YNode* spec = c.spec;
  auto add = [&](const YNode* at, const std::string& key, const std::string& why) {
    ctx.Add(Make("GSP-ESO-002", r, at, key,
                 Name(r) + (c.ces ? " (externalSecretSpec)" : "") + ": " + why +
                     "; the ESO webhook rejects it"));
  };
  const YNode* data = spec->Get("data");
  const YNode* data_from = spec->Get("dataFrom");
  bool has_data = data != nullptr && data->IsSeq() && data->size() > 0;
  bool has_from = data_from != nullptr && data_from->IsSeq() && data_from->size() > 0;
  if (!has_data && !has_from) {
    add(nullptr, c.where,
        "neither data nor dataFrom is set (\"either data or dataFrom should be specified\")");
  }
  if (has_from) {
    for (size_t i = 0; i < data_from->size(); ++i) {
      const YNode& d = data_from->values[i];
      std::string key = c.where + ".dataFrom[" + std::to_string(i) + "]";
      int n = (d.Get("extract") ? 1 : 0) + (d.Get("find") ? 1 : 0) +
              (d.Path("sourceRef.generatorRef") ? 1 : 0);
      if (n != 1) {
        add(&d, key,
            "dataFrom[" + std::to_string(i) + "] sets " + std::to_string(n) +
                " of extract, find and sourceRef.generatorRef (exactly one is required)");
      }
    }
  }
  for (const char* list : {"data", "dataFrom"}) {
    const YNode* l = spec->Get(list);
    if (l == nullptr || !l->IsSeq()) continue;
    for (size_t i = 0; i < l->size(); ++i) {
      const YNode* sr = l->values[i].Get("sourceRef");
      if (sr != nullptr && sr->IsMap() && sr->Get("storeRef") == nullptr &&
          sr->Get("generatorRef") == nullptr) {
        add(l->values[i].KeyNode("sourceRef"),
            c.where + "." + list + "[" + std::to_string(i) + "].sourceRef",
            std::string(list) + "[" + std::to_string(i) +
                "].sourceRef has neither storeRef nor generatorRef");
      }
    }
  }
  const YNode* target = spec->Get("target");
  std::string creation = target ? target->Str("creationPolicy") : "";
  std::string deletion = target ? target->Str("deletionPolicy") : "";
  if (creation.empty()) creation = "Owner";
  if (deletion.empty()) deletion = "Retain";
  if (deletion == "Delete" && creation != "Owner") {
    add(target->Get("deletionPolicy"), c.where + ".target.deletionPolicy",
        "deletionPolicy Delete with creationPolicy " + creation +
            " (Delete requires creationPolicy Owner: the controller must own the Secret)");
  }
  if (deletion == "Merge" && creation == "None") {
    add(target->Get("deletionPolicy"), c.where + ".target.deletionPolicy",
        "deletionPolicy Merge with creationPolicy None (there is no Secret to merge with)");
  }
  if (has_data && deletion == "Retain") {
    std::map<std::string, const YNode*> seen;
    for (const auto& d : data->values) {
      const YNode* k = d.Get("secretKey");
      if (k == nullptr || !k->IsScalar() || Templated(k->value)) continue;
      if (!seen.emplace(k->value, k).second) {
        LintContext::Report rep =
            Make("GSP-ESO-002", r, k, c.where + ".data.secretKey:" + k->value,
                 Name(r) + ": secretKey '" + k->value +
                     "' appears twice in data (rejected with deletionPolicy Retain); "
                     "the ESO webhook rejects it");
        rep.related.push_back(
            LintContext::Related(r.file, seen[k->value], "first use of the secretKey"));
        ctx.Add(std::move(rep));
      }
    }
  }
  const YNode* tmpl = target ? target->Get("template") : nullptr;
  if (tmpl != nullptr && tmpl->IsMap()) {
    std::string type = tmpl->Str("type");
    if (type == "bootstrap.kubernetes.io/token") {
      add(tmpl->Get("type"), c.where + ".target.template.type",
          "template type bootstrap.kubernetes.io/token is forbidden");
    }
    if (type == "kubernetes.io/service-account-token" &&
        tmpl->Path("metadata.annotations") != nullptr &&
        tmpl->Path("metadata.annotations")->Get("kubernetes.io/service-account.name") != nullptr) {
      add(tmpl->Get("type"), c.where + ".target.template.type",
          "template type kubernetes.io/service-account-token with the "
          "kubernetes.io/service-account.name "
          "annotation (ESO would mint a service-account token Secret)");
    }
    const YNode* manifest = target->Get("manifest");
    bool secret_target =
        manifest == nullptr || manifest->Str("kind").empty() || manifest->Str("kind") == "Secret";
    const YNode* tf = tmpl->Get("templateFrom");
    if (secret_target && tf != nullptr && tf->IsSeq()) {
      for (size_t i = 0; i < tf->size(); ++i) {
        const YNode* t = tf->values[i].Get("target");
        if (t == nullptr || !t->IsScalar() || Templated(t->value)) continue;
        if (t->value != "Data" && t->value != "Annotations" && t->value != "Labels") {
          add(t, c.where + ".target.template.templateFrom[" + std::to_string(i) + "].target",
              "templateFrom target '" + t->value +
                  "' on a Secret target (allowed: Data, Annotations, Labels)");
        }
      }
    }
  }
}

// --- GSP-ESO-003 / 004 / 010 (store side) ---------------------------------

// Whether a ClusterSecretStore's conditions admit namespace ns.
Tri Admits(const Store& s, const std::string& ns, const Model& m) {
  const YNode* conds = s.r->node->Path("spec.conditions");
  if (conds == nullptr || !conds->IsSeq() || conds->size() == 0) return Tri::kYes;
  bool unknown = false;
  NsLabels labels = LabelsOf(ns, m.ns_objects);
  for (const auto& c : conds->values) {
    if (const YNode* l = c.Get("namespaces"); l != nullptr && l->IsSeq()) {
      for (const auto& n : l->values) {
        if (n.value == ns) return Tri::kYes;
        if (Templated(n.value)) unknown = true;
      }
    }
    if (const YNode* l = c.Get("namespaceRegexes"); l != nullptr && l->IsSeq()) {
      for (const auto& n : l->values) {
        re2::RE2 re(n.value, re2::RE2::Quiet);
        if (!re.ok()) {
          unknown = true;
          continue;
        }
        if (re2::RE2::PartialMatch(ns, re)) return Tri::kYes;
      }
    }
    if (const YNode* sel = c.Get("namespaceSelector"); sel != nullptr && sel->IsMap()) {
      Tri t = MatchSelector(*sel, labels);
      if (t == Tri::kYes) return Tri::kYes;
      if (t == Tri::kUnknown) unknown = true;
    }
  }
  return unknown ? Tri::kUnknown : Tri::kNo;
}

void CheckRefs(LintContext& ctx, const Model& m) {
  for (const auto& ref : m.refs) {
    const Consumer& c = *ref.c;
    const Resource& r = *c.r;
    bool cluster = ref.kind == "ClusterSecretStore";
    // Same-named stores of any kind/namespace, for messages and related locations.
    std::vector<const Store*> named;
    for (const auto& s : m.stores) {
      if (s.name == ref.name) named.push_back(&s);
    }
    auto related = [&](LintContext::Report* rep) {
      for (const Store* s : named) {
        rep->related.push_back(LintContext::Related(s->r->file, NameNode(*s->r), Describe(*s->r)));
      }
    };
    std::string others;
    for (const Store* s : named) others += (others.empty() ? "" : ", ") + Describe(*s->r);
    // GSP-ESO-003.
    std::set<std::string> missing;
    bool any_of_kind = false;
    for (const Store* s : named) any_of_kind |= s->cluster == cluster;
    if (c.ces) {
      if (!any_of_kind) missing.insert("");
    } else {
      for (const auto& ns : c.sel.nss) {
        if (Resolve(m, ref.kind, ref.name, ns).empty()) missing.insert(ns);
      }
    }
    if (!missing.empty()) {
      std::string msg = Name(r) + " references " + ref.kind + " '" + ref.name + "'";
      if (cluster || c.ces) {
        msg += ", which no " + ref.kind + " in the repo defines";
      } else {
        msg += ", which is not defined in namespace " + Join(missing) +
               " anywhere in the repo (a SecretStore "
               "serves only its own namespace; kind defaults to SecretStore)";
      }
      if (!others.empty()) {
        msg += "; found only " + others;
      } else if (m.stores.empty()) {
        msg += "; the repo defines no SecretStore or ClusterSecretStore at all";
      }
      LintContext::Report rep = Make("GSP-ESO-003", r, ref.at, ref.key + ".name", msg);
      related(&rep);
      ctx.Add(std::move(rep));
      continue;
    }
    // GSP-ESO-004: conditions of the ClusterSecretStore exclude the consumer.
    if (cluster) {
      std::vector<const Store*> css = Resolve(m, ref.kind, ref.name, "");
      std::set<std::string> excluded;
      for (const auto& ns : c.sel.nss) {
        if (ns.empty()) continue;
        bool admitted = false, unknown = false;
        for (const Store* s : css) {
          Tri t = Admits(*s, ns, m);
          admitted |= t == Tri::kYes;
          unknown |= t == Tri::kUnknown;
        }
        if (!admitted && !unknown) excluded.insert(ns);
      }
      if (!excluded.empty()) {
        LintContext::Report rep = Make(
            "GSP-ESO-004", r, ref.at, ref.key + ".name",
            Name(r) + (c.ces ? " generates ExternalSecrets in namespace " : " sits in namespace ") +
                Join(excluded) + ", which the spec.conditions of ClusterSecretStore '" + ref.name +
                "' do not admit (namespaces, namespaceSelector, namespaceRegexes): the store "
                "refuses it");
        for (const Store* s : css) {
          const YNode* conds = s->r->node->Path("spec.conditions");
          rep.related.push_back(
              LintContext::Related(s->r->file, conds, "conditions of " + Describe(*s->r)));
        }
        ctx.Add(std::move(rep));
      }
    }
    // GSP-ESO-010 (store part): a SecretStore ref fanned out by a CES.
    if (c.ces && !cluster) {
      std::set<std::string> lacking;
      for (const auto& ns : c.sel.nss) {
        if (!ns.empty() && Resolve(m, ref.kind, ref.name, ns).empty()) lacking.insert(ns);
      }
      if (!lacking.empty()) {
        LintContext::Report rep =
            Make("GSP-ESO-010", r, ref.at, ref.key + ".name",
                 Name(r) + " references SecretStore '" + ref.name +
                     "', which is not defined in selected namespace " + Join(lacking) +
                     " (a ClusterExternalSecret's SecretStore must exist in every namespace it "
                     "selects; use a ClusterSecretStore)" +
                     (others.empty() ? "" : "; found in " + others));
        related(&rep);
        ctx.Add(std::move(rep));
      }
    }
  }
}

// --- GSP-ESO-005 / 006 / 007 / 008 (stores) -----------------------------------

// Selectors ({name, namespace, ...} maps) below a provider, with their path.
void Selectors(const YNode& n, const std::string& path,
               std::vector<std::pair<std::string, const YNode*>>* out, int depth = 0) {
  if (depth > 12) return;
  if (n.IsMap()) {
    if (n.Get("name") != nullptr && n.Get("namespace") != nullptr &&
        n.Get("namespace")->IsScalar()) {
      out->emplace_back(path, &n);
      return;
    }
    for (size_t k = 0; k < n.keys.size(); ++k)
      Selectors(n.values[k], path + "." + n.keys[k].value, out, depth + 1);
  } else if (n.IsSeq()) {
    for (size_t i = 0; i < n.size(); ++i)
      Selectors(n.values[i], path + "[" + std::to_string(i) + "]", out, depth + 1);
  }
}

// Namespaces where ESO itself runs: the conventional names plus those of
// HelmReleases / Argo CD Applications / Deployments that install it.
std::set<std::string> EsoNamespaces(const ResourceIndex& index) {
  std::set<std::string> out = {"external-secrets", "external-secrets-system",
                               "external-secrets-operator", "eso", "eso-system"};
  for (const auto& r : index.resources()) {
    if (r.file->from_history) continue;
    if (r.kind == "HelmRelease" && r.node->Path("spec.chart.spec.chart") != nullptr &&
        r.node->Path("spec.chart.spec.chart")->value == "external-secrets") {
      std::string t =
          r.node->Path("spec.targetNamespace") ? r.node->Path("spec.targetNamespace")->value : "";
      if (!t.empty()) out.insert(t);
      for (const auto& ns : Namespaces(r)) out.insert(ns);
    } else if (r.kind == "Application" && r.node->Path("spec.source.chart") != nullptr &&
               r.node->Path("spec.source.chart")->value == "external-secrets") {
      if (const YNode* d = r.node->Path("spec.destination.namespace")) out.insert(d->value);
    } else if (r.kind == "Deployment" && r.name.rfind("external-secrets", 0) == 0) {
      for (const auto& ns : Namespaces(r)) out.insert(ns);
    }
  }
  out.erase("");
  return out;
}

void CheckStores(LintContext& ctx, const Model& m) {
  std::set<std::string> eso_ns = EsoNamespaces(ctx.index());
  // Namespaces of application consumers (ExternalSecrets).
  std::map<std::string, const Resource*> app_ns;
  for (const auto& c : m.consumers) {
    for (const auto& ns : c.sel.nss) {
      if (!ns.empty() && !eso_ns.count(ns)) app_ns.emplace(ns, c.r);
    }
  }
  for (const auto& s : m.stores) {
    const Resource& r = *s.r;
    // GSP-ESO-005.
    if (s.cluster) {
      const YNode* conds = r.node->Path("spec.conditions");
      if (conds == nullptr || !conds->IsSeq() || conds->size() == 0) {
        size_t users = 0;
        for (const auto& ref : m.refs)
          users += ref.kind == "ClusterSecretStore" && ref.name == s.name;
        ctx.Add(Make(
            "GSP-ESO-005", r, conds ? r.node->Path("spec")->KeyNode("conditions") : NameNode(r),
            "spec.conditions",
            Name(r) +
                " has no spec.conditions: an ExternalSecret in any namespace can read whatever its "
                "credentials reach (" +
                std::to_string(users) +
                " reference(s) in the repo); restrict it with "
                "conditions[].namespaces / namespaceSelector / namespaceRegexes"));
      }
    }
    if (s.provider == nullptr || !s.provider->IsMap()) continue;
    std::vector<std::pair<std::string, const YNode*>> sels;
    Selectors(*s.provider, "spec.provider", &sels);
    // GSP-ESO-006.
    if (!s.cluster) {
      std::set<std::string> own = s.nss;
      own.erase("");
      if (!own.empty()) {
        for (const auto& [path, sel] : sels) {
          const YNode* ns = sel->Get("namespace");
          if (!IsObjectName(ns->value) || own.count(ns->value)) continue;  // '...', templates
          ctx.Add(Make("GSP-ESO-006", r, ns, path + ".namespace",
                       Name(r) + " " + path + " points at namespace '" + ns->value +
                           "', but a namespaced SecretStore "
                           "may only read its own namespace (" +
                           Join(own) +
                           "); ESO rejects it (\"namespace should "
                           "either be empty or match the namespace of the SecretStore\")"));
        }
      }
    }
    const YNode* az = s.provider->Get("azurekv");
    if (az == nullptr || !az->IsMap()) continue;
    std::string auth = az->Str("authType");
    if (auth.empty()) auth = "ServicePrincipal";
    // GSP-ESO-007.
    if (s.cluster) {
      std::vector<std::pair<std::string, const YNode*>> creds;
      if (const YNode* asr = az->Get("authSecretRef"); asr != nullptr && asr->IsMap()) {
        for (size_t k = 0; k < asr->keys.size(); ++k) {
          if (asr->values[k].IsMap())
            creds.emplace_back("spec.provider.azurekv.authSecretRef." + asr->keys[k].value,
                               &asr->values[k]);
        }
      }
      if (const YNode* sa = az->Get("serviceAccountRef"); sa != nullptr && sa->IsMap()) {
        creds.emplace_back("spec.provider.azurekv.serviceAccountRef", sa);
      }
      for (const auto& [path, sel] : creds) {
        const YNode* ns = sel->Get("namespace");
        std::string what =
            path.find("serviceAccountRef") != std::string::npos ? "ServiceAccount" : "Secret";
        if (ns == nullptr || (ns->IsScalar() && ns->value.empty())) {
          ctx.Add(
              Make("GSP-ESO-007", r, sel->Get("name") ? sel->Get("name") : sel, path,
                   Name(r) + " " + path + " has no namespace: the " + what +
                       " is looked up in the namespace of "
                       "each consuming ExternalSecret, so the credential must exist in every "
                       "tenant namespace "
                       "(and tenants choose it); keep it in the ESO namespace and set namespace"));
          continue;
        }
        if (!ns->IsScalar() || !IsObjectName(ns->value) || eso_ns.count(ns->value)) continue;
        auto app = app_ns.find(ns->value);
        if (app == app_ns.end()) continue;
        LintContext::Report rep =
            Make("GSP-ESO-007", r, ns, path + ".namespace",
                 Name(r) + " " + path + " reads its " + what + " from namespace '" + ns->value +
                     "', where application ExternalSecrets live (" + Describe(*app->second) +
                     "), not from the ESO namespace (" + Join(eso_ns) +
                     "): whoever can read Secrets there gets "
                     "the store's credential");
        rep.related.push_back(LintContext::Related(app->second->file, NameNode(*app->second),
                                                   "consumer in that namespace"));
        ctx.Add(std::move(rep));
      }
    }
    // GSP-ESO-008.
    auto add8 = [&](const YNode* at, const std::string& key, const std::string& why) {
      ctx.Add(Make("GSP-ESO-008", r, at != nullptr ? at : s.provider->KeyNode("azurekv"), key,
                   Name(r) + " azurekv: " + why));
    };
    std::string env = az->Str("environmentType");
    if (env.empty()) env = "PublicCloud";
    const YNode* url = az->Get("vaultUrl");
    static const std::map<std::string, std::string> kSuffix = {
        {"PublicCloud", "azure.net"},
        {"USGovernmentCloud", "usgovcloudapi.net"},
        {"ChinaCloud", "azure.cn"},
        {"GermanCloud", "microsoftazure.de"}};
    if (url == nullptr || !url->IsScalar() || url->value.empty()) {
      add8(nullptr, "spec.provider.azurekv.vaultUrl", "vaultUrl is missing (it is required)");
    } else if (!Templated(url->value) && env != "AzureStackCloud") {
      auto sfx = kSuffix.find(env);
      if (sfx != kSuffix.end()) {
        static const re2::RE2 re(
            "https://[A-Za-z0-9-]{1,63}\\.(vault|managedhsm)\\.([a-z0-9.]+?)/?");
        std::string kind, suffix;
        if (!re2::RE2::FullMatch(url->value, re, &kind, &suffix)) {
          add8(url, "spec.provider.azurekv.vaultUrl",
               "vaultUrl '" + url->value + "' is not of the form https://<vault>.vault." +
                   sfx->second);
        } else if (suffix != sfx->second) {
          add8(url, "spec.provider.azurekv.vaultUrl",
               "vaultUrl '" + url->value + "' ends in ." + suffix + ", but environmentType " + env +
                   " uses ." + kind + "." + sfx->second);
        }
      }
    }
    bool sdk = az->Str("useAzureSDK") == "true";
    if (env == "AzureStackCloud" && az->Get("customCloudConfig") == nullptr) {
      add8(az->Get("environmentType"), "spec.provider.azurekv.environmentType",
           "environmentType AzureStackCloud requires customCloudConfig");
    }
    if (az->Get("customCloudConfig") != nullptr && !sdk) {
      add8(az->KeyNode("customCloudConfig"), "spec.provider.azurekv.customCloudConfig",
           "customCloudConfig is only honoured with useAzureSDK: true");
    }
    const YNode* asr = az->Get("authSecretRef");
    const YNode* secret = asr ? asr->Get("clientSecret") : nullptr;
    const YNode* cert = asr ? asr->Get("clientCertificate") : nullptr;
    if (auth == "ServicePrincipal") {
      if (secret != nullptr && cert != nullptr) {
        add8(asr->KeyNode("clientCertificate"),
             "spec.provider.azurekv.authSecretRef.clientCertificate",
             "authSecretRef sets both clientSecret and clientCertificate (ESO: \"both clientSecret "
             "and "
             "clientCredentials set\")");
      } else if (secret != nullptr) {
        add8(asr->KeyNode("clientSecret"), "spec.provider.azurekv.authSecretRef.clientSecret",
             "authenticates as a service principal with a client secret stored in a Kubernetes "
             "Secret; prefer "
             "authType: WorkloadIdentity (federated, no long-lived secret)");
      }
    } else if (auth == "ManagedIdentity") {
      add8(az->Get("authType"), "spec.provider.azurekv.authType",
           "authType ManagedIdentity relies on AAD Pod Identity, which is deprecated; use "
           "WorkloadIdentity");
    } else if (auth == "WorkloadIdentity" && az->Get("serviceAccountRef") == nullptr) {
      add8(az->Get("authType"), "spec.provider.azurekv.authType",
           "WorkloadIdentity without serviceAccountRef uses the identity mounted into the ESO "
           "controller: every "
           "user who can create or reference this store gets it; set serviceAccountRef");
    }
  }
}

// --- GSP-ESO-009 -------------------------------------------------------------

bool AzureName(const std::string& s) {
  if (s.empty() || s.size() > 127) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

void CheckAzureKeys(LintContext& ctx, const Model& m) {
  for (const auto& c : m.consumers) {
    const Resource& r = *c.r;
    // The stores a storeRef map resolves to are all azurekv.
    auto azure = [&](const YNode* ref) {
      if (ref == nullptr || !ref->IsMap()) return false;
      std::string name = ref->Str("name"), kind = ref->Str("kind");
      if (kind.empty()) kind = "SecretStore";
      if (name.empty() || Templated(name)) return false;
      std::vector<const Store*> all;
      for (const auto& ns : c.sel.nss) {
        for (const Store* s : Resolve(m, kind, name, ns)) all.push_back(s);
      }
      if (all.empty()) return false;
      for (const Store* s : all) {
        if (s->provider_name != "azurekv") return false;
      }
      return true;
    };
    const YNode* def = c.spec->Get("secretStoreRef");
    auto check_key = [&](const YNode* key, const std::string& path, bool from) {
      if (key == nullptr || !key->IsScalar() || Templated(key->value)) return;
      const std::string& k = key->value;
      std::string type = "secret", name = k;
      size_t slash = k.find('/');
      if (slash != std::string::npos) {
        type = k.substr(0, slash);
        name = k.substr(slash + 1);
      }
      std::string why;
      if (type != "secret" && type != "key" && type != "cert") {
        why = "prefix '" + type + "/' is not an Azure Key Vault object type (secret/, key/, cert/)";
      } else if (!AzureName(name)) {
        why = "object name '" + name + "' is not 1-127 letters, digits and hyphens";
      } else if (from && type != "secret") {
        why = "dataFrom.extract cannot fetch " + type + " objects (only secrets)";
      }
      if (why.empty()) return;
      ctx.Add(Make("GSP-ESO-009", r, key, path + ":" + k,
                   Name(r) + " remoteRef key '" + k + "' for an azurekv store: " + why));
    };
    for (const char* list : {"data", "dataFrom"}) {
      const YNode* l = c.spec->Get(list);
      if (l == nullptr || !l->IsSeq()) continue;
      for (size_t i = 0; i < l->size(); ++i) {
        const YNode& d = l->values[i];
        const YNode* ref = d.Path("sourceRef.storeRef");
        if (d.Path("sourceRef.generatorRef") != nullptr) continue;
        if (!azure(ref ? ref : def)) continue;
        std::string path = c.where + "." + list + "[" + std::to_string(i) + "]";
        if (std::string(list) == "data") {
          check_key(d.Path("remoteRef.key"), path + ".remoteRef.key", false);
        } else {
          check_key(d.Path("extract.key"), path + ".extract.key", true);
        }
      }
    }
  }
}

// --- GSP-ESO-010 (selection) / 011 -------------------------------------------

void CheckCes(LintContext& ctx, const Model& m) {
  for (const auto& c : m.consumers) {
    if (!c.ces) continue;
    const Resource& r = *c.r;
    const YNode* spec = r.node->Get("spec");
    auto add = [&](const YNode* at, const std::string& key, const std::string& why) {
      ctx.Add(Make("GSP-ESO-010", r, at, key, Name(r) + ": " + why));
    };
    const YNode* legacy = spec->Get("namespaceSelector");
    const YNode* nss = spec->Get("namespaces");
    const YNode* sels = spec->Get("namespaceSelectors");
    if (legacy != nullptr) {
      add(spec->KeyNode("namespaceSelector"), "spec.namespaceSelector",
          "spec.namespaceSelector is deprecated; use namespaceSelectors (a list, ORed)");
    }
    if (nss != nullptr) {
      add(spec->KeyNode("namespaces"), "spec.namespaces",
          "spec.namespaces is deprecated; use namespaceSelectors with kubernetes.io/metadata.name");
    }
    std::vector<std::pair<std::string, const YNode*>> all;
    if (legacy != nullptr) all.emplace_back("spec.namespaceSelector", legacy);
    if (sels != nullptr && sels->IsSeq()) {
      for (size_t i = 0; i < sels->size(); ++i) {
        all.emplace_back("spec.namespaceSelectors[" + std::to_string(i) + "]", &sels->values[i]);
      }
    }
    for (const auto& [path, sel] : all) {
      if (EmptySelector(*sel)) {
        add(sel->IsNull() ? spec->KeyNode(path == "spec.namespaceSelector" ? "namespaceSelector"
                                                                           : "namespaceSelectors")
                          : sel,
            path,
            path +
                " is empty, which matches every namespace (kube-system and every tenant included)");
      }
    }
    bool none = legacy == nullptr && (nss == nullptr || nss->size() == 0) &&
                (sels == nullptr || sels->size() == 0);
    if (none) {
      add(NameNode(r), "spec",
          "selects no namespace (no namespaceSelectors): it creates no ExternalSecret");
    }
  }
}

void CheckRefresh(LintContext& ctx, const Model& m) {
  for (const auto& c : m.consumers) {
    const Resource& r = *c.r;
    // Generators only (passwords generated once in the cluster): nothing to rotate from.
    bool provider = c.spec->Get("secretStoreRef") != nullptr || c.spec->Get("data") != nullptr;
    if (!provider) {
      if (const YNode* df = c.spec->Get("dataFrom"); df != nullptr && df->IsSeq()) {
        for (const auto& d : df->values) provider |= d.Path("sourceRef.generatorRef") == nullptr;
      }
    }
    if (!provider) continue;
    const YNode* policy = c.spec->Get("refreshPolicy");
    const YNode* interval = c.spec->Get("refreshInterval");
    if (policy != nullptr && policy->value == "CreatedOnce") {
      ctx.Add(Make(
          "GSP-ESO-011", r, policy, c.where + ".refreshPolicy",
          Name(r) +
              ": refreshPolicy CreatedOnce syncs the secret once; a rotated provider secret never "
              "reaches the cluster"));
      continue;
    }
    if (interval == nullptr || !interval->IsScalar() || Templated(interval->value)) continue;
    std::optional<double> secs = ParseDuration(interval->value);
    if (!secs) continue;
    if (*secs == 0 && (policy == nullptr || policy->value == "Periodic")) {
      ctx.Add(Make("GSP-ESO-011", r, interval, c.where + ".refreshInterval",
                   Name(r) + ": refreshInterval " + interval->value +
                       " fetches the secret once and never again; "
                       "rotation in the provider does not reach the cluster"));
    } else if (c.ces && *secs > 0 && *secs < 60) {
      std::string fan = c.sel.complete ? std::to_string(c.sel.nss.size()) + " namespace(s)"
                                       : "every selected namespace";
      ctx.Add(Make("GSP-ESO-011", r, interval, c.where + ".refreshInterval",
                   Name(r) + ": refreshInterval " + interval->value + " in each of " + fan +
                       ": every generated ExternalSecret polls the provider on its own "
                       "(throttling); use 1m or more"));
    }
  }
}

}  // namespace

void RunEsoPolicies(LintContext& ctx) {
  Model m = Build(ctx.index());
  CheckVersions(ctx);
  for (const auto& c : m.consumers) CheckWebhook(ctx, c);
  CheckRefs(ctx, m);
  CheckStores(ctx, m);
  CheckAzureKeys(ctx, m);
  CheckCes(ctx, m);
  CheckRefresh(ctx, m);
}

}  // namespace vigil
