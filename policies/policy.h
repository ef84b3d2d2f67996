// Internal interface between the linter (linter.cc) and the policy families
// (plain.cc, sealed.cc, sops.cc, flux.cc, gen.cc): the policy metadata read
// from policies/catalog/*.yaml, the LintContext a family reports through, and
// helpers shared by several families (placeholders, credential-like names,
// base64). A LintContext is not thread-safe: each family runs on one thread
// with its own context, but families may run at the same time (Finish() runs
// them on LintOptions::threads threads), so a family only reads the index,
// the options and the catalog, and keeps no mutable static state.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policies/index.h"
#include "policies/linter.h"
#include "scanner/core/finding.h"

namespace re2 {
class RE2;
}

namespace vigil {

struct PolicyExample {
  std::string name;
  bool fire = true;
  std::string now;  // "YYYY-MM-DD": the date the example is checked at ("" = today)
  std::map<std::string, std::string> files;  // path -> text
};

struct PolicyMeta {
  RuleInfo info;
  std::string family;  // "plain", "sealed", ...
  std::vector<PolicyExample> examples;
};

// Every policy of the embedded catalog (parsed once; aborts nothing: a
// malformed catalog file yields fewer policies and a note in `errors`).
const std::vector<PolicyMeta>& Catalog(std::vector<std::string>* errors = nullptr);
const PolicyMeta* FindPolicy(std::string_view id);
// The text of an embedded catalog file ("eso.yaml"); nullptr when there is none.
const char* EmbeddedCatalogFile(std::string_view name);

class LintContext {
 public:
  LintContext(const ResourceIndex& index, const LintOptions& options);
  ~LintContext();

  const ResourceIndex& index() const { return index_; }
  const LintOptions& options() const { return options_; }

  struct Report {
    std::string policy;  // GSP-...
    const ManifestFile* file = nullptr;
    const YNode* at = nullptr;         // the key (or node) to point at
    const Resource* object = nullptr;  // for vigil.dev/ignore-<ID> and messages
    std::string message;
    std::string discriminator;         // stable: "Secret/ns/name:data.password"
    std::string key;                   // key path ("data.password")
    std::optional<Severity> severity;  // overrides the catalog default
    std::vector<RelatedLocation> related;
    uint32_t line = 0;  // used when `at` is null (flat files)
    uint32_t column = 0;
    uint32_t length = 0;
  };
  void Add(Report report);
  bool Enabled(std::string_view policy) const;

  // True for recognised placeholder values: empty, ${VAR}, op://, <path:..#..>,
  // {{ .. }}, ref+..://, CHANGEME-style words, and the user's patterns.
  bool IsPlaceholder(std::string_view value) const;

  // A related location for another object/file.
  static RelatedLocation Related(const ManifestFile* file, const YNode* at, std::string message);

  std::vector<Finding> TakeFindings() { return std::move(findings_); }

 private:
  const ResourceIndex& index_;
  const LintOptions& options_;
  std::vector<std::unique_ptr<re2::RE2>> placeholder_res_;
  std::vector<Finding> findings_;
};

// Policy families (each in its own .cc).
void RunPlainPolicies(LintContext& ctx);
void RunSealedPolicies(LintContext& ctx);
void RunSopsPolicies(LintContext& ctx);
void RunFluxPolicies(LintContext& ctx);
void RunGenPolicies(LintContext& ctx);

// --- shared helpers (helpers.cc) ---

// Strict standard base64 (padding optional, whitespace ignored). False when
// the text is not base64.
bool DecodeBase64Strict(std::string_view in, std::string* out);
// True for key names that hold credentials (password, token, secret, apiKey,
// clientSecret, privateKey, ...) and are not references to them (secretName,
// existingSecret, passwordFile, tokenSecretRef, ...).
bool IsCredentialKey(std::string_view key);
// True when the text contains key material: a PEM private key with a real
// body, an age secret key, a PGP private key block. *what names it.
bool ContainsKeyMaterial(std::string_view text, std::string* what, size_t* offset = nullptr);
// True when a value is obviously not a credential (booleans, numbers, paths,
// URLs without credentials, very short strings).
bool IsTrivialValue(std::string_view value);
// True when a SOPS `ENC[...]` token.
bool IsEncToken(std::string_view value);
// The pod specs inside an object (Pod, workload templates, CronJob, and any
// map that holds `containers`), with the path to reach them.
void FindPodSpecs(const YNode& node, std::vector<const YNode*>* out, int depth = 0);
// False only when no key or scalar parsed from the file can contain
// `needle`: it does not occur in the text and the text has no backslash (an
// escape in a quoted scalar could spell it). A cheap test before walking
// every value of an object for a rare marker.
bool TextMayContain(const ManifestFile& f, std::string_view needle);
// Lower-cases ASCII.
std::string Lower(std::string_view s);
// "Kind ns/name" for messages.
std::string Describe(const Resource& r);
// The namespaces a resource lands in: one per placement (kustomize / Flux
// rewrites), else its own ("" = not written).
std::set<std::string> Namespaces(const Resource& r);
// Environment/cluster inferred from a path ("clusters/prod/..." -> "prod"),
// using the configured environments when given; "" when none.
std::string InferEnvironment(std::string_view path, const LintOptions& options);

}  // namespace vigil
