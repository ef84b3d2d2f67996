// Clear-text policies GSP-PLAIN-001..007 (catalog §4.2 "Clear text").
#include <re2/re2.h>

#include <set>
#include <string>

#include "policies/policy.h"
#include "policies/secret_values.h"

namespace vigil {
namespace {

uint32_t LineOf(std::string_view raw, size_t offset, uint32_t* column) {
  uint32_t line = 1;
  size_t last = 0;
  for (size_t i = 0; i < offset && i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ++line;
      last = i + 1;
    }
  }
  *column = static_cast<uint32_t>(offset - last + 1);
  return line;
}

bool IsCertificate(std::string_view decoded) {
  size_t p = decoded.find_first_not_of(" \n\r\t");
  return p != std::string_view::npos &&
         (decoded.compare(p, 27, "-----BEGIN CERTIFICATE-----") == 0 ||
          decoded.compare(p, 26, "-----BEGIN PUBLIC KEY-----") == 0 ||
          decoded.compare(p, 36, "-----BEGIN PGP PUBLIC KEY BLOCK-----") == 0);
}

// PLAIN-001 and the "has real values" test other policies share.
bool RealValue(const LintContext& ctx, const SecretEntry& e) {
  if (!e.valid) return false;
  // data: judge the decoded text only (base64 text can contain "todo", "xxxx"...).
  if ((e.section != "data" && ctx.IsPlaceholder(e.value->value)) || ctx.IsPlaceholder(e.decoded)) return false;
  if (IsCertificate(e.decoded)) return false;
  return true;
}

void Plain001(LintContext& ctx, const Resource& r, const std::vector<SecretEntry>& entries) {
  for (const auto& e : entries) {
    if (!RealValue(ctx, e)) continue;
    std::string what;
    bool critical = ContainsKeyMaterial(e.decoded, &what) || e.key->value == ".dockerconfigjson" ||
                    e.key->value == ".dockercfg";
    LintContext::Report rep;
    rep.policy = "GSP-PLAIN-001";
    rep.file = r.file;
    rep.at = e.key;
    rep.object = &r;
    rep.key = e.section + "." + e.key->value;
    rep.discriminator = "Secret/" + r.Namespace() + "/" + r.name + ":" + rep.key;
    rep.message = "Secret " + (r.Namespace().empty() ? "" : r.Namespace() + "/") + r.name +
                  " holds a clear-text value under " + rep.key +
                  (e.section == "data" ? " (base64 is an encoding, not encryption)" : "") +
                  "; it is not SOPS-encrypted, sealed or referenced from a vault";
    if (critical) rep.severity = Severity::kCritical;
    ctx.Add(std::move(rep));
  }
}

void ReportKeyMaterialAt(LintContext& ctx, const ManifestFile& f, size_t offset,
                         const std::string& what, const std::string& policy) {
  uint32_t column = 1;
  uint32_t line = LineOf(f.raw, offset, &column);
  LintContext::Report rep;
  rep.policy = policy;
  rep.file = &f;
  rep.line = line;
  rep.column = column;
  rep.length = 10;
  rep.discriminator = f.path + ":" + what + "@" + std::to_string(line);
  rep.message = "File contains a " + what + " in clear text";
  ctx.Add(std::move(rep));
}

// Registry hosts of a decoded .dockerconfigjson with credentials.
std::vector<std::string> DockerAuthHosts(const LintContext& ctx, const std::string& json) {
  std::vector<std::string> hosts;
  std::vector<YDocument> docs;
  uint32_t line = 0;
  if (!ParseYaml(json, &docs, &line).ok() || docs.empty()) return hosts;
  const YNode* auths = docs[0].root.Get("auths");
  if (auths == nullptr) auths = &docs[0].root;  // .dockercfg: hosts at the top
  if (!auths->IsMap()) return hosts;
  for (size_t i = 0; i < auths->keys.size(); ++i) {
    const YNode& v = auths->values[i];
    std::string auth = v.Str("auth"), pw = v.Str("password");
    if ((!auth.empty() && !ctx.IsPlaceholder(auth)) || (!pw.empty() && !ctx.IsPlaceholder(pw))) {
      hosts.push_back(auths->keys[i].value);
    }
  }
  return hosts;
}

void Plain002(LintContext& ctx) {
  for (const auto& fp : ctx.index().files()) {
    const ManifestFile& f = *fp;
    if (f.sops_encrypted) continue;
    std::string base = Lower(BaseName(f.path));
    bool key_file = base == "keys.txt" || (base.size() > 7 && base.compare(base.size() - 7, 7, ".agekey") == 0);
    std::string_view raw = f.raw;
    size_t start = 0;
    std::string what;
    size_t off = 0;
    int n = 0;
    while (start < raw.size() && n < 20 && ContainsKeyMaterial(raw.substr(start), &what, &off)) {
      size_t abs = start + off;
      std::string policy = (key_file && what == "age secret key") ? "GSP-PLAIN-006" : "GSP-PLAIN-002";
      ReportKeyMaterialAt(ctx, f, abs, what, policy);
      start = abs + 16;
      ++n;
    }
  }
  for (const auto& r : ctx.index().resources()) {
    if (r.sops) continue;
    if (r.kind == "Secret") {
      for (const auto& e : CollectSecretEntries(r)) {
        if (!e.valid || e.section != "data") continue;
        std::string what;
        if (ContainsKeyMaterial(e.decoded, &what)) {
          LintContext::Report rep;
          rep.policy = "GSP-PLAIN-002";
          rep.file = r.file;
          rep.at = e.key;
          rep.object = &r;
          rep.key = "data." + e.key->value;
          rep.discriminator = r.Id() + ":" + rep.key;
          rep.message = "The base64 value of " + rep.key + " in " + Describe(r) + " decodes to a " + what;
          ctx.Add(std::move(rep));
        }
        if (e.key->value == ".dockerconfigjson" || e.key->value == ".dockercfg") {
          auto hosts = DockerAuthHosts(ctx, e.decoded);
          if (!hosts.empty()) {
            std::string list;
            for (const auto& h : hosts) list += (list.empty() ? "" : ", ") + h;
            LintContext::Report rep;
            rep.policy = "GSP-PLAIN-002";
            rep.file = r.file;
            rep.at = e.key;
            rep.object = &r;
            rep.key = "data." + e.key->value;
            rep.discriminator = r.Id() + ":" + rep.key;
            rep.message = "Pull secret " + Describe(r) + " holds registry credentials for " + list;
            ctx.Add(std::move(rep));
          }
        }
      }
    }
    if (r.kind == "Config") {  // kubeconfig
      const YNode* users = r.node->Get("users");
      if (users == nullptr || !users->IsSeq()) continue;
      for (const auto& u : users->values) {
        const YNode* user = u.Get("user");
        if (user == nullptr) continue;
        for (const char* k : {"client-key-data", "token", "password"}) {
          const YNode* v = user->Get(k);
          if (v == nullptr || !v->IsScalar() || ctx.IsPlaceholder(v->value) || v->value.size() < 8)
            continue;
          LintContext::Report rep;
          rep.policy = "GSP-PLAIN-002";
          rep.file = r.file;
          rep.at = user->KeyNode(k);
          rep.object = &r;
          rep.key = std::string("users[") + u.Str("name") + "].user." + k;
          rep.discriminator = r.file->path + ":" + rep.key;
          rep.message = std::string("kubeconfig holds a clear-text ") + k + " for user " + u.Str("name");
          ctx.Add(std::move(rep));
        }
      }
    }
  }
}

void Plain003(LintContext& ctx, const Resource& r) {
  for (const YNode* spec : r.pod_specs) {
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
      const YNode* cs = spec->Get(list);
      if (cs == nullptr || !cs->IsSeq()) continue;
      for (const YNode& c : cs->values) {
        const YNode* env = c.Get("env");
        if (env == nullptr || !env->IsSeq()) continue;
        for (const YNode& e : env->values) {
          std::string name = e.Str("name");
          const YNode* v = e.Get("value");
          if (v == nullptr || !v->IsScalar() || !IsCredentialKey(name)) continue;
          if (ctx.IsPlaceholder(v->value) || IsTrivialValue(v->value)) continue;
          LintContext::Report rep;
          rep.policy = "GSP-PLAIN-003";
          rep.file = r.file;
          rep.at = e.KeyNode("value");
          rep.object = &r;
          rep.key = std::string(list) + "[" + c.Str("name") + "].env[" + name + "].value";
          rep.discriminator = r.Id() + ":" + rep.key;
          rep.message = "Container " + c.Str("name") + " of " + Describe(r) + " sets env " + name +
                        " to a literal value; use valueFrom.secretKeyRef";
          ctx.Add(std::move(rep));
        }
      }
    }
  }
}

void Plain004(LintContext& ctx, const Resource& r) {
  static const re2::RE2 kEmbedded(
      R"((?i)\b(password|passwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)["']?\s*[:=]\s*["']?([^\s"',;#}]{6,}))");
  for (const char* section : {"data", "binaryData"}) {
    const YNode* data = r.node->Get(section);
    if (data == nullptr || !data->IsMap()) continue;
    for (size_t i = 0; i < data->keys.size(); ++i) {
      const YNode& k = data->keys[i];
      const YNode& v = data->values[i];
      if (!v.IsScalar()) continue;
      bool fire = false;
      std::string why;
      if (IsCredentialKey(k.value) && !ctx.IsPlaceholder(v.value) && !IsTrivialValue(v.value) &&
          v.value.find('\n') == std::string::npos) {
        fire = true;
        why = "key " + k.value + " holds a credential-like literal";
      } else if (std::string(section) == "data") {
        re2::StringPiece in(v.value);
        std::string word, val;
        while (re2::RE2::FindAndConsume(&in, kEmbedded, &word, &val)) {
          if (ctx.IsPlaceholder(val) || IsTrivialValue(val) || val.find("$(") == 0) continue;
          if (val.find("secretKeyRef") != std::string::npos) continue;
          fire = true;
          why = "the value of " + k.value + " sets " + word + " to a literal";
          break;
        }
      }
      if (!fire) continue;
      LintContext::Report rep;
      rep.policy = "GSP-PLAIN-004";
      rep.file = r.file;
      rep.at = &k;
      rep.object = &r;
      rep.key = std::string(section) + "." + k.value;
      rep.discriminator = r.Id() + ":" + rep.key;
      rep.message = "ConfigMap " + r.name + ": " + why + "; ConfigMaps are not secret";
      ctx.Add(std::move(rep));
    }
  }
}

void Plain005(LintContext& ctx, const Resource& r) {
  static const re2::RE2 kSecret(R"re("kind"\s*:\s*"Secret")re");
  static const re2::RE2 kData(R"re("(data|stringData)"\s*:\s*\{\s*")re");
  auto check = [&](const YNode* meta, const std::string& where) {
    if (meta == nullptr) return;
    const YNode* ann = meta->Get("annotations");
    if (ann == nullptr) return;
    for (const char* key : {"kubectl.kubernetes.io/last-applied-configuration",
                            "kubecfg.ksonnet.io/last-applied-configuration"}) {
      const YNode* v = ann->Get(key);
      if (v == nullptr || !v->IsScalar()) continue;
      if (!re2::RE2::PartialMatch(v->value, kSecret) || !re2::RE2::PartialMatch(v->value, kData))
        continue;
      LintContext::Report rep;
      rep.policy = "GSP-PLAIN-005";
      rep.file = r.file;
      rep.at = ann->KeyNode(key);
      rep.object = &r;
      rep.key = where + "annotations." + key;
      rep.discriminator = r.Id() + ":" + rep.key;
      rep.message = "The " + std::string(key) + " annotation of " + Describe(r) +
                    " embeds a Secret with its data in clear text";
      ctx.Add(std::move(rep));
    }
  };
  check(r.node->Get("metadata"), "metadata.");
  if (const YNode* spec = r.node->Get("spec")) {
    if (const YNode* t = spec->Get("template")) check(t->Get("metadata"), "spec.template.metadata.");
  }
}

void Plain006(LintContext& ctx, const Resource& r, const std::vector<SecretEntry>& entries) {
  bool sealing = r.Label("sealedsecrets.bitnami.com/sealed-secrets-key") != "" ||
                 r.name.rfind("sealed-secrets-key", 0) == 0;
  for (const auto& e : entries) {
    if (!RealValue(ctx, e)) continue;
    const std::string& k = e.key->value;
    std::string why;
    auto ends = [&](std::string_view s) {
      return k.size() >= s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0;
    };
    std::string what;
    if (sealing && k == "tls.key") {
      why = "the Sealed Secrets controller's private key (tls.key)";
    } else if (ends(".agekey")) {
      why = "an age private key (" + k + ") used for SOPS decryption";
    } else if (ends(".asc") && e.decoded.find("PRIVATE KEY") != std::string::npos) {
      why = "an armored PGP private key (" + k + ") used for SOPS decryption";
    } else if (k == "sops.azure-kv" || k == "sops.aws-kms" || k == "sops.gcp-kms" ||
               k == "sops.vault-token") {
      why = "the Flux SOPS decryption credential " + k;
    } else {
      continue;
    }
    LintContext::Report rep;
    rep.policy = "GSP-PLAIN-006";
    rep.file = r.file;
    rep.at = e.key;
    rep.object = &r;
    rep.key = e.section + "." + k;
    rep.discriminator = r.Id() + ":" + rep.key;
    rep.message = Describe(r) + " commits " + why +
                  " in clear text: anyone with the repository can decrypt every secret";
    ctx.Add(std::move(rep));
  }
}

// Secrets referenced by GitOps / secret controllers: (namespace, name) -> referrer.
struct Referrer {
  const Resource* r;
  const YNode* at;
  std::string how;
};

void FindSecretRefs(const YNode& n, std::vector<std::pair<std::string, const YNode*>>* out,
                    int depth) {
  if (depth > 20 || !n.IsMap()) {
    if (n.IsSeq())
      for (const auto& v : n.values) FindSecretRefs(v, out, depth + 1);
    return;
  }
  for (size_t i = 0; i < n.keys.size(); ++i) {
    const std::string& k = n.keys[i].value;
    std::string lk = Lower(k);
    if ((lk.size() >= 9 && lk.compare(lk.size() - 9, 9, "secretref") == 0) && n.values[i].IsMap()) {
      out->emplace_back(n.values[i].Str("namespace"), &n.values[i]);
    }
    FindSecretRefs(n.values[i], out, depth + 1);
  }
}

void Plain007(LintContext& ctx) {
  std::map<std::string, std::vector<Referrer>> refs;  // "ns/name"
  auto add = [&](const std::string& ns, const std::string& name, const Resource* r,
                 const YNode* at, std::string how) {
    if (name.empty()) return;
    refs[ns + "/" + name].push_back(Referrer{r, at, std::move(how)});
  };
  for (const auto& r : ctx.index().resources()) {
    const YNode* spec = r.node->Get("spec");
    if (spec == nullptr) continue;
    std::string ns = r.Namespace();
    if (r.api_version.rfind("source.toolkit.fluxcd.io", 0) == 0) {
      if (const YNode* s = spec->Get("secretRef")) add(ns, s->Str("name"), &r, s, "Flux " + r.kind + " secretRef");
    }
    if (r.kind == "HelmRelease") {
      if (const YNode* vf = spec->Get("valuesFrom"); vf && vf->IsSeq()) {
        for (const auto& v : vf->values) {
          if (v.Str("kind") == "Secret") add(ns, v.Str("name"), &r, &v, "HelmRelease valuesFrom");
        }
      }
    }
    if ((r.kind == "SecretStore" || r.kind == "ClusterSecretStore") &&
        r.api_version.rfind("external-secrets.io", 0) == 0) {
      if (const YNode* prov = spec->Get("provider")) {
        std::vector<std::pair<std::string, const YNode*>> found;
        FindSecretRefs(*prov, &found, 0);
        for (const auto& [rns, node] : found) {
          add(rns.empty() ? ns : rns, node->Str("name"), &r, node, "ESO " + r.kind + " auth secretRef");
        }
      }
    }
    for (const YNode* pod : r.pod_specs) {
      const YNode* vols = pod->Get("volumes");
      if (vols == nullptr || !vols->IsSeq()) continue;
      for (const auto& v : vols->values) {
        const YNode* csi = v.Get("csi");
        const YNode* np = csi ? csi->Get("nodePublishSecretRef") : nullptr;
        if (np != nullptr) add(ns, np->Str("name"), &r, np, "CSI nodePublishSecretRef");
      }
    }
  }
  for (const auto& r : ctx.index().resources()) {
    if (r.kind != "Secret" || r.sops) continue;
    auto entries = CollectSecretEntries(r);
    const SecretEntry* real = nullptr;
    for (const auto& e : entries) {
      if (RealValue(ctx, e)) {
        real = &e;
        break;
      }
    }
    if (real == nullptr) continue;
    std::string why;
    std::vector<RelatedLocation> related;
    std::string type = r.Label("argocd.argoproj.io/secret-type");
    if (type == "repository" || type == "repo-creds" || type == "cluster") {
      why = "is an Argo CD " + type + " credential";
    }
    for (const auto& pl : r.placements) {
      auto it = refs.find(pl.namespace_ + "/" + pl.name);
      if (it == refs.end()) continue;
      for (const auto& ref : it->second) {
        if (why.empty()) why = "is used by " + ref.how + " of " + Describe(*ref.r);
        related.push_back(LintContext::Related(ref.r->file, ref.at, ref.how + " of " + Describe(*ref.r)));
      }
    }
    if (why.empty()) continue;
    LintContext::Report rep;
    rep.policy = "GSP-PLAIN-007";
    rep.file = r.file;
    rep.at = real->key;
    rep.object = &r;
    rep.key = real->section + "." + real->key->value;
    rep.discriminator = r.Id();
    rep.message = "Secret " + (r.Namespace().empty() ? "" : r.Namespace() + "/") + r.name + " " + why +
                  " and is committed in clear text";
    rep.related = std::move(related);
    ctx.Add(std::move(rep));
  }
}

}  // namespace

void RunPlainPolicies(LintContext& ctx) {
  Plain002(ctx);
  for (const auto& r : ctx.index().resources()) {
    if (r.sops) continue;
    if (r.kind == "Secret" && (r.api_version == "v1" || r.api_version.empty())) {
      auto entries = CollectSecretEntries(r);
      Plain001(ctx, r, entries);
      Plain006(ctx, r, entries);
    }
    if (r.kind == "ConfigMap") Plain004(ctx, r);
    Plain003(ctx, r);
    Plain005(ctx, r);
  }
  Plain007(ctx);
}

}  // namespace vigil
