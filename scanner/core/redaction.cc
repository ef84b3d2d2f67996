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
  std::string out;
  size_t first = secret.empty() ? std::string_view::npos : text.find(secret);
  // Trim around the secret so long lines (minified files) stay readable.
  size_t begin = 0, end = text.size();
  if (text.size() > max_len) {
    size_t center = first == std::string_view::npos ? 0 : first;
    begin = center > max_len / 3 ? center - max_len / 3 : 0;
    end = std::min(text.size(), begin + std::max(max_len, secret.size() + max_len / 3));
  }
  std::string_view window = text.substr(begin, end - begin);
  if (show_secrets || secret.empty()) {
    out.assign(window);
  } else {
    std::string red = Redact(secret);
    size_t pos = 0;
    while (true) {
      size_t hit = window.find(secret, pos);
      if (hit == std::string_view::npos) break;
      out.append(window.substr(pos, hit - pos));
      out += red;
      pos = hit + secret.size();
    }
    out.append(window.substr(pos));
    // A secret cut by the window edges must not leak partially: if the window
    // starts or ends inside an occurrence, mask the whole window tail/head.
    if (first != std::string_view::npos && (first < begin || first + secret.size() > end)) {
      out = red;
    }
  }
  if (begin > 0) out = "…" + out;
  if (end < text.size()) out += "…";
  return out;
}

}  // namespace vigil
