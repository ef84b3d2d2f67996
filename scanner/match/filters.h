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
// <your-token>, {NAME}, changeme, op://vault/item, identifiers
// (LooksLikeIdentifier).
bool IsPlaceholder(std::string_view value);

// True for a value that names a field instead of holding one: letters, '_',
// '.' and '-' only (no digit), and a CONSTANT_NAME, a dotted path
// (StreamDescription.NextMarker, args.password) or a name that spells what it
// stands for (challengePassword, show_password). IsPlaceholder includes it.
bool LooksLikeIdentifier(std::string_view value);

// True for the credentials printed in specifications and documentation
// (RFC 6749's OAuth tokens, the jwt.io token, the AWS keys with EXAMPLE).
// Rejected whatever a validator says.
bool IsDocumentedExample(std::string_view secret);

// True when `after` (the text right after a URL's password) is "@" and a
// host reserved for documentation: example.com/.net/.org, *.example,
// *.invalid, *.test (RFC 2606, RFC 6761).
bool IsReservedExampleHost(std::string_view after);

// True when `before` (the text of the line up to a `token` keyword) ends
// with a word that makes it a pagination or form token rather than a
// credential: page, next, continuation, output, sync, cursor, csrf...
bool IsPaginationToken(std::string_view before);

// True for encrypted or derived values that are not clear-text secrets:
// SOPS ENC[AES256_GCM,...], SealedSecret ciphertext (base64 with an RSA
// session-key length prefix), sha256:/sha512- digests.
bool IsEncryptedOrDigest(std::string_view value);

// True when `value` decodes as strict base64 (standard alphabet, padding
// optional); *out gets the bytes.
bool DecodeBase64(std::string_view value, std::string* out);

}  // namespace vigil
