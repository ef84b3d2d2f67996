// Baselines: the fingerprints of accepted findings, so that a scan reports
// only new ones. The file (`.vigil-baseline.json`) records, per finding, its
// fingerprint, rule, path and when it was first seen, never the secret; it is
// sorted and written one entry per line block, so it merges cleanly.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/status.h"

namespace vigil {

struct BaselineEntry {
  std::string fingerprint;
  std::string rule_id;
  std::string path;
  std::string first_seen;  // ISO 8601 UTC
};

struct Baseline {
  std::vector<BaselineEntry> entries;  // sorted by path, rule, fingerprint
  std::set<std::string> Fingerprints() const;
};

// Reads a baseline file; a malformed one is an error naming the file (and
// the position for JSON syntax errors).
Result<Baseline> LoadBaseline(const std::string& path);
// Writes it atomically (temporary file and rename).
Status WriteBaseline(const std::string& path, const Baseline& baseline);
// A baseline of the (non-notice) findings; keeps first_seen from `previous`.
Baseline MakeBaseline(const std::vector<Finding>& findings, const Baseline* previous,
                      const std::string& now);
// `previous` without the entries no current finding has (fixed ones).
Baseline PruneBaseline(const Baseline& previous, const std::vector<Finding>& findings, size_t* pruned);
// The current UTC time as ISO 8601.
std::string NowIso8601();

}  // namespace vigil
