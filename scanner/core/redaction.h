// Redaction: how a secret is shown. By default a short prefix and the length
// ("ghp_…[40 chars]"), never enough to use the secret. Thread-safe, pure.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// The redacted form of a secret: at most 4 leading characters (fewer for
// short secrets), then "…[N chars]".
std::string Redact(std::string_view secret);

// Replaces every occurrence of `secret` in `text` by Redact(secret), unless
// show_secrets. Then trims the result to about max_len bytes around the
// first occurrence (more when that occurrence alone is longer), marking a cut
// with "…"; a cut never falls inside an occurrence or a UTF-8 sequence.
std::string RedactIn(std::string_view text, std::string_view secret, bool show_secrets,
                     size_t max_len = 160);

}  // namespace vigil
