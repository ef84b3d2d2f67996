// Helpers shared by the reporters (text, JSON, SARIF, GitHub, Markdown):
// secret scrubbing, severity counts, rule lookup, URI and string utilities.
// Internal to reporters/; nothing outside the library should include it
// (tests may). Every function is pure and thread-safe.
//
// Redaction policy, in one place: every piece of free text a reporter prints
// that comes from a Finding goes through a Scrubber, which replaces the raw
// secret (and its base64 forms, for secrets found in decoded values) by
// Redact(secret) unless ReportOptions::show_secrets.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/reporter.h"

namespace vigil::report {

// Removes the secret of one finding from any text. Cheap to construct.
class Scrubber {
 public:
  Scrubber(const Finding& f, bool show_secrets);
  // `text` with every occurrence of the secret (and its encodings) redacted;
  // no trimming.
  std::string Text(std::string_view text) const;
  // The redacted snippet of the finding's line(s), at most max_len bytes
  // around the secret; newlines are kept.
  std::string Snippet(size_t max_len = 160) const;
  // The secret as it may be shown: Redact(secret), or the secret itself.
  std::string Secret() const;

 private:
  // Replaces the base64 forms of the secret (and the rest of the encoded
  // value after them) by their redacted form.
  void RedactEncoded(std::string* text) const;

  const Finding& f_;
  bool show_;
  std::vector<std::string> encoded_;  // base64 "cores" of the secret, longest first
};

// Replaces every occurrence of any of `secrets` in `text` by its redacted
// form (for texts not tied to one finding, such as scan error messages).
std::string ScrubAll(std::string_view text, const std::vector<std::string>& secrets);
// The distinct non-empty secrets of the findings (for ScrubAll).
std::vector<std::string> CollectSecrets(const std::vector<Finding>& findings);

// Unsuppressed findings per severity, indexed by static_cast<int>(Severity).
std::array<uint64_t, 5> CountBySeverity(const std::vector<Finding>& findings);
// "2 critical, 1 high" (most severe first; zero counts left out); "" when none.
std::string SeverityBreakdown(const std::array<uint64_t, 5>& counts);

// Findings a human-facing reporter prints: unsuppressed ones, plus the
// suppressed ones when options.show_suppressed.
std::vector<const Finding*> VisibleFindings(const ScanReport& report, const ReportOptions& options);

// Rule metadata by id.
std::map<std::string, const RuleInfo*> RulesById(const std::vector<RuleInfo>& rules);

// "secret", "policy", "notice".
std::string_view KindName(FindingKind kind);
// The first 7 characters of a commit id.
std::string ShortId(std::string_view id);
// "1.2 MB", "532 B".
std::string FormatBytes(uint64_t bytes);
// "0.21s", "1m03s".
std::string FormatSeconds(double seconds);
// One line describing where a history finding came from, e.g.
// "commit 1a2b3c4 by Jane Doe <jane@example.com> on 2026-01-02T10:00:00Z, history only".
// Empty when the finding has no commit. Scrubbed.
std::string ProvenanceLine(const Finding& f, const Scrubber& scrub);
// "in data.password, decoded from base64 (Secret data)" or "" (scrubbed).
std::string DecodedLine(const Finding& f, const Scrubber& scrub);
// The first line of a (possibly multi-line) text.
std::string FirstLine(std::string_view text);

// Cuts `s` to at most max_bytes without splitting a UTF-8 sequence; appends
// `ellipsis` when it cut (the result, ellipsis included, fits max_bytes).
std::string TruncateUtf8(std::string_view s, size_t max_bytes, std::string_view ellipsis = "…");
// Replaces invalid UTF-8 sequences by U+FFFD so JSON writers never fail.
std::string SanitizeUtf8(std::string_view s);

// Percent-encodes a relative path as a URI reference ("a b/c.yaml" ->
// "a%20b/c.yaml"). Keeps '/', unreserved characters and sub-delimiters;
// encodes ':' so the first segment cannot read as a scheme.
std::string PercentEncodePath(std::string_view path);
// True for an absolute URI per RFC 3986 (scheme ":" hier-part, only legal
// characters, valid percent escapes).
bool IsAbsoluteUri(std::string_view uri);
// A remote URL made safe to publish as an absolute https/http/file URI:
// scp-like "git@host:org/repo.git" -> "https://host/org/repo"; ssh:// and
// git:// -> https://; credentials ("user:token@") and query/fragment removed;
// a trailing ".git" dropped. "" when it cannot be made absolute.
std::string NormalizeRepositoryUri(std::string_view remote);

// 64-bit FNV-1a, as 16 hex digits (stable across platforms; not for secrets).
std::string HexHash64(std::string_view data, uint64_t seed = 0);

}  // namespace vigil::report
