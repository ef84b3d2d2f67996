// The manifest linter: loads every YAML/JSON manifest of the scanned tree into
// a resource index, then runs the policy families (plain, sealed, sops, flux,
// gen, csi, eso, pull, vault, xref) over it. yaml-cpp is used in policies/
// (and in the rule and config loaders) only.
//
// The linter is an Inspector: workers parse blobs concurrently and add them
// to the shared index (internally synchronised); Finish() builds the index,
// runs the policy families (in parallel, each with its own LintContext,
// except in staged and range scans, whose context files are read on demand
// on the finishing thread) and emits the findings in a fixed order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scanner/core/decoder.h"
#include "scanner/core/inspector.h"
#include "scanner/core/reporter.h"
#include "scanner/core/status.h"

namespace vigil {

struct LintOptions {
  std::vector<std::string> disabled;                  // policy ids switched off
  std::map<std::string, Severity> severity_override;  // policy id -> severity
  std::vector<std::string> placeholder_patterns;      // RE2 patterns of placeholder values
  // environment name -> path tokens that identify it (e.g. prod: [prod, production])
  std::map<std::string, std::vector<std::string>> environments;
  // "Now" for date checks (certificate expiry), Unix seconds; 0 = the clock.
  int64_t now_unix = 0;
  // Threads the policy families run on after the walk: 0 = one per core
  // when the tree has 64 files or more (else one), 1 = one after the other.
  // The findings are the same either way.
  int threads = 0;
};

// A new linter over the policies of the built-in catalog.
std::unique_ptr<Inspector> NewManifestLinter(LintOptions options);

// The catalog metadata of every policy (id, title, severity, remediation...).
std::vector<RuleInfo> PolicyCatalog();

// Runs every policy's firing and non-firing example manifests; appends one
// line per failure to *failures. Returns the number of examples checked.
size_t CheckPolicyExamples(std::vector<std::string>* failures);

// Lints an in-memory tree (path -> text) with the built-in catalog, as
// `vigil lint` would; for tests and `vigil policies check`.
std::vector<Finding> LintInMemory(const std::map<std::string, std::string>& files,
                                  const LintOptions& options, std::vector<ScanError>* errors);

// Decodes the base64 values under `data:` of Kubernetes Secrets (and the
// `.dockerconfigjson` of pull secrets) so the secret matcher can scan them.
std::unique_ptr<Decoder> NewKubernetesSecretDecoder();

}  // namespace vigil
