#include "reporters/report_util.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "scanner/core/redaction.h"

namespace vigil::report {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64NoPad(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}

void ReplaceAll(std::string* text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  size_t pos = 0;
  while ((pos = text->find(needle, pos)) != std::string::npos) {
    text->replace(pos, needle.size(), with);
    pos += with.size();
  }
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(unsigned char c) {
  return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
         c == '+' || c == ',' || c == ';' || c == '=';
}
bool IsHex(unsigned char c) { return std::isxdigit(c) != 0; }

void AppendEscaped(std::string* out, unsigned char c) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%%%02X", c);
  *out += buf;
}

// Encodes a URI path, keeping existing valid %XX escapes when keep_escapes.
std::string EncodeUriPath(std::string_view path, bool keep_escapes) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char c = path[i];
    if (IsUnreserved(c) || IsSubDelim(c) || c == '/' || c == '@') {
      out += char(c);
    } else if (keep_escapes && c == '%' && i + 2 < path.size() && IsHex(path[i + 1]) &&
               IsHex(path[i + 2])) {
      out += char(c);
    } else {
      AppendEscaped(&out, c);
    }
  }
  return out;
}

bool ValidHost(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return host.back() == ']' && host.size() > 2;
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_')) return false;
  }
  return true;
}

std::string StripGitSuffix(std::string path) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0)
    path.resize(path.size() - 4);
  return path;
}

}  // namespace

Scrubber::Scrubber(const Finding& f, bool show_secrets) : f_(f), show_(show_secrets) {
  if (show_ || f.secret.size() < 6) return;
  // A secret found in a decoded value is usually also on the line in its
  // encoded form. Any base64 text that encodes the secret at any offset
  // contains one of three "core" substrings (one per alignment): the
  // characters whose 6 bits come only from the secret's bytes.
  for (int k = 0; k < 3; ++k) {
    std::string buf(k, '\0');
    buf += f.secret;
    std::string enc = Base64NoPad(buf);
    size_t front = k == 0 ? 0 : (k == 1 ? 2 : 3);
    size_t back = buf.size() % 3 == 0 ? 0 : 1;
    if (enc.size() < front + back + 8) continue;
    std::string core = enc.substr(front, enc.size() - front - back);
    encoded_.push_back(core);
    std::string url = core;
    std::replace(url.begin(), url.end(), '+', '-');
    std::replace(url.begin(), url.end(), '/', '_');
    if (url != core) encoded_.push_back(url);
  }
  std::stable_sort(encoded_.begin(), encoded_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Scrubber::RedactEncoded(std::string* text) const {
  auto is_b64 = [](unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
  };
  for (const std::string& core : encoded_) {
    size_t pos = 0;
    while ((pos = text->find(core, pos)) != std::string::npos) {
      // Swallow the rest of the encoded value: its next characters still
      // carry bits of the secret's last bytes.
      size_t end = pos + core.size();
      while (end < text->size() && is_b64((*text)[end])) ++end;
      std::string red = Redact(std::string_view(*text).substr(pos, end - pos));
      text->replace(pos, end - pos, red);
      pos += red.size();
    }
  }
}

std::string Scrubber::Text(std::string_view text) const {
  std::string out(text);
  if (show_ || f_.secret.empty()) return out;
  RedactEncoded(&out);
  ReplaceAll(&out, f_.secret, Redact(f_.secret));
  return out;
}

std::string Scrubber::Snippet(size_t max_len) const {
  std::string text = f_.line_text;
  if (!show_) RedactEncoded(&text);  // RedactIn then trims around the raw secret
  std::string out = RedactIn(text, f_.secret, show_, max_len);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string Scrubber::Secret() const { return show_ ? f_.secret : Redact(f_.secret); }

std::string ScrubAll(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& s : secrets) ReplaceAll(&out, s, Redact(s));
  return out;
}

std::vector<std::string> CollectSecrets(const std::vector<Finding>& findings) {
  std::set<std::string> seen;
  for (const Finding& f : findings) {
    if (!f.secret.empty()) seen.insert(f.secret);
  }
  std::vector<std::string> out(seen.begin(), seen.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

std::array<uint64_t, 5> CountBySeverity(const std::vector<Finding>& findings) {
  std::array<uint64_t, 5> counts{};
  for (const Finding& f : findings) {
    if (!f.suppressed) ++counts[static_cast<int>(f.severity)];
  }
  return counts;
}

std::string SeverityBreakdown(const std::array<uint64_t, 5>& counts) {
  std::string out;
  for (int s = 4; s >= 0; --s) {
    if (counts[s] == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(counts[s]) + " " + std::string(SeverityName(static_cast<Severity>(s)));
  }
  return out;
}

std::vector<const Finding*> VisibleFindings(const ScanReport& report,
                                            const ReportOptions& options) {
  std::vector<const Finding*> out;
  out.reserve(report.findings.size());
  for (const Finding& f : report.findings) {
    if (!f.suppressed || options.show_suppressed) out.push_back(&f);
  }
  return out;
}

std::map<std::string, const RuleInfo*> RulesById(const std::vector<RuleInfo>& rules) {
  std::map<std::string, const RuleInfo*> out;
  for (const RuleInfo& r : rules) out.emplace(r.id, &r);
  return out;
}

std::string_view KindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kSecret:
      return "secret";
    case FindingKind::kPolicy:
      return "policy";
    case FindingKind::kNotice:
      return "notice";
  }
  return "secret";
}

std::string ShortId(std::string_view id) { return std::string(id.substr(0, 7)); }

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  }
  return buf;
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  } else {
    // Clamp: a duration is never near INT_MAX seconds, but a corrupt value
    // must not be undefined behaviour.
    double clamped = seconds > 1e9 || seconds != seconds ? 1e9 : seconds;
    long long total = static_cast<long long>(clamped + 0.5);
    std::snprintf(buf, sizeof buf, "%lldm%02llds", total / 60, total % 60);
  }
  return buf;
}

std::string ProvenanceLine(const Finding& f, const Scrubber& scrub) {
  if (!f.commit) return "";
  const CommitInfo& c = *f.commit;
  std::string out = "commit " + ShortId(c.id);
  if (!c.author.empty()) {
    out += " by " + c.author;
    if (!c.email.empty()) out += " <" + c.email + ">";
  }
  if (!c.date.empty()) out += " on " + c.date;
  if (!c.summary.empty()) out += " \"" + FirstLine(c.summary) + "\"";
  if (f.live.has_value()) out += *f.live ? ", still in HEAD" : ", history only";
  if (!f.commit_path.empty() && f.commit_path != f.location.path) {
    out += " (as " + f.commit_path + ")";
  }
  return scrub.Text(out);
}

std::string DecodedLine(const Finding& f, const Scrubber& scrub) {
  std::string out;
  if (!f.key.empty()) out = "in " + f.key;
  if (!f.decoded_from.empty()) {
    out += out.empty() ? "decoded from " : ", decoded from ";
    out += f.decoded_from;
  }
  return scrub.Text(out);
}

std::string FirstLine(std::string_view text) {
  size_t nl = text.find_first_of("\r\n");
  return std::string(text.substr(0, nl));
}

std::string TruncateUtf8(std::string_view s, size_t max_bytes, std::string_view ellipsis) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out(s.substr(0, cut));
  if (out.size() + ellipsis.size() <= max_bytes) out += ellipsis;
  return out;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2;
    if (ok && len == 3) {
      unsigned char c1 = s[i + 1];
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      unsigned char c1 = s[i + 1];
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string PercentEncodePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (IsUnreserved(c) || IsSubDelim(c) || c == '/' || c == '@') {
      out += char(c);
    } else {
      AppendEscaped(&out, c);
    }
  }
  return out;
}

bool IsAbsoluteUri(std::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    unsigned char c = uri[i];
    if (!(std::isalnum(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  for (size_t i = colon + 1; i < uri.size(); ++i) {
    unsigned char c = uri[i];
    if (c == '%') {
      if (i + 2 >= uri.size() || !IsHex(uri[i + 1]) || !IsHex(uri[i + 2])) return false;
      i += 2;
      continue;
    }
    if (IsUnreserved(c) || IsSubDelim(c)) continue;
    if (std::string_view(":/?#[]@").find(char(c)) != std::string_view::npos) continue;
    return false;
  }
  return true;
}

std::string NormalizeRepositoryUri(std::string_view remote) {
  std::string_view r = remote;
  while (!r.empty() && std::isspace(static_cast<unsigned char>(r.front()))) r.remove_prefix(1);
  while (!r.empty() && std::isspace(static_cast<unsigned char>(r.back()))) r.remove_suffix(1);
  if (r.empty()) return "";

  size_t sep = r.find("://");
  bool has_scheme = sep != std::string_view::npos && sep > 0 &&
                    std::isalpha(static_cast<unsigned char>(r[0])) &&
                    std::all_of(r.begin(), r.begin() + sep, [](char ch) {
                      unsigned char c = ch;
                      return std::isalnum(c) || c == '+' || c == '-' || c == '.';
                    });
  if (has_scheme) {
    std::string scheme(r.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string_view rest = r.substr(sep + 3);
    size_t auth_end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, auth_end);
    std::string_view path = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);
    size_t qf = path.find_first_of("?#");
    if (qf != std::string_view::npos) path = path.substr(0, qf);
    // Credentials never leave the machine: drop all userinfo.
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) authority = authority.substr(at + 1);
    if (scheme == "file") {
      if (path.empty()) return "";
      return "file://" + EncodeUriPath(StripGitSuffix(std::string(path)), true);
    }
    std::string host(authority);
    bool ssh_like =
        scheme == "ssh" || scheme == "git" || scheme == "git+ssh" || scheme == "ssh+git";
    if (ssh_like) {
      // The ssh port means nothing to a browser.
      size_t colon = host.rfind(':');
      if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
        host.resize(colon);
      }
      scheme = "https";
    }
    std::string bare = host;
    size_t colon = bare.rfind(':');
    if (colon != std::string::npos && bare.find(']', colon) == std::string::npos) {
      std::string port = bare.substr(colon + 1);
      if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return "";
      }
      bare.resize(colon);
    }
    if (!ValidHost(bare)) return "";
    std::string p = StripGitSuffix(std::string(path));
    std::string out = scheme + "://" + host + EncodeUriPath(p, true);
    return IsAbsoluteUri(out) ? out : "";
  }

  if (r.front() == '/') {
    return "file://" + EncodeUriPath(StripGitSuffix(std::string(r)), true);
  }

  // scp-like syntax: [user@]host:path (no slash before the colon).
  size_t colon = r.find(':');
  size_t slash = r.find('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || slash > colon)) {
    std::string_view host = r.substr(0, colon);
    size_t at = host.rfind('@');
    if (at != std::string_view::npos) host = host.substr(at + 1);
    // "C:\repo" is a Windows path, not a host.
    if (host.size() <= 1 || !ValidHost(host)) return "";
    std::string_view path = r.substr(colon + 1);
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) return "";
    std::string out = "https://" + std::string(host) + "/" +
                      EncodeUriPath(StripGitSuffix(std::string(path)), true);
    return IsAbsoluteUri(out) ? out : "";
  }
  return "";  // a relative local path cannot be an absolute URI
}

std::string HexHash64(std::string_view data, uint64_t seed) {
  uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace vigil::report
