#include "scanner/core/redaction.h"

#include <algorithm>

namespace vigil {

std::string Redact(std::string_view secret) {
  size_t n = secret.size();
  size_t keep = n >= 16 ? 4 : (n >= 8 ? 2 : 0);
  std::string out(secret.substr(0, keep));
  out += "…[" + std::to_string(n) + " chars]";
  return out;
}

std::string RedactIn(std::string_view text, std::string_view secret, bool show_secrets,
                     size_t max_len) {
  // Redact first, then trim: a window edge can then cut only text that is
  // shown anyway (or a redaction), never the head or tail of an occurrence.
  std::string body;
  size_t center = 0;      // where the first occurrence starts in `body`
  size_t center_len = 0;  // and its length there
  if (show_secrets || secret.empty()) {
    body.assign(text);
    size_t first = secret.empty() ? std::string_view::npos : text.find(secret);
    if (first != std::string_view::npos) center = first, center_len = secret.size();
  } else {
    const std::string red = Redact(secret);
    size_t pos = 0;
    while (true) {
      size_t hit = text.find(secret, pos);
      if (hit == std::string_view::npos) break;
      body.append(text.substr(pos, hit - pos));
      if (center_len == 0) center = body.size(), center_len = red.size();  // the first
      body += red;
      pos = hit + secret.size();
    }
    body.append(text.substr(pos));
  }
  if (body.size() <= max_len) return body;
  // Trim around the first occurrence so long lines (minified files) stay
  // readable.
  size_t begin = center > max_len / 3 ? center - max_len / 3 : 0;
  size_t end = std::min(body.size(), begin + std::max(max_len, center_len + max_len / 3));
  // Not inside a UTF-8 sequence (a redaction's "…" included).
  auto continuation = [&](size_t i) {
    return (static_cast<unsigned char>(body[i]) & 0xC0) == 0x80;
  };
  while (begin < end && continuation(begin)) ++begin;
  while (end > begin && end < body.size() && continuation(end)) --end;
  std::string out;
  if (begin > 0) out = "…";
  out.append(std::string_view(body).substr(begin, end - begin));
  if (end < body.size()) out += "…";
  return out;
}

}  // namespace vigil
