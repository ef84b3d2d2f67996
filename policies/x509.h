// X.509 certificate facts for the sealing-certificate checks of GSP-SEALED-008:
// validity, key type and size, key usage. Parsed offline with OpenSSL's
// libcrypto (already a dependency of Debian's libgit2); OpenSSL types stay in
// x509.cc. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct CertificateInfo {
  uint64_t offset = 0;       // byte offset of the "-----BEGIN CERTIFICATE-----" line
  uint32_t line = 0;         // its 1-based line
  bool parsed = false;       // false: the PEM block is not a readable certificate
  std::string error;         // why, when !parsed
  int64_t not_before = 0;    // Unix seconds
  int64_t not_after = 0;
  bool rsa = false;
  int key_bits = 0;          // modulus size for RSA, key size otherwise
  bool encipher_only = false;  // keyUsage encipherOnly (what the sealed-secrets controller sets)
  std::string subject;       // one-line RFC 2253 form
};

// Every PEM certificate block in the text, in order.
std::vector<CertificateInfo> ParsePemCertificates(std::string_view text);

// Unix seconds as "2026-12-01" (UTC).
std::string FormatDate(int64_t unix_seconds);
// Parses "2026-12-01" or "2026-12-01T10:00:00Z" (UTC); false when malformed.
bool ParseUtcTime(std::string_view text, int64_t* unix_seconds);

}  // namespace vigil
