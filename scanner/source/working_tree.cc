// Working-tree, file-list and stdin sources. Files are read with read() into
// a page-aligned buffer (a misaligned destination makes read() 5x slower,
// docs/architecture.md); symlinks are never followed out of the tree.
// Files (and stdin) that start with a UTF-16 byte-order mark are decoded to
// UTF-8 here, so the matcher, the linter and the line numbers see text
// (docs/hardening.md).
#include <fcntl.h>
#include <iconv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "scanner/source/git_source.h"
#include "scanner/source/source.h"

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

// UTF-16 (LE or BE, chosen by the byte-order mark) to UTF-8 with glibc's
// iconv. One converter per direction, opened on first use; not thread-safe
// (one per reader, and a reader is used by one thread).
class Utf16Decoder {
 public:
  Utf16Decoder() = default;
  Utf16Decoder(const Utf16Decoder&) = delete;
  Utf16Decoder& operator=(const Utf16Decoder&) = delete;
  ~Utf16Decoder() {
    for (iconv_t cd : cd_)
      if (cd != None()) iconv_close(cd);
  }

  // If `data` starts with a UTF-16 BOM (FF FE little-endian, FE FF
  // big-endian) and has a NUL byte in its first 8 KiB (so it would otherwise
  // be skipped as binary; UTF-16 of any ASCII text, secrets included, has
  // them), writes it to *out as UTF-8 without the BOM and returns true.
  // Invalid input (an unpaired surrogate, an odd trailing byte) becomes
  // U+FFFD and decoding goes on. Returns false (out untouched) otherwise: a
  // text that merely starts with FF FE is scanned as the bytes it is.
  bool Decode(std::string_view data, std::string* out) {
    if (data.size() < 2) return false;
    if (!std::memchr(data.data(), '\0', std::min<size_t>(data.size(), 8192))) return false;
    auto b0 = static_cast<unsigned char>(data[0]), b1 = static_cast<unsigned char>(data[1]);
    int which;
    if (b0 == 0xFF && b1 == 0xFE) {
      which = 0;
    } else if (b0 == 0xFE && b1 == 0xFF) {
      which = 1;
    } else {
      return false;
    }
    if (cd_[which] == None()) {
      cd_[which] = iconv_open("UTF-8", which == 0 ? "UTF-16LE" : "UTF-16BE");
      if (cd_[which] == None()) return false;  // no converter: scanned as bytes
    }
    iconv_t cd = cd_[which];
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial state
    constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
    // Each 2-byte unit gives at most 3 bytes (a replaced one too); a
    // surrogate pair gives 4 from 4.
    out->resize((data.size() - 2) / 2 * 3 + kReplacement.size() + 16);
    char* in = const_cast<char*>(data.data()) + 2;  // iconv's API is not const
    size_t in_left = data.size() - 2;
    char* dst = out->data();
    size_t dst_left = out->size();
    while (in_left > 0) {
      if (iconv(cd, &in, &in_left, &dst, &dst_left) != static_cast<size_t>(-1)) break;
      if (errno == E2BIG) {  // not expected with the bound above; grow anyway
        size_t used = out->size() - dst_left;
        out->resize(out->size() * 2 + 64);
        dst = out->data() + used;
        dst_left = out->size() - used;
        continue;
      }
      // EILSEQ (invalid unit) or EINVAL (truncated at the end): replace one
      // unit, or the odd trailing byte, and go on.
      if (dst_left < kReplacement.size()) {
        size_t used = out->size() - dst_left;
        out->resize(out->size() + 64);
        dst = out->data() + used;
        dst_left = out->size() - used;
      }
      std::memcpy(dst, kReplacement.data(), kReplacement.size());
      dst += kReplacement.size();
      dst_left -= kReplacement.size();
      size_t skip = std::min<size_t>(in_left, 2);
      in += skip;
      in_left -= skip;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
    out->resize(out->size() - dst_left);
    return true;
  }

 private:
  static iconv_t None() { return reinterpret_cast<iconv_t>(-1); }  // iconv_open's failure
  iconv_t cd_[2] = {None(), None()};
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
