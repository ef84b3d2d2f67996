// The scan pipeline: a source's work items go to N worker threads; each
// worker reads blobs through its own SourceReader and runs every inspector's
// worker on them; then inspectors finish (cross-file checks), the source adds
// provenance, and the filters (config: disabled ids, severities, allowlists;
// inline `vigil:ignore`; baseline) decide what is reported.
//
// RunScan is called from one thread; it owns its threads and joins them
// before returning. `cancel` may be set from a signal handler.
#pragma once

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "scanner/core/inspector.h"
#include "scanner/core/reporter.h"
#include "scanner/pipeline/config.h"
#include "scanner/source/source.h"

namespace vigil {

struct PipelineOptions {
  int threads = 0;                // 0 = all cores
  double timeout_seconds = 0;     // 0 = none; then the scan stops, marked incomplete
  const Config* config = nullptr;
  std::atomic<bool>* cancel = nullptr;
  std::set<std::string> baseline;  // fingerprints to suppress as "baseline"
  bool progress = false;           // progress line on stderr (only when it is a TTY)
  // Working-tree scans: the paths given to scan. A fingerprint names a file
  // relative to the root of the repository that contains it, or, outside any
  // repository, relative to the scan root it was found under.
  std::vector<std::string> roots;
};

struct ScanOutcome {
  std::vector<Finding> findings;  // sorted by path, line, column, rule
  std::vector<ScanError> errors;
  ScanSummary summary;
};

ScanOutcome RunScan(Source& source, const std::vector<Inspector*>& inspectors,
                    const PipelineOptions& options);

// The fingerprint of a finding: SHA-1 of "vigil/v1", rule id, path and secret
// (never line numbers or commit ids), so it survives line moves, rebases and
// squashes.
std::string Fingerprint(const Finding& f);
// The same with the path given: RunScan passes the repository-relative path,
// so `vigil scan .`, `vigil scan /abs/repo`, --staged and --history agree.
std::string Fingerprint(const Finding& f, const std::string& path);

// What the progress display shows (stderr, TTY only, not with --quiet).
struct ProgressCounts {
  uint64_t objects_enumerated = 0;  // Source::ObjectsEnumerated (0: not shown)
  bool enumeration_done = false;    // blobs_total is final
  uint64_t blobs_scanned = 0;
  uint64_t blobs_total = 0;         // emitted so far
  uint64_t bytes_scanned = 0;
  double seconds = 0;               // since the scan started
};
// One progress line (no control characters), e.g. "346066 objects
// enumerated, 45000/91223 blobs scanned, 342.0 MB at 68.4 MB/s, ETA 6s".
std::string FormatProgressLine(const ProgressCounts& counts);

// The inline suppressions of a blob: (1-based line, rule id or "" for all)
// for every `vigil:ignore` marker. Exposed for tests.
std::vector<std::pair<uint32_t, std::string>> FindIgnoreMarkers(std::string_view data);

}  // namespace vigil
