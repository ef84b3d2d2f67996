// PathFilter: gitignore-style globs (`*.lock`, `docs/**`, `/vendor/`, `**/test/*.yaml`)
// translated once into one RE2 alternation. Thread-safe after construction.
//
// Semantics (as .gitignore): a pattern without '/' (other than a trailing
// one) matches a file or directory name at any depth; a pattern with '/' is
// anchored at the scan root; `**` matches any number of directories; a
// trailing '/' matches a directory and everything below it; `*` and `?` do
// not match '/'.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "scanner/core/status.h"

namespace re2 {
class RE2;
}

namespace vigil {

class PathFilter {
 public:
  PathFilter();
  ~PathFilter();
  PathFilter(PathFilter&&) noexcept;
  PathFilter& operator=(PathFilter&&) noexcept;

  // Adds globs; an invalid one is an error naming it.
  Status Add(const std::vector<std::string>& globs);
  // True when `path` ('/'-separated, relative) matches any glob.
  bool Matches(std::string_view path) const;
  bool empty() const { return !re_; }

  // The RE2 syntax for one glob (exposed for tests).
  static std::string GlobToRegex(const std::string& glob);

 private:
  std::vector<std::string> globs_;
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace vigil
