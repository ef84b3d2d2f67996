// The secret matcher: every rule in one Hyperscan block-mode database, scanned
// once per blob; each candidate end reported by Hyperscan is confirmed by RE2
// on a bounded window, which extracts the secret and its exact span; then
// keywords, entropy, placeholder filters and validators decide.
//
// A RuleDatabase is compiled once (or loaded from the on-disk cache) and is
// immutable and shared by all threads. A Matcher holds one Hyperscan scratch
// and per-scan state: one Matcher per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/status.h"
#include "scanner/match/rule.h"

namespace vigil {

struct RawMatch {
  uint32_t rule = 0;          // index into RuleDatabase::rules()
  uint64_t start = 0, end = 0;                // the whole match
  uint64_t secret_start = 0, secret_end = 0;  // the secret (capture group)
  std::string validation;     // "checksum-valid", ... ("" when no validator)
};

struct CompileOptions {
  std::string cache_dir;   // "" = no cache
  bool use_cache = true;
};

class RuleDatabase {
 public:
  ~RuleDatabase();
  RuleDatabase(const RuleDatabase&) = delete;
  RuleDatabase& operator=(const RuleDatabase&) = delete;

  // Compiles every rule in both engines. A pattern either engine rejects is an
  // error naming the rule id and its file.
  static Result<std::shared_ptr<const RuleDatabase>> Build(std::vector<Rule> rules,
                                                           const CompileOptions& options);

  // Parses the rules files (or reads them already parsed from the cache in
  // options.cache_dir, keyed by a hash of the files' texts, the engine and
  // the platform), then Build()s. A cache entry that does not read back
  // cleanly is ignored and rewritten; one is written only for rules that
  // compiled. Errors are those of ParseRuleFiles and Build.
  static Result<std::shared_ptr<const RuleDatabase>> Load(const std::vector<RuleFileText>& files,
                                                          const CompileOptions& options);

  const std::vector<Rule>& rules() const { return rules_; }
  bool loaded_from_cache() const { return from_cache_; }
  // True when Load() took the parsed rules from the cache.
  bool rules_from_cache() const { return rules_from_cache_; }
  // The default cache directory ($XDG_CACHE_HOME/vigil or ~/.cache/vigil).
  static std::string DefaultCacheDir();

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  RuleDatabase();
  std::vector<Rule> rules_;
  std::unique_ptr<Impl> impl_;
  bool from_cache_ = false;
  bool rules_from_cache_ = false;
};

class Matcher {
 public:
  explicit Matcher(std::shared_ptr<const RuleDatabase> db);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Finds confirmed matches in data, sorted by start. At most max_matches are
  // kept (a minified file can otherwise produce thousands).
  Status Scan(std::string_view data, std::vector<RawMatch>* out, size_t max_matches = 2000);

  const RuleDatabase& db() const { return *db_; }

  struct State;  // per-scan state (defined in matcher.cc)

 private:
  std::shared_ptr<const RuleDatabase> db_;
  std::unique_ptr<State> state_;
};

// Decides whether a confirmed secret passes the rule's filters (entropy,
// placeholders, encrypted values, validator, documented examples). `before`
// is the line's text up to the match, `after` the text after the secret;
// the placeholder filter looks at both (a pagination token, a URL password
// for example.com). Sets *validation.
bool AcceptSecret(const Rule& rule, std::string_view secret, std::string* validation,
                  std::string_view before = {}, std::string_view after = {});

}  // namespace vigil
