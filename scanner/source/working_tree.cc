// Working-tree, file-list and stdin sources. Files are read with read() into
// a page-aligned buffer (a misaligned destination makes read() 5x slower,
// docs/architecture.md); symlinks are never followed out of the tree.
// Files (and stdin) that start with a UTF-16 byte-order mark are decoded to
// UTF-8 here (utf16.h, shared with the git sources' BlobReader), so the
// matcher, the linter and the line numbers see text (docs/hardening.md).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "scanner/source/git_source.h"
#include "scanner/source/source.h"
#include "scanner/source/utf16.h"

namespace vigil {

namespace fs = std::filesystem;

namespace {

// A growable page-aligned buffer.
class AlignedBuffer {
 public:
  ~AlignedBuffer() { std::free(data_); }
  char* Reserve(size_t n) {
    if (n <= cap_) return data_;
    size_t cap = std::max<size_t>(n, 1 << 20);
    cap = (cap + 4095) & ~size_t{4095};
    void* p = nullptr;
    if (posix_memalign(&p, 4096, cap) != 0) return nullptr;
    std::free(data_);
    data_ = static_cast<char*>(p);
    cap_ = cap;
    return data_;
  }
  char* data() { return data_; }

 private:
  char* data_ = nullptr;
  size_t cap_ = 0;
};

// What a path under `root` is shown as: the prefix to put before the path
// relative to root ("" for ".", "dir/" for "./dir/").
std::string DisplayPrefix(const std::string& root) {
  if (root.empty() || root == ".") return "";
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r.rfind("./", 0) == 0) r = r.substr(2);
  return r + "/";
}

std::string OverSizeLimit(uint64_t size, uint64_t limit) {
  return "skipped: " + std::to_string(size) + " bytes is over the size limit of " +
         std::to_string(limit) + " (--max-file-size)";
}

// The walker does not stat files: the reader checks, on the descriptor it
// reads, that the file is regular and under the size limit (a "skipped:"
// status is a note, not an error: scanner/pipeline/scan.cc).
class FileReader : public SourceReader {
 public:
  explicit FileReader(uint64_t max_file_size) : max_file_size_(max_file_size) {}

  Status Read(const WorkItem& item, BlobData* out) override {
    int fd = ::open(item.key.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return Status::Error(item.path + ": cannot open: " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::Error(item.path + ": not a regular file");
    }
    if (static_cast<uint64_t>(st.st_size) > max_file_size_) {
      ::close(fd);
      return Status::Error(OverSizeLimit(static_cast<uint64_t>(st.st_size), max_file_size_));
    }
    size_t want = static_cast<size_t>(st.st_size);
    char* buf = buffer_.Reserve(want + 1);
    if (!buf) {
      ::close(fd);
      return Status::Error(item.path + ": out of memory");
    }
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::read(fd, buf + got, want - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        ::close(fd);
        return Status::Error(item.path + ": read failed: " + std::strerror(e));
      }
      if (n == 0) break;  // file shrank while we read it
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    out->data = std::string_view(buf, got);
    if (utf16_.Decode(out->data, &decoded_)) out->data = decoded_;
    out->blob_id.clear();
    return Status::Ok();
  }

 private:
  uint64_t max_file_size_;
  AlignedBuffer buffer_;
  Utf16Decoder utf16_;
  std::string decoded_;  // a UTF-16 file as UTF-8
};

class WorkingTreeSource : public Source {
 public:
  WorkingTreeSource(std::vector<std::string> roots, WorkingTreeOptions options)
      : roots_(std::move(roots)), options_(options) {}

  std::string Mode() const override { return "working-tree"; }
  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<FileReader>(options_.max_file_size);
  }

  Status Enumerate(const std::function<void(WorkItem)>& emit,
                   std::vector<ScanError>* errors) override {
    bool any_ok = false;
    for (const auto& root : roots_) {
      std::error_code ec;
      fs::file_status st = fs::symlink_status(root, ec);
      if (ec || !fs::exists(st)) {
        errors->push_back({root, 0, "no such file or directory", false});
        continue;
      }
      any_ok = true;
      if (fs::is_directory(st)) {
        WalkDir(root, emit, errors);
      } else {
        unsigned char type = fs::is_symlink(st)        ? DT_LNK
                             : fs::is_regular_file(st) ? DT_REG
                                                       : DT_FIFO;
        AddFile(root, root, root, type, emit, errors);
      }
    }
    if (!any_ok) return Status::Error("nothing to scan: no path exists");
    return Status::Ok();
  }

 private:
  // A file (or link, or special file) the walk found; `type` is a DT_* value.
  void AddFile(const std::string& display, const std::string& root, const std::string& path,
               unsigned char type, const std::function<void(WorkItem)>& emit,
               std::vector<ScanError>* errors) {
    if (type == DT_LNK) {
      // Never follow a link out of the tree; a link inside is scanned at its
      // target's own path, so it is skipped here.
      std::error_code ec;
      fs::path target = fs::weakly_canonical(path, ec);
      fs::path base = fs::weakly_canonical(fs::path(root), ec);
      std::string t = target.string(), b = base.string();
      if (ec || t.compare(0, b.size(), b) != 0)
        errors->push_back({display, 0, "symlink pointing outside the tree: not followed", true});
      return;
    }
    if (type != DT_REG) {
      errors->push_back({display, 0, "not a regular file (FIFO, socket or device): skipped", true});
      return;
    }
    WorkItem item;
    item.path = display;
    item.key = path;
    emit(std::move(item));
  }

  struct Entry {
    std::string name;
    unsigned char type;  // DT_*
  };

  // Reads a directory's entries, sorted by name (bytes). False, with the
  // error recorded, when it cannot be read.
  static bool ReadDir(const std::string& path, const std::string& display, std::vector<Entry>* out,
                      std::vector<ScanError>* errors) {
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
      errors->push_back(
          {display, 0, std::string("cannot read directory: ") + std::strerror(errno), false});
      return false;
    }
    int dfd = ::dirfd(d);
    while (const dirent* de = ::readdir(d)) {
      std::string_view name = de->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = de->d_type;
      if (type == DT_UNKNOWN) {  // a filesystem that does not say: ask
        struct stat st;
        if (::fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          type = S_ISDIR(st.st_mode)   ? DT_DIR
                 : S_ISREG(st.st_mode) ? DT_REG
                 : S_ISLNK(st.st_mode) ? DT_LNK
                                       : DT_FIFO;
        }
      }
      out->push_back({std::string(name), type});
    }
    ::closedir(d);
    std::sort(out->begin(), out->end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return true;
  }

  // Depth first, each directory's entries in name order: the order of the
  // files' sorted paths, component by component, as std::filesystem::path
  // compares them. Files are emitted as they are found (the workers start on
  // the first one) and are not stat'ed here: readdir's d_type says what they
  // are, and the reader checks the rest on the descriptor it reads.
  void WalkDir(const std::string& root, const std::function<void(WorkItem)>& emit,
               std::vector<ScanError>* errors) {
    std::error_code ec;
    fs::path base = fs::absolute(root, ec);
    GitIgnoreChecker ignore(base.string());
    bool use_ignore = ignore.active() && !options_.include_ignored;
    std::string abs_prefix = base.lexically_normal().string();
    if (abs_prefix.empty() || abs_prefix.back() != '/') abs_prefix += '/';
    const std::string prefix = root.back() == '/' ? root : root + "/";
    const std::string display = DisplayPrefix(root);

    struct Frame {
      std::string rel;  // "" or "dir/sub/"
      std::vector<Entry> entries;
      size_t next = 0;
    };
    std::vector<Frame> stack(1);
    if (!ReadDir(root, root, &stack.back().entries, errors)) return;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.entries.size()) {
        stack.pop_back();
        continue;
      }
      const Entry& e = top.entries[top.next++];
      std::string rel = top.rel + e.name;
      bool is_dir = e.type == DT_DIR;
      if (e.name == ".git") continue;  // the repository, or a worktree's .git file
      if (use_ignore && ignore.IsIgnored(abs_prefix + rel, is_dir)) continue;
      if (is_dir) {
        Frame sub;
        sub.rel = rel + "/";
        if (ReadDir(prefix + rel, display + rel, &sub.entries, errors)) {
          stack.push_back(std::move(sub));  // `top` is not used after this
        }
        continue;
      }
      AddFile(display + rel, root, prefix + rel, e.type, emit, errors);
    }
  }

  std::vector<std::string> roots_;
  WorkingTreeOptions options_;
};

class StdinReader : public SourceReader {
 public:
  explicit StdinReader(std::string* data) : data_(data) {}
  Status Read(const WorkItem&, BlobData* out) override {
    out->data = *data_;
    return Status::Ok();
  }

 private:
  std::string* data_;
};

class StdinSource : public Source {
 public:
  explicit StdinSource(std::string name) : name_(std::move(name)) {}
  std::string Mode() const override { return "stdin"; }
  Status Enumerate(const std::function<void(WorkItem)>& emit, std::vector<ScanError>*) override {
    data_.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::string decoded;
    if (Utf16Decoder().Decode(data_, &decoded)) data_ = std::move(decoded);
    WorkItem item;
    item.path = name_;
    item.key = "-";
    item.size = data_.size();
    emit(std::move(item));
    return Status::Ok();
  }
  std::unique_ptr<SourceReader> NewReader() override {
    return std::make_unique<StdinReader>(&data_);
  }

 private:
  std::string name_;
  std::string data_;
};

}  // namespace

std::unique_ptr<Source> NewWorkingTreeSource(std::vector<std::string> roots,
                                             WorkingTreeOptions options) {
  return std::make_unique<WorkingTreeSource>(std::move(roots), options);
}

std::unique_ptr<Source> NewStdinSource(std::string display_name) {
  return std::make_unique<StdinSource>(display_name.empty() ? "<stdin>" : display_name);
}

}  // namespace vigil
