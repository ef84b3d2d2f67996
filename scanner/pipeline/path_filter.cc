#include "scanner/pipeline/path_filter.h"

#include <re2/re2.h>

namespace vigil {

PathFilter::PathFilter() = default;
PathFilter::~PathFilter() = default;
PathFilter::PathFilter(PathFilter&&) noexcept = default;
PathFilter& PathFilter::operator=(PathFilter&&) noexcept = default;

std::string PathFilter::GlobToRegex(const std::string& glob_in) {
  std::string glob = glob_in;
  bool dir_only = !glob.empty() && glob.back() == '/';
  while (!glob.empty() && glob.back() == '/') glob.pop_back();
  bool anchored = glob.find('/') != std::string::npos;
  if (!glob.empty() && glob.front() == '/') glob.erase(0, 1);
  if (glob.rfind("./", 0) == 0) glob.erase(0, 2);
  std::string re = anchored ? "^" : "(?:^|/)";
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*') {
      if (i + 1 < glob.size() && glob[i + 1] == '*') {
        bool slash_after = i + 2 < glob.size() && glob[i + 2] == '/';
        if (slash_after) {
          re += "(?:[^/]*/)*";  // "**/": zero or more directories
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else {
        re += "[^/]*";
      }
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      size_t close = glob.find(']', i + 1);
      if (close == std::string::npos) {
        re += "\\[";
      } else {
        std::string cls = glob.substr(i + 1, close - i - 1);
        if (!cls.empty() && cls[0] == '!') cls[0] = '^';
        re += "[" + cls + "]";
        i = close;
      }
    } else if (c == '\\' && i + 1 < glob.size()) {
      re += RE2::QuoteMeta(std::string(1, glob[++i]));
    } else {
      re += RE2::QuoteMeta(std::string(1, c));
    }
  }
  // A match of a directory covers everything below it.
  re += dir_only ? "/" : "(?:$|/)";
  return re;
}

Status PathFilter::Add(const std::vector<std::string>& globs) {
  for (const auto& g : globs) {
    if (g.empty()) continue;
    RE2 one(GlobToRegex(g));
    if (!one.ok()) return Status::Error("invalid path glob `" + g + "`: " + one.error());
    globs_.push_back(g);
  }
  if (globs_.empty()) return Status::Ok();
  std::string all;
  for (const auto& g : globs_) {
    if (!all.empty()) all += "|";
    all += "(?:" + GlobToRegex(g) + ")";
  }
  re_ = std::make_unique<RE2>(all);
  if (!re_->ok()) return Status::Error("invalid path globs: " + re_->error());
  return Status::Ok();
}

bool PathFilter::Matches(std::string_view path) const {
  if (!re_) return false;
  if (path.rfind("./", 0) == 0) path.remove_prefix(2);
  return RE2::PartialMatch(path, *re_);
}

}  // namespace vigil
