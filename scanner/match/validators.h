// Offline validators: checksums and structure checks that confirm a candidate
// without any network access. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

enum class Verdict { kValid, kInvalid, kUnknown };

// Runs the named validator on a secret. Unknown names return kUnknown (rules
// are checked for known validator names at load time).
Verdict RunValidator(std::string_view name, std::string_view secret);

// True if `name` is a validator this build knows.
bool IsKnownValidator(std::string_view name);

// CRC32 (IEEE 802.3, as zlib's crc32).
uint32_t Crc32(std::string_view data);

// GitHub/npm token checksum: the last 6 characters are the base62 CRC32 of
// the 30 random characters after the prefix.
bool ValidTokenChecksum(std::string_view token, std::string_view prefix);

}  // namespace vigil
