// Value filters: entropy, placeholders, and values that look like secrets but
// are not (SOPS ENC[...] values, SealedSecret ciphertext, digests). Pure
// functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// Shannon entropy in bits per character.
double ShannonEntropy(std::string_view s);

// True for template references and placeholders: ${VAR}, {{ .Values.x }},
// <your-token>, changeme, op://vault/item, the documented AWS example keys.
bool IsPlaceholder(std::string_view value);

// True for encrypted or derived values that are not clear-text secrets:
// SOPS ENC[AES256_GCM,...], SealedSecret ciphertext (base64 with an RSA
// session-key length prefix), sha256:/sha512- digests.
bool IsEncryptedOrDigest(std::string_view value);

// True when `value` decodes as strict base64 (standard alphabet, padding
// optional); *out gets the bytes.
bool DecodeBase64(std::string_view value, std::string* out);

}  // namespace vigil
