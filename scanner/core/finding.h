// Finding: what every inspector (secret matcher, manifest linter) reports, and
// what every reporter prints. Plain value types, standard library only.
//
// A Finding keeps the raw secret in memory so that filters (allowlists,
// baselines) can look at it; reporters never print it unless the user passed
// --show-secrets (see redaction.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

// "info", "low", "medium", "high", "critical".
std::string_view SeverityName(Severity s);
// Parses a severity name (case-insensitive); nullopt when unknown.
std::optional<Severity> ParseSeverity(std::string_view name);
// GitHub's security-severity score for a severity ("9.5", "7.5", ...).
std::string_view SecurityScore(Severity s);

// A place in a file. Lines and columns are 1-based; columns count bytes.
// end_column is exclusive (one past the last byte), as SARIF's endColumn.
struct Location {
  std::string path;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;  // exclusive, 1-based (SARIF convention)
  uint64_t offset = 0;      // byte offset of the start in the blob
  uint64_t end_offset = 0;  // byte offset one past the end
};

// Where a blob was seen in git history.
struct CommitInfo {
  std::string id;       // full hex commit id
  std::string author;
  std::string email;
  std::string date;     // ISO 8601, UTC
  std::string summary;  // first line of the message
};

struct RelatedLocation {
  Location location;
  std::string message;
};

enum class FindingKind { kSecret, kPolicy, kNotice };

struct Finding {
  std::string rule_id;
  std::string rule_name;
  FindingKind kind = FindingKind::kSecret;
  Severity severity = Severity::kMedium;
  std::string message;      // never contains the secret
  Location location;
  std::string secret;       // raw secret text (kept in memory only)
  // For snippets: the raw text from the start of the finding's first line to
  // the end of its last line (always the blob's bytes, starting at column 1).
  // For a decoded value it is the raw line up to the encoded value, followed
  // by the decoded secret. Reporters redact the secret in it.
  std::string line_text;
  std::string key;          // YAML key path when found in a decoded value
  std::string decoded_from; // e.g. "base64 (Secret data)" when decoded
  std::string validation;   // validator verdict, e.g. "checksum-valid"
  std::string blob_id;      // git blob id (hex), when known
  std::string fingerprint;  // stable id: hash of rule + secret + path
  std::optional<CommitInfo> commit;
  std::string commit_path;  // path at the introducing commit
  std::optional<bool> live; // history scans: still present at HEAD?
  std::vector<RelatedLocation> related;
  bool suppressed = false;
  std::string suppression;  // why ("inline vigil:ignore", "baseline", ...)
};

// A per-item problem that did not stop the scan (unreadable file, corrupt
// object, malformed YAML, file skipped because of its size).
struct ScanError {
  std::string path;
  uint32_t line = 0;
  std::string message;
  bool warning = false;  // true: noted (e.g. skipped), not an error
};

}  // namespace vigil
