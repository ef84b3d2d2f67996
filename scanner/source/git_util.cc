// Small libgit2 helpers shared by every source: object ids, SHA-1, and the
// .gitignore checker used by the working-tree walk.
#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace vigil {

using git_internal::EnsureInit;
using git_internal::Hex;
using git_internal::MayBeInRepository;

std::string GitBlobId(std::string_view content) {
  return Hex(git_internal::HashObject("blob", content));
}

std::string Sha1Hex(std::string_view content) {
  // A raw SHA-1: hash as an object of no type prefix is not offered, so use
  // the blob hash of the content; stable and well-defined (git hash-object).
  return GitBlobId(content);
}

std::string RepositoryWorkdir(const std::string& path) {
  if (!MayBeInRepository(path)) return "";
  EnsureInit();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) return "";
  const char* wd = git_repository_workdir(repo);
  std::string out = wd ? wd : "";
  git_repository_free(repo);
  return out;
}

GitIgnoreChecker::GitIgnoreChecker(const std::string& root) {
  if (!MayBeInRepository(root)) return;
  EnsureInit();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, root.c_str(), 0, nullptr) == 0) {
    if (git_repository_is_bare(repo)) {
      git_repository_free(repo);
      return;
    }
    repo_ = repo;
    const char* wd = git_repository_workdir(repo);
    workdir_ = wd ? wd : "";
  }
}

GitIgnoreChecker::~GitIgnoreChecker() {
  if (repo_) git_repository_free(static_cast<git_repository*>(repo_));
}

bool GitIgnoreChecker::IsIgnored(const std::string& abs_path, bool is_dir) {
  if (!repo_ || workdir_.empty()) return false;
  if (abs_path.compare(0, workdir_.size(), workdir_) != 0) return false;
  std::string rel = abs_path.substr(workdir_.size());
  if (is_dir) rel += "/";
  int ignored = 0;
  if (git_ignore_path_is_ignored(&ignored, static_cast<git_repository*>(repo_), rel.c_str()) != 0)
    return false;
  return ignored == 1;
}

}  // namespace vigil
