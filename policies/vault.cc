// Key-vault name, tenant and environment policies GSP-VAULT-001..004 (catalog
// s.4.2, s.4.4). Vault identifiers: SecretProviderClass (azure) keyvaultName
// and tenantID, ESO azurekv vaultUrl and tenantId, SOPS azure_kv vault_url and
// .sops.yaml azure_keyvault. Environments come from path segments matched
// against LintOptions.environments (default prod/production, staging/stage,
// dev/development).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "policies/policy.h"

namespace vigil {
namespace {

using Envs = std::map<std::string, std::vector<std::string>>;

Envs EnvTokens(const LintOptions& o) {
  if (!o.environments.empty()) return o.environments;
  return {{"prod", {"prod", "production"}}, {"staging", {"staging", "stage"}}, {"dev", {"dev", "development"}}};
}

std::vector<std::string> Split(const std::string& s, const char* seps) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::string_view(seps).find(c) != std::string_view::npos) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The environment whose token is one of the parts, or "".
std::string EnvOfParts(const std::vector<std::string>& parts, const Envs& envs) {
  for (const auto& p : parts) {
    std::string lp = Lower(p);
    for (const auto& [env, tokens] : envs) {
      for (const auto& t : tokens) {
        if (lp == Lower(t)) return env;
      }
    }
  }
  return "";
}

std::string PathEnv(const std::string& path, const Envs& envs) {
  std::vector<std::string> parts = Split(DirName(path), "/");
  return EnvOfParts(parts, envs);
}

std::string NameEnv(const std::string& name, const Envs& envs) { return EnvOfParts(Split(name, "-_."), envs); }

struct VaultRef {
  const ManifestFile* file = nullptr;
  const Resource* r = nullptr;
  const YNode* at = nullptr;   // the value
  std::string what;            // "SecretProviderClass keyvaultName", ...
  std::string field;           // "keyvaultName", "vaultUrl", "tenantID", "clientID", ...
  std::string value;
  std::string vault;           // the vault name ("" for tenants/clients)
  bool tenant = false;
};

std::string VaultFromUrl(const std::string& url) {
  std::string s = url;
  size_t p = s.find("://");
  if (p != std::string::npos) s = s.substr(p + 3);
  size_t dot = s.find('.');
  if (dot != std::string::npos) s = s.substr(0, dot);
  size_t slash = s.find('/');
  if (slash != std::string::npos) s = s.substr(0, slash);
  return Lower(s);
}

bool Rendered(const std::string& v) {
  return v.find("${") != std::string::npos || v.find("{{") != std::string::npos || v.find("#{") != std::string::npos;
}

void Collect(const ResourceIndex& index, std::vector<VaultRef>* out) {
  for (const auto& r : index.resources()) {
    if (r.file->from_history) continue;
    if (r.kind == "SecretProviderClass" && r.node->Path("spec.provider") &&
        r.node->Path("spec.provider")->value == "azure") {
      const YNode* params = r.node->Path("spec.parameters");
      if (params == nullptr || !params->IsMap()) continue;
      for (const char* f : {"keyvaultName", "tenantID", "tenantId", "clientID", "userAssignedIdentityID"}) {
        const YNode* v = params->Get(f);
        if (v == nullptr || !v->IsScalar()) continue;
        VaultRef ref{r.file, &r, v, "SecretProviderClass " + (r.name.empty() ? std::string("(unnamed)") : r.name), f, v->value, "", false};
        if (std::string(f) == "keyvaultName") ref.vault = Lower(v->value);
        ref.tenant = std::string(f).rfind("tenant", 0) == 0;
        out->push_back(ref);
      }
    }
    if ((r.kind == "SecretStore" || r.kind == "ClusterSecretStore") &&
        r.api_version.rfind("external-secrets.io", 0) == 0) {
      const YNode* az = r.node->Path("spec.provider.azurekv");
      if (az == nullptr || !az->IsMap()) continue;
      for (const char* f : {"vaultUrl", "tenantId", "identityId"}) {
        const YNode* v = az->Get(f);
        if (v == nullptr || !v->IsScalar()) continue;
        VaultRef ref{r.file, &r, v, r.kind + " " + (r.name.empty() ? std::string("(unnamed)") : r.name), f, v->value, "", false};
        if (std::string(f) == "vaultUrl") ref.vault = VaultFromUrl(v->value);
        ref.tenant = std::string(f) == "tenantId";
        out->push_back(ref);
      }
    }
  }
  // SOPS metadata and .sops.yaml rules.
  for (const auto& f : index.files()) {
    if (f->from_history || !f->parsed) continue;
    if (BaseName(f->path) == ".sops.yaml") {
      if (f->docs.empty()) continue;
      const YNode* rules = f->docs[0].root.Get("creation_rules");
      if (rules == nullptr || !rules->IsSeq()) continue;
      for (const auto& rule : rules->values) {
        const YNode* v = rule.Get("azure_keyvault");
        if (v == nullptr || !v->IsScalar()) continue;
        for (const auto& url : Split(v->value, ",")) {
          out->push_back(VaultRef{f.get(), nullptr, v, ".sops.yaml creation rule", "azure_keyvault", url,
                                  VaultFromUrl(url), false});
        }
      }
      continue;
    }
    if (f->sops_doc < 0) continue;
    const YNode* kv = f->docs[static_cast<size_t>(f->sops_doc)].root.Path("sops.azure_kv");
    if (kv == nullptr || !kv->IsSeq()) continue;
    for (const auto& e : kv->values) {
      const YNode* v = e.Get("vault_url");
      if (v == nullptr || !v->IsScalar()) continue;
      out->push_back(VaultRef{f.get(), nullptr, v, "SOPS metadata", "vault_url", v->value, VaultFromUrl(v->value), false});
    }
  }
}

// VAULT-004: a sample or placeholder identifier; *why explains.
bool SampleValue(const std::string& v, std::string* why) {
  std::string l = Lower(v);
  if (v.empty()) return false;
  if (Rendered(v)) return false;  // handled separately (info)
  if (l == "tid" || l == "kvname" || l == "keyvaultname" || l == "clientid" || l == "tenantid" ||
      l == "<tenant-id>" || l.find("xx-xxxx") != std::string::npos || l.find("xxxx") != std::string::npos) {
    *why = "is a documentation sample value";
    return true;
  }
  if (v.front() == '<' && v.back() == '>') {
    *why = "is a <placeholder>";
    return true;
  }
  if (v.front() == '$') {
    *why = "is an unrendered shell variable";
    return true;
  }
  std::string hex;
  for (char c : l) {
    if (c != '-') hex += c;
  }
  if (hex.size() == 32 && hex.find_first_not_of('0') == std::string::npos) {
    *why = "is the all-zero GUID";
    return true;
  }
  // ALL_CAPS tokens (KEYVAULT_NAME, KEYVAULT_TENANT): sed-style placeholders.
  bool upper = false, lower = false;
  for (char c : v) {
    if (c >= 'A' && c <= 'Z') upper = true;
    if (c >= 'a' && c <= 'z') lower = true;
  }
  if (upper && !lower && v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == std::string::npos &&
      v.size() >= 4 && v.find('_') != std::string::npos) {
    *why = "is an ALL_CAPS placeholder token";
    return true;
  }
  return false;
}

LintContext::Report Make(const char* id, const VaultRef& v, std::string message) {
  LintContext::Report rep;
  rep.policy = id;
  rep.file = v.file;
  rep.at = v.at;
  rep.object = v.r;
  rep.key = v.field;
  rep.discriminator = (v.r ? v.r->Id() : v.file->path) + ":" + v.field + ":" + v.value;
  rep.message = std::move(message);
  return rep;
}

}  // namespace

void RunVaultPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  Envs envs = EnvTokens(ctx.options());
  std::vector<VaultRef> refs;
  Collect(index, &refs);

  for (const auto& v : refs) {
    // VAULT-004.
    std::string why;
    if (SampleValue(v.value, &why)) {
      ctx.Add(Make("GSP-VAULT-004", v, v.what + " " + v.field + " '" + v.value + "' " + why +
                                           "; replace it with the real identifier (or render it from a variable)"));
    } else if (Rendered(v.value) && (v.field == "keyvaultName" || v.field.rfind("tenant", 0) == 0 ||
                                     v.field == "clientID" || v.field == "vaultUrl")) {
      LintContext::Report rep = Make("GSP-VAULT-004", v, v.what + " " + v.field +
                                                             " is a template/substitution ('" + v.value +
                                                             "'); make sure the render step (Flux postBuild, Helm) sets it");
      rep.severity = Severity::kInfo;
      ctx.Add(std::move(rep));
    }
    if (v.vault.empty() || Rendered(v.value)) continue;
    // VAULT-001.
    std::string penv = PathEnv(v.file->path, envs);
    std::string venv = NameEnv(v.vault, envs);
    if (!penv.empty() && !venv.empty() && penv != venv) {
      ctx.Add(Make("GSP-VAULT-001", v, v.what + " uses vault '" + v.vault + "' (environment " + venv +
                                           ") but " + v.file->path + " belongs to environment " + penv));
    }
    // VAULT-003: a literal vault in a base applied by several builds.
    if (v.r != nullptr) {
      std::set<std::string> vias;
      for (const auto& p : v.r->placements) {
        if (!p.via.empty()) vias.insert(p.via);
      }
      if (vias.size() >= 2) {
        LintContext::Report rep = Make("GSP-VAULT-003", v, v.what + " hard-codes vault '" + v.vault +
                                                               "' in a base applied by " + std::to_string(vias.size()) +
                                                               " builds; set it per overlay (patch, postBuild variable, Helm value)");
        for (const auto& via : vias) {
          const ManifestFile* vf = index.File(via.substr(0, via.find('#')));
          if (vf != nullptr) rep.related.push_back(LintContext::Related(vf, nullptr, "build applying the base: " + via));
        }
        ctx.Add(std::move(rep));
      }
    }
  }

  // VAULT-002: one vault used from several environments (one of them prod), or
  // several tenant IDs within one environment.
  std::map<std::string, std::map<std::string, std::vector<const VaultRef*>>> vault_envs;  // vault -> env -> refs
  std::map<std::string, std::map<std::string, std::vector<const VaultRef*>>> env_tenants;  // env -> tenant -> refs
  for (const auto& v : refs) {
    if (Rendered(v.value)) continue;
    std::string why;
    if (SampleValue(v.value, &why)) continue;
    std::string penv = PathEnv(v.file->path, envs);
    if (penv.empty()) continue;
    if (!v.vault.empty()) vault_envs[v.vault][penv].push_back(&v);
    if (v.tenant) env_tenants[penv][Lower(v.value)].push_back(&v);
  }
  const std::string prod = envs.count("prod") ? "prod" : (envs.empty() ? "" : envs.begin()->first);
  for (const auto& [vault, by_env] : vault_envs) {
    if (by_env.size() < 2 || !by_env.count(prod)) continue;
    std::string list;
    for (const auto& [e, _] : by_env) list += (list.empty() ? "" : ", ") + e;
    for (const auto& [e, vs] : by_env) {
      if (e == prod) continue;
      const VaultRef& v = *vs[0];
      LintContext::Report rep = Make("GSP-VAULT-002", v, v.what + " in environment " + e + " uses vault '" + vault +
                                                             "', which environment " + prod + " uses too (" + list +
                                                             "); production and non-production must not share a vault");
      for (const VaultRef* o : by_env.at(prod)) rep.related.push_back(LintContext::Related(o->file, o->at, prod + " use of the vault"));
      ctx.Add(std::move(rep));
    }
  }
  for (const auto& [env, tenants] : env_tenants) {
    if (tenants.size() < 2) continue;
    bool first = true;
    for (const auto& [t, vs] : tenants) {
      if (first) {
        first = false;
        continue;
      }
      const VaultRef& v = *vs[0];
      LintContext::Report rep = Make("GSP-VAULT-002", v, v.what + " uses tenant " + t + " but environment " + env +
                                                             " also uses tenant " + tenants.begin()->first +
                                                             "; one environment should use one tenant");
      for (const VaultRef* o : tenants.begin()->second) rep.related.push_back(LintContext::Related(o->file, o->at, "other tenant"));
      ctx.Add(std::move(rep));
    }
  }
}

}  // namespace vigil
