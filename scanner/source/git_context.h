// The context of a git change (WorkItem::context), shared by the staged and
// the range sources: every unchanged regular file of the tree the change
// lands in (the index, or the range's tip tree), handed to the cross-file
// inspectors (the manifest linter) as peers of the changed files. Internal
// to scanner/source/git_*.cc (includes <git2.h>).
//
// Also the staged source's fast read of those files: an index entry whose
// stat data matches its working file (and is not racily clean, as git
// decides) has the working file's bytes, read without inflating the blob.
//
// Thread safety: ContextItems runs on the enumerating thread. A
// WorktreeStats table is filled completely before the first context item is
// emitted and only read afterwards (readers see it through the work queue).
//
// Memory: a staged scan of a large repository has one context item per
// index entry (10,000 in bench/README.md's pre-commit run), so the
// per-entry tables here are flat (one arena string for the paths, one
// vector of fixed-size records), not a node and a string per path.
#pragma once

#include <git2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/status.h"
#include "scanner/source/git_internal.h"
#include "scanner/source/source.h"

namespace vigil::git_internal {

// Emits a context item for a regular file (blob or executable blob) whose
// path is not in `changed`. `size` is a hint (0 = unknown; the reader
// enforces the limit); entries known to be larger than `max_size` are left
// out. Returns whether an item was emitted.
bool EmitContextItem(const char* path, const git_oid& id, uint32_t mode, uint64_t size,
                     const std::set<std::string, std::less<>>& changed, uint64_t max_size,
                     const std::function<void(WorkItem)>& emit);

// Emits the context items of a tree (recursively; no blob is loaded).
void EmitTreeContext(git_repository* repo, const git_tree* tree,
                     const std::set<std::string, std::less<>>& changed, uint64_t max_size,
                     const std::function<void(WorkItem)>& emit);

// Index stat data of the entries whose working file may be read instead of
// their blob (see the header comment).
class WorktreeStats {
 public:
  struct Entry {
    int64_t mtime_s = 0, ctime_s = 0;
    uint32_t mtime_ns = 0, ctime_ns = 0, ino = 0, size = 0, mode = 0;
  };
  // Decides whether working files may stand in for blobs at all: not when
  // the index has a `.gitattributes` anywhere, the repository has
  // info/attributes, or core.autocrlf is on (then the working file can
  // differ from the blob even with matching stat data), or the index's own
  // mtime is unknown. `index_path` is the index file's path.
  void Init(git_repository* repo, git_index* index, const std::string& index_path);
  bool enabled() const { return enabled_; }
  // Records an entry unless it is racily clean (mtime not before the index's).
  // Entries come in index order (sorted by path); Find then binary-searches.
  void Add(const git_index_entry& e);
  const Entry* Find(std::string_view path) const;
  const std::string& workdir() const { return workdir_; }

 private:
  bool enabled_ = false;
  std::string workdir_;
  int64_t index_mtime_s_ = 0;
  uint32_t index_mtime_ns_ = 0;
  struct Slot {
    uint32_t offset = 0, length = 0;  // the path in paths_
    Entry entry;
  };
  std::string_view PathOf(const Slot& s) const {
    return std::string_view(paths_).substr(s.offset, s.length);
  }
  std::string paths_;        // every recorded path, back to back
  std::vector<Slot> slots_;  // in Add order
  bool sorted_ = true;       // slots_ strictly ascending by path (Add order was the index's)
};

// A reader for staged scans: a context item listed in `stats` is read from
// its working file when the opened file's stat data still matches the index
// entry (and it holds no NUL byte in its first 8 KiB: a UTF-16 or binary
// file goes through the blob reader's decoding); anything else through the
// object database. One per thread.
class StagedReader : public SourceReader {
 public:
  StagedReader(std::string git_dir, uint64_t max_file_size,
               std::shared_ptr<const WorktreeStats> stats);
  Status Read(const WorkItem& item, BlobData* out) override;

 private:
  bool ReadWorktree(const WorkItem& item, BlobData* out);
  BlobReader blobs_;
  uint64_t max_file_size_;
  std::shared_ptr<const WorktreeStats> stats_;
  std::string buffer_;
};

}  // namespace vigil::git_internal
