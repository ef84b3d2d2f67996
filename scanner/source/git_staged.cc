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
// Cost: opening the repository, reading the index and one tree-to-index diff
// that loads no content: milliseconds for a typical change; plus reading the
// context blobs the linter asks for (every one, to note paths and SOPS markers).
#include <cstdlib>
#include <set>
#include <utility>

#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace vigil {
namespace {

using namespace git_internal;

class GitStagedSource : public Source {
 public:
  GitStagedSource(std::string git_dir, GitOptions options)
      : git_dir_(std::move(git_dir)), options_(options) {}

  std::string Mode() const override { return "staged"; }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* errors) override {
    auto opened = OpenRepository(git_dir_);
    if (!opened.ok()) return opened.status();
    git_repository* repo = opened.value().get();
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
        return Status::Error(LastError("cannot read the index named by GIT_INDEX_FILE (" + path + ")"));
    } else if (git_repository_index(&raw_index, repo) != 0) {
      return Status::Error(LastError("cannot read the index"));
    }
    IndexPtr index(raw_index);
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

    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
    git_diff* raw_diff = nullptr;
    if (git_diff_tree_to_index(&raw_diff, repo, head_tree.get(), raw_index, &opts) != 0) {
      return Status::Error(LastError("cannot diff the index against HEAD"));
    }
    DiffPtr diff(raw_diff);
    size_t n = git_diff_num_deltas(raw_diff);
    std::set<std::string> changed;  // paths emitted as staged
    for (size_t i = 0; i < n; ++i) {
      const git_diff_delta* d = git_diff_get_delta(raw_diff, i);
      const git_diff_file& nf = d->new_file;
      std::string path = nf.path ? nf.path : "";
      if (d->status == GIT_DELTA_CONFLICTED) {
        errors->push_back({path, 0, "unmerged (conflicted) index entry not scanned", true});
        continue;
      }
      if (d->status != GIT_DELTA_ADDED && d->status != GIT_DELTA_MODIFIED &&
          d->status != GIT_DELTA_TYPECHANGE) {
        continue;
      }
      if (nf.mode == GIT_FILEMODE_COMMIT) {
        errors->push_back({path, 0, "submodule (gitlink) not descended", true});
        continue;
      }
      if (nf.mode != GIT_FILEMODE_BLOB && nf.mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
          nf.mode != GIT_FILEMODE_LINK) {
        continue;
      }
      std::string hex = Hex(nf.id);
      size_t size = 0;
      git_object_t type = GIT_OBJECT_INVALID;
      if (git_odb_read_header(&size, &type, odb.get(), &nf.id) != 0) {
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
    size_t entries = changed.empty() ? 0 : git_index_entrycount(raw_index);
    for (size_t i = 0; i < entries; ++i) {
      const git_index_entry* e = git_index_get_byindex(raw_index, i);
      if (e == nullptr || e->path == nullptr || GIT_INDEX_ENTRY_STAGE(e) != 0) continue;
      if (e->mode != GIT_FILEMODE_BLOB && e->mode != GIT_FILEMODE_BLOB_EXECUTABLE) continue;
      if (e->file_size > options_.max_file_size || changed.count(e->path)) continue;
      WorkItem item{e->path, Hex(e->id), e->file_size, false};
      item.context = true;
      emit(std::move(item));
    }
    return Status::Ok();
  }

  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<BlobReader>(git_dir_, nullptr, options_.max_file_size);
  }

 private:
  std::string git_dir_;
  GitOptions options_;
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
  return std::unique_ptr<Source>(std::make_unique<GitStagedSource>(std::move(git_dir), options));
}

}  // namespace vigil
