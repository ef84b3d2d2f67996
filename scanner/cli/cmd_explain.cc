// vigil explain <rule-or-policy-id>: what a secret rule or manifest policy
// detects, why it matters, how to fix it (and rotate the credential), how to
// suppress a false positive, and references. Secret rules come from the rule
// YAML (built in, plus --rules DIR); policies from PolicyCatalog(). An
// unknown id exits 2 and suggests the closest ids.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>

#include "policies/linter.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/common.h"
#include "scanner/match/rule.h"

namespace vigil {

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Word-wraps `text` at `width` columns with `indent` spaces before each line.
std::string Wrap(const std::string& text, size_t indent = 2, size_t width = 96) {
  std::ostringstream out;
  std::istringstream words(text);
  std::string word, line;
  std::string pad(indent, ' ');
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width - indent) {
      out << pad << line << "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out << pad << line << "\n";
  return out.str();
}

struct Entry {
  RuleInfo info;
  const Rule* rule = nullptr;  // secret rules only
};

constexpr const char* kSecretWhy =
    "Anyone who can read the repository (every clone, fork, CI log, backup and mirror of it) can use "
    "the credential. Deleting it in a later commit does not help: it stays in the git history, so "
    "treat a committed credential as compromised.";

constexpr const char* kRotate =
    "Rotate first: revoke or regenerate the credential at the provider, then check the provider's "
    "audit log for use you do not recognise. Then remove it from the code and load it at run time "
    "(a secret manager, an ExternalSecret or CSI volume, a SOPS-encrypted file or a SealedSecret). "
    "Rewriting history (git filter-repo) after rotation only removes the noise; it does not "
    "un-leak the secret.";

constexpr const char* kPolicyWhy =
    "GitOps repositories are read by many people and systems (CI, controllers, forks); a secret or "
    "decryption setup that is wrong in the manifests leaks or breaks in every environment the "
    "repository deploys to.";

void Print(const Entry& e) {
  const RuleInfo& i = e.info;
  bool secret = e.rule != nullptr;
  std::cout << i.id << ": " << i.name << "\n";
  std::cout << "  " << (secret ? "secret rule" : "manifest policy") << ", severity "
            << SeverityName(i.severity);
  if (secret && !e.rule->provider.empty()) std::cout << ", provider " << e.rule->provider;
  std::cout << "\n";
  if (!i.tags.empty()) {
    std::cout << "  tags:";
    for (const auto& t : i.tags) std::cout << " " << t;
    std::cout << "\n";
  }

  std::cout << "\nWhat it detects\n" << Wrap(i.description.empty() ? i.name : i.description);
  if (secret) {
    const Rule& r = *e.rule;
    std::cout << "  pattern: " << r.pattern << "\n";
    if (!r.keywords.empty()) {
      std::cout << "  keywords:";
      for (const auto& k : r.keywords) std::cout << " " << k;
      std::cout << "\n";
    }
    if (!r.validator.empty()) std::cout << "  validator: " << r.validator << " (checked offline)\n";
    if (r.min_entropy > 0) std::cout << "  minimum entropy: " << r.min_entropy << " bits per character\n";
  }

  std::cout << "\nWhy it matters\n" << Wrap(secret ? kSecretWhy : kPolicyWhy);

  std::cout << "\nHow to fix\n";
  if (!i.remediation.empty()) std::cout << Wrap(i.remediation);
  if (secret) std::cout << Wrap(kRotate);

  std::cout << "\nIf it is a false positive\n"
            << Wrap("Add `vigil:ignore " + i.id +
                    "` in a comment on the line, or on the line before (for a multi-line value, on "
                    "its first line); or allowlist it in .vigil.yaml under " +
                    std::string(secret ? "rules" : "policies") + ".allowlist." + i.id +
                    " (paths, regexes, stopwords), or disable it with " +
                    std::string(secret ? "rules" : "policies") + ".disable. Accepted findings can "
                    "also be recorded with `vigil baseline create`.");

  if (!i.references.empty()) {
    std::cout << "\nReferences\n";
    for (const auto& ref : i.references) std::cout << "  - " << ref << "\n";
  }
  if (secret && !e.rule->source_file.empty()) std::cout << "\nDefined in " << e.rule->source_file << "\n";
}

}  // namespace

void AddExplainCommands(CLI::App& app, int* exit_code) {
  static std::string id;
  static std::string rules_dir;
  auto* explain = app.add_subcommand("explain", "Explain a secret rule or manifest policy (what, why, how to fix)");
  explain->add_option("id", id, "A rule id (e.g. github-pat-classic) or policy id (e.g. GSP-PLAIN-001)")
      ->required();
  explain->add_option("--rules", rules_dir, "Directory of extra rule files (add or override)");
  explain->callback([exit_code] {
    std::vector<Rule> rules;
    Status s = LoadBuiltinRules(&rules);
    if (s.ok() && !rules_dir.empty()) s = LoadRulesDir(rules_dir, &rules);
    if (!s.ok()) {
      std::cerr << "vigil: " << s.message() << "\n";
      *exit_code = 2;
      return;
    }
    std::vector<Entry> entries;
    for (const auto& r : rules) {
      Entry e;
      e.info.id = r.id;
      e.info.name = r.name;
      e.info.description = r.description;
      e.info.remediation = r.remediation;
      e.info.references = r.references;
      e.info.tags = r.tags;
      e.info.severity = r.severity;
      e.info.kind = FindingKind::kSecret;
      e.rule = &r;
      entries.push_back(std::move(e));
    }
    for (auto& p : PolicyCatalog()) entries.push_back(Entry{std::move(p), nullptr});

    const std::string want = Lower(id);
    for (const auto& e : entries) {
      if (Lower(e.info.id) == want) {
        Print(e);
        *exit_code = 0;
        return;
      }
    }
    // Unknown: suggest the closest ids (edit distance, or containing the query).
    std::vector<std::pair<size_t, std::string>> close;
    for (const auto& e : entries) {
      std::string cand = Lower(e.info.id);
      size_t d = EditDistance(want, cand);
      bool contains = want.size() >= 3 && cand.find(want) != std::string::npos;
      if (contains) d = std::min<size_t>(d, 1);
      if (d <= std::max<size_t>(2, want.size() / 3)) close.emplace_back(d, e.info.id);
    }
    std::sort(close.begin(), close.end());
    std::cerr << "vigil: unknown rule or policy `" << id << "`";
    if (!close.empty()) {
      std::cerr << "; did you mean:";
      for (size_t k = 0; k < close.size() && k < 5; ++k) std::cerr << (k ? "," : "") << " " << close[k].second;
      std::cerr << "?";
    }
    std::cerr << "\n  (`vigil rules list` and `vigil policies list` show every id)\n";
    *exit_code = 2;
  });
}

}  // namespace vigil
