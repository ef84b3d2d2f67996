// Helpers shared by the policy families (see policy.h).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "policies/policy.h"

namespace vigil {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool DecodeBase64Strict(std::string_view in, std::string* out) {
  static int8_t table[256];
  static bool init = [] {
    std::fill(std::begin(table), std::end(table), -1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(a[i])] = static_cast<int8_t>(i);
    return true;
  }();
  (void)init;
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0, pad = 0;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++n;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (pad > 2) return false;
  if (n % 4 == 1) return false;
  if (pad > 0 && (n + pad) % 4 != 0) return false;
  return true;
}

bool IsCredentialKey(std::string_view key) {
  std::string k = Lower(key);
  // Strip separators so apiKey, api_key, api-key compare alike.
  std::string s;
  for (char c : k) {
    if (c != '_' && c != '-' && c != '.') s += c;
  }
  static const char* kNot[] = {"name",  "ref",      "file",    "path",   "enabled", "length",
                               "header", "policy",  "type",    "existing", "secretkey", "keyid",
                               "selector", "mount", "dir",     "format",  "version", "expir",
                               "rotation", "ttl",   "url",     "endpoint", "provider", "store",
                               "template", "annotation", "label", "env", "count", "size",
                               "id",   "namespace", "issuer", "algorithm", "arn", "hash",
                               "regex", "pattern", "mode", "field", "property", "from",
                               "keys",   "required", "min", "max", "prefix", "suffix", "class",
                               "description", "domain", "host", "hostname", "email", "user",
                               "username", "cidr", "timezone", "region", "zone", "bucket"};
  static const char* kYes[] = {"password", "passwd",      "passphrase",  "secret",
                               "token",    "apikey",      "accesskey",   "privatekey",
                               "credential", "clientsecret", "authkey",  "secretkey",
                               "pwd",      "sastoken",    "connectionstring", "webhookurl"};
  bool yes = false;
  for (const char* w : kYes) {
    if (s.find(w) != std::string::npos) yes = true;
  }
  if (!yes) return false;
  // A key that ends with a "reference" word names or configures the secret.
  for (const char* w : kNot) {
    size_t wl = std::strlen(w);
    if (s.size() >= wl && s.compare(s.size() - wl, wl, w) == 0) {
      if (std::string_view(w) == "secretkey" || std::string_view(w) == "keys") {
        // "secretKey" alone is a credential (S3); "...SecretKey" naming a key is not.
        if (s == "secretkey" || s == "awssecretkey" || s == "s3secretkey") return true;
      }
      return false;
    }
  }
  if (s.find("existing") != std::string::npos) return false;
  for (const char* w : {"notsecret", "nonsecret", "public"}) {
    if (s.find(w) != std::string::npos) return false;
  }
  // passwordKey, tokenKey, credentialsKey: the name of a key inside a Secret.
  for (const char* w : {"passwordkey", "tokenkey", "passwdkey", "credentialkey", "credentialskey",
                        "secretkeyname"}) {
    size_t wl = std::strlen(w);
    if (s.size() >= wl && s.compare(s.size() - wl, wl, w) == 0) return false;
  }
  return true;
}

bool IsTrivialValue(std::string_view v) {
  std::string l = Lower(v);
  if (l.size() < 4) return true;
  if (l == "true" || l == "false" || l == "yes" || l == "no" || l == "null" || l == "none")
    return true;
  if (l.find_first_not_of("0123456789.-") == std::string::npos) return true;
  if (l[0] == '/' || l.rfind("./", 0) == 0 || l.rfind("file:", 0) == 0) return true;
  if ((l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0) &&
      l.find('@') == std::string::npos && l.find("token=") == std::string::npos &&
      l.find("sig=") == std::string::npos && l.find("hooks.") == std::string::npos)
    return true;
  return false;
}

bool IsEncToken(std::string_view v) { return v.rfind("ENC[", 0) == 0 && !v.empty() && v.back() == ']'; }

bool ContainsKeyMaterial(std::string_view text, std::string* what, size_t* offset) {
  // PEM private keys: require a real base64 body (>= 64 base64 characters).
  size_t pos = 0;
  while ((pos = text.find("-----BEGIN ", pos)) != std::string_view::npos) {
    size_t hdr_end = text.find("-----", pos + 11);
    if (hdr_end == std::string_view::npos) break;
    std::string_view label = text.substr(pos + 11, hdr_end - pos - 11);
    bool priv = label.size() < 40 && (label.find("PRIVATE KEY") != std::string_view::npos);
    if (priv) {
      size_t body_start = hdr_end + 5;
      size_t end = text.find("-----END", body_start);
      std::string_view body =
          text.substr(body_start, (end == std::string_view::npos ? text.size() : end) - body_start);
      size_t b64 = 0, other = 0;
      bool in_headers = false;
      for (char c : body) {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=') {
          ++b64;
        } else if (c == ':') {
          in_headers = true;  // Proc-Type: headers of encrypted PEM
        } else if (c != '\n' && c != '\r' && c != ' ' && c != '\t' && c != '|' && c != '"' &&
                   c != '\\') {
          ++other;
        }
      }
      (void)in_headers;
      if (b64 >= 64 && other <= b64 / 20 && end != std::string_view::npos) {
        *what = label.find("PGP") != std::string_view::npos ? "PGP private key block"
                                                            : "PEM private key (" + std::string(label) + ")";
        if (offset) *offset = pos;
        return true;
      }
    }
    pos = hdr_end;
  }
  pos = text.find("AGE-SECRET-KEY-1");
  if (pos != std::string_view::npos) {
    size_t n = 0;
    for (size_t i = pos + 16; i < text.size() && n < 80; ++i, ++n) {
      char c = text[i];
      if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z'))) break;
    }
    if (n >= 50) {
      *what = "age secret key";
      if (offset) *offset = pos;
      return true;
    }
  }
  return false;
}

bool TextMayContain(const ManifestFile& f, std::string_view needle) {
  return f.raw.find(needle) != std::string::npos || f.raw.find('\\') != std::string::npos;
}

void FindPodSpecs(const YNode& node, std::vector<const YNode*>* out, int depth) {
  if (depth > 24) return;
  if (node.IsMap()) {
    const YNode* c = node.Get("containers");
    if (c != nullptr && c->IsSeq()) {
      out->push_back(&node);
      return;
    }
    for (const auto& v : node.values) FindPodSpecs(v, out, depth + 1);
  } else if (node.IsSeq()) {
    for (const auto& v : node.values) FindPodSpecs(v, out, depth + 1);
  }
}

std::string Describe(const Resource& r) {
  std::string ns = r.Namespace();
  std::string name = r.placements.empty() ? r.name : r.placements[0].name;
  return r.kind + " " + (ns.empty() ? "" : ns + "/") + (name.empty() ? "(unnamed)" : name);
}

std::set<std::string> Namespaces(const Resource& r) {
  std::set<std::string> out;
  for (const auto& p : r.placements) out.insert(p.namespace_);
  if (out.empty()) out.insert(r.namespace_);
  return out;
}

std::string InferEnvironment(std::string_view path, const LintOptions& options) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty()) parts.pop_back();  // the file name
  for (const auto& [env, tokens] : options.environments) {
    for (const auto& p : parts) {
      std::string lp = Lower(p);
      for (const auto& t : tokens) {
        if (lp == Lower(t)) return env;
      }
    }
  }
  static const char* kParents[] = {"clusters", "cluster", "overlays", "envs", "environments", "env"};
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string lp = Lower(parts[i]);
    for (const char* k : kParents) {
      if (lp == k) return Lower(parts[i + 1]);
    }
  }
  return "";
}

}  // namespace vigil
