// Source: where bytes come from (working tree, file list, stdin, git history,
// staged index, commit range). A source first enumerates work items on one
// thread, then each pipeline worker reads items through its own SourceReader
// (one repository handle per thread for git sources).
//
// Thread safety: Enumerate() is called once, from one thread; the pipeline's
// workers read items while it still runs (emit hands each item over at once).
// NewReader() may be called from any thread; each reader is used by one
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/reporter.h"
#include "scanner/core/status.h"

namespace vigil {

struct WorkItem {
  std::string path;  // display path, relative to the scan root
  std::string key;   // source-specific: filesystem path, or blob id hex
  uint64_t size = 0;
  bool from_history = false;
  bool context = false;  // unchanged file, for cross-file inspectors only (BlobRef::context)
};

// A blob's bytes, owned by the reader's buffer until the next Read().
struct BlobData {
  std::string_view data;
  std::string blob_id;  // hex git blob id when the source knows it ("" otherwise)
};

class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // Reads an item. On failure returns an error naming the item; the pipeline
  // records it and goes on.
  virtual Status Read(const WorkItem& item, BlobData* out) = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // Calls emit for every item to scan; records skipped items and problems in
  // *errors. A non-ok status means the source as a whole failed.
  virtual Status Enumerate(const std::function<void(WorkItem)>& emit,
                           std::vector<ScanError>* errors) = 0;
  virtual std::unique_ptr<SourceReader> NewReader() = 0;
  // Called after the scan for the findings of history items: fills commit
  // provenance (lazy: only blobs with findings). Default: nothing.
  virtual void AddProvenance(std::vector<Finding>* /*findings*/) {}
  // Objects looked at so far by Enumerate (commits, trees, blobs), for the
  // progress display; may be called from any thread while Enumerate runs.
  // Default 0: the display then shows only the items emitted.
  virtual uint64_t ObjectsEnumerated() const { return 0; }
  // "working-tree", "history", ...
  virtual std::string Mode() const = 0;
  // The repository facts for the report (DescribeRepository) when the
  // source holds the repository open already, after Enumerate; nullopt: the
  // caller describes the scanned path itself (opening it once more).
  virtual std::optional<RepoInfo> Repository() const { return std::nullopt; }
};

struct WorkingTreeOptions {
  bool include_ignored = false;  // scan files .gitignore excludes
  uint64_t max_file_size = 10 * 1024 * 1024;
  bool follow_symlinks_inside = true;  // symlinks resolving inside the root
};

// A directory walk (or single files). Skips .git, binary files (NUL sniff in
// the first 8 KiB), and files larger than max_file_size (reported). Files
// starting with a UTF-16 BOM (LE or BE) and holding NUL bytes are decoded
// to UTF-8 (also stdin, and git blobs read by the git sources: utf16.h).
std::unique_ptr<Source> NewWorkingTreeSource(std::vector<std::string> roots,
                                             WorkingTreeOptions options);

// Standard input, as one blob named `display_name` (default "<stdin>").
std::unique_ptr<Source> NewStdinSource(std::string display_name);

}  // namespace vigil
