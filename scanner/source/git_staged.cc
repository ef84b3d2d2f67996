// The staged source (what the pre-commit hook runs): the index against HEAD's
// tree. Each added or modified index entry is scanned as its staged blob, read
// raw from the object database, never from the working file, so line numbers
// are those of the staged content. In a repository with no commit yet every
// index entry is staged.
//
// Every other index entry follows as a context item (WorkItem::context): the
// unchanged files as they will be committed, which only the manifest linter
// reads, as peers of the staged files (none when nothing is staged).
//
// Cost: opening the repository, reading the index and comparing it with
// HEAD's tree, reading only the trees on the way to a change (IndexTreeDiff):
// milliseconds for a typical change; plus reading the
// context files whose bytes the linter wants (Inspector::WantsContextBytes:
// its formats; the others by path only), from the working tree when the
// index's stat data says the file is the staged blob (git_context.h).
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "scanner/source/git_context.h"
#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace vigil {
namespace {

using namespace git_internal;

// A staged (added, modified or type-changed) index entry, or a conflict.
struct StagedEntry {
  std::string path;
  git_oid id;
  uint32_t mode = 0;
  bool conflicted = false;
};

// `mode` in octal and a space, as a tree entry starts ("100644 "); returns
// the length written to `out` (at least 13 bytes). snprintf was a tenth of
// the comparison's cost.
size_t FormatMode(uint32_t mode, char* out) {
  char digits[12];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + (mode & 7));
    mode >>= 3;
  } while (mode != 0);
  for (size_t i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = ' ';
  return n + 1;
}

// The index-to-HEAD comparison without reading every tree of HEAD: the ids
// of the index's directories are computed in memory the way `git
// write-tree` would build them (tree entries in index order, which is git's
// tree order, hashed by libgit2), and only the HEAD trees whose id differs
// from the index's are read. A small change reads a handful of trees
// instead of all of them (git uses its cache-tree extension the same way;
// libgit2's tree-to-index diff loads every tree). Returns false, changing
// nothing, for an index it does not model: conflicts, intent-to-add or
// sparse-directory entries, a case-insensitive index; the caller then uses
// git_diff_tree_to_index.
class IndexTreeDiff {
 public:
  IndexTreeDiff(git_repository* repo, git_index* index) : repo_(repo), index_(index) {}

  bool Run(git_tree* head, std::vector<StagedEntry>* out) {
    if (head == nullptr || git_index_has_conflicts(index_)) return false;
    if ((git_index_caps(index_) & GIT_INDEX_CAPABILITY_IGNORE_CASE) != 0) return false;
    size_t n = git_index_entrycount(index_);
    entries_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const git_index_entry* e = git_index_get_byindex(index_, i);
      if (e == nullptr || e->path == nullptr || GIT_INDEX_ENTRY_STAGE(e) != 0) return false;
      if ((e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD) != 0) return false;
      if (e->mode != GIT_FILEMODE_BLOB && e->mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
          e->mode != GIT_FILEMODE_LINK && e->mode != GIT_FILEMODE_COMMIT) {
        return false;
      }
      entries_.push_back(e);
    }
    dirs_.clear();
    Build(0, entries_.size(), 0);
    if (!ok_) return false;
    Compare(0, head, out);
    return ok_;
  }

 private:
  struct Child {
    std::string_view name;
    bool dir = false;
    size_t index = 0;  // entries_ (file) or dirs_ (directory)
  };
  struct Dir {
    git_oid id;
    std::vector<Child> children;
  };

  // Builds the directory of entries_[begin, end), whose paths share a prefix
  // of `prefix` bytes; returns its position in dirs_.
  size_t Build(size_t begin, size_t end, size_t prefix) {
    size_t self = dirs_.size();
    dirs_.emplace_back();
    std::vector<Child> children;
    std::string buffer;
    for (size_t i = begin; i < end;) {
      std::string_view rest = std::string_view(entries_[i]->path).substr(prefix);
      size_t slash = rest.find('/');
      Child c;
      uint32_t mode;
      const git_oid* id;
      if (slash == std::string_view::npos) {
        c.name = rest;
        c.index = i;
        mode = entries_[i]->mode;
        id = &entries_[i]->id;
        ++i;
      } else {
        c.name = rest.substr(0, slash);
        c.dir = true;
        size_t j = i + 1;
        size_t sub = prefix + slash + 1;
        while (j < end) {
          std::string_view p = entries_[j]->path;
          if (p.size() <= sub || p.compare(0, sub, entries_[i]->path, sub) != 0) break;
          ++j;
        }
        c.index = Build(i, j, sub);
        mode = GIT_FILEMODE_TREE;
        id = &dirs_[c.index].id;
        i = j;
      }
      if (c.name.empty()) {
        ok_ = false;
        return self;
      }
      char octal[16];
      buffer.append(octal, FormatMode(mode, octal));
      buffer.append(c.name);
      buffer.push_back('\0');
      buffer.append(reinterpret_cast<const char*>(id->id), GIT_OID_RAWSZ);
      children.push_back(c);
    }
    dirs_[self].id = HashObject("tree", buffer);
    dirs_[self].children = std::move(children);
    return self;
  }

  // Emits the entries of dirs_[d] that differ from `head` (nullptr: absent).
  void Compare(size_t d, const git_tree* head, std::vector<StagedEntry>* out) {
    if (!ok_) return;
    if (head != nullptr && git_oid_equal(&dirs_[d].id, git_tree_id(head))) return;
    for (const Child& c : dirs_[d].children) {
      const git_tree_entry* e = nullptr;
      if (head != nullptr) e = git_tree_entry_byname(head, std::string(c.name).c_str());
      if (!c.dir) {
        const git_index_entry* ie = entries_[c.index];
        if (e != nullptr && git_tree_entry_filemode(e) == static_cast<git_filemode_t>(ie->mode) &&
            git_oid_equal(git_tree_entry_id(e), &ie->id)) {
          continue;
        }
        out->push_back(StagedEntry{ie->path, ie->id, ie->mode, false});
        continue;
      }
      if (e != nullptr && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
        if (git_oid_equal(git_tree_entry_id(e), &dirs_[c.index].id)) continue;
        git_tree* raw = nullptr;
        if (git_tree_lookup(&raw, repo_, git_tree_entry_id(e)) != 0) {
          ok_ = false;
          return;
        }
        TreePtr sub(raw);
        Compare(c.index, raw, out);
      } else {
        Compare(c.index, nullptr, out);  // a new directory: everything in it is added
      }
    }
  }

  git_repository* repo_;
  git_index* index_;
  std::vector<const git_index_entry*> entries_;
  std::vector<Dir> dirs_;
  bool ok_ = true;
};

class GitStagedSource : public Source {
 public:
  // `repo` is the handle NewGitStagedSource opened (Enumerate uses it, so
  // the repository and its configuration are opened once).
  GitStagedSource(std::string git_dir, GitOptions options, RepoPtr repo)
      : git_dir_(std::move(git_dir)), options_(options), repo_(std::move(repo)) {}

  std::string Mode() const override { return "staged"; }

  // Reads the index (the one GIT_INDEX_FILE names, when set). Called when
  // the source is made, so that reading a large index (libgit2 checksums
  // and parses all of it: ~10 ms for 10,000 entries) overlaps with the rule
  // database loading on another thread; Enumerate calls it again if it failed
  // then, and reports the error.
  Status OpenIndex() {
    git_repository* repo = repo_.get();
    git_index* raw_index = nullptr;
    // `git commit -a` and `git commit PATH` run the pre-commit hook with
    // GIT_INDEX_FILE naming a temporary index: that is what will be committed.
    const char* index_file = std::getenv("GIT_INDEX_FILE");
    if (index_file && *index_file) {
      std::string path = index_file;
      if (path[0] != '/') {
        // Relative to the working tree, as git passes it.
        const char* wd = git_repository_workdir(repo);
        if (wd) path = std::string(wd) + path;
      }
      if (git_index_open(&raw_index, path.c_str()) != 0)
        return Status::Error(
            LastError("cannot read the index named by GIT_INDEX_FILE (" + path + ")"));
    } else if (git_repository_index(&raw_index, repo) != 0) {
      return Status::Error(LastError("cannot read the index"));
    }
    index_.reset(raw_index);
    return Status::Ok();
  }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* errors) override {
    if (!repo_) {
      auto opened = OpenRepository(git_dir_);
      if (!opened.ok()) return opened.status();
      repo_ = std::move(opened.value());
    }
    // The repository and its index stay open until the source is destroyed
    // (which `vigil scan` skips at exit: freeing 10,000 index entries cost
    // more than the staged files' scan).
    git_repository* repo = repo_.get();
    if (!index_) {
      Status opened = OpenIndex();
      if (!opened.ok()) return opened;
    }
    git_index* raw_index = index_.get();
    git_odb* raw_odb = nullptr;
    if (git_repository_odb(&raw_odb, repo) != 0) {
      return Status::Error(LastError("cannot open object database"));
    }
    OdbPtr odb(raw_odb);

    TreePtr head_tree;  // null when HEAD is unborn: everything is staged
    if (CommitPtr head = HeadCommit(repo)) {
      git_tree* raw_tree = nullptr;
      if (git_commit_tree(&raw_tree, head.get()) != 0) {
        return Status::Error(LastError("cannot read HEAD's tree"));
      }
      head_tree.reset(raw_tree);
    }

    std::vector<StagedEntry> staged;
    IndexTreeDiff fast(repo, raw_index);
    if (!fast.Run(head_tree.get(), &staged)) {
      staged.clear();
      git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
      opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
      git_diff* raw_diff = nullptr;
      if (git_diff_tree_to_index(&raw_diff, repo, head_tree.get(), raw_index, &opts) != 0) {
        return Status::Error(LastError("cannot diff the index against HEAD"));
      }
      DiffPtr diff(raw_diff);
      size_t n = git_diff_num_deltas(raw_diff);
      for (size_t i = 0; i < n; ++i) {
        const git_diff_delta* d = git_diff_get_delta(raw_diff, i);
        const git_diff_file& nf = d->new_file;
        if (d->status == GIT_DELTA_CONFLICTED) {
          staged.push_back(StagedEntry{nf.path ? nf.path : "", nf.id, nf.mode, true});
        } else if (d->status == GIT_DELTA_ADDED || d->status == GIT_DELTA_MODIFIED ||
                   d->status == GIT_DELTA_TYPECHANGE) {
          staged.push_back(StagedEntry{nf.path ? nf.path : "", nf.id, nf.mode, false});
        }
      }
    }
    std::set<std::string, std::less<>> changed;  // paths emitted as staged
    for (const StagedEntry& se : staged) {
      const std::string& path = se.path;
      if (se.conflicted) {
        errors->push_back({path, 0, "unmerged (conflicted) index entry not scanned", true});
        continue;
      }
      if (se.mode == GIT_FILEMODE_COMMIT) {
        errors->push_back({path, 0, "submodule (gitlink) not descended", true});
        continue;
      }
      if (se.mode != GIT_FILEMODE_BLOB && se.mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
          se.mode != GIT_FILEMODE_LINK) {
        continue;
      }
      std::string hex = Hex(se.id);
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb.get(), &se.id) != 0) {
        errors->push_back({path, 0, LastError("missing staged blob " + hex), false});
        continue;
      }
      if (size > options_.max_file_size) {
        errors->push_back({path, 0,
                           "skipped: staged blob is " + std::to_string(size) +
                               " bytes (larger than the maximum file size)",
                           true});
        continue;
      }
      emit(WorkItem{path, hex, size, false});
      changed.insert(path);
    }
    // Context: every other index entry (the tree as it will be committed), so
    // the linter sees the `.sops.yaml`, kustomizations and peer resources of
    // the staged files. Only the linter reads these; it parses only the ones
    // that can matter. No object lookup here: the reader enforces the size
    // limit (index sizes are the working file's, a hint).
    // Unchanged entries whose working file still has the index's stat data
    // are read from the working tree (no inflating); the table is complete
    // before the first context item is handed to a reader.
    size_t entries =
        changed.empty() || !options_.context.value_or(true) ? 0 : git_index_entrycount(raw_index);
    if (entries > 0) {
      const char* index_path = git_index_path(raw_index);
      stats_->Init(repo, raw_index, index_path ? index_path : "");
      for (size_t i = 0; i < entries && stats_->enabled(); ++i) {
        const git_index_entry* e = git_index_get_byindex(raw_index, i);
        if (e == nullptr || e->path == nullptr || GIT_INDEX_ENTRY_STAGE(e) != 0 ||
            changed.count(e->path))
          continue;
        stats_->Add(*e);
      }
    }
    for (size_t i = 0; i < entries; ++i) {
      const git_index_entry* e = git_index_get_byindex(raw_index, i);
      if (e == nullptr || e->path == nullptr || GIT_INDEX_ENTRY_STAGE(e) != 0) continue;
      EmitContextItem(e->path, e->id, e->mode, e->file_size, changed, options_.max_file_size, emit);
    }
    return Status::Ok();
  }

  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<StagedReader>(git_dir_, options_.max_file_size, stats_);
  }

  std::optional<RepoInfo> Repository() const override {
    return DescribeOpenRepository(repo_.get());
  }

 private:
  std::string git_dir_;
  GitOptions options_;
  RepoPtr repo_;
  IndexPtr index_;  // declared after repo_: freed before it
  std::shared_ptr<WorktreeStats> stats_ = std::make_shared<WorktreeStats>();
};

}  // namespace

Result<std::unique_ptr<Source>> NewGitStagedSource(const std::string& repo_path,
                                                   GitOptions options) {
  auto repo = OpenRepository(repo_path);
  if (!repo.ok()) return repo.status();
  if (git_repository_is_bare(repo.value().get())) {
    return Status::Error("staged scan needs a work tree; " + repo_path + " is a bare repository");
  }
  std::string git_dir = git_repository_path(repo.value().get());
  auto source =
      std::make_unique<GitStagedSource>(std::move(git_dir), options, std::move(repo.value()));
  (void)source->OpenIndex();  // an error is reported by Enumerate
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace vigil
