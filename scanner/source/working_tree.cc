// Working-tree, file-list and stdin sources. Files are read with read() into
// a page-aligned buffer (a misaligned destination makes read() 5x slower,
// docs/architecture.md); symlinks are never followed out of the tree.
// Files (and stdin) that start with a UTF-16 byte-order mark are decoded to
// UTF-8 here (utf16.h, shared with the git sources' BlobReader), so the
// matcher, the linter and the line numbers see text (docs/hardening.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

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

std::string JoinDisplay(const std::string& root, const std::string& rel) {
  if (root.empty() || root == ".") return rel;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (r.rfind("./", 0) == 0) r = r.substr(2);
  return r + "/" + rel;
}

class FileReader : public SourceReader {
 public:
  Status Read(const WorkItem& item, BlobData* out) override {
    int fd = ::open(item.key.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return Status::Error(item.path + ": cannot open: " + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::Error(item.path + ": not a regular file");
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
  AlignedBuffer buffer_;
  Utf16Decoder utf16_;
  std::string decoded_;  // a UTF-16 file as UTF-8
};

class WorkingTreeSource : public Source {
 public:
  WorkingTreeSource(std::vector<std::string> roots, WorkingTreeOptions options)
      : roots_(std::move(roots)), options_(options) {}

  std::string Mode() const override { return "working-tree"; }
  std::unique_ptr<SourceReader> NewReader() override { return std::make_unique<FileReader>(); }

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
        AddFile(root, root, fs::path(root), emit, errors);
      }
    }
    if (!any_ok) return Status::Error("nothing to scan: no path exists");
    return Status::Ok();
  }

 private:
  void AddFile(const std::string& display, const std::string& root, const fs::path& p,
               const std::function<void(WorkItem)>& emit, std::vector<ScanError>* errors) {
    std::error_code ec;
    fs::file_status st = fs::symlink_status(p, ec);
    if (ec) {
      errors->push_back({display, 0, "cannot stat: " + ec.message(), false});
      return;
    }
    if (fs::is_symlink(st)) {
      // Never follow a link out of the tree; a link inside is scanned at its
      // target's own path, so it is skipped here.
      fs::path target = fs::weakly_canonical(p, ec);
      fs::path base = fs::weakly_canonical(fs::path(root), ec);
      std::string t = target.string(), b = base.string();
      if (ec || t.compare(0, b.size(), b) != 0)
        errors->push_back({display, 0, "symlink pointing outside the tree: not followed", true});
      return;
    }
    if (!fs::is_regular_file(st)) {
      errors->push_back({display, 0, "not a regular file (FIFO, socket or device): skipped", true});
      return;
    }
    uint64_t size = fs::file_size(p, ec);
    if (ec) {
      errors->push_back({display, 0, "cannot stat: " + ec.message(), false});
      return;
    }
    if (size > options_.max_file_size) {
      errors->push_back({display, 0,
                         "skipped: " + std::to_string(size) + " bytes is over the size limit of " +
                             std::to_string(options_.max_file_size) + " (--max-file-size)",
                         true});
      return;
    }
    WorkItem item;
    item.path = display;
    item.key = p.string();
    item.size = size;
    emit(std::move(item));
  }

  void WalkDir(const std::string& root, const std::function<void(WorkItem)>& emit,
               std::vector<ScanError>* errors) {
    std::error_code ec;
    fs::path base = fs::absolute(root, ec);
    GitIgnoreChecker ignore(base.string());
    bool use_ignore = ignore.active() && !options_.include_ignored;
    auto it = fs::recursive_directory_iterator(
        root, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      errors->push_back({root, 0, "cannot read directory: " + ec.message(), false});
      return;
    }
    std::vector<fs::path> files;
    for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
      if (ec) {
        errors->push_back({root, 0, "walk error: " + ec.message(), false});
        ec.clear();
        break;
      }
      const fs::directory_entry& e = *it;
      std::string name = e.path().filename().string();
      std::error_code sec;
      bool is_dir = e.is_directory(sec) && !e.is_symlink(sec);
      if (is_dir && name == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (use_ignore) {
        fs::path abs = fs::absolute(e.path(), sec);
        if (ignore.IsIgnored(abs.lexically_normal().string(), is_dir)) {
          if (is_dir) it.disable_recursion_pending();
          continue;
        }
      }
      if (is_dir) continue;
      if (name == ".git") continue;  // a worktree's .git file
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string rel = f.lexically_relative(root).generic_string();
      AddFile(JoinDisplay(root, rel), root, f, emit, errors);
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
  std::unique_ptr<SourceReader> NewReader() override { return std::make_unique<StdinReader>(&data_); }

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
