// Rule: one secret-detection rule, loaded from rules/*.yaml (embedded at build
// time) or from a --rules directory. Plain data; see docs/rules.md for the
// file format. Immutable after loading; safe to share between threads.
#pragma once

#include <string>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/status.h"

namespace vigil {

struct RuleExample {
  std::string text;    // input that must produce a finding of this rule
  std::string secret;  // the secret that finding must carry
};

struct Rule {
  std::string id;           // stable, kebab-case
  std::string name;
  std::string description;
  std::string remediation;
  std::string provider;     // from the file's `provider:` key
  Severity severity = Severity::kHigh;
  std::string pattern;      // accepted by both Hyperscan and RE2; group 1 = secret
  // Optional: what Hyperscan scans for instead of `pattern` (a cheap prefix
  // such as the keyword and the assignment); RE2 then confirms `pattern` in
  // the window around each candidate. For rules whose full pattern is
  // expensive for Hyperscan (long bounded repeats, alternations).
  std::string prefilter;
  std::vector<std::string> keywords;  // optional: one must occur in the match (case-insensitive)
  double min_entropy = 0;   // Shannon bits per character of the secret
  std::string validator;    // optional offline validator name
  bool placeholder_check = true;  // drop placeholder-looking secrets
  uint32_t window = 0;      // max match length hint for confirmation (0 = default)
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<RuleExample> examples;
  std::vector<std::string> negative_examples;
  std::string source_file;  // where it was loaded from (for messages)
};

// Parses one rules YAML document (the text of a rules file). `origin` names
// the file in error messages. Appends to *rules.
Status ParseRulesYaml(std::string_view text, const std::string& origin,
                      std::vector<Rule>* rules);

// The rules compiled into the binary (rules/*.yaml at build time).
Status LoadBuiltinRules(std::vector<Rule>* rules);

// Loads every *.yaml / *.yml file of a directory (non-recursive) and merges
// it into *rules: a rule with an existing id replaces it.
Status LoadRulesDir(const std::string& dir, std::vector<Rule>* rules);

// Checks ids (kebab-case, unique), severities, required fields.
Status ValidateRules(const std::vector<Rule>& rules);

// The text of one rules file: built in (embedded at build time) or read from
// a --rules directory. `text` points into `owned` or into the binary.
struct RuleFileText {
  std::string origin;  // "rules/aws.yaml", or the path of a --rules file
  std::string_view text;
  bool builtin = true;
  std::string owned;
};

// The built-in rules files, then (when rules_dir is not "") every *.yaml /
// *.yml file of rules_dir, sorted by name. Reads files; parses nothing.
Status CollectRuleFiles(const std::string& rules_dir, std::vector<RuleFileText>* files);

// Parses files as LoadBuiltinRules + LoadRulesDir do (a --rules rule with an
// existing id replaces it) and validates the result.
Status ParseRuleFiles(const std::vector<RuleFileText>& files, std::vector<Rule>* rules);

// A 64-bit hash of the files' names and texts (part of the rule cache key).
uint64_t HashRuleFiles(const std::vector<RuleFileText>& files);

// The parsed rules as bytes, for the rule cache (RuleDatabase::Load), and
// back. DeserializeRules checks every length against the input and fails
// (leaving *rules empty) on anything malformed: a corrupt cache is rebuilt.
std::string SerializeRules(const std::vector<Rule>& rules);
Status DeserializeRules(std::string_view bytes, std::vector<Rule>* rules);

}  // namespace vigil
