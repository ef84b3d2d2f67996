// Internal helpers shared by the libgit2-based sources (git_history.cc,
// git_range.cc, git_staged.cc, git_repo.cc). This header includes <git2.h>
// and is included only by scanner/source/git_*.cc: libgit2 types never reach
// a public header.
//
// Thread safety: the helpers are stateless; a git_repository (and anything
// looked up from it) is used by one thread at a time. Readers therefore open
// their own repository handle.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/status.h"
#include "scanner/source/source.h"
#include "scanner/source/utf16.h"

namespace vigil::git_internal {

// Initialises libgit2 once per process with the settings every git source
// relies on: strict hash verification off (trusted local ODB; 2-3x faster),
// a bounded object cache (memory bounded by work in flight, not history).
// The only libgit2 initialiser: every libgit2 call in scanner/source goes
// after it. It still costs a few milliseconds of libgit2 set-up (the
// system CA bundle its mbedTLS backend would parse is skipped: git_repo.cc),
// so callers that may find no repository ask MayBeInRepository first.
void EnsureInit();

// False only when git_repository_open_ext(path, flags 0) cannot find a
// repository: neither `path` (canonicalised) nor any directory above it
// holds a `.git` entry (directory or gitlink file) or a `HEAD` file (a bare
// or a git directory). A cheap negative check with stat(2), so a scan
// outside any repository never initialises libgit2; true means "ask
// libgit2", which may still find none.
bool MayBeInRepository(const std::string& path);

// DescribeRepository (git_source.h) of a repository already open.
RepoInfo DescribeOpenRepository(git_repository* repo);

// The last libgit2 error as text, prefixed by `what`.
std::string LastError(std::string_view what);

std::string Hex(const git_oid& oid);

// The git object id of `data` as an object of `type` ("blob", "tree"): the
// SHA-1 of "<type> <size>\0" + data, as git_odb_hash computes it, but with
// OpenSSL's SHA-1 (SHA-NI where the CPU has it) instead of libgit2's
// collision-detecting SHA-1, which hashes at ~140 MB/s here (bench/README.md,
// "Pre-commit latency"). For ids vigil computes to compare with ids stored in
// a repository (the index's trees) or to name content (blob ids of working
// files); never to verify objects. Thread-safe.
git_oid HashObject(std::string_view type, std::string_view data);
// Parses 40 hex digits; false when malformed.
bool ParseOid(std::string_view hex, git_oid* out);

struct OidHash {
  size_t operator()(const git_oid& oid) const {
    size_t h;
    std::memcpy(&h, oid.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b); }
};
using OidSet = std::unordered_set<git_oid, OidHash, OidEq>;
template <typename V>
using OidMap = std::unordered_map<git_oid, V, OidHash, OidEq>;

// Id equality without a libc call (hot in enumeration).
inline bool SameOid(const unsigned char* a, const unsigned char* b) {
  uint64_t a0, a1, b0, b1;
  uint32_t a2, b2;
  std::memcpy(&a0, a, 8);
  std::memcpy(&b0, b, 8);
  std::memcpy(&a1, a + 8, 8);
  std::memcpy(&b1, b + 8, 8);
  std::memcpy(&a2, a + 16, 4);
  std::memcpy(&b2, b + 16, 4);
  return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
}

// An open-addressing set of object ids: one flat array, no node per id.
// Enumeration tests millions of tree entries against it.
class FlatOidSet {
 public:
  FlatOidSet() { slots_.resize(1024); }
  // Inserts `id`; true when it was not there before.
  bool insert(const git_oid& id) {
    if (IsZero(id)) {
      bool fresh = !has_zero_;
      has_zero_ = true;
      return fresh;
    }
    if ((count_ + 1) * 2 > slots_.size()) Grow();
    if (!Place(id)) return false;
    ++count_;
    return true;
  }
  bool contains(const git_oid& id) const {
    if (IsZero(id)) return has_zero_;
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(id) & mask;; i = (i + 1) & mask) {
      if (IsZero(slots_[i])) return false;
      if (SameOid(slots_[i].id, id.id)) return true;
    }
  }
  size_t size() const { return count_ + (has_zero_ ? 1 : 0); }

 private:
  static size_t Hash(const git_oid& id) {
    uint64_t h;
    std::memcpy(&h, id.id + 8, sizeof h);
    return static_cast<size_t>(h);
  }
  static bool IsZero(const git_oid& id) {
    static const git_oid kZero{};
    return SameOid(id.id, kZero.id);
  }
  bool Place(const git_oid& id) {
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(id) & mask;; i = (i + 1) & mask) {
      if (IsZero(slots_[i])) {
        slots_[i] = id;
        return true;
      }
      if (SameOid(slots_[i].id, id.id)) return false;
    }
  }
  void Grow() {
    std::vector<git_oid> old(slots_.size() * 2);
    old.swap(slots_);
    for (const git_oid& id : old) {
      if (!IsZero(id)) Place(id);
    }
  }
  std::vector<git_oid> slots_;
  size_t count_ = 0;
  bool has_zero_ = false;
};

// RAII owners for libgit2 objects.
struct RepoDeleter {
  void operator()(git_repository* p) const { git_repository_free(p); }
};
struct OdbDeleter {
  void operator()(git_odb* p) const { git_odb_free(p); }
};
struct OdbObjectDeleter {
  void operator()(git_odb_object* p) const { git_odb_object_free(p); }
};
struct CommitDeleter {
  void operator()(git_commit* p) const { git_commit_free(p); }
};
struct TreeDeleter {
  void operator()(git_tree* p) const { git_tree_free(p); }
};
struct TreeEntryDeleter {
  void operator()(git_tree_entry* p) const { git_tree_entry_free(p); }
};
struct ObjectDeleter {
  void operator()(git_object* p) const { git_object_free(p); }
};
struct ReferenceDeleter {
  void operator()(git_reference* p) const { git_reference_free(p); }
};
struct DiffDeleter {
  void operator()(git_diff* p) const { git_diff_free(p); }
};
struct IndexDeleter {
  void operator()(git_index* p) const { git_index_free(p); }
};
struct RevwalkDeleter {
  void operator()(git_revwalk* p) const { git_revwalk_free(p); }
};
struct BlobDeleter {
  void operator()(git_blob* p) const { git_blob_free(p); }
};
using RepoPtr = std::unique_ptr<git_repository, RepoDeleter>;
using OdbPtr = std::unique_ptr<git_odb, OdbDeleter>;
using OdbObjectPtr = std::unique_ptr<git_odb_object, OdbObjectDeleter>;
using CommitPtr = std::unique_ptr<git_commit, CommitDeleter>;
using TreePtr = std::unique_ptr<git_tree, TreeDeleter>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, TreeEntryDeleter>;
using ObjectPtr = std::unique_ptr<git_object, ObjectDeleter>;
using ReferencePtr = std::unique_ptr<git_reference, ReferenceDeleter>;
using DiffPtr = std::unique_ptr<git_diff, DiffDeleter>;
using IndexPtr = std::unique_ptr<git_index, IndexDeleter>;
using RevwalkPtr = std::unique_ptr<git_revwalk, RevwalkDeleter>;
using BlobPtr = std::unique_ptr<git_blob, BlobDeleter>;

// Opens the repository containing `path` (searching upwards, like git).
// Works for work trees, linked worktrees and bare repositories.
Result<RepoPtr> OpenRepository(const std::string& path);

// Commit metadata for a Finding (ISO-8601 UTC date, first message line).
CommitInfo DescribeCommit(git_commit* commit);

// The commit HEAD points at; nullptr when HEAD is unborn or unreadable.
CommitPtr HeadCommit(git_repository* repo);

// Collects the ids of every blob in `tree` (recursively) into *out.
void CollectTreeBlobs(git_repository* repo, const git_oid& tree, OidSet* out);

// The pack indexes (objects/pack/*.idx, version 2) of a repository, mapped
// read-only, to order object reads by pack offset: libgit2 caches delta bases
// by offset, so reading in pack order resolves each delta from a cached base
// (several times faster on deep histories than id or walk order).
class PackIndex {
 public:
  PackIndex() = default;
  ~PackIndex();
  PackIndex(const PackIndex&) = delete;
  PackIndex& operator=(const PackIndex&) = delete;
  // Maps every pack of `objects_dir` (".../objects"). Missing or unreadable
  // packs are ignored (their objects just sort last).
  void Open(const std::string& objects_dir);

  struct Entry {
    uint64_t order = UINT64_MAX;  // (pack << 40 | offset); UINT64_MAX: not packed
    int type = 0;                 // pack type: 1 commit, 2 tree, 3 blob, 4 tag, 6/7 delta
    uint64_t size = 0;            // object size; only when type is not a delta
    bool size_known() const { return type >= 1 && type <= 4; }
  };
  Entry Find(const git_oid& oid) const;
  // The delta chain of a packed object, as orders from its non-delta base
  // down to the object itself (inclusive). Sorting objects by their chains
  // (lexicographically) reads each delta right after its base: a depth-first
  // walk of the delta forest, so libgit2's small delta-base cache always hits.
  void DeltaChain(uint64_t order, std::vector<uint64_t>* out) const;
  // The object type (1 commit, 2 tree, 3 blob, 4 tag) of a packed object,
  // following its delta chain to the base; 0 when it cannot be told.
  int ResolvedType(uint64_t order) const;

 private:
  struct Pack {
    const uint8_t* idx = nullptr;
    size_t idx_len = 0;
    const uint8_t* data = nullptr;
    size_t data_len = 0;
    uint32_t count = 0;
    uint64_t first = 0;  // global number of this pack's first object
  };
  Entry Describe(size_t pack, uint32_t position) const;
  std::vector<Pack> packs_;
  // Open addressing: global object number + 1 (0 = empty), hashed by id.
  std::vector<uint32_t> table_;
};

// The objects directory shared by all worktrees of `repo`.
std::string ObjectsDir(git_repository* repo);

// True when the blob is a Git LFS pointer file (the content lives elsewhere).
bool IsLfsPointer(std::string_view data);
// Sizes between which a blob may be an LFS pointer (the spec caps them at
// 1024 bytes; real pointers are ~130 bytes). Only such blobs are sniffed.
inline constexpr uint64_t kLfsMinSize = 100;
inline constexpr uint64_t kLfsMaxSize = 400;

// Enumeration counters shared by a git source and its readers: objects
// enumerated (commits, trees, blobs), blobs queued and blobs read. The
// pipeline's progress display polls them (Source::ObjectsEnumerated); this
// class prints nothing. Relaxed atomics: any thread may add or read.
class Progress {
 public:
  void Enumerated(uint64_t objects) { objects_.fetch_add(objects, std::memory_order_relaxed); }
  void Queued(uint64_t bytes) {
    queued_.fetch_add(1, std::memory_order_relaxed);
    queued_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  void Read(uint64_t bytes) {
    read_.fetch_add(1, std::memory_order_relaxed);
    read_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }
  uint64_t objects() const { return objects_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> objects_{0}, queued_{0}, queued_bytes_{0}, read_{0}, read_bytes_{0};
};

// A SourceReader over a repository's object database: reads WorkItem.key (a
// blob id in hex) raw, without filters or smudge drivers; a blob in UTF-16
// with a BOM is decoded to UTF-8 (utf16.h) like a working-tree file, its
// blob_id stays the git id. One per thread.
class BlobReader : public SourceReader {
 public:
  BlobReader(std::string repo_path, std::shared_ptr<Progress> progress, uint64_t max_file_size);
  Status Read(const WorkItem& item, BlobData* out) override;

 private:
  std::string repo_path_;
  std::shared_ptr<Progress> progress_;
  uint64_t max_file_size_;
  RepoPtr repo_;
  OdbPtr odb_;
  OdbObjectPtr current_;
  Utf16Decoder utf16_;
  std::string decoded_;  // a UTF-16 blob as UTF-8
  Status open_status_;
  bool opened_ = false;
};

// Shared provenance bookkeeping: the `live` flag for findings, computed
// against one commit (HEAD for history scans, the range tip for ranges).
class LiveChecker {
 public:
  // `tip` may be nullptr (unborn HEAD): nothing is live.
  LiveChecker(git_repository* repo, git_commit* tip);
  // Whether the finding's blob is anywhere in the tip's tree, or its secret
  // appears in the tip's version of the finding's path.
  bool IsLive(const Finding& finding);

 private:
  git_repository* repo_;
  git_commit* tip_;
  bool loaded_ = false;
  OidSet blobs_;
};

}  // namespace vigil::git_internal
