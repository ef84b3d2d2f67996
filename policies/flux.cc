// Flux policies GSP-FLUX-001..002 (catalog §1.5, §4.2): SOPS content in a
// Flux Kustomization's path without spec.decryption, and broken decryption
// settings.
#include <map>
#include <set>
#include <string>

#include "policies/policy.h"

namespace vigil {
namespace {

bool IsManifest(const ManifestFile& f) {
  for (const auto& d : f.docs) {
    if (d.root.IsMap() && d.root.Get("kind") != nullptr && d.root.Get("apiVersion") != nullptr) return true;
  }
  return false;
}

// Recipient kinds used by an encrypted file ("age", "pgp", "kms", ...).
std::set<std::string> RecipientKinds(const ManifestFile& f) {
  std::set<std::string> out;
  auto scan = [&out](const YNode& m) {
    for (const char* k : {"age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"}) {
      const YNode* l = m.Get(k);
      if (l != nullptr && l->IsSeq() && !l->values.empty()) out.insert(k);
    }
  };
  if (f.sops_doc >= 0) {
    const YNode* s = f.docs[static_cast<size_t>(f.sops_doc)].root.Get("sops");
    if (s != nullptr) {
      scan(*s);
      if (const YNode* kg = s->Get("key_groups"); kg && kg->IsSeq()) {
        for (const auto& g : kg->values) scan(g);
      }
    }
  }
  for (const auto& e : f.flat) {
    for (const char* k : {"age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault"}) {
      std::string p = std::string(f.format == FileFormat::kDotenv ? "sops_" : "") + k + "__list_";
      if (e.key.rfind(p, 0) == 0) out.insert(k);
    }
  }
  return out;
}

struct FluxKs {
  const Resource* r;
  std::string dir;
  std::vector<ResourceIndex::Member> members;
  bool decryption = false;
  bool patched = false;  // decryption added by a parent's spec.patches
};

// Encrypted secretGenerator sources of the kustomizations at or below `dir`.
std::vector<std::string> EncryptedGeneratorSources(const ResourceIndex& index, const std::string& dir,
                                                   const std::vector<ResourceIndex::Member>& members) {
  std::set<std::string> dirs = {dir};
  for (const auto& m : members) dirs.insert(DirName(m.file->path));
  std::vector<std::string> out;
  for (const auto& d : dirs) {
    const Kustomization* k = index.KustomizationIn(d);
    if (k == nullptr) continue;
    const YNode* gens = k->node->Get("secretGenerator");
    if (gens == nullptr || !gens->IsSeq()) continue;
    for (const auto& g : gens->values) {
      for (const char* field : {"files", "envs", "env"}) {
        const YNode* l = g.Get(field);
        std::vector<std::string> entries;
        if (l && l->IsSeq()) {
          for (const auto& e : l->values) entries.push_back(e.value);
        } else if (l && l->IsScalar()) {
          entries.push_back(l->value);
        }
        for (const auto& e : entries) {
          std::string rel = e.substr(e.find('=') == std::string::npos ? 0 : e.find('=') + 1);
          std::string p = JoinPath(d, rel);
          if (index.PathHasSopsMarkers(p)) out.push_back(p);
        }
      }
    }
  }
  return out;
}

}  // namespace

void RunFluxPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  std::vector<FluxKs> all;
  for (const auto& r : index.resources()) {
    if (!index.IsFluxKustomization(r) || r.file->from_history) continue;
    FluxKs ks{&r, "", {}, false, false};
    const YNode* spec = r.node->Get("spec");
    ks.decryption = spec != nullptr && spec->Get("decryption") != nullptr;
    if (index.ResolveFluxPath(r, &ks.dir)) ks.members = index.Expand(ks.dir, true);
    all.push_back(std::move(ks));
  }
  // Parents that add decryption to their children through spec.patches.
  std::set<std::string> patched_files;
  for (const auto& ks : all) {
    const YNode* patches = ks.r->node->Path("spec.patches");
    if (patches == nullptr || !patches->IsSeq()) continue;
    bool adds = false;
    for (const auto& p : patches->values) {
      if (p.Str("patch").find("decryption") != std::string::npos) adds = true;
    }
    if (!adds) continue;
    for (const auto& m : ks.members) patched_files.insert(m.file->path);
  }
  // Producers of Secrets by name, for the secretRef namespace check.
  std::map<std::string, std::set<std::string>> producers;  // name -> namespaces
  for (const auto& r : index.resources()) {
    if (r.kind == "Secret" || r.kind == "SealedSecret") {
      for (const auto& p : r.placements) producers[p.name].insert(p.namespace_);
    } else if (r.kind == "ExternalSecret") {
      const YNode* t = r.node->Path("spec.target.name");
      std::string name = t && t->IsScalar() ? t->value : r.name;
      producers[name].insert(r.Namespace());
    }
  }
  for (auto& ks : all) {
    if (patched_files.count(ks.r->file->path)) ks.patched = true;
    const Resource& r = *ks.r;
    const YNode* spec = r.node->Get("spec");
    std::vector<const ManifestFile*> encrypted;
    std::vector<const Resource*> disabled;
    for (const auto& m : ks.members) {
      const ManifestFile* f = m.file;
      if (!f->sops_encrypted || !IsManifest(*f)) continue;
      encrypted.push_back(f);
      for (const Resource* res : index.InFile(f)) {
        if (res->Annotation("kustomize.toolkit.fluxcd.io/decrypt") == "Disabled") disabled.push_back(res);
      }
    }
    std::vector<std::string> gen_sources = EncryptedGeneratorSources(index, ks.dir, ks.members);
    const YNode* at = spec && spec->KeyNode("path") ? spec->KeyNode("path") : r.node->KeyNode("kind");
    if (!ks.decryption && !ks.patched && (!encrypted.empty() || !gen_sources.empty())) {
      LintContext::Report rep;
      rep.policy = "GSP-FLUX-001";
      rep.file = r.file;
      rep.at = at;
      rep.object = &r;
      rep.key = "spec.decryption";
      rep.discriminator = r.Id() + ":spec.decryption";
      size_t n = encrypted.size() + gen_sources.size();
      rep.message = "Flux Kustomization " + r.name + " applies " + std::to_string(n) +
                    " SOPS-encrypted " + (encrypted.empty() ? "secretGenerator source(s)" : "manifest(s)") +
                    " from " + (ks.dir.empty() ? "." : ks.dir) +
                    " but has no spec.decryption: they are applied still encrypted (or fail)";
      for (size_t i = 0; i < encrypted.size() && i < 5; ++i) {
        rep.related.push_back(LintContext::Related(encrypted[i], nullptr, "SOPS-encrypted manifest"));
        rep.related.back().location.line = 1;
        rep.related.back().location.column = 1;
      }
      ctx.Add(std::move(rep));
    }
    if (!ks.decryption) continue;
    const YNode* dec = spec->Get("decryption");
    auto report = [&](const YNode* where, const std::string& key, const std::string& msg) {
      LintContext::Report rep;
      rep.policy = "GSP-FLUX-002";
      rep.file = r.file;
      rep.at = where ? where : spec->KeyNode("decryption");
      rep.object = &r;
      rep.key = key;
      rep.discriminator = r.Id() + ":" + key;
      rep.message = "Flux Kustomization " + r.name + ": " + msg;
      ctx.Add(std::move(rep));
    };
    std::string provider = dec->Str("provider");
    if (provider != "sops") {
      report(dec->KeyNode("provider"), "spec.decryption.provider",
             provider.empty() ? "spec.decryption has no provider (required, must be sops)"
                              : "decryption provider '" + provider + "' is not supported (only sops)");
    }
    const YNode* sref = dec->Get("secretRef");
    std::string sname = sref ? sref->Str("name") : "";
    bool sa = !dec->Str("serviceAccountName").empty();
    if (sname.empty() && !sa) {
      bool local_only = !encrypted.empty();
      for (const ManifestFile* f : encrypted) {
        for (const auto& k : RecipientKinds(*f)) {
          if (k != "age" && k != "pgp") local_only = false;
        }
      }
      if (local_only) {
        // Info only: kustomize-controller may hold a controller-level fallback
        // key (--sops-age-secret), which the repository cannot show.
        LintContext::Report rep;
        rep.policy = "GSP-FLUX-002";
        rep.file = r.file;
        rep.at = dec->KeyNode("provider") ? dec->KeyNode("provider") : spec->KeyNode("decryption");
        rep.object = &r;
        rep.key = "spec.decryption.secretRef";
        rep.discriminator = r.Id() + ":" + rep.key;
        rep.severity = Severity::kInfo;
        rep.message = "Flux Kustomization " + r.name +
                      ": the encrypted files use only age/PGP recipients, but spec.decryption has neither secretRef nor serviceAccountName; decryption works only with a controller-level fallback key (--sops-age-secret)";
        ctx.Add(std::move(rep));
      }
    }
    if (!sname.empty() && sname.find("${") == std::string::npos) {
      auto it = producers.find(sname);
      std::string ns = r.Namespace();
      if (it != producers.end() && !it->second.count(ns) && !it->second.count("") && !ns.empty()) {
        std::string others;
        for (const auto& o : it->second) others += (others.empty() ? "" : ", ") + o;
        report(sref->KeyNode("name"), "spec.decryption.secretRef.name",
               "decryption secretRef " + sname + " is looked up in the Kustomization's namespace " + ns +
                   ", but the repository produces it only in " + others);
      }
    }
    for (const Resource* d : disabled) {
      report(nullptr, "decrypt-disabled:" + d->file->path,
             Describe(*d) + " is SOPS-encrypted but annotated kustomize.toolkit.fluxcd.io/decrypt: Disabled; it is applied still encrypted");
    }
  }
}

}  // namespace vigil
