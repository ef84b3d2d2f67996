// The context of a git change and the staged source's working-file reads
// (see git_context.h).
#include "scanner/source/git_context.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

namespace vigil::git_internal {

bool EmitContextItem(const char* path, const git_oid& id, uint32_t mode, uint64_t size,
                     const std::set<std::string, std::less<>>& changed, uint64_t max_size,
                     const std::function<void(WorkItem)>& emit) {
  if (path == nullptr || *path == '\0') return false;
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) return false;
  if (size > max_size) return false;
  if (!changed.empty() && changed.find(std::string_view(path)) != changed.end()) return false;
  WorkItem item{path, Hex(id), size, false};
  item.context = true;
  emit(std::move(item));
  return true;
}

void EmitTreeContext(git_repository* repo, const git_tree* tree,
                     const std::set<std::string, std::less<>>& changed, uint64_t max_size,
                     const std::function<void(WorkItem)>& emit) {
  struct Walk {
    const std::set<std::string, std::less<>>* changed;
    uint64_t max_size;
    const std::function<void(WorkItem)>* emit;
  } walk{&changed, max_size, &emit};
  (void)repo;
  git_tree_walk(
      tree, GIT_TREEWALK_PRE,
      [](const char* root, const git_tree_entry* e, void* payload) -> int {
        auto* w = static_cast<Walk*>(payload);
        if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) return 0;
        std::string path = std::string(root) + git_tree_entry_name(e);
        EmitContextItem(path.c_str(), *git_tree_entry_id(e), git_tree_entry_filemode(e), 0,
                        *w->changed, w->max_size, *w->emit);
        return 0;
      },
      &walk);
}

void WorktreeStats::Init(git_repository* repo, git_index* index, const std::string& index_path) {
  enabled_ = false;
  const char* wd = git_repository_workdir(repo);
  if (wd == nullptr) return;
  workdir_ = wd;
  struct stat st;
  if (index_path.empty() || stat(index_path.c_str(), &st) != 0) return;
  index_mtime_s_ = st.st_mtim.tv_sec;
  index_mtime_ns_ = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  // Attributes (eol, filters such as git-crypt or LFS, working-tree-encoding)
  // can make a working file differ from its blob: then always read blobs.
  std::vector<std::string> attribute_files{
      std::string(git_repository_path(repo)) + "info/attributes", "/etc/gitattributes"};
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    attribute_files.push_back(std::string(xdg) + "/git/attributes");
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    attribute_files.push_back(std::string(home) + "/.config/git/attributes");
  }
  for (const auto& f : attribute_files) {
    if (stat(f.c_str(), &st) == 0 && st.st_size > 0) return;
  }
  git_config* raw_cfg = nullptr;
  if (git_repository_config_snapshot(&raw_cfg, repo) == 0) {
    int autocrlf = 0;
    bool on = git_config_get_bool(&autocrlf, raw_cfg, "core.autocrlf") == 0 && autocrlf;
    git_buf value = GIT_BUF_INIT;
    // "input" is not a boolean: any value other than false counts.
    if (!on && git_config_get_string_buf(&value, raw_cfg, "core.autocrlf") == 0) {
      std::string v = value.ptr ? value.ptr : "";
      on = v != "false" && v != "0" && v != "no" && v != "off" && !v.empty();
    }
    git_buf_dispose(&value);
    if (git_config_get_string_buf(&value, raw_cfg, "core.attributesfile") == 0 && value.ptr &&
        *value.ptr) {
      on = true;
    }
    git_buf_dispose(&value);
    git_config_free(raw_cfg);
    if (on) return;
  }
  size_t n = git_index_entrycount(index);
  size_t path_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(index, i);
    if (e == nullptr || e->path == nullptr) continue;
    std::string_view p = e->path;
    path_bytes += p.size();
    if (p == ".gitattributes" || (p.size() > 14 && p.substr(p.size() - 15) == "/.gitattributes"))
      return;
  }
  paths_.clear();
  slots_.clear();
  sorted_ = true;
  paths_.reserve(path_bytes);
  slots_.reserve(n);
  enabled_ = true;
}

void WorktreeStats::Add(const git_index_entry& e) {
  if (!enabled_ || e.path == nullptr) return;
  if ((e.flags & GIT_INDEX_ENTRY_VALID) != 0) return;  // assume-unchanged: stat data not kept
  if ((e.flags_extended & (GIT_INDEX_ENTRY_SKIP_WORKTREE | GIT_INDEX_ENTRY_INTENT_TO_ADD)) != 0)
    return;
  // Racily clean: written in the same instant as the index (or after), the
  // file may have changed without its stat data showing it.
  if (e.mtime.seconds > index_mtime_s_ ||
      (e.mtime.seconds == index_mtime_s_ && e.mtime.nanoseconds >= index_mtime_ns_)) {
    return;
  }
  std::string_view path = e.path;
  // Past 4 GiB of paths an entry is left out: read from its blob, still correct.
  if (paths_.size() + path.size() > UINT32_MAX) return;
  Slot slot;
  slot.offset = static_cast<uint32_t>(paths_.size());
  slot.length = static_cast<uint32_t>(path.size());
  Entry& s = slot.entry;
  s.mtime_s = e.mtime.seconds;
  s.mtime_ns = e.mtime.nanoseconds;
  s.ctime_s = e.ctime.seconds;
  s.ctime_ns = e.ctime.nanoseconds;
  s.ino = e.ino;
  s.size = e.file_size;
  s.mode = e.mode;
  if (!slots_.empty() && !(PathOf(slots_.back()) < path)) sorted_ = false;
  paths_.append(path);
  slots_.push_back(slot);
}

const WorktreeStats::Entry* WorktreeStats::Find(std::string_view path) const {
  if (!sorted_) {
    // Not in index order (never for an index git wrote): the first record of the path.
    for (const Slot& s : slots_) {
      if (PathOf(s) == path) return &s.entry;
    }
    return nullptr;
  }
  auto it = std::lower_bound(slots_.begin(), slots_.end(), path,
                             [this](const Slot& s, std::string_view p) { return PathOf(s) < p; });
  return it != slots_.end() && PathOf(*it) == path ? &it->entry : nullptr;
}

StagedReader::StagedReader(std::string git_dir, uint64_t max_file_size,
                           std::shared_ptr<const WorktreeStats> stats)
    : blobs_(std::move(git_dir), nullptr, max_file_size),
      max_file_size_(max_file_size),
      stats_(std::move(stats)) {}

Status StagedReader::Read(const WorkItem& item, BlobData* out) {
  if (item.context && stats_ && stats_->enabled() && ReadWorktree(item, out)) return Status::Ok();
  return blobs_.Read(item, out);
}

bool StagedReader::ReadWorktree(const WorkItem& item, BlobData* out) {
  const WorktreeStats::Entry* e = stats_->Find(item.path);
  if (e == nullptr) return false;
  std::string path = stats_->workdir() + item.path;
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<uint64_t>(st.st_size) <= max_file_size_ &&
              static_cast<uint32_t>(st.st_size) == e->size &&
              static_cast<uint32_t>(st.st_ino) == e->ino &&
              static_cast<uint32_t>(st.st_mtim.tv_sec) == static_cast<uint32_t>(e->mtime_s) &&
              static_cast<uint32_t>(st.st_mtim.tv_nsec) == e->mtime_ns &&
              static_cast<uint32_t>(st.st_ctim.tv_sec) == static_cast<uint32_t>(e->ctime_s) &&
              static_cast<uint32_t>(st.st_ctim.tv_nsec) == e->ctime_ns &&
              ((st.st_mode & S_IXUSR) != 0) == (e->mode == GIT_FILEMODE_BLOB_EXECUTABLE);
  if (!same) {
    close(fd);
    return false;
  }
  size_t size = static_cast<size_t>(st.st_size);
  buffer_.resize(size);
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, buffer_.data() + got, size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  close(fd);
  if (got != size) return false;
  // NUL bytes: binary or UTF-16; the blob reader decides (it decodes UTF-16).
  if (std::memchr(buffer_.data(), 0, std::min<size_t>(size, 8192)) != nullptr) return false;
  out->data = buffer_;
  out->blob_id = item.key;
  return true;
}

}  // namespace vigil::git_internal
