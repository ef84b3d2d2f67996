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

}  // namespace

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
  // Documented example credentials and obvious filler words.
  static constexpr std::string_view kWords[] = {
      "example", "placeholder", "changeme", "change_me", "change-me", "changeit", "dummy",
      "redacted", "your_", "your-", "yourtoken", "yourpassword", "xxxxxx", "******", "......",
      "replace_me", "replaceme", "replace-me", "insert_", "insert-", "todo", "fixme",
      "sample", "notreal", "not_real", "not-a-real", "fake", "lorem", "ipsum", "my_secret",
      "mysecret", "mypassword", "my-password", "super_secret", "supersecret", "password123",
      "secret123", "foobar", "00000000", "aaaaaaaa", "12345678", "abcdefgh", "qwerty",
      "<redacted>", "masked", "hidden", "none", "null", "undefined", "secret_here", "token_here",
      "key_here"};
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
