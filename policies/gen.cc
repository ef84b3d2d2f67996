// Generator / Helm / Argo CD policies GSP-GEN-001..004 (catalog §1.6, §1.7,
// §4.2): clear-text secretGenerator inputs, credentials in Helm values and
// Flux substitutions, generation-time secret injection, and SOPS under Argo
// CD without a decryptor.
#include <re2/re2.h>

#include <functional>
#include <set>
#include <string>

#include "policies/policy.h"

namespace vigil {
namespace {

std::vector<std::pair<const YNode*, std::string>> Entries(const YNode* l) {
  std::vector<std::pair<const YNode*, std::string>> out;
  if (l == nullptr) return out;
  if (l->IsScalar()) out.emplace_back(l, l->value);
  if (l->IsSeq()) {
    for (const auto& e : l->values) {
      if (e.IsScalar()) out.emplace_back(&e, e.value);
    }
  }
  return out;
}

void Gen001(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  for (const auto& k : index.kustomizations()) {
    if (k.file->from_history) continue;
    const YNode* gens = k.node->Get("secretGenerator");
    if (gens == nullptr || !gens->IsSeq()) continue;
    for (const auto& g : gens->values) {
      std::string name = g.Str("name");
      for (const auto& [node, lit] : Entries(g.Get("literals"))) {
        size_t eq = lit.find('=');
        if (eq == std::string::npos) continue;
        std::string key = lit.substr(0, eq), val = lit.substr(eq + 1);
        if (ctx.IsPlaceholder(val)) continue;
        LintContext::Report rep;
        rep.policy = "GSP-GEN-001";
        rep.file = k.file;
        rep.at = node;
        rep.length = static_cast<uint32_t>(key.size());
        rep.key = "secretGenerator[" + name + "].literals." + key;
        rep.discriminator = k.file->path + ":" + rep.key;
        rep.message = "secretGenerator " + name + " has a clear-text literal for key " + key +
                      " in kustomization.yaml";
        ctx.Add(std::move(rep));
      }
      for (const char* field : {"files", "envs", "env"}) {
        for (const auto& [node, entry] : Entries(g.Get(field))) {
          std::string rel =
              entry.substr(entry.find('=') == std::string::npos ? 0 : entry.find('=') + 1);
          std::string p = JoinPath(k.dir, rel);
          if (!index.PathExists(p) || index.PathHasSopsMarkers(p)) continue;
          LintContext::Report rep;
          rep.policy = "GSP-GEN-001";
          rep.file = k.file;
          rep.at = node;
          rep.key = "secretGenerator[" + name + "]." + field + "." + rel;
          rep.discriminator = k.file->path + ":" + rep.key;
          rep.message = "secretGenerator " + name + " reads " + p +
                        ", which is committed in clear text (not SOPS-encrypted)";
          ctx.Add(std::move(rep));
        }
      }
    }
  }
}

bool LooksLikeReference(std::string_view key, std::string_view value) {
  // "secret: my-app-secret" names a Secret; it does not hold one.
  static const re2::RE2 kName(R"(^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$)");
  std::string k = Lower(key);
  bool only_secret = k.find("password") == std::string::npos &&
                     k.find("token") == std::string::npos && k.find("key") == std::string::npos;
  return only_secret && value.find('-') != std::string_view::npos &&
         re2::RE2::FullMatch(re2::StringPiece(value.data(), value.size()), kName);
}

void WalkValues(LintContext& ctx, const YNode& n, const std::string& path, const YNode* key,
                int depth,
                const std::function<void(const std::string&, const YNode*, const YNode&)>& fn) {
  if (depth > 40) return;
  if (n.IsMap()) {
    for (size_t i = 0; i < n.keys.size() && i < n.values.size(); ++i) {
      WalkValues(ctx, n.values[i], path.empty() ? n.keys[i].value : path + "." + n.keys[i].value,
                 &n.keys[i], depth + 1, fn);
    }
  } else if (n.IsSeq()) {
    for (size_t i = 0; i < n.values.size(); ++i) {
      WalkValues(ctx, n.values[i], path + "[" + std::to_string(i) + "]", key, depth + 1, fn);
    }
  } else if (n.IsScalar() && key != nullptr) {
    fn(path, key, n);
  }
}

// Whether WalkValues would call back with a value `pred` accepts (the same
// nodes: scalars under a key, at most 40 levels down), without building the
// key paths.
template <typename Pred>
bool AnyKeyedValue(const YNode& n, bool keyed, int depth, const Pred& pred) {
  if (depth > 40) return false;
  if (n.IsMap()) {
    for (size_t i = 0; i < n.keys.size() && i < n.values.size(); ++i) {
      if (AnyKeyedValue(n.values[i], true, depth + 1, pred)) return true;
    }
  } else if (n.IsSeq()) {
    for (size_t i = 0; i < n.values.size(); ++i) {
      if (AnyKeyedValue(n.values[i], keyed, depth + 1, pred)) return true;
    }
  } else if (n.IsScalar() && keyed) {
    return pred(n);
  }
  return false;
}

void ReportValues(LintContext& ctx, const ManifestFile* file, const Resource* obj,
                  const YNode& values, const std::string& where, const YNode* fallback_at) {
  int n = 0;
  WalkValues(
      ctx, values, "", nullptr, 0, [&](const std::string& path, const YNode* key, const YNode& v) {
        if (n >= 20) return;
        if (!IsCredentialKey(key->value) || ctx.IsPlaceholder(v.value) || IsTrivialValue(v.value) ||
            IsEncToken(v.value) || LooksLikeReference(key->value, v.value))
          return;
        ++n;
        LintContext::Report rep;
        rep.policy = "GSP-GEN-002";
        rep.file = file;
        rep.at = fallback_at ? fallback_at : key;
        rep.object = obj;
        rep.key = where + path;
        rep.discriminator = (obj ? obj->Id() : file->path) + ":" + rep.key;
        rep.message = "Credential-like value " + path + " in clear text in " +
                      where.substr(0, where.size() - 1) +
                      " (use valuesFrom a SOPS/sealed Secret, helm-secrets, or an external secret)";
        ctx.Add(std::move(rep));
      });
}

void Gen002(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  for (const auto& fp : index.files()) {
    const ManifestFile& f = *fp;
    std::string base = Lower(BaseName(f.path));
    if (f.sops_encrypted || !f.parsed || base.rfind("values", 0) != 0) continue;
    if (base.find(".yaml") == std::string::npos && base.find(".yml") == std::string::npos) continue;
    for (const auto& d : f.docs) {
      if (d.root.IsMap() && d.root.Get("apiVersion") && d.root.Get("kind")) continue;  // a manifest
      ReportValues(ctx, &f, nullptr, d.root, "values file.", nullptr);
    }
  }
  for (const auto& r : index.resources()) {
    if (r.sops) continue;
    const YNode* spec = r.node->Get("spec");
    if (spec == nullptr) continue;
    if (r.kind == "HelmRelease") {
      if (const YNode* v = spec->Get("values"))
        ReportValues(ctx, r.file, &r, *v, "HelmRelease spec.values.", nullptr);
    }
    if (index.IsFluxKustomization(r)) {
      if (const YNode* s = spec->Path("postBuild.substitute")) {
        ReportValues(ctx, r.file, &r, *s, "Flux postBuild.substitute.", nullptr);
      }
    }
    if (r.kind == "Application" && r.api_version.rfind("argoproj.io", 0) == 0) {
      std::vector<const YNode*> sources;
      if (const YNode* s = spec->Get("source")) sources.push_back(s);
      if (const YNode* ss = spec->Get("sources"); ss && ss->IsSeq()) {
        for (const auto& s : ss->values) sources.push_back(&s);
      }
      for (const YNode* s : sources) {
        const YNode* helm = s->Get("helm");
        if (helm == nullptr) continue;
        if (const YNode* vo = helm->Get("valuesObject"))
          ReportValues(ctx, r.file, &r, *vo, "Argo CD helm.valuesObject.", nullptr);
        if (const YNode* v = helm->Get("values"); v && v->IsScalar()) {
          std::vector<YDocument> docs;
          uint32_t line = 0;
          if (ParseYaml(v->value, &docs, &line).ok()) {
            for (const auto& d : docs)
              ReportValues(ctx, r.file, &r, d.root, "Argo CD helm.values.",
                           helm->KeyNode("values"));
          }
        }
        if (const YNode* ps = helm->Get("parameters"); ps && ps->IsSeq()) {
          for (const auto& p : ps->values) {
            std::string name = p.Str("name");
            std::string leaf =
                name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
            const YNode* v = p.Get("value");
            if (v == nullptr || !IsCredentialKey(leaf) || ctx.IsPlaceholder(v->value) ||
                IsTrivialValue(v->value))
              continue;
            LintContext::Report rep;
            rep.policy = "GSP-GEN-002";
            rep.file = r.file;
            rep.at = p.KeyNode("value");
            rep.object = &r;
            rep.key = "Argo CD helm.parameters." + name;
            rep.discriminator = r.Id() + ":" + rep.key;
            rep.message = "Helm parameter " + name + " of Application " + r.name +
                          " is a clear-text credential";
            ctx.Add(std::move(rep));
          }
        }
      }
    }
  }
  for (const auto& k : index.kustomizations()) {
    const YNode* charts = k.node->Get("helmCharts");
    if (charts == nullptr || !charts->IsSeq()) continue;
    for (const auto& c : charts->values) {
      if (const YNode* vi = c.Get("valuesInline")) {
        ReportValues(ctx, k.file, nullptr, *vi, "helmCharts[" + c.Str("name") + "].valuesInline.",
                     nullptr);
      }
    }
  }
}

void Gen003(LintContext& ctx) {
  static const re2::RE2 kAvp(R"(<path:[^>#]+#[^>]+>)");
  for (const auto& r : ctx.index().resources()) {
    std::string why;
    const YNode* at = nullptr;
    if (TextMayContain(*r.file, "avp.kubernetes.io/path") &&
        r.HasAnnotation("avp.kubernetes.io/path")) {
      why = "uses the argocd-vault-plugin annotation avp.kubernetes.io/path";
      at = r.node->Path("metadata.annotations")->KeyNode("avp.kubernetes.io/path");
    }
    if (r.kind == "Application" && r.api_version.rfind("argoproj.io", 0) == 0) {
      std::vector<const YNode*> sources;
      if (const YNode* s = r.node->Path("spec.source")) sources.push_back(s);
      if (const YNode* ss = r.node->Path("spec.sources"); ss && ss->IsSeq()) {
        for (const auto& s : ss->values) sources.push_back(&s);
      }
      for (const YNode* s : sources) {
        const YNode* plugin = s->Get("plugin");
        if (plugin == nullptr) continue;
        std::string name = Lower(plugin->Str("name"));
        if (name.find("vault") != std::string::npos || name.find("avp") != std::string::npos) {
          why = "renders manifests with the Config Management Plugin " + plugin->Str("name");
          at = plugin->KeyNode("name");
        }
      }
    }
    if (r.kind == "ConfigMap" && r.name == "argocd-cm") {
      if (r.file->raw.find("argocd-vault-plugin") != std::string::npos) {
        why = "registers argocd-vault-plugin as a Config Management Plugin";
        at = r.node->KeyNode("data");
      }
    }
    // The pattern needs the literal "<path:": most objects hold none, and
    // only then is the object walked with its key paths built.
    auto is_avp = [](const YNode& v) {
      return v.value.find("<path:") != std::string::npos && re2::RE2::PartialMatch(v.value, kAvp);
    };
    if (why.empty() && TextMayContain(*r.file, "<path:") &&
        AnyKeyedValue(*r.node, false, 0, is_avp)) {
      // <path:...#...> placeholders anywhere in the object.
      std::string found;
      const YNode* fkey = nullptr;
      WalkValues(ctx, *r.node, "", nullptr, 0,
                 [&](const std::string& path, const YNode* key, const YNode& v) {
                   if (found.empty() && is_avp(v)) {
                     found = path;
                     fkey = key;
                   }
                 });
      if (!found.empty()) {
        why = "takes " + found + " from an argocd-vault-plugin <path:…#…> placeholder";
        at = fkey;
      }
    }
    if (why.empty()) continue;
    LintContext::Report rep;
    rep.policy = "GSP-GEN-003";
    rep.file = r.file;
    rep.at = at ? at : r.node->KeyNode("kind");
    rep.object = &r;
    rep.key = "injection";
    rep.discriminator = r.Id() + ":injection";
    rep.message =
        Describe(r) + " " + why +
        ": secrets are injected at manifest generation and cached by the Argo CD repo-server";
    ctx.Add(std::move(rep));
  }
}

bool IsKsops(const Resource& r) {
  return r.kind == "ksops" && r.api_version.rfind("viaduct.ai", 0) == 0;
}

void Gen004(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  std::set<std::string> ksops_dirs;
  for (const auto& r : index.resources()) {
    if (!IsKsops(r)) continue;
    ksops_dirs.insert(DirName(r.file->path));
    std::string dir = DirName(r.file->path);
    std::vector<std::pair<const YNode*, std::string>> files = Entries(r.node->Get("files"));
    if (const YNode* sf = r.node->Get("secretFrom"); sf && sf->IsSeq()) {
      for (const auto& s : sf->values) {
        for (const char* field : {"files", "binaryFiles", "envs"}) {
          for (auto& e : Entries(s.Get(field))) files.push_back(e);
        }
      }
    }
    for (const auto& [node, entry] : files) {
      std::string rel =
          entry.substr(entry.find('=') == std::string::npos ? 0 : entry.find('=') + 1);
      std::string p = JoinPath(dir, rel);
      std::string why;
      if (!index.PathExists(p)) {
        why = "lists " + p + ", which is not in the repository";
      } else if (!index.PathHasSopsMarkers(p)) {
        why = "lists " + p + ", which is not SOPS-encrypted";
      } else {
        continue;
      }
      LintContext::Report rep;
      rep.policy = "GSP-GEN-004";
      rep.file = r.file;
      rep.at = node;
      rep.object = &r;
      rep.key = "files." + rel;
      rep.discriminator = r.Id() + ":" + rep.key;
      rep.message = "KSOPS generator " + r.name + " " + why;
      ctx.Add(std::move(rep));
    }
  }
  for (const auto& r : index.resources()) {
    if (r.kind != "Application" || r.api_version.rfind("argoproj.io", 0) != 0 ||
        r.file->from_history)
      continue;
    const YNode* src = r.node->Path("spec.source");
    if (src == nullptr) continue;
    std::string path = src->Str("path");
    if (path.empty() || path.find("{{") != std::string::npos) continue;
    if (src->Get("plugin") != nullptr) continue;  // a CMP may decrypt
    if (const YNode* helm = src->Get("helm")) {
      bool helm_secrets = false;
      for (const auto& [n, v] : Entries(helm->Get("valueFiles"))) {
        if (v.rfind("secrets://", 0) == 0 || v.find("secrets+") != std::string::npos)
          helm_secrets = true;
      }
      if (helm_secrets) continue;
    }
    // Resolve like Flux: against the ancestors of the Application file.
    std::string dir;
    std::string base = DirName(r.file->path);
    bool found = false;
    while (true) {
      std::string cand = JoinPath(base, path);
      if (index.DirExists(cand) && !index.FilesUnder(cand, true).empty()) {
        dir = cand;
        found = true;
        break;
      }
      if (base.empty()) break;
      base = DirName(base);
    }
    if (!found) continue;
    std::vector<const ManifestFile*> encrypted;
    bool has_ksops = false;
    for (const ManifestFile* f : index.FilesUnder(dir)) {
      if (f->sops_encrypted) encrypted.push_back(f);
      if (ksops_dirs.count(DirName(f->path))) has_ksops = true;
    }
    if (encrypted.empty() || has_ksops) continue;
    LintContext::Report rep;
    rep.policy = "GSP-GEN-004";
    rep.file = r.file;
    rep.at = src->KeyNode("path");
    rep.object = &r;
    rep.key = "spec.source.path";
    rep.discriminator = r.Id() + ":spec.source.path";
    rep.message = "Argo CD Application " + r.name + " deploys " + dir + ", which holds " +
                  std::to_string(encrypted.size()) +
                  " SOPS-encrypted file(s), but no KSOPS generator or helm-secrets decrypts them "
                  "(Argo CD has no native SOPS support)";
    rep.related.push_back(LintContext::Related(encrypted[0], nullptr, "SOPS-encrypted file"));
    ctx.Add(std::move(rep));
  }
}

}  // namespace

void RunGenPolicies(LintContext& ctx) {
  Gen001(ctx);
  Gen002(ctx);
  Gen003(ctx);
  Gen004(ctx);
}

}  // namespace vigil
