#include "scanner/match/filters.h"

#include <yaml-cpp/binary.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace vigil {

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) counts[c]++;
  double h = 0, n = static_cast<double>(s.size());
  for (uint32_t c : counts) {
    if (!c) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool Contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

size_t DistinctChars(std::string_view s) {
  std::array<bool, 256> seen{};
  size_t n = 0;
  for (unsigned char c : s) {
    if (!seen[c]) { seen[c] = true; ++n; }
  }
  return n;
}

bool IsSequential(std::string_view s) {
  if (s.size() < 6) return false;
  size_t runs = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] == s[i - 1] + 1) ++runs;
  }
  return runs + 1 >= s.size() * 8 / 10;
}

bool IsIdentChar(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

// CONSTANT_NAME: upper-case letters in at least two words joined by '_'.
bool IsConstantName(std::string_view v) {
  bool underscore = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '_') {
      if (i == 0 || i + 1 == v.size() || v[i - 1] == '_') return false;
      underscore = true;
    } else if (!std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return underscore;
}

// a.b.c: at least two '.'-separated words of letters and '_', each of
// two characters or more.
bool IsDottedPath(std::string_view v) {
  size_t dots = 0, run = 0;
  for (char c : v) {
    if (c == '.') {
      if (run < 2) return false;
      ++dots;
      run = 0;
    } else if (IsIdentChar(c)) {
      ++run;
    } else {
      return false;
    }
  }
  return dots > 0 && run >= 2;
}

}  // namespace

bool LooksLikeIdentifier(std::string_view value) {
  std::string_view v = value;
  // The argument of a call: password=args.password, / token=self.token)
  if (!v.empty() && (v.back() == ',' || v.back() == ')' || v.back() == ';')) v.remove_suffix(1);
  if (v.size() < 4) return false;
  for (char c : v) {
    if (!(IsIdentChar(c) || c == '.' || c == '-')) return false;  // a digit or symbol: a value
  }
  if (IsConstantName(v) || IsDottedPath(v)) return true;
  // A field or message named after what it holds: challengePassword,
  // show_password, master.passwd, SET_NEW_PASSWORD, keyfile-password.
  static constexpr std::string_view kWords[] = {"password", "passwd",     "passphrase", "secret",
                                                "token",    "credential", "apikey",     "api_key",
                                                "api-key",  "privatekey", "private_key"};
  std::string lower = Lower(v);
  for (auto w : kWords) {
    if (Contains(lower, w)) return true;
  }
  return false;
}

bool IsDocumentedExample(std::string_view secret) {
  // Credentials printed in specifications and library documentation, copied
  // into every vendored copy of those libraries; none of them is anyone's.
  static constexpr std::string_view kExamples[] = {
      // RFC 6749 (OAuth 2.0) sections 2.3.1, 4.1 and 5.1: client
      // s6BhdRkqt3:gX1fBat3bV, its Basic header, code, access and refresh tokens.
      "gX1fBat3bV",
      "czZCaGRSa3F0MzpnWDFmQmF0M2JW",
      "SplxlOBeZQQYbYS6WxSbIA",
      "2YotnFZFEjr1zCsicMWpAA",
      "tGzv3JOkF0XG5Qx2TlKWIA",
      // RFC 6750 (bearer tokens) section 2.
      "mF_9.B5f-4.1JqM",
      // The jwt.io debugger's token and PyJWT's README token.
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
      "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9."
      "4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg",
  };
  for (auto e : kExamples) {
    if (secret == e) return true;
  }
  return secret.find("EXAMPLE") != std::string_view::npos && secret.size() <= 48;
}

bool IsReservedExampleHost(std::string_view after) {
  if (after.empty() || after.front() != '@') return false;
  after.remove_prefix(1);
  size_t n = 0;
  while (n < after.size() && n < 253 &&
         (std::isalnum(static_cast<unsigned char>(after[n])) || after[n] == '.' || after[n] == '-'))
    ++n;
  std::string host = Lower(after.substr(0, n));
  while (!host.empty() && host.back() == '.') host.pop_back();
  auto ends_with = [&](std::string_view s) {
    return host.size() >= s.size() && host.compare(host.size() - s.size(), s.size(), s) == 0;
  };
  // RFC 2606 and RFC 6761: names reserved for documentation and testing.
  for (std::string_view d : {"example.com", "example.net", "example.org"}) {
    if (host == d || ends_with("." + std::string(d))) return true;
  }
  for (std::string_view tld : {".example", ".invalid", ".test"}) {
    if (ends_with(tld)) return true;
  }
  return host == "example";
}

bool IsPaginationToken(std::string_view before) {
  // `before` ends where the rule's `token` keyword starts: nextPageToken,
  // next_token, output_token, "Next page token", X-CSRF-Token.
  std::string words;
  for (char c : before) {
    if (c == '\n' || c == '\r')
      words.clear();
    else if (std::isalpha(static_cast<unsigned char>(c)))
      words.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else if (c != '_' && c != '-' && c != ' ' && c != '.')
      words.clear();
  }
  static constexpr std::string_view kKinds[] = {"page",   "next",  "continuation", "pagination",
                                                "output", "input", "sync",         "cursor",
                                                "resume", "csrf",  "xsrf"};
  for (auto k : kKinds) {
    if (words.size() >= k.size() && words.compare(words.size() - k.size(), k.size(), k) == 0)
      return true;
  }
  return false;
}

bool IsPlaceholder(std::string_view value) {
  std::string_view v = value;
  while (!v.empty() && (v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '"' || v.back() == '\'')) v.remove_suffix(1);
  if (v.empty()) return true;
  // Template and reference syntax.
  static constexpr std::string_view kMarkers[] = {
      "${", "{{", "}}", "$(", "#{", "%(", "<%", "[[", "op://", "vault:", "ref+", "secretref+",
      "akv://", "keyvault:", "arn:aws:secretsmanager", "projects/", "env(", "process.env",
      "os.environ", "getenv", "secretkeyref", "valuefrom"};
  std::string lower = Lower(v);
  for (auto m : kMarkers) {
    if (Contains(lower, m)) return true;
  }
  if (v.front() == '$' && v.size() > 1 && (std::isupper(static_cast<unsigned char>(v[1])) || v[1] == '_'))
    return true;  // $VAR
  if (v.front() == '<' && v.back() == '>') return true;  // <your-token>
  if (v.front() == '%' && v.back() == '%') return true;  // %TOKEN%
  if (v.front() == '{' && v.back() == '}' && v.size() > 2 &&
      std::all_of(v.begin() + 1, v.end() - 1, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
      }))
    return true;  // {ENCODED_PASSWORD}: str.format, f-strings, URI templates
  if (LooksLikeIdentifier(v)) return true;
  // Documented example credentials and obvious filler words.
  static constexpr std::string_view kWords[] = {
      "example",   "placeholder", "changeme",    "change_me",    "change-me",   "changeit",
      "dummy",     "redacted",    "your_",       "your-",        "yourtoken",   "yourpassword",
      "xxxxxx",    "******",      "......",      "replace_me",   "replaceme",   "replace-me",
      "insert_",   "insert-",     "todo",        "fixme",        "sample",      "notreal",
      "not_real",  "not-a-real",  "fake",        "lorem",        "ipsum",       "my_secret",
      "mysecret",  "mypassword",  "my-password", "super_secret", "supersecret", "password123",
      "secret123", "foobar",      "00000000",    "aaaaaaaa",     "12345678",    "abcdefgh",
      "qwerty",    "<redacted>",  "masked",      "hidden",       "none",        "null",
      "undefined", "secret_here", "token_here",  "key_here",     "invalid"};
  for (auto w : kWords) {
    if (Contains(lower, w)) return true;
  }
  static constexpr std::string_view kExact[] = {"password", "secret", "token", "apikey",
                                                "api_key", "true", "false", "string", "pass",
                                                "admin", "root", "default", "required"};
  for (auto w : kExact) {
    if (lower == w) return true;
  }
  if (v.size() >= 6 && DistinctChars(v) <= 3) return true;
  if (IsSequential(v)) return true;
  return false;
}

bool DecodeBase64(std::string_view value, std::string* out) {
  if (value.empty()) return false;
  for (char c : value) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' ||
          c == '\n' || c == '\r' || c == ' '))
      return false;
  }
  std::vector<unsigned char> bytes = YAML::DecodeBase64(std::string(value));
  if (bytes.empty()) return false;
  out->assign(bytes.begin(), bytes.end());
  return true;
}

bool IsEncryptedOrDigest(std::string_view value) {
  std::string_view v = value;
  while (!v.empty() && (v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
  if (v.substr(0, 4) == "ENC[") return true;  // SOPS
  std::string lower = Lower(v.substr(0, 16));
  if (lower.rfind("sha256:", 0) == 0 || lower.rfind("sha512-", 0) == 0 ||
      lower.rfind("sha384-", 0) == 0 || lower.rfind("sha1-", 0) == 0 ||
      lower.rfind("sha256-", 0) == 0)
    return true;
  if (lower.rfind("-----begin pgp message", 0) == 0) return true;
  if (lower.rfind("age-encryption.org", 0) == 0) return true;
  // SealedSecret ciphertext: base64 of [2-byte big-endian length of the
  // RSA-OAEP encrypted session key][that key][AES-GCM ciphertext].
  if (v.size() >= 400 && (v[0] == 'A')) {
    std::string bytes;
    if (DecodeBase64(v, &bytes) && bytes.size() > 2) {
      size_t len = (static_cast<unsigned char>(bytes[0]) << 8) | static_cast<unsigned char>(bytes[1]);
      if ((len == 256 || len == 384 || len == 512) && bytes.size() > 2 + len) return true;
    }
  }
  return false;
}

}  // namespace vigil
