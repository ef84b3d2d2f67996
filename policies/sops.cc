// SOPS policies GSP-SOPS-001..010 (catalog §1.3, §1.4, §4.2): `.sops.yaml`
// creation rules evaluated with RE2 on the path relative to the config's
// directory, the metadata block of encrypted files, and which leaves SOPS
// would have encrypted (sops.go shouldBeEncrypted).
#include <re2/re2.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "policies/policy.h"

namespace vigil {
namespace {

const char* const kSelectors[] = {"unencrypted_suffix",        "encrypted_suffix",
                                  "unencrypted_regex",         "encrypted_regex",
                                  "unencrypted_comment_regex", "encrypted_comment_regex"};

// --- recipients --------------------------------------------------------

std::vector<std::string> SplitList(const YNode* n) {
  std::vector<std::string> out;
  auto split = [&out](const std::string& s) {
    size_t start = 0;
    while (start <= s.size()) {
      size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      std::string part = s.substr(start, comma - start);
      size_t a = part.find_first_not_of(" \t\n"), b = part.find_last_not_of(" \t\n");
      if (a != std::string::npos) out.push_back(part.substr(a, b - a + 1));
      start = comma + 1;
    }
  };
  if (n == nullptr) return out;
  if (n->IsScalar()) split(n->value);
  if (n->IsSeq()) {
    for (const auto& v : n->values) {
      if (v.IsScalar()) split(v.value);
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out;
  for (char c : s) {
    if (c != ' ') out += c;
  }
  return out;
}

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

// "https://vault.example:8200/v1/sops/keys/firstkey" -> address, engine, key.
std::string VaultId(const std::string& uri) {
  size_t v1 = uri.find("/v1/");
  size_t keys = uri.rfind("/keys/");
  if (v1 == std::string::npos || keys == std::string::npos || keys < v1) return "vault:" + uri;
  return "vault:" + uri.substr(0, v1) + "|" + uri.substr(v1 + 4, keys - v1 - 4) + "|" +
         uri.substr(keys + 6);
}

// "https://<vault>.vault.azure.net/keys/<name>/<version>" -> vault url + name.
std::string AzureId(const std::string& url) {
  size_t keys = url.find("/keys/");
  if (keys == std::string::npos) return "azure:" + TrimSlash(url);
  std::string rest = url.substr(keys + 6);
  std::string name = rest.substr(0, rest.find('/'));
  return "azure:" + TrimSlash(url.substr(0, keys)) + "|" + name;
}

void RuleGroupRecipients(const YNode& g, std::set<std::string>* out, int depth = 0) {
  if (depth > 8) return;
  for (const auto& a : SplitList(g.Get("age"))) out->insert("age:" + a);
  for (const auto& p : SplitList(g.Get("pgp"))) out->insert("pgp:" + Upper(p));
  if (const YNode* m = g.Get("merge"); m && m->IsSeq()) {
    for (const auto& sub : m->values) RuleGroupRecipients(sub, out, depth + 1);
  }
  auto list = [&](const char* key, const char* field, const char* prefix) {
    const YNode* l = g.Get(key);
    if (l == nullptr || !l->IsSeq()) return;
    for (const auto& e : l->values) {
      if (e.IsScalar())
        out->insert(std::string(prefix) + e.value);
      else if (!e.Str(field).empty())
        out->insert(std::string(prefix) + e.Str(field));
    }
  };
  list("kms", "arn", "kms:");
  list("gcp_kms", "resource_id", "gcp:");
  list("hckms", "key_id", "hckms:");
  if (const YNode* l = g.Get("azure_keyvault"); l && l->IsSeq()) {
    for (const auto& e : l->values) {
      if (e.IsMap()) out->insert("azure:" + TrimSlash(e.Str("vaultUrl")) + "|" + e.Str("key"));
    }
  }
  if (const YNode* l = g.Get("hc_vault"); l && l->IsSeq()) {
    for (const auto& e : l->values) {
      if (e.IsScalar()) out->insert(VaultId(e.value));
    }
  }
}

std::set<std::string> RuleRecipients(const YNode& rule) {
  std::set<std::string> out;
  if (const YNode* kg = rule.Get("key_groups"); kg && kg->IsSeq() && !kg->values.empty()) {
    for (const auto& g : kg->values) RuleGroupRecipients(g, &out);
    return out;
  }
  for (const auto& a : SplitList(rule.Get("age"))) out.insert("age:" + a);
  for (const auto& p : SplitList(rule.Get("pgp"))) out.insert("pgp:" + Upper(p));
  for (const auto& k : SplitList(rule.Get("kms"))) out.insert("kms:" + k.substr(0, k.find('+')));
  for (const auto& k : SplitList(rule.Get("gcp_kms"))) out.insert("gcp:" + k);
  for (const auto& k : SplitList(rule.Get("hckms"))) out.insert("hckms:" + k);
  for (const auto& k : SplitList(rule.Get("azure_keyvault"))) out.insert(AzureId(k));
  for (const auto& k : SplitList(rule.Get("hc_vault_transit_uri"))) out.insert(VaultId(k));
  return out;
}

// Master keys of a file's metadata group (`sops` map or one key_groups entry).
void FileGroupRecipients(const YNode& g, std::set<std::string>* out, int* with_enc) {
  auto each = [&](const char* key, const std::function<std::string(const YNode&)>& id) {
    const YNode* l = g.Get(key);
    if (l == nullptr || !l->IsSeq()) return;
    for (const auto& e : l->values) {
      if (!e.IsMap()) continue;
      std::string s = id(e);
      if (!s.empty()) out->insert(s);
      if (!e.Str("enc").empty()) ++*with_enc;
    }
  };
  each("age", [](const YNode& e) { return "age:" + e.Str("recipient"); });
  each("pgp", [](const YNode& e) { return "pgp:" + Upper(e.Str("fp")); });
  each("kms", [](const YNode& e) { return "kms:" + e.Str("arn"); });
  each("gcp_kms", [](const YNode& e) { return "gcp:" + e.Str("resource_id"); });
  each("hckms", [](const YNode& e) { return "hckms:" + e.Str("key_id"); });
  each("azure_kv", [](const YNode& e) {
    return "azure:" + TrimSlash(e.Str("vault_url")) + "|" + e.Str("name");
  });
  each("hc_vault", [](const YNode& e) {
    return "vault:" + e.Str("vault_address") + "|" + e.Str("engine_path") + "|" + e.Str("key_name");
  });
}

bool SameRecipient(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (a.rfind("pgp:", 0) == 0 && b.rfind("pgp:", 0) == 0) {
    std::string x = a.substr(4), y = b.substr(4);
    if (x.size() > y.size()) std::swap(x, y);
    return !x.empty() && y.compare(y.size() - x.size(), x.size(), x) == 0;
  }
  return false;
}

// --- file metadata -----------------------------------------------------

struct FileMeta {
  const ManifestFile* file = nullptr;
  const YNode* sops = nullptr;              // YAML/JSON metadata map
  const YNode* sops_key = nullptr;          // its key node
  std::map<std::string, std::string> flat;  // dotenv/INI: metadata key -> value
  std::map<std::string, uint32_t> flat_line;
  std::string selector_name, selector_value;  // the scope selector in effect
  int selectors = 0;
  std::set<std::string> recipients;
  int with_enc = 0;
  uint32_t line = 1, column = 1;  // where to report file-level findings
};

FileMeta ReadMeta(const ManifestFile& f) {
  FileMeta m;
  m.file = &f;
  if (f.format == FileFormat::kDotenv || f.format == FileFormat::kIni) {
    for (const auto& e : f.flat) {
      std::string k;
      if (f.format == FileFormat::kDotenv && e.key.rfind("sops_", 0) == 0) k = e.key.substr(5);
      if (f.format == FileFormat::kIni && e.section == "sops") k = e.key;
      if (k.empty()) continue;
      if (m.flat.empty()) {
        m.line = e.line;
        m.column = e.column;
      }
      m.flat[k] = e.value;
      m.flat_line[k] = e.line;
    }
    for (const char* s : kSelectors) {
      if (m.flat.count(s)) {
        ++m.selectors;
        m.selector_name = s;
        m.selector_value = m.flat[s];
      }
    }
    // Recipients from flattened keys: <type>__list_N__map_<field>.
    for (const auto& [k, v] : m.flat) {
      auto ends = [&key = k](const char* s) {  // clang 14: no structured-binding captures
        size_t n = std::strlen(s);
        return key.size() >= n && key.compare(key.size() - n, n, s) == 0;
      };
      if (ends("__map_recipient"))
        m.recipients.insert("age:" + v);
      else if (ends("__map_fp"))
        m.recipients.insert("pgp:" + Upper(v));
      else if (ends("__map_arn"))
        m.recipients.insert("kms:" + v);
      else if (ends("__map_resource_id"))
        m.recipients.insert("gcp:" + v);
      if (ends("__map_enc") && !v.empty()) ++m.with_enc;
    }
    return m;
  }
  if (f.sops_doc < 0) return m;
  const YNode& root = f.docs[static_cast<size_t>(f.sops_doc)].root;
  m.sops = root.Get("sops");
  m.sops_key = root.KeyNode("sops");
  if (m.sops_key) {
    m.line = m.sops_key->line;
    m.column = m.sops_key->column;
  }
  if (m.sops == nullptr) return m;
  for (const char* s : kSelectors) {
    const YNode* v = m.sops->Get(s);
    if (v != nullptr && v->IsScalar() && !v->value.empty()) {
      ++m.selectors;
      m.selector_name = s;
      m.selector_value = v->value;
    }
  }
  FileGroupRecipients(*m.sops, &m.recipients, &m.with_enc);
  if (const YNode* kg = m.sops->Get("key_groups"); kg && kg->IsSeq()) {
    for (const auto& g : kg->values) FileGroupRecipients(g, &m.recipients, &m.with_enc);
  }
  return m;
}

// --- what SOPS encrypts ------------------------------------------------

struct Scope {
  std::string name;  // selector name, "" = default unencrypted suffix
  std::string value;
  std::shared_ptr<const re2::RE2> re;

  Scope(std::string n, std::string v) : name(std::move(n)), value(std::move(v)) {
    if (name.empty()) {
      name = "unencrypted_suffix";
      value = "_unencrypted";
    }
    if (name.find("regex") != std::string::npos) re = Compiled(value);
  }
  // A repository's encrypted files share a handful of selectors: each regex
  // is compiled once per thread (the cache is cleared past 64 of them).
  static std::shared_ptr<const re2::RE2> Compiled(const std::string& pattern) {
    thread_local std::map<std::string, std::shared_ptr<const re2::RE2>> cache;
    auto it = cache.find(pattern);
    if (it != cache.end()) return it->second;
    if (cache.size() >= 64) cache.clear();
    auto re = std::make_shared<const re2::RE2>(pattern, re2::RE2::Quiet);
    cache.emplace(pattern, re);
    return re;
  }
  // sops.go shouldBeEncrypted for a path of map keys.
  bool ShouldEncrypt(const std::vector<std::string>& path) const {
    auto ends = [](const std::string& k, const std::string& s) {
      return k.size() >= s.size() && k.compare(k.size() - s.size(), s.size(), s) == 0;
    };
    if (name == "unencrypted_suffix") {
      for (const auto& k : path)
        if (ends(k, value)) return false;
      return true;
    }
    if (name == "encrypted_suffix") {
      for (const auto& k : path)
        if (ends(k, value)) return true;
      return false;
    }
    if (name == "unencrypted_regex") {
      if (!re || !re->ok()) return true;
      for (const auto& k : path)
        if (re2::RE2::PartialMatch(k, *re)) return false;
      return true;
    }
    if (name == "encrypted_regex") {
      if (!re || !re->ok()) return true;
      for (const auto& k : path)
        if (re2::RE2::PartialMatch(k, *re)) return true;
      return false;
    }
    return true;  // comment selectors do not change which values are encrypted
  }
};

using LeafFn =
    std::function<void(const std::vector<std::string>& path, const YNode* key, const YNode& value)>;

void WalkLeaves(const YNode& n, std::vector<std::string>* path, const YNode* key, const LeafFn& fn,
                int depth) {
  if (depth > 64) return;
  if (n.IsMap()) {
    for (size_t i = 0; i < n.keys.size() && i < n.values.size(); ++i) {
      if (depth == 0 && n.keys[i].value == "sops") continue;
      path->push_back(n.keys[i].value);
      WalkLeaves(n.values[i], path, &n.keys[i], fn, depth + 1);
      path->pop_back();
    }
  } else if (n.IsSeq()) {
    for (const auto& v : n.values)
      WalkLeaves(v, path, key, fn, depth + 1);  // items inherit the key
  } else if (n.IsScalar()) {
    fn(*path, key, n);
  }
}

std::string JoinKeys(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

// Every leaf of an encrypted file (YAML/JSON docs or flat entries) as
// (path, key node or line, value).
struct Leaf {
  std::vector<std::string> path;
  const YNode* key = nullptr;
  const YNode* value = nullptr;
  std::string text;
  uint32_t line = 0, column = 0;
  size_t doc = 0;
};

std::vector<Leaf> Leaves(const ManifestFile& f) {
  std::vector<Leaf> out;
  if (f.format == FileFormat::kDotenv || f.format == FileFormat::kIni) {
    for (const auto& e : f.flat) {
      if (f.format == FileFormat::kDotenv && e.key.rfind("sops_", 0) == 0) continue;
      if (f.format == FileFormat::kIni && e.section == "sops") continue;
      Leaf l;
      if (!e.section.empty()) l.path.push_back(e.section);
      l.path.push_back(e.key);
      l.text = e.value;
      l.line = e.line;
      l.column = e.column;
      out.push_back(std::move(l));
    }
    return out;
  }
  for (size_t d = 0; d < f.docs.size(); ++d) {
    std::vector<std::string> path;
    WalkLeaves(
        f.docs[d].root, &path, nullptr,
        [&](const std::vector<std::string>& p, const YNode* key, const YNode& v) {
          Leaf l;
          l.path = p;
          l.key = key;
          l.value = &v;
          l.text = v.value;
          l.doc = d;
          // Where a leaf without a key (a document that is a bare
          // scalar, a top-level list item) is reported.
          l.line = v.line;
          l.column = v.column;
          out.push_back(std::move(l));
        },
        0);
  }
  return out;
}

// --- ENC tokens --------------------------------------------------------

// Empty when the token is well-formed, else why not.
std::string CheckEncToken(std::string_view tok) {
  if (tok.rfind("ENC[AES256_GCM,", 0) != 0 || tok.back() != ']') {
    return "does not match ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]";
  }
  std::string_view body = tok.substr(15, tok.size() - 16);
  std::map<std::string, std::string> f;
  std::vector<std::string> order;
  size_t start = 0;
  while (start <= body.size()) {
    size_t comma = body.find(',', start);
    if (comma == std::string_view::npos) comma = body.size();
    std::string_view part = body.substr(start, comma - start);
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) return "has a field without a name";
    std::string name(part.substr(0, colon));
    f[name] = std::string(part.substr(colon + 1));
    order.push_back(name);
    start = comma + 1;
  }
  if (order != std::vector<std::string>{"data", "iv", "tag", "type"}) {
    return "does not have the fields data, iv, tag, type in this order";
  }
  std::string bytes;
  if (!DecodeBase64Strict(f["data"], &bytes)) return "has data that is not base64";
  if (!DecodeBase64Strict(f["iv"], &bytes)) return "has an iv that is not base64";
  if (bytes.size() != 32)
    return "has an iv of " + std::to_string(bytes.size()) + " bytes (expected 32)";
  if (!DecodeBase64Strict(f["tag"], &bytes)) return "has a tag that is not base64";
  if (bytes.size() != 16)
    return "has a tag of " + std::to_string(bytes.size()) + " bytes (expected 16)";
  static const std::set<std::string> kTypes = {"str",   "int",  "float",  "bool",
                                               "bytes", "time", "comment"};
  if (!kTypes.count(f["type"])) return "has unknown type '" + f["type"] + "'";
  return "";
}

bool IsRfc3339(const std::string& s) {
  static const re2::RE2 kRe(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return re2::RE2::FullMatch(s, kRe);
}

// --- .sops.yaml --------------------------------------------------------

struct Rule {
  const YNode* node = nullptr;
  const YNode* key = nullptr;  // the node to point at (path_regex key or the item)
  bool has_path = false;
  std::unique_ptr<re2::RE2> re;
  size_t index = 0;
};

struct Config {
  const ManifestFile* file = nullptr;
  std::string dir;
  std::vector<Rule> rules;
};

Config ReadConfig(const ManifestFile& f) {
  Config c;
  c.file = &f;
  c.dir = DirName(f.path);
  if (f.docs.empty() || !f.docs[0].root.IsMap()) return c;
  const YNode* rules = f.docs[0].root.Get("creation_rules");
  if (rules == nullptr || !rules->IsSeq()) return c;
  for (size_t i = 0; i < rules->values.size(); ++i) {
    const YNode& r = rules->values[i];
    Rule rule;
    rule.node = &r;
    rule.index = i;
    rule.key = r.KeyNode("path_regex") ? r.KeyNode("path_regex") : &r;
    std::string pr = r.Str("path_regex");
    rule.has_path = !pr.empty();
    if (rule.has_path) rule.re = std::make_unique<re2::RE2>(pr, re2::RE2::Quiet);
    c.rules.push_back(std::move(rule));
  }
  return c;
}

std::string RelativeTo(const std::string& dir, const std::string& path) {
  if (dir.empty()) return path;
  return path.substr(dir.size() + 1);
}

// The first matching rule, or nullptr.
const Rule* MatchRule(const Config& c, const std::string& path) {
  std::string rel = RelativeTo(c.dir, path);
  for (const auto& r : c.rules) {
    if (!r.has_path) return &r;
    if (r.re && r.re->ok() && re2::RE2::PartialMatch(rel, *r.re)) return &r;
  }
  return nullptr;
}

std::pair<std::string, std::string> RuleSelector(const YNode& rule) {
  for (const char* s : kSelectors) {
    std::string v = rule.Str(s);
    if (!v.empty()) return {s, v};
  }
  return {"", ""};
}

LintContext::Report FileReport(const char* id, const FileMeta& m, const YNode* at, std::string key,
                               std::string message) {
  LintContext::Report rep;
  rep.policy = id;
  rep.file = m.file;
  rep.at = at;
  if (at == nullptr) {
    rep.line = m.line;
    rep.column = m.column;
    rep.length = 4;
  }
  rep.key = key;
  rep.discriminator = m.file->path + ":" + key;
  rep.message = std::move(message);
  return rep;
}

const Resource* ObjectAt(const LintContext& ctx, const ManifestFile* f, size_t doc) {
  for (const Resource* r : ctx.index().InFile(f)) {
    if (r->doc == doc) return r;
  }
  return nullptr;
}

// SOPS-003/004/007/010 for one encrypted file.
void CheckEncryptedFile(LintContext& ctx, const FileMeta& m) {
  const ManifestFile& f = *m.file;
  Scope scope(m.selector_name, m.selector_value);
  bool secret_doc_any = false;
  std::set<size_t> secret_docs;
  for (size_t d = 0; d < f.docs.size(); ++d) {
    if (f.docs[d].root.Str("kind") == "Secret") secret_docs.insert(d);
  }
  secret_doc_any = !secret_docs.empty();
  (void)secret_doc_any;
  int reported003 = 0;
  for (const Leaf& l : Leaves(f)) {
    if (l.value != nullptr && l.value->IsNull()) continue;
    bool enc = IsEncToken(l.text);
    const Resource* obj = l.value ? ObjectAt(ctx, &f, l.doc) : nullptr;
    std::string keypath = l.path.empty() ? "the document's top-level value" : JoinKeys(l.path);
    if (enc) {
      std::string why = CheckEncToken(l.text);
      if (!why.empty()) {
        LintContext::Report rep = FileReport("GSP-SOPS-004", m, l.key, keypath,
                                             "The ENC value of " + keypath + " " + why);
        if (!l.key) {
          rep.line = l.line;
          rep.column = l.column;
          rep.length = static_cast<uint32_t>(l.path.empty() ? l.text.size() : l.path.back().size());
        }
        rep.object = obj;
        ctx.Add(std::move(rep));
      }
      continue;
    }
    bool should = scope.ShouldEncrypt(l.path);
    if (should) {
      if (l.text.empty() || reported003 >= 50) continue;
      ++reported003;
      LintContext::Report rep =
          FileReport("GSP-SOPS-003", m, l.key, keypath,
                     keypath + " is plain text in a SOPS-encrypted file although the file's " +
                         scope.name + " (" + scope.value +
                         ") says it must be encrypted: partial plaintext or tampering; sops "
                         "decrypt will fail the MAC");
      if (!l.key) {
        rep.line = l.line;
        rep.column = l.column;
        rep.length = static_cast<uint32_t>(l.path.empty() ? l.text.size() : l.path.back().size());
      }
      rep.object = obj;
      ctx.Add(std::move(rep));
      continue;
    }
    // Left in plain text on purpose: credential-like?
    const std::string& last = l.path.empty() ? std::string() : l.path.back();
    bool in_secret_payload = secret_docs.count(l.doc) && l.path.size() >= 2 &&
                             (l.path[0] == "data" || l.path[0] == "stringData");
    if ((IsCredentialKey(last) || in_secret_payload) && !ctx.IsPlaceholder(l.text) &&
        !IsTrivialValue(l.text)) {
      LintContext::Report rep =
          FileReport("GSP-SOPS-010", m, l.key, keypath,
                     keypath + " looks like a credential but the file's " + scope.name + " (" +
                         scope.value + ") leaves it unencrypted");
      if (!l.key) {
        rep.line = l.line;
        rep.column = l.column;
        rep.length = static_cast<uint32_t>(last.size());
      }
      rep.object = obj;
      ctx.Add(std::move(rep));
    }
  }
  // SOPS-007: Kubernetes identity fields encrypted.
  for (size_t d = 0; d < f.docs.size(); ++d) {
    const YNode& root = f.docs[d].root;
    if (!root.IsMap() || root.Get("apiVersion") == nullptr || root.Get("kind") == nullptr) continue;
    std::vector<std::string> bad;
    const YNode* first = nullptr;
    for (const char* k : {"apiVersion", "kind"}) {
      if (IsEncToken(root.Str(k))) {
        bad.push_back(k);
        if (!first) first = root.KeyNode(k);
      }
    }
    if (const YNode* meta = root.Get("metadata"); meta && meta->IsMap()) {
      for (const char* k : {"name", "namespace"}) {
        if (IsEncToken(meta->Str(k))) {
          bad.push_back(std::string("metadata.") + k);
          if (!first) first = meta->KeyNode(k);
        }
      }
    }
    if (bad.empty()) continue;
    std::string list;
    for (const auto& b : bad) list += (list.empty() ? "" : ", ") + b;
    LintContext::Report rep =
        FileReport("GSP-SOPS-007", m, first, "doc" + std::to_string(d),
                   "Kubernetes manifest has " + list +
                       " encrypted; Flux (and kubectl) cannot identify the object. Encrypt only "
                       "data/stringData (encrypted_regex: ^(data|stringData)$)");
    rep.object = ObjectAt(ctx, &f, d);
    ctx.Add(std::move(rep));
  }
}

// SOPS-005 for one encrypted file.
void CheckMetadata(LintContext& ctx, const FileMeta& m) {
  const ManifestFile& f = *m.file;
  std::vector<std::pair<std::string, const YNode*>> problems;
  auto val = [&](const char* k) -> std::string {
    if (m.sops) return m.sops->Str(k);
    auto it = m.flat.find(k);
    return it == m.flat.end() ? "" : it->second;
  };
  auto keynode = [&](const char* k) -> const YNode* {
    return m.sops ? m.sops->KeyNode(k) : nullptr;
  };
  std::string mac = val("mac");
  if (mac.empty()) {
    problems.emplace_back(
        "no mac (the file's integrity cannot be checked; sops refuses to decrypt it)", nullptr);
  } else if (!IsEncToken(mac)) {
    problems.emplace_back("mac is not an ENC[] value", keynode("mac"));
  }
  std::string lm = val("lastmodified");
  if (lm.empty()) {
    problems.emplace_back("no lastmodified", nullptr);
  } else if (!IsRfc3339(lm)) {
    problems.emplace_back("lastmodified is not RFC 3339", keynode("lastmodified"));
  }
  if (val("version").empty()) problems.emplace_back("no version", nullptr);
  if (m.with_enc == 0)
    problems.emplace_back("no master key with an encrypted data key (enc)", nullptr);
  if (m.selectors > 1)
    problems.emplace_back("more than one scope selector (a load error)", nullptr);
  std::string st = val("shamir_threshold");
  if (!st.empty()) {
    int groups = 0;
    if (m.sops) {
      if (const YNode* kg = m.sops->Get("key_groups"); kg && kg->IsSeq())
        groups = static_cast<int>(kg->size());
    }
    int t = std::atoi(st.c_str());
    if (t == 1 || t < 0 || (groups > 0 && t > groups)) {
      problems.emplace_back(
          "shamir_threshold " + st + " is not 0 or between 2 and the number of key groups",
          keynode("shamir_threshold"));
    }
  }
  if (f.sops_doc > 0)
    problems.emplace_back("the sops block is not in the first document (SOPS reads it from there)",
                          nullptr);
  for (const auto& [what, at] : problems) {
    LintContext::Report rep =
        FileReport("GSP-SOPS-005", m, at ? at : m.sops_key,
                   "sops:" + what.substr(0, what.find(' ', 3)), "Invalid SOPS metadata: " + what);
    rep.discriminator = f.path + ":sops:" + what;
    ctx.Add(std::move(rep));
  }
}

void CheckConfigFile(LintContext& ctx, const ManifestFile& f) {
  auto report = [&](const YNode* at, std::string key, std::string msg) {
    LintContext::Report rep;
    rep.policy = "GSP-SOPS-008";
    rep.file = &f;
    rep.at = at;
    if (at == nullptr) {
      rep.line = 1;
      rep.column = 1;
    }
    rep.key = key;
    rep.discriminator = f.path + ":" + key;
    rep.message = std::move(msg);
    ctx.Add(std::move(rep));
  };
  if (BaseName(f.path) == ".sops.yml") {
    report(nullptr, ".sops.yml", "SOPS ignores .sops.yml (the config must be named .sops.yaml)");
  }
  if (!f.parsed || f.docs.empty()) return;
  const YNode& root = f.docs[0].root;
  if (!root.IsMap()) {
    report(nullptr, "root", "the SOPS config is not a YAML map");
    return;
  }
  static const std::set<std::string> kTop = {"creation_rules", "destination_rules", "stores"};
  static const std::set<std::string> kRule = {"path_regex",
                                              "kms",
                                              "aws_profile",
                                              "age",
                                              "pgp",
                                              "gcp_kms",
                                              "hckms",
                                              "azure_keyvault",
                                              "hc_vault_transit_uri",
                                              "key_groups",
                                              "shamir_threshold",
                                              "unencrypted_suffix",
                                              "encrypted_suffix",
                                              "unencrypted_regex",
                                              "encrypted_regex",
                                              "unencrypted_comment_regex",
                                              "encrypted_comment_regex",
                                              "mac_only_encrypted",
                                              "timeout",
                                              "plugins"};
  static const std::set<std::string> kGroup = {
      "merge", "kms", "gcp_kms", "hckms", "azure_keyvault", "hc_vault", "age", "pgp", "plugins"};
  auto unknown = [&](const YNode& map, const std::set<std::string>& known,
                     const std::string& where) {
    for (size_t i = 0; i < map.keys.size(); ++i) {
      const YNode& k = map.keys[i];
      if (known.count(k.value)) continue;
      if (where.empty()) {
        // A top-level list that only holds YAML anchors (`keys: [&admin age1...]`)
        // is a common idiom: SOPS ignores it and the rules alias its entries.
        size_t end = i + 1 < map.keys.size() ? map.keys[i + 1].offset : f.raw.size();
        if (end > k.offset && f.raw.substr(k.offset, end - k.offset).find('&') != std::string::npos)
          continue;
      }
      std::string fixed = k.value;
      for (char& c : fixed) {
        if (c == '-') c = '_';
      }
      std::string hint =
          known.count(fixed) && fixed != k.value ? " (did you mean " + fixed + "?)" : "";
      report(&k, where + k.value,
             "unknown key '" + k.value + "' in " +
                 (where.empty() ? "the SOPS config" : where.substr(0, where.size() - 1)) + hint +
                 "; SOPS ignores unknown keys silently, so this setting has no effect");
    }
  };
  unknown(root, kTop, "");
  const YNode* rules = root.Get("creation_rules");
  if (rules == nullptr || !rules->IsSeq() || rules->values.empty()) {
    report(root.KeyNode("creation_rules"), "creation_rules",
           "the SOPS config has no creation_rules: every file needs keys on the command line");
    return;
  }
  bool catch_all_seen = false;
  for (size_t i = 0; i < rules->values.size(); ++i) {
    const YNode& r = rules->values[i];
    std::string where = "creation_rules[" + std::to_string(i) + "].";
    if (!r.IsMap()) continue;
    unknown(r, kRule, where);
    int sel = 0;
    for (const char* s : kSelectors) {
      if (!r.Str(s).empty()) ++sel;
    }
    if (sel > 1) {
      report(&r, where + "selectors",
             "creation rule " + std::to_string(i) +
                 " sets more than one of the scope selectors (encrypted_regex, unencrypted_suffix, "
                 "...); SOPS refuses it");
    }
    for (const char* k : {"path_regex", "unencrypted_regex", "encrypted_regex",
                          "unencrypted_comment_regex", "encrypted_comment_regex"}) {
      std::string v = r.Str(k);
      if (v.empty()) continue;
      re2::RE2 re(v, re2::RE2::Quiet);
      if (!re.ok()) {
        report(r.KeyNode(k), where + k,
               std::string(k) + " of creation rule " + std::to_string(i) +
                   " is not a valid RE2 regex: " + re.error());
      }
    }
    if (catch_all_seen) {
      report(r.KeyNode("path_regex") ? r.KeyNode("path_regex") : &r, where + "unreachable",
             "creation rule " + std::to_string(i) +
                 " is unreachable: an earlier rule has no path_regex and matches every file");
    }
    if (r.Str("path_regex").empty()) catch_all_seen = true;
    if (const YNode* kg = r.Get("key_groups"); kg && kg->IsSeq()) {
      for (size_t g = 0; g < kg->values.size(); ++g) {
        if (kg->values[g].IsMap())
          unknown(kg->values[g], kGroup, where + "key_groups[" + std::to_string(g) + "].");
      }
    }
  }
}

// SOPS-009 for one creation rule.
void CheckPosture(LintContext& ctx, const ManifestFile& f, const YNode& r, size_t i) {
  std::vector<std::string> reasons;
  std::set<std::string> rec = RuleRecipients(r);
  if (r.Str("mac_only_encrypted") == "true") {
    reasons.push_back("mac_only_encrypted: true leaves the plain-text fields unauthenticated");
  }
  bool managed = false;
  for (const auto& k : rec) {
    if (k.rfind("age:", 0) != 0 && k.rfind("pgp:", 0) != 0) managed = true;
  }
  if (!rec.empty() && !managed) {
    reasons.push_back(
        "only local age/PGP recipients (no KMS or Key Vault key protects the data key)");
  }
  if (rec.size() == 1) reasons.push_back("a single recipient and no recovery key");
  if (reasons.empty()) return;
  std::string msg;
  for (const auto& s : reasons) msg += (msg.empty() ? "" : "; ") + s;
  LintContext::Report rep;
  rep.policy = "GSP-SOPS-009";
  rep.file = &f;
  rep.at = r.KeyNode("path_regex") ? r.KeyNode("path_regex") : (r.keys.empty() ? &r : &r.keys[0]);
  rep.key = "creation_rules[" + std::to_string(i) + "]";
  rep.discriminator = f.path + ":" + rep.key;
  rep.message = "creation rule " + std::to_string(i) + ": " + msg;
  ctx.Add(std::move(rep));
}

// Payload check for SOPS-001: would the rule have encrypted something here?
std::string PlainPayload(const LintContext& ctx, const ManifestFile& f, const Rule& rule) {
  auto [sel, val] = RuleSelector(*rule.node);
  Scope scope(sel, val);
  for (size_t d = 0; d < f.docs.size(); ++d) {
    const YNode& root = f.docs[d].root;
    if (!root.IsMap()) continue;
    bool secret = root.Str("kind") == "Secret";
    if (!rule.has_path && !secret) continue;
    std::vector<std::string> path;
    std::string found;
    WalkLeaves(
        root, &path, nullptr,
        [&](const std::vector<std::string>& p, const YNode*, const YNode& v) {
          if (!found.empty() || v.IsNull() || ctx.IsPlaceholder(v.value)) return;
          if (secret && (p.empty() || (p[0] != "data" && p[0] != "stringData"))) return;
          std::string decoded;
          if (secret && p[0] == "data" &&
              (!DecodeBase64Strict(v.value, &decoded) || ctx.IsPlaceholder(decoded)))
            return;
          if (scope.ShouldEncrypt(p)) found = JoinKeys(p);
        },
        0);
    if (!found.empty()) return found;
  }
  if (rule.has_path) {
    for (const auto& e : f.flat) {
      if (!ctx.IsPlaceholder(e.value)) return e.key;
    }
  }
  return "";
}

}  // namespace

void RunSopsPolicies(LintContext& ctx) {
  const ResourceIndex& index = ctx.index();
  std::map<const ManifestFile*, Config> configs;
  for (const auto& fp : index.files()) {
    std::string base = BaseName(fp->path);
    if (base == ".sops.yaml" || base == ".sops.yml") {
      CheckConfigFile(ctx, *fp);
      if (base == ".sops.yaml") {
        configs.emplace(fp.get(), ReadConfig(*fp));
        if (!fp->docs.empty()) {
          if (const YNode* rules = fp->docs[0].root.Get("creation_rules");
              rules && rules->IsSeq()) {
            for (size_t i = 0; i < rules->values.size(); ++i) {
              if (rules->values[i].IsMap()) CheckPosture(ctx, *fp, rules->values[i], i);
            }
          }
        }
      }
    }
  }
  for (const auto& fp : index.files()) {
    const ManifestFile& f = *fp;
    std::string base = BaseName(f.path);
    if (base == ".sops.yaml" || base == ".sops.yml") continue;
    const ManifestFile* cfg_file = f.from_history ? nullptr : index.SopsConfigFor(f.path);
    const Config* cfg = cfg_file ? &configs.at(cfg_file) : nullptr;
    const Rule* rule = cfg ? MatchRule(*cfg, f.path) : nullptr;
    if (f.sops_encrypted) {
      FileMeta m = ReadMeta(f);
      CheckMetadata(ctx, m);
      CheckEncryptedFile(ctx, m);
      if (f.from_history) continue;
      if (rule == nullptr) {
        LintContext::Report rep =
            FileReport("GSP-SOPS-002", m, m.sops_key, "creation_rule",
                       cfg ? "No creation_rule of " + cfg->file->path +
                                 " matches this encrypted file: sops edits and updatekeys fail "
                                 "(\"no matching creation rules found\")"
                           : "No .sops.yaml above this encrypted file: re-encryption and edits "
                             "depend on keys passed by hand");
        if (cfg)
          rep.related.push_back(LintContext::Related(cfg->file, nullptr, "nearest SOPS config"));
        ctx.Add(std::move(rep));
      } else {
        // SOPS-006: recipients and scope vs the rule.
        std::set<std::string> want = RuleRecipients(*rule->node);
        std::vector<std::string> missing, extra;
        for (const auto& w : want) {
          bool ok = false;
          for (const auto& h : m.recipients) ok = ok || SameRecipient(w, h);
          if (!ok) missing.push_back(w);
        }
        for (const auto& h : m.recipients) {
          bool ok = false;
          for (const auto& w : want) ok = ok || SameRecipient(w, h);
          if (!ok) extra.push_back(h);
        }
        auto [rsel, rval] = RuleSelector(*rule->node);
        std::string fsel = m.selector_name, fval = m.selector_value;
        if (rsel.empty()) {
          rsel = "unencrypted_suffix";
          rval = "_unencrypted";
        }
        if (fsel.empty()) {
          fsel = "unencrypted_suffix";
          fval = "_unencrypted";
        }
        std::string msg;
        if (!want.empty() && (!missing.empty() || !extra.empty())) {
          auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
            return s;
          };
          if (!missing.empty())
            msg += "recipients of the rule missing from the file: " + join(missing);
          if (!extra.empty())
            msg += std::string(msg.empty() ? "" : "; ") +
                   "recipients in the file the rule no longer lists (they can still decrypt): " +
                   join(extra);
          msg += " (run sops updatekeys)";
        }
        if (rsel != fsel || rval != fval) {
          msg += std::string(msg.empty() ? "" : "; ") + "scope differs: the rule says " + rsel +
                 " " + rval + ", the file was encrypted with " + fsel + " " + fval;
        }
        if (!msg.empty()) {
          LintContext::Report rep = FileReport("GSP-SOPS-006", m, m.sops_key, "drift",
                                               "Drift from " + cfg->file->path + " creation rule " +
                                                   std::to_string(rule->index) + ": " + msg);
          rep.related.push_back(
              LintContext::Related(cfg->file, rule->key, "matching creation rule"));
          ctx.Add(std::move(rep));
        }
      }
      // SOPS-009 for files with mac_only_encrypted and no rule to report it on.
      continue;
    }
    // SOPS-001: covered by an explicit rule, not encrypted, has payload.
    if (rule == nullptr || !f.parsed || f.from_history) continue;
    if (base == "kustomization.yaml" || base == "kustomization.yml") continue;
    if (f.format != FileFormat::kYaml && f.format != FileFormat::kJson &&
        f.format != FileFormat::kDotenv && f.format != FileFormat::kIni)
      continue;
    std::string payload = PlainPayload(ctx, f, *rule);
    if (payload.empty()) continue;
    LintContext::Report rep;
    rep.policy = "GSP-SOPS-001";
    rep.file = &f;
    rep.line = 1;
    rep.column = 1;
    const Resource* obj = ObjectAt(ctx, &f, 0);
    if (obj != nullptr) {
      rep.at = obj->node->KeyNode("kind");
      rep.object = obj;
    }
    rep.key = payload;
    rep.discriminator = f.path;
    rep.message = "This file matches " +
                  std::string(rule->has_path ? "path_regex of " : "the catch-all ") +
                  "creation rule " + std::to_string(rule->index) + " in " + cfg->file->path +
                  " but is not SOPS-encrypted (" + payload + " is clear text)";
    rep.related.push_back(LintContext::Related(cfg->file, rule->key, "creation rule"));
    ctx.Add(std::move(rep));
  }
}

}  // namespace vigil
