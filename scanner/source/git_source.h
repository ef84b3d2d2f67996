// Git sources, built on libgit2 (which is used only in git_*.cc): full
// history, commit ranges and the staged index. Each returns a Source whose
// readers hold their own repository handle.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scanner/core/reporter.h"
#include "scanner/core/status.h"
#include "scanner/source/source.h"

namespace vigil {

struct GitOptions {
  uint64_t max_file_size = 10 * 1024 * 1024;
  bool include_unreachable = false;  // history: also objects no ref reaches
  bool progress = false;             // unused: the pipeline shows progress (PipelineOptions)
  // staged and range: whether the change's unchanged files follow as context
  // items (WorkItem::context) for a cross-file inspector; unset: the
  // source's default (staged yes, range no). The CLI says whether the linter runs.
  std::optional<bool> context;
};

// Every blob reachable from all refs (each distinct blob once).
Result<std::unique_ptr<Source>> NewGitHistorySource(const std::string& repo_path,
                                                    GitOptions options);
// Blobs added by the commits in BASE..HEAD ("A..B"), with their commits.
Result<std::unique_ptr<Source>> NewGitRangeSource(const std::string& repo_path,
                                                  const std::string& range, GitOptions options);
// The staged content (index) that differs from HEAD.
Result<std::unique_ptr<Source>> NewGitStagedSource(const std::string& repo_path,
                                                   GitOptions options);
// Repository facts for SARIF versionControlProvenance (empty when not a repo).
RepoInfo DescribeRepository(const std::string& path);

// The working tree root (absolute, canonical, with a trailing '/') of the
// repository that contains `path` (a directory), searching upwards as git
// does; "" when it is in none or the repository is bare.
std::string RepositoryWorkdir(const std::string& path);

// The git blob id (SHA-1 hex) of content, as `git hash-object` computes it.
std::string GitBlobId(std::string_view content);
// SHA-1 hex of arbitrary bytes (used for fingerprints).
std::string Sha1Hex(std::string_view content);

// Whether `path` (inside the repository that contains `root`) is ignored by
// .gitignore rules. A small cache object; one per thread.
class GitIgnoreChecker {
 public:
  explicit GitIgnoreChecker(const std::string& root);
  ~GitIgnoreChecker();
  bool active() const { return repo_ != nullptr; }
  // `abs_path` is an absolute filesystem path.
  bool IsIgnored(const std::string& abs_path, bool is_dir);

 private:
  void* repo_ = nullptr;  // git_repository*
  std::string workdir_;
};

}  // namespace vigil
