// Config: the `.vigil.yaml` file (docs/configuration.md). Loaded once by the
// CLI; validated strictly: an unknown key is an error naming the key, the
// file and the line. Immutable after loading; safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/status.h"

namespace vigil {

struct AllowlistConfig {
  std::vector<std::string> paths;     // gitignore-style globs
  std::vector<std::string> regexes;   // RE2, matched against the secret
  std::vector<std::string> stopwords; // substrings of the secret (case-insensitive)
};

struct Config {
  std::string path;  // where it was loaded from ("" = defaults)
  std::vector<std::string> exclude;                 // globs never scanned
  std::vector<std::string> disabled_rules;          // rule or policy ids
  std::map<std::string, Severity> severity;         // rule/policy id -> severity
  AllowlistConfig allowlist;                        // global
  std::map<std::string, AllowlistConfig> rule_allowlists;  // per rule/policy id
  std::vector<std::string> placeholders;            // RE2 patterns of placeholder values
  std::map<std::string, std::vector<std::string>> environments;
  std::optional<Severity> fail_on;
  std::optional<uint64_t> max_file_size;
  std::string baseline;                             // default baseline file
};

// Parses a size such as "10MB", "512K" or "1GiB"; `where` prefixes messages.
Result<uint64_t> ParseSize(const std::string& s, const std::string& where);

// Parses YAML text; `origin` names the file in messages.
Result<Config> ParseConfig(std::string_view text, const std::string& origin);
// Loads a file (error when missing).
Result<Config> LoadConfigFile(const std::string& path);
// Finds `.vigil.yaml` (or `.vigil.yml`) in dir or its parents up to the
// repository root; returns "" when there is none.
std::string FindConfig(const std::string& dir);

}  // namespace vigil
