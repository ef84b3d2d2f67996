#include "scanner/match/validators.h"

#include <yaml-cpp/binary.h>

#include <array>
#include <cctype>
#include <string>

#include "scanner/match/filters.h"

namespace vigil {

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string Base62Pad6(uint32_t n) {
  std::string s;
  while (n) {
    s.insert(s.begin(), kBase62[n % 62]);
    n /= 62;
  }
  while (s.size() < 6) s.insert(s.begin(), '0');
  return s;
}

std::string Base64UrlToStd(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4) s.push_back('=');
  return s;
}

Verdict Jwt(std::string_view token) {
  size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return Verdict::kInvalid;
  size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return Verdict::kInvalid;
  std::string header;
  if (!DecodeBase64(Base64UrlToStd(token.substr(0, d1)), &header)) return Verdict::kInvalid;
  if (header.find("\"alg\"") == std::string::npos) return Verdict::kInvalid;
  std::string payload;
  if (!DecodeBase64(Base64UrlToStd(token.substr(d1 + 1, d2 - d1 - 1)), &payload))
    return Verdict::kInvalid;
  if (payload.empty() || payload[0] != '{') return Verdict::kInvalid;
  // Unsigned tokens (alg none, empty signature) carry no credential.
  if (d2 + 1 >= token.size()) return Verdict::kInvalid;
  return Verdict::kValid;
}

// HTTP Basic credentials (RFC 7617) and docker config `auth` values:
// base64 of user:password. Not decodable, no ':', an empty or placeholder
// password (dXNlcm5hbWU6cGFzc3dvcmQ= is username:password): not a credential.
Verdict BasicAuth(std::string_view s) {
  std::string plain;
  if (!DecodeBase64(s, &plain)) return Verdict::kInvalid;
  size_t colon = plain.find(':');
  if (colon == std::string::npos) return Verdict::kInvalid;
  for (unsigned char c : plain) {
    if (c < 0x20 || c == 0x7f) return Verdict::kInvalid;  // binary, not user:password
  }
  std::string_view password = std::string_view(plain).substr(colon + 1);
  if (password.empty() || IsPlaceholder(password)) return Verdict::kInvalid;
  return Verdict::kUnknown;
}

// Bech32 checksum (BIP 173), as used by age keys (AGE-SECRET-KEY-1...).
Verdict Bech32(std::string_view s) {
  static constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  size_t sep = s.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || sep + 7 > s.size()) return Verdict::kInvalid;
  std::string lower;
  for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  auto polymod = [](const std::vector<uint8_t>& v) {
    static constexpr uint32_t kGen[] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (uint8_t x : v) {
      uint8_t top = chk >> 25;
      chk = ((chk & 0x1ffffff) << 5) ^ x;
      for (int i = 0; i < 5; ++i) {
        if ((top >> i) & 1) chk ^= kGen[i];
      }
    }
    return chk;
  };
  std::vector<uint8_t> values;
  for (size_t i = 0; i < sep; ++i) values.push_back(static_cast<uint8_t>(lower[i]) >> 5);
  values.push_back(0);
  for (size_t i = 0; i < sep; ++i) values.push_back(static_cast<uint8_t>(lower[i]) & 31);
  for (size_t i = sep + 1; i < lower.size(); ++i) {
    size_t p = kCharset.find(lower[i]);
    if (p == std::string_view::npos) return Verdict::kInvalid;
    values.push_back(static_cast<uint8_t>(p));
  }
  return polymod(values) == 1 ? Verdict::kValid : Verdict::kInvalid;
}

Verdict Base64Bytes(std::string_view s, size_t n) {
  std::string bytes;
  if (!DecodeBase64(s, &bytes)) return Verdict::kInvalid;
  return bytes.size() == n ? Verdict::kValid : Verdict::kInvalid;
}

Verdict AwsKeyId(std::string_view s) {
  // Access key ids are 20 characters of base32 (A-Z, 2-7) after the prefix.
  if (s.size() != 20) return Verdict::kInvalid;
  for (char c : s.substr(4)) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return Verdict::kInvalid;
  }
  return Verdict::kValid;
}

Verdict GcpServiceAccount(std::string_view s) {
  // The private_key of a service-account JSON: a PEM PKCS#8 body.
  return s.find("PRIVATE KEY") != std::string_view::npos ? Verdict::kValid : Verdict::kUnknown;
}

}  // namespace

bool ValidTokenChecksum(std::string_view token, std::string_view prefix) {
  if (token.size() != prefix.size() + 36 || token.substr(0, prefix.size()) != prefix) return false;
  std::string_view random = token.substr(prefix.size(), 30);
  std::string_view check = token.substr(prefix.size() + 30, 6);
  return Base62Pad6(Crc32(random)) == check;
}

bool IsKnownValidator(std::string_view name) {
  return name == "github-checksum" || name == "npm-checksum" || name == "jwt" || name == "bech32" ||
         name == "base64-64-bytes" || name == "base64-32-bytes" || name == "aws-access-key-id" ||
         name == "gcp-service-account" || name == "basic-auth";
}

Verdict RunValidator(std::string_view name, std::string_view secret) {
  if (name == "github-checksum") {
    size_t us = secret.find('_');
    if (us == std::string_view::npos) return Verdict::kInvalid;
    return ValidTokenChecksum(secret, secret.substr(0, us + 1)) ? Verdict::kValid
                                                                : Verdict::kInvalid;
  }
  if (name == "npm-checksum")
    return ValidTokenChecksum(secret, "npm_") ? Verdict::kValid : Verdict::kInvalid;
  if (name == "jwt") return Jwt(secret);
  if (name == "bech32") return Bech32(secret);
  if (name == "base64-64-bytes") return Base64Bytes(secret, 64);
  if (name == "base64-32-bytes") return Base64Bytes(secret, 32);
  if (name == "aws-access-key-id") return AwsKeyId(secret);
  if (name == "gcp-service-account") return GcpServiceAccount(secret);
  if (name == "basic-auth") return BasicAuth(secret);
  return Verdict::kUnknown;
}

}  // namespace vigil
