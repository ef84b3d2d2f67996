// Bitnami Sealed Secrets policies GSP-SEALED-001..008 (catalog §1.2, §4.2).
// Ciphertexts are only decoded to check their shape; nothing is decrypted.
#include <chrono>
#include <map>
#include <set>
#include <string>

#include "policies/policy.h"
#include "policies/x509.h"

namespace vigil {
namespace {

constexpr char kPrefix[] = "sealedsecrets.bitnami.com/";

std::string AnnOf(const YNode* meta, const std::string& key) {
  if (meta == nullptr) return "";
  const YNode* a = meta->Get("annotations");
  return a ? a->Str(key) : "";
}

bool HasAnn(const YNode* meta, const std::string& key) {
  if (meta == nullptr) return false;
  const YNode* a = meta->Get("annotations");
  return a != nullptr && a->Get(key) != nullptr;
}

// "strict", "namespace-wide" or "cluster-wide", from the object's own annotations.
std::string Scope(const Resource& r) {
  const YNode* meta = r.node->Get("metadata");
  std::string scope = AnnOf(meta, std::string(kPrefix) + "scope");
  if (scope == "cluster-wide" || scope == "namespace-wide" || scope == "strict") return scope;
  if (AnnOf(meta, std::string(kPrefix) + "cluster-wide") == "true") return "cluster-wide";
  if (AnnOf(meta, std::string(kPrefix) + "namespace-wide") == "true") return "namespace-wide";
  return "strict";
}

LintContext::Report Make(const char* id, const Resource& r, const YNode* at, std::string key,
                         std::string message) {
  LintContext::Report rep;
  rep.policy = id;
  rep.file = r.file;
  rep.at = at;
  rep.object = &r;
  rep.key = key;
  rep.discriminator = "SealedSecret/" + r.namespace_ + "/" + r.name + ":" + key;
  rep.message = std::move(message);
  return rep;
}

const YNode* KindKey(const Resource& r) {
  const YNode* k = r.node->KeyNode("kind");
  return k ? k : r.node;
}

void Sealed001(LintContext& ctx, const Resource& r) {
  if (r.api_version != "bitnami.com/v1alpha1") {
    ctx.Add(Make("GSP-SEALED-001", r, r.node->KeyNode("apiVersion") ? r.node->KeyNode("apiVersion") : KindKey(r),
                 "apiVersion", "SealedSecret " + r.name + " uses apiVersion '" + r.api_version +
                                   "'; only bitnami.com/v1alpha1 exists"));
  }
  const YNode* spec = r.node->Get("spec");
  if (spec == nullptr || !spec->IsMap()) {
    ctx.Add(Make("GSP-SEALED-001", r, KindKey(r), "spec", "SealedSecret " + r.name + " has no spec"));
    return;
  }
  const YNode* enc = spec->Get("encryptedData");
  const YNode* data = spec->Get("data");
  if (data != nullptr && enc != nullptr) {
    ctx.Add(Make("GSP-SEALED-001", r, spec->KeyNode("data"), "spec.data",
                 "SealedSecret " + r.name + " sets both spec.data and spec.encryptedData; the controller rejects it"));
  } else if (data != nullptr) {
    ctx.Add(Make("GSP-SEALED-001", r, spec->KeyNode("data"), "spec.data",
                 "SealedSecret " + r.name + " uses the deprecated spec.data blob format (rejected unless a controller flag is set); reseal with a current kubeseal"));
  } else if (enc == nullptr || !enc->IsMap()) {
    const YNode* spec_key = r.node->KeyNode("spec");
    ctx.Add(Make("GSP-SEALED-001", r, spec_key, "spec.encryptedData",
                 "SealedSecret " + r.name + " has no spec.encryptedData map"));
  }
}

void Sealed002(LintContext& ctx, const Resource& r, std::map<std::string, std::vector<const Resource*>>* seen_ct) {
  const YNode* enc = r.node->Path("spec.encryptedData");
  if (enc == nullptr || !enc->IsMap()) return;
  for (size_t i = 0; i < enc->keys.size() && i < enc->values.size(); ++i) {
    const YNode& k = enc->keys[i];
    const YNode& v = enc->values[i];
    if (!v.IsScalar()) continue;
    const std::string& val = v.value;
    if (val.find("{{") != std::string::npos || val.find("${") != std::string::npos) continue;
    std::string why;
    std::string bytes;
    bool b64 = DecodeBase64Strict(val, &bytes);
    if (!b64 && (ctx.IsPlaceholder(val) || Lower(val).find("placeholder") != std::string::npos)) {
      why = "is a placeholder, not a ciphertext";
    } else if (val.size() > 3 && val.compare(val.size() - 3, 3, "...") == 0) {
      why = "is elided with '...' (a documentation excerpt, not a ciphertext)";
    } else if (!b64) {
      why = "is not standard base64";
    } else if (bytes.size() < 2) {
      why = "is too short to be a ciphertext";
    } else {
      size_t rsa = (static_cast<unsigned char>(bytes[0]) << 8) | static_cast<unsigned char>(bytes[1]);
      if (rsa != 256 && rsa != 384 && rsa != 512) {
        why = "has an RSA length prefix of " + std::to_string(rsa) + " (expected 256, 384 or 512)";
      } else if (bytes.size() < 2 + rsa + 16) {
        why = "is shorter than its RSA part plus the AES-GCM tag (truncated)";
      } else if (bytes.size() == 2 + rsa + 16) {
        why = "encrypts an empty value";
      } else {
        (*seen_ct)[val].push_back(&r);
      }
    }
    if (why.empty()) continue;
    ctx.Add(Make("GSP-SEALED-002", r, &k, "spec.encryptedData." + k.value,
                 "encryptedData." + k.value + " of SealedSecret " + r.name + " " + why));
  }
}

void Sealed003(LintContext& ctx, const Resource& r) {
  if (!r.namespace_.empty() || Scope(r) == "cluster-wide") return;
  const YNode* meta = r.node->KeyNode("metadata");
  std::string note;
  for (const auto& p : r.placements) {
    for (const auto& rw : p.rewrites) {
      if (!rw.namespace_.empty()) note = " (" + rw.path + " sets namespace " + rw.namespace_ + " at build time)";
    }
  }
  ctx.Add(Make("GSP-SEALED-003", r, meta ? meta : KindKey(r), "metadata.namespace",
               "SealedSecret " + r.name + " (scope " + Scope(r) +
                   ") declares no namespace, but its ciphertext is bound to one" + note));
}

void Sealed004(LintContext& ctx, const Resource& r) {
  std::string scope = Scope(r);
  if (scope == "cluster-wide") return;
  const YNode* tmeta = r.node->Path("spec.template.metadata");
  if (tmeta != nullptr && tmeta->IsMap()) {
    std::string tname = tmeta->Str("name"), tns = tmeta->Str("namespace");
    if (scope == "strict" && !tname.empty() && tname != r.name) {
      ctx.Add(Make("GSP-SEALED-004", r, tmeta->KeyNode("name"), "spec.template.metadata.name",
                   "spec.template.metadata.name '" + tname + "' differs from the SealedSecret's name '" +
                       r.name + "' (strict scope: the controller uses the object's name; the value was sealed for one of them)"));
    }
    if (!tns.empty() && !r.namespace_.empty() && tns != r.namespace_) {
      ctx.Add(Make("GSP-SEALED-004", r, tmeta->KeyNode("namespace"), "spec.template.metadata.namespace",
                   "spec.template.metadata.namespace '" + tns + "' differs from the SealedSecret's namespace '" +
                       r.namespace_ + "'"));
    }
  }
  for (const auto& p : r.placements) {
    for (const auto& rw : p.rewrites) {
      bool ns_change = !rw.namespace_.empty() && !r.namespace_.empty() && rw.namespace_ != r.namespace_;
      bool name_change = scope == "strict" && (!rw.prefix.empty() || !rw.suffix.empty());
      if (!ns_change && !name_change) continue;
      LintContext::Report rep = Make(
          "GSP-SEALED-004", r, r.node->Path("metadata") ? r.node->Path("metadata")->KeyNode(ns_change ? "namespace" : "name") : KindKey(r),
          ns_change ? "metadata.namespace" : "metadata.name",
          ns_change ? "SealedSecret " + r.namespace_ + "/" + r.name + " is moved to namespace " + rw.namespace_ +
                          " by " + rw.by + " (" + rw.path + "); under " + scope + " scope it will not decrypt there"
                    : "SealedSecret " + r.name + " is renamed to " + p.name + " by kustomize " + rw.what + " (" +
                          rw.path + "); under strict scope it will not decrypt");
      rep.discriminator += "@" + rw.path;
      RelatedLocation rel;
      rel.location.path = rw.path;
      rel.location.line = rw.line;
      rel.location.column = rw.column;
      rel.location.end_line = rw.line;
      rel.location.end_column = rw.column + static_cast<uint32_t>(rw.what.size());
      rel.message = rw.by + " " + rw.what;
      rep.related.push_back(rel);
      if (rep.at == nullptr) rep.at = KindKey(r);
      ctx.Add(std::move(rep));
    }
  }
}

void Sealed005And006(LintContext& ctx, const Resource& r) {
  const YNode* meta = r.node->Get("metadata");
  const YNode* tmeta = r.node->Path("spec.template.metadata");
  const YNode* ann = meta ? meta->Get("annotations") : nullptr;
  std::string cw = std::string(kPrefix) + "cluster-wide";
  std::string nw = std::string(kPrefix) + "namespace-wide";
  for (const std::string& key : {cw, nw}) {
    if (HasAnn(tmeta, key) && !HasAnn(meta, key) && AnnOf(tmeta, key) == "true") {
      const YNode* tann = tmeta->Get("annotations");
      ctx.Add(Make("GSP-SEALED-005", r, tann->KeyNode(key), "spec.template.metadata.annotations." + key,
                   key + " is set only under spec.template.metadata; the controller reads the SealedSecret's own annotations, so the scope is strict"));
    }
    if (ann != nullptr && ann->Get(key) != nullptr) {
      std::string v = ann->Str(key);
      if (v != "true" && v != "false") {
        ctx.Add(Make("GSP-SEALED-005", r, ann->KeyNode(key), "metadata.annotations." + key,
                     key + " must be \"true\" to take effect; this value is ignored"));
      }
    }
  }
  if (AnnOf(meta, cw) == "true" && AnnOf(meta, nw) == "true") {
    ctx.Add(Make("GSP-SEALED-005", r, ann->KeyNode(nw), "metadata.annotations." + nw,
                 "both cluster-wide and namespace-wide are set; cluster-wide wins"));
  }
  std::string scope = Scope(r);
  if (scope == "cluster-wide" || scope == "namespace-wide") {
    const YNode* at = ann ? ann->KeyNode(scope == "cluster-wide" ? cw : nw) : nullptr;
    if (at == nullptr && ann) at = ann->KeyNode(std::string(kPrefix) + "scope");
    LintContext::Report rep = Make(
        "GSP-SEALED-006", r, at ? at : KindKey(r), "metadata.annotations." + scope,
        scope == "cluster-wide"
            ? "SealedSecret " + r.name + " is sealed cluster-wide: its ciphertext decrypts in any namespace under any name"
            : "SealedSecret " + r.name + " is sealed namespace-wide: it can be renamed to overwrite another Secret in its namespace");
    rep.severity = scope == "cluster-wide" ? Severity::kMedium : Severity::kLow;
    ctx.Add(std::move(rep));
  }
}

void Sealed007(LintContext& ctx, const Resource& r) {
  const YNode* tmpl = r.node->Path("spec.template");
  if (tmpl == nullptr) return;
  if (const YNode* data = tmpl->Get("data"); data != nullptr && data->IsMap()) {
    for (size_t i = 0; i < data->keys.size(); ++i) {
      const YNode& v = data->values[i];
      if (!v.IsScalar() || v.value.empty()) continue;
      if (v.value.find("{{") != std::string::npos) continue;  // renders decrypted items
      ctx.Add(Make("GSP-SEALED-007", r, &data->keys[i], "spec.template.data." + data->keys[i].value,
                   "spec.template.data." + data->keys[i].value + " of SealedSecret " + r.name +
                       " is clear text (template data is not encrypted); move it to encryptedData"));
    }
  }
  const YNode* tmeta = tmpl->Get("metadata");
  if (tmeta == nullptr) return;
  for (const char* section : {"annotations", "labels"}) {
    const YNode* m = tmeta->Get(section);
    if (m == nullptr || !m->IsMap()) continue;
    for (size_t i = 0; i < m->keys.size(); ++i) {
      const std::string& k = m->keys[i].value;
      const YNode& v = m->values[i];
      if (k.rfind(kPrefix, 0) == 0 || k.find("last-applied-configuration") != std::string::npos) continue;
      std::string tail = k.substr(k.rfind('/') == std::string::npos ? 0 : k.rfind('/') + 1);
      if (!v.IsScalar() || !IsCredentialKey(tail) || ctx.IsPlaceholder(v.value) || IsTrivialValue(v.value))
        continue;
      ctx.Add(Make("GSP-SEALED-007", r, &m->keys[i], std::string("spec.template.metadata.") + section + "." + k,
                   "template " + std::string(section) + " " + k + " of SealedSecret " + r.name +
                       " holds a credential-like value in clear text"));
    }
  }
}

void Sealed008(LintContext& ctx, const std::map<std::string, std::vector<const Resource*>>& seen) {
  std::set<std::pair<const Resource*, std::string>> reported;
  for (const auto& [ct, list] : seen) {
    if (list.size() < 2) continue;
    std::map<std::string, const Resource*> by_env;
    for (const Resource* r : list) {
      std::string env = InferEnvironment(r->file->path, ctx.options());
      if (!env.empty() && !by_env.count(env)) by_env[env] = r;
    }
    if (by_env.size() < 2) continue;
    const Resource* first = by_env.begin()->second;
    for (auto it = std::next(by_env.begin()); it != by_env.end(); ++it) {
      const Resource* r = it->second;
      if (!reported.insert({r, by_env.begin()->first}).second) continue;
      LintContext::Report rep = Make(
          "GSP-SEALED-008", *r, KindKey(*r), "spec.encryptedData",
          "SealedSecret " + r->name + " (environment " + it->first + ") carries the same ciphertext as " +
              first->file->path + " (environment " + by_env.begin()->first +
              "); each cluster has its own sealing key, so one of them cannot decrypt it");
      rep.discriminator += "~" + first->file->path;
      rep.related.push_back(LintContext::Related(first->file, KindKey(*first), "same ciphertext"));
      ctx.Add(std::move(rep));
    }
  }
}

// The sealed-secrets controller renews its sealing key every 30 days by
// default (--key-renew-period); a committed certificate older than that is no
// longer the key new secrets should be sealed with.
constexpr int64_t kRenewalSeconds = 30 * 86400;

// The RSA ciphertext length (bytes) of a valid SealedSecret value: its 2-byte
// big-endian prefix. 0 when unreadable.
size_t RsaLength(const std::string& value) {
  std::string head;
  if (value.size() < 4 || !DecodeBase64Strict(value.substr(0, 4), &head) || head.size() < 2) return 0;
  return (static_cast<unsigned char>(head[0]) << 8) | static_cast<unsigned char>(head[1]);
}

// A committed sealing certificate: PEM certificates in files whose path names
// sealed secrets (pub-sealed-secrets.pem, sealed-secrets-cert.crt, ...), and any
// certificate with keyUsage encipherOnly, which is what the controller issues.
void SealedCertificates(LintContext& ctx,
                        const std::map<std::string, std::vector<const Resource*>>& ciphertexts) {
  int64_t now = ctx.options().now_unix != 0
                    ? ctx.options().now_unix
                    : std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // Environment -> RSA length (bytes) -> one SealedSecret that uses it.
  std::map<std::string, std::map<size_t, const Resource*>> rsa_by_env;
  for (const auto& [ct, list] : ciphertexts) {
    size_t len = RsaLength(ct);
    if (len == 0) continue;
    for (const Resource* r : list) {
      auto& slot = rsa_by_env[InferEnvironment(r->file->path, ctx.options())][len];
      if (slot == nullptr || r->file->path < slot->file->path) slot = r;
    }
  }
  for (const auto& f : ctx.index().files()) {
    if (f->raw.find("-----BEGIN CERTIFICATE-----") == std::string::npos) continue;
    bool yaml = f->format == FileFormat::kYaml || f->format == FileFormat::kJson;
    bool named = !yaml && Lower(f->path).find("seal") != std::string::npos;
    for (const CertificateInfo& c : ParsePemCertificates(f->raw)) {
      if (!c.parsed || !(named || c.encipher_only)) continue;
      std::string what = "sealing certificate" + (c.subject.empty() ? "" : " (" + c.subject + ")");
      auto report = [&](const std::string& tag, std::string message, std::optional<Severity> sev) {
        LintContext::Report rep;
        rep.policy = "GSP-SEALED-008";
        rep.file = f.get();
        rep.line = c.line;
        rep.column = 1;
        rep.length = 27;  // the BEGIN line
        rep.key = "certificate";
        rep.discriminator = "Certificate:" + f->path + "@" + std::to_string(c.offset) + ":" + tag;
        rep.message = std::move(message);
        rep.severity = sev;
        return rep;
      };
      if (c.not_after < now) {
        ctx.Add(report("expired", what + " expired on " + FormatDate(c.not_after) +
                                      "; kubeseal --cert refuses it and the controller no longer holds a "
                                      "current key for it: fetch the current certificate",
                       std::nullopt));
      } else if (c.not_after - now < kRenewalSeconds) {
        ctx.Add(report("expiring", what + " expires on " + FormatDate(c.not_after) + ", in " +
                                       std::to_string((c.not_after - now) / 86400) +
                                       " days; secrets sealed from the repository will stop working",
                       std::nullopt));
      } else if (now - c.not_before > kRenewalSeconds) {
        ctx.Add(report("stale", what + " was issued on " + FormatDate(c.not_before) +
                                    ", more than the controller's 30-day key renewal period ago: new "
                                    "secrets sealed with it use an old key; fetch the current certificate",
                       Severity::kLow));
      }
      if (!c.rsa) {
        ctx.Add(report("not-rsa", what + " does not hold an RSA key; Sealed Secrets seals with RSA-OAEP",
                       std::nullopt));
        continue;
      }
      if (c.key_bits < 2048) {
        ctx.Add(report("weak", what + " has a " + std::to_string(c.key_bits) +
                                   "-bit RSA key (the controller generates 4096 bits; under 2048 is breakable)",
                       Severity::kHigh));
      }
      std::string env = InferEnvironment(f->path, ctx.options());
      auto it = rsa_by_env.find(env);
      if (it == rsa_by_env.end()) continue;
      for (const auto& [len, r] : it->second) {
        if (static_cast<int>(len * 8) == c.key_bits) continue;
        LintContext::Report rep = report(
            "rsa-" + std::to_string(len),
            what + " has a " + std::to_string(c.key_bits) + "-bit RSA key, but SealedSecret " + r->name +
                (env.empty() ? "" : " (environment " + env + ")") + " carries " +
                std::to_string(len * 8) + "-bit RSA ciphertext: it was not sealed with this certificate",
            std::nullopt);
        rep.related.push_back(LintContext::Related(r->file, KindKey(*r), "SealedSecret sealed with another key"));
        ctx.Add(std::move(rep));
      }
    }
  }
}

}  // namespace

void RunSealedPolicies(LintContext& ctx) {
  std::map<std::string, std::vector<const Resource*>> ciphertexts;
  for (const auto& r : ctx.index().resources()) {
    if (r.kind != "SealedSecret") continue;
    Sealed001(ctx, r);
    Sealed002(ctx, r, &ciphertexts);
    Sealed003(ctx, r);
    Sealed004(ctx, r);
    Sealed005And006(ctx, r);
    Sealed007(ctx, r);
  }
  Sealed008(ctx, ciphertexts);
  SealedCertificates(ctx, ciphertexts);
}

}  // namespace vigil
