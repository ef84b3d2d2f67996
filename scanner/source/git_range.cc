// The commit-range source (a pull-request gate): only blobs that the commits
// in BASE..TIP added or modified, each with the commit that did so as
// provenance (known at enumeration time, so AddProvenance needs no walk).
//
// Each commit in the range is diffed against its first parent (tree to tree,
// no content loaded). Blobs present in BASE's tree, or in the merge base's,
// are never reported, so renames and reverts of old content stay quiet.
//
// A changed path's version at the tip is not marked from_history (the other
// versions are). With GitOptions::context, the tip's unchanged files follow
// as context items (git_context.h), as in a staged scan, so the manifest
// linter resolves cross-file references of the changed manifests.
//
// Findings without a blob id (the manifest linter's, made after the walk from
// its index of files) get their provenance by path: a changed path's version
// at the tip is the one the linter used, so its introducing commit is the
// finding's, and `live` is true. A changed path whose tip version is not one
// of the range's (removed, or reverted to BASE's content) was linted in an
// earlier version: the oldest version whose line at the finding's location
// matches names the commit, and `live` is false. Findings on context files
// (unchanged by the range) get nothing.
#include <map>
#include <set>
#include <utility>

#include "scanner/source/git_context.h"
#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace vigil {
namespace {

using namespace git_internal;

struct RangeSpec {
  std::string base;
  std::string tip;
};

// "A..B" (B defaults to HEAD), or a single ref meaning "REF..HEAD".
Result<RangeSpec> ParseRange(const std::string& range) {
  if (range.find("...") != std::string::npos) {
    return Status::Error("range '" + range +
                         "': symmetric ranges (A...B) are not supported; use A..B");
  }
  size_t dots = range.find("..");
  RangeSpec spec;
  if (dots == std::string::npos) {
    spec.base = range;
    spec.tip = "HEAD";
  } else {
    spec.base = range.substr(0, dots);
    spec.tip = range.substr(dots + 2);
    if (spec.tip.empty()) spec.tip = "HEAD";
  }
  if (spec.base.empty()) return Status::Error("range '" + range + "': missing base commit");
  return spec;
}

Result<git_oid> ResolveCommit(git_repository* repo, const std::string& spec) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, spec.c_str()) != 0) {
    return Status::Error(LastError("unknown revision '" + spec + "'"));
  }
  ObjectPtr owner(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) != 0) {
    return Status::Error(LastError("'" + spec + "' is not a commit"));
  }
  ObjectPtr peeled_owner(peeled);
  return *git_object_id(peeled);
}

class GitRangeSource : public Source {
 public:
  GitRangeSource(std::string path, std::string git_dir, git_oid base, git_oid tip,
                 GitOptions options)
      : path_(std::move(path)),
        git_dir_(std::move(git_dir)),
        base_(base),
        tip_(tip),
        options_(options),
        progress_(std::make_shared<Progress>()) {}

  std::string Mode() const override { return "range"; }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* errors) override;

  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<BlobReader>(git_dir_, progress_, options_.max_file_size);
  }

  void AddProvenance(std::vector<Finding>* findings) override;
  uint64_t ObjectsEnumerated() const override { return progress_->objects(); }

 private:
  struct Origin {
    size_t commit;  // index into commits_
    std::string path;
    std::string blob;  // hex id
  };
  // The origin of a finding that has no blob id (a lint finding), by its
  // path; `live` says whether it is the path's version at the tip.
  bool OriginByPath(git_repository* repo, const Finding& f, size_t* origin, bool* live) const;
  std::string path_;
  std::string git_dir_;
  git_oid base_;
  git_oid tip_;
  GitOptions options_;
  std::shared_ptr<Progress> progress_;
  std::vector<CommitInfo> commits_;
  std::map<std::pair<std::string, std::string>, size_t> by_blob_path_;  // -> origins_
  std::map<std::string, size_t> by_blob_;                               // -> origins_
  std::vector<Origin> origins_;
  // By path (findings without a blob id): the tip's version, and the
  // range's earlier versions, oldest first (indexes into origins_).
  std::map<std::string, size_t, std::less<>> tip_by_path_;
  std::map<std::string, std::vector<size_t>, std::less<>> older_by_path_;
};

Status GitRangeSource::Enumerate(const std::function<void(WorkItem)>& emit,
                                 std::vector<ScanError>* errors) {
  auto opened = OpenRepository(git_dir_);
  if (!opened.ok()) return opened.status();
  git_repository* repo = opened.value().get();
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo) != 0) {
    return Status::Error(LastError("cannot open object database"));
  }
  OdbPtr odb(raw_odb);

  // Content already at the base (or at the merge base) is not new.
  OidSet old_blobs;
  auto collect = [&](const git_oid& commit_id) {
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo, &commit_id) != 0) return;
    CommitPtr commit(raw);
    CollectTreeBlobs(repo, *git_commit_tree_id(raw), &old_blobs);
  };
  collect(base_);
  git_oid merge_base;
  if (git_merge_base(&merge_base, repo, &base_, &tip_) == 0 &&
      !git_oid_equal(&merge_base, &base_)) {
    collect(merge_base);
  }

  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo) != 0) {
    return Status::Error(LastError("cannot walk commits"));
  }
  RevwalkPtr walk(raw_walk);
  git_revwalk_sorting(raw_walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  if (git_revwalk_push(raw_walk, &tip_) != 0 || git_revwalk_hide(raw_walk, &base_) != 0) {
    return Status::Error(LastError("cannot walk the range"));
  }

  // The tip's tree: which version of a changed path is current, and the
  // unchanged files that follow as context.
  TreePtr tip_tree;
  {
    git_commit* raw_tip = nullptr;
    if (git_commit_lookup(&raw_tip, repo, &tip_) == 0) {
      CommitPtr tip(raw_tip);
      git_tree* raw = nullptr;
      if (git_commit_tree(&raw, raw_tip) == 0) tip_tree.reset(raw);
    }
  }
  auto AtTip = [&](const std::string& path, const git_oid& id) {
    if (!tip_tree) return false;
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, tip_tree.get(), path.c_str()) != 0) return false;
    TreeEntryPtr entry(raw_entry);
    return git_oid_equal(git_tree_entry_id(raw_entry), &id) != 0;
  };
  std::set<std::string, std::less<>> changed;  // paths emitted

  OidSet seen;
  size_t submodules = 0;
  std::string first_submodule;
  git_oid id;
  int rc;
  size_t missing_commits = 0;
  while ((rc = git_revwalk_next(&id, raw_walk)) == 0) {
    git_commit* raw_commit = nullptr;
    if (git_commit_lookup(&raw_commit, repo, &id) != 0) {
      errors->push_back({"", 0, LastError("missing commit " + Hex(id)), false});
      ++missing_commits;
      continue;
    }
    CommitPtr commit(raw_commit);
    progress_->Enumerated(1);
    git_tree* raw_tree = nullptr;
    if (git_commit_tree(&raw_tree, raw_commit) != 0) {
      errors->push_back({"", 0, LastError("missing tree of commit " + Hex(id)), false});
      continue;
    }
    TreePtr tree(raw_tree);
    TreePtr parent_tree;
    if (git_commit_parentcount(raw_commit) > 0) {
      git_commit* raw_parent = nullptr;
      if (git_commit_parent(&raw_parent, raw_commit, 0) == 0) {
        CommitPtr parent(raw_parent);
        git_tree* raw_ptree = nullptr;
        if (git_commit_tree(&raw_ptree, raw_parent) == 0) parent_tree.reset(raw_ptree);
      }
    }
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
    git_diff* raw_diff = nullptr;
    if (git_diff_tree_to_tree(&raw_diff, repo, parent_tree.get(), raw_tree, &opts) != 0) {
      errors->push_back({"", 0, LastError("cannot diff commit " + Hex(id)), false});
      continue;
    }
    DiffPtr diff(raw_diff);
    size_t commit_index = commits_.size();
    bool used = false;
    size_t n = git_diff_num_deltas(raw_diff);
    for (size_t i = 0; i < n; ++i) {
      const git_diff_delta* d = git_diff_get_delta(raw_diff, i);
      if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
          d->status != GIT_DELTA_TYPECHANGE) {
        continue;
      }
      const git_diff_file& nf = d->new_file;
      std::string path = nf.path ? nf.path : "";
      if (nf.mode == GIT_FILEMODE_COMMIT) {
        if (submodules++ == 0) first_submodule = path;
        continue;
      }
      if (nf.mode != GIT_FILEMODE_BLOB && nf.mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
          nf.mode != GIT_FILEMODE_LINK) {
        continue;
      }
      if (old_blobs.count(nf.id) || !seen.insert(nf.id).second) continue;
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      std::string hex = Hex(nf.id);
      if (git_odb_read_header(&size, &type, odb.get(), &nf.id) != 0) {
        errors->push_back({path, 0, LastError("missing blob " + hex), false});
        continue;
      }
      if (size > options_.max_file_size) {
        errors->push_back({path, 0,
                           "skipped: blob " + hex + " is " + std::to_string(size) +
                               " bytes (larger than the maximum file size)",
                           true});
        continue;
      }
      if (!used) {
        commits_.push_back(DescribeCommit(raw_commit));
        used = true;
      }
      origins_.push_back({commit_index, path, hex});
      by_blob_path_.emplace(std::make_pair(hex, path), origins_.size() - 1);
      by_blob_.emplace(hex, origins_.size() - 1);
      progress_->Queued(size);
      // The tip's version of a path is the current one (the linter resolves
      // cross-file references against it); earlier versions are history.
      bool at_tip = AtTip(path, nf.id);
      if (at_tip) {
        tip_by_path_.emplace(path, origins_.size() - 1);
      } else {
        older_by_path_[path].push_back(origins_.size() - 1);
      }
      emit(WorkItem{path, hex, size, !at_tip});
      changed.insert(path);
    }
  }
  if (rc != GIT_ITEROVER) {
    errors->push_back({"", 0, LastError("commit walk stopped early"), false});
  }
  if (submodules > 0) {
    errors->push_back({first_submodule, 0,
                       std::to_string(submodules) + " submodule change(s) (gitlinks) not descended",
                       true});
  }
  // Context: the tip's other files, as the staged scan's index (only when
  // asked for: a cross-file inspector runs).
  if (options_.context.value_or(false) && tip_tree && !changed.empty()) {
    EmitTreeContext(repo, tip_tree.get(), changed, options_.max_file_size, emit);
  }
  // A commit of the range that cannot be read was not scanned.
  if (missing_commits > 0 || rc != GIT_ITEROVER)
    return Status::Error("the range could not be read completely: the scan is incomplete");
  return Status::Ok();
}

void GitRangeSource::AddProvenance(std::vector<Finding>* findings) {
  auto opened = OpenRepository(git_dir_);
  if (!opened.ok()) return;
  git_repository* repo = opened.value().get();
  git_commit* raw_tip = nullptr;
  CommitPtr tip;
  if (git_commit_lookup(&raw_tip, repo, &tip_) == 0) tip.reset(raw_tip);
  LiveChecker live(repo, tip.get());
  for (Finding& f : *findings) {
    if (f.blob_id.empty()) {
      size_t origin;
      bool at_tip;
      if (f.commit || !OriginByPath(repo, f, &origin, &at_tip)) continue;
      f.commit = commits_[origins_[origin].commit];
      f.commit_path = origins_[origin].path;
      f.live = at_tip;
      continue;
    }
    auto it = by_blob_path_.find({f.blob_id, f.location.path});
    size_t origin;
    if (it != by_blob_path_.end()) {
      origin = it->second;
    } else {
      auto blob_it = by_blob_.find(f.blob_id);
      if (blob_it == by_blob_.end()) continue;
      origin = blob_it->second;
    }
    if (!f.commit) {
      f.commit = commits_[origins_[origin].commit];
      f.commit_path = origins_[origin].path;
    }
    f.live = live.IsLive(f);
  }
}

bool GitRangeSource::OriginByPath(git_repository* repo, const Finding& f, size_t* origin,
                                  bool* live) const {
  const std::string& path = f.location.path;
  if (auto it = tip_by_path_.find(path); it != tip_by_path_.end()) {
    *origin = it->second;
    *live = true;
    return true;
  }
  auto it = older_by_path_.find(path);
  if (it == older_by_path_.end()) return false;  // not changed by the range: context
  *live = false;
  const std::vector<size_t>& versions = it->second;
  if (versions.size() == 1) {
    *origin = versions[0];
    return true;
  }
  // Several versions: the linter kept one of them. The oldest whose line at
  // the finding's location starts with the finding's snippet (and holds its
  // byte offset at its column) is taken.
  std::string_view want = f.line_text;
  constexpr std::string_view kCut = " …";  // the snippet stops before the value
  if (want.size() >= kCut.size() && want.substr(want.size() - kCut.size()) == kCut)
    want.remove_suffix(kCut.size());
  if (f.location.line == 0) return false;
  for (size_t v : versions) {
    git_oid oid;
    git_blob* raw = nullptr;
    if (!ParseOid(origins_[v].blob, &oid) || git_blob_lookup(&raw, repo, &oid) != 0) continue;
    BlobPtr blob(raw);
    std::string_view text(static_cast<const char*>(git_blob_rawcontent(raw)),
                          static_cast<size_t>(git_blob_rawsize(raw)));
    size_t pos = 0;
    for (uint32_t l = 1; l < f.location.line && pos != std::string_view::npos; ++l) {
      pos = text.find('\n', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos || pos > text.size()) continue;
    // The finding's byte offset is on that line, at its column.
    bool placed = f.location.offset == 0 || f.location.column == 0 ||
                  pos + f.location.column - 1 == f.location.offset;
    if (placed && text.substr(pos, want.size()) == want) {
      *origin = v;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<Source>> NewGitRangeSource(const std::string& repo_path,
                                                  const std::string& range, GitOptions options) {
  auto spec = ParseRange(range);
  if (!spec.ok()) return spec.status();
  auto repo = OpenRepository(repo_path);
  if (!repo.ok()) return repo.status();
  auto base = ResolveCommit(repo.value().get(), spec->base);
  if (!base.ok()) return base.status();
  auto tip = ResolveCommit(repo.value().get(), spec->tip);
  if (!tip.ok()) return tip.status();
  std::string git_dir = git_repository_path(repo.value().get());
  return std::unique_ptr<Source>(std::make_unique<GitRangeSource>(
      repo_path, std::move(git_dir), base.value(), tip.value(), options));
}

}  // namespace vigil
