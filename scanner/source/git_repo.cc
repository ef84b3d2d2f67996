// Shared libgit2 plumbing for the git sources (git_internal.h) and
// DescribeRepository for SARIF versionControlProvenance.
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
// SHA1_Init and friends (HashObject) are deprecated in OpenSSL 3.0.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"

namespace {
// True while git_libgit2_init runs (see mbedtls_x509_crt_parse_file below).
std::atomic<bool> g_libgit2_initialising{false};
}  // namespace

// Debian's libgit2 1.5 is built with mbedTLS, whose backend parses the whole
// system CA bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates)
// inside git_libgit2_init: 4-5 ms of CPU, about a tenth of a pre-commit run
// (bench/README.md, "Pre-commit latency"), before any option could turn it
// off. vigil reads local object databases only and never opens a TLS
// connection, so during that one call the bundle is not parsed: this
// definition in the executable takes precedence over libmbedx509's for
// libgit2 (ELF symbol interposition). Every other call, e.g. through
// GIT_OPT_SET_SSL_CERT_LOCATIONS, goes to mbedTLS's own function. With a
// libgit2 built on OpenSSL nothing calls this.
extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path) {
  if (g_libgit2_initialising.load(std::memory_order_acquire)) return 0;
  using ParseFile = int (*)(void*, const char*);
  static const auto real =
      reinterpret_cast<ParseFile>(dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file"));
  // -0x2900 is MBEDTLS_ERR_X509_FILE_IO_ERROR.
  return real != nullptr ? real(chain, path) : -0x2900;
}

namespace vigil {
namespace git_internal {

void EnsureInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_libgit2_initialising.store(true, std::memory_order_release);
    git_libgit2_init();
    g_libgit2_initialising.store(false, std::memory_order_release);
    // Objects come from a local object database we trust; strict hash
    // verification costs 2-3x on history scans (docs/perf-floor.md §4).
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    // The object cache is per repository handle (one per thread); keep it
    // small so memory is bounded by the work in flight.
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, static_cast<ssize_t>(48) << 20);
  });
}

bool MayBeInRepository(const std::string& path) {
  // libgit2 resolves the path first (realpath) and fails when it cannot;
  // when we cannot either, let libgit2 decide.
  char* real = realpath(path.empty() ? "." : path.c_str(), nullptr);
  if (!real) return true;
  std::string dir = real;
  free(real);
  auto exists = [](const std::string& p) {
    struct stat st;
    if (stat(p.c_str(), &st) == 0) return true;
    // ENOENT / ENOTDIR (a file given as the path): not there. Anything else
    // (EACCES, ...): unknown, so assume it is.
    return errno != ENOENT && errno != ENOTDIR;
  };
  // The same upward walk as libgit2's (which also stops at a filesystem
  // boundary; going on to "/" only makes this answer "maybe" more often).
  while (true) {
    std::string base = dir == "/" ? "" : dir;
    if (exists(base + "/.git") || exists(base + "/HEAD")) return true;
    if (base.empty()) return false;
    size_t slash = dir.rfind('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
  }
}

std::string LastError(std::string_view what) {
  const git_error* e = git_error_last();
  std::string out(what);
  if (e && e->message) {
    out += ": ";
    out += e->message;
  }
  return out;
}

std::string Hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

git_oid HashObject(std::string_view type, std::string_view data) {
  // OpenSSL's low-level SHA-1 (deprecated since 3.0, still supported
  // throughout 3.x): the EVP interface first initialises OpenSSL's library
  // context and providers, ~2 ms per process, more than hashing every tree
  // of a 10,000-file index; these functions need no initialisation.
  char header[64];
  int n = std::snprintf(header, sizeof header, "%.*s %zu", static_cast<int>(type.size()),
                        type.data(), data.size());
  git_oid out{};
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, header, static_cast<size_t>(n) + 1);
  SHA1_Update(&ctx, data.data(), data.size());
  SHA1_Final(out.id, &ctx);
  return out;
}

bool ParseOid(std::string_view hex, git_oid* out) {
  if (hex.size() != GIT_OID_HEXSZ) return false;
  return git_oid_fromstrn(out, hex.data(), hex.size()) == 0;
}

Result<RepoPtr> OpenRepository(const std::string& path) {
  EnsureInit();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) {
    return Status::Error(LastError("cannot open git repository at " + path));
  }
  return RepoPtr(repo);
}

CommitInfo DescribeCommit(git_commit* commit) {
  CommitInfo info;
  info.id = Hex(*git_commit_id(commit));
  const git_signature* author = git_commit_author(commit);
  if (author) {
    info.author = author->name ? author->name : "";
    info.email = author->email ? author->email : "";
    std::time_t t = static_cast<std::time_t>(author->when.time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    info.date = buf;
  }
  const char* summary = git_commit_summary(commit);
  info.summary = summary ? summary : "";
  return info;
}

CommitPtr HeadCommit(git_repository* repo) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo, "HEAD") != 0) return nullptr;
  git_commit* commit = nullptr;
  if (git_commit_lookup(&commit, repo, &oid) != 0) return nullptr;
  return CommitPtr(commit);
}

void CollectTreeBlobs(git_repository* repo, const git_oid& tree_id, OidSet* out) {
  std::vector<git_oid> stack{tree_id};
  OidSet seen_trees;
  while (!stack.empty()) {
    git_oid id = stack.back();
    stack.pop_back();
    if (!seen_trees.insert(id).second) continue;
    git_tree* raw = nullptr;
    if (git_tree_lookup(&raw, repo, &id) != 0) continue;
    TreePtr tree(raw);
    size_t n = git_tree_entrycount(raw);
    for (size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(raw, i);
      git_object_t type = git_tree_entry_type(e);
      if (type == GIT_OBJECT_BLOB) {
        out->insert(*git_tree_entry_id(e));
      } else if (type == GIT_OBJECT_TREE) {
        stack.push_back(*git_tree_entry_id(e));
      }
    }
  }
}

std::string ObjectsDir(git_repository* repo) {
  const char* common = git_repository_commondir(repo);
  std::string dir = common ? common : git_repository_path(repo);
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir + "objects";
}

namespace {

const uint8_t* MapFile(const std::string& path, size_t* len) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  const uint8_t* out = nullptr;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      out = static_cast<const uint8_t*>(p);
      *len = static_cast<size_t>(st.st_size);
    }
  }
  close(fd);
  return out;
}

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

PackIndex::~PackIndex() {
  for (const Pack& p : packs_) {
    if (p.idx) munmap(const_cast<uint8_t*>(p.idx), p.idx_len);
    if (p.data) munmap(const_cast<uint8_t*>(p.data), p.data_len);
  }
}

void PackIndex::Open(const std::string& objects_dir) {
  std::string pack_dir = objects_dir + "/pack";
  DIR* dir = opendir(pack_dir.c_str());
  if (!dir) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".idx") == 0) names.push_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (packs_.size() >= (1u << 20)) break;
    Pack p;
    p.idx = MapFile(pack_dir + "/" + name, &p.idx_len);
    // Version 2 only: "\377tOc", version, fan-out, ids, CRCs, offsets.
    if (!p.idx || p.idx_len < 8 + 1024 + 40 || Be32(p.idx) != 0xff744f63 || Be32(p.idx + 4) != 2) {
      if (p.idx) munmap(const_cast<uint8_t*>(p.idx), p.idx_len);
      continue;
    }
    p.count = Be32(p.idx + 8 + 255 * 4);
    if (p.idx_len < 8 + 1024 + uint64_t{p.count} * 28 + 40) {
      munmap(const_cast<uint8_t*>(p.idx), p.idx_len);
      continue;
    }
    p.data = MapFile(pack_dir + "/" + name.substr(0, name.size() - 4) + ".pack", &p.data_len);
    if (!p.data) {
      munmap(const_cast<uint8_t*>(p.idx), p.idx_len);
      continue;
    }
    p.first = packs_.empty() ? 0 : packs_.back().first + packs_.back().count;
    if (p.first + p.count >= UINT32_MAX) {
      munmap(const_cast<uint8_t*>(p.idx), p.idx_len);
      munmap(const_cast<uint8_t*>(p.data), p.data_len);
      break;
    }
    packs_.push_back(p);
  }
  uint64_t total = packs_.empty() ? 0 : packs_.back().first + packs_.back().count;
  if (total == 0) return;
  size_t cap = 1024;
  while (cap < total * 2) cap *= 2;
  table_.assign(cap, 0);
  size_t mask = cap - 1;
  for (const Pack& p : packs_) {
    const uint8_t* ids = p.idx + 8 + 1024;
    for (uint32_t pos = 0; pos < p.count; ++pos) {
      uint64_t h;
      std::memcpy(&h, ids + uint64_t{pos} * 20 + 8, sizeof h);
      size_t i = h & mask;
      while (table_[i] != 0) i = (i + 1) & mask;  // duplicates across packs: first wins on lookup
      table_[i] = static_cast<uint32_t>(p.first + pos + 1);
    }
  }
}

PackIndex::Entry PackIndex::Find(const git_oid& oid) const {
  if (table_.empty()) return Entry();
  size_t mask = table_.size() - 1;
  uint64_t h;
  std::memcpy(&h, oid.id + 8, sizeof h);
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t v = table_[i];
    if (v == 0) return Entry();
    uint64_t n = v - 1;
    size_t pi = 0;
    while (pi + 1 < packs_.size() && packs_[pi + 1].first <= n) ++pi;
    uint32_t pos = static_cast<uint32_t>(n - packs_[pi].first);
    const uint8_t* id = packs_[pi].idx + 8 + 1024 + uint64_t{pos} * 20;
    if (SameOid(id, oid.id)) return Describe(pi, pos);
  }
}

PackIndex::Entry PackIndex::Describe(size_t pi, uint32_t pos) const {
  Entry out;
  const Pack& p = packs_[pi];
  const uint8_t* offsets = p.idx + 8 + 1024 + uint64_t{p.count} * 24;
  uint64_t off = Be32(offsets + uint64_t{pos} * 4);
  if (off & 0x80000000u) {
    const uint8_t* large = offsets + uint64_t{p.count} * 4 + (off & 0x7fffffffu) * 8;
    if (large + 8 > p.idx + p.idx_len) return out;
    off = (uint64_t{Be32(large)} << 32) | Be32(large + 4);
  }
  if (off >= p.data_len) return out;
  out.order = (uint64_t{pi} << 40) | off;
  // The object header: type in bits 4-6 of the first byte, then the size
  // as a little-endian base-128 varint (of the delta data for deltas).
  const uint8_t* h = p.data + off;
  const uint8_t* end = p.data + p.data_len;
  uint8_t c = *h++;
  out.type = (c >> 4) & 7;
  uint64_t size = c & 15;
  int shift = 4;
  while ((c & 0x80) && h < end && shift < 64) {
    c = *h++;
    size |= uint64_t{c & 0x7fu} << shift;
    shift += 7;
  }
  out.size = size;
  return out;
}

void PackIndex::DeltaChain(uint64_t order, std::vector<uint64_t>* out) const {
  out->clear();
  if (order == UINT64_MAX) return;
  size_t pi = static_cast<size_t>(order >> 40);
  if (pi >= packs_.size()) return;
  const Pack& p = packs_[pi];
  uint64_t off = order & ((uint64_t{1} << 40) - 1);
  const uint8_t* end = p.data + p.data_len;
  for (int depth = 0; depth < 10000 && off < p.data_len; ++depth) {
    out->push_back((uint64_t{pi} << 40) | off);
    const uint8_t* h = p.data + off;
    uint8_t c = *h++;
    int type = (c >> 4) & 7;
    while ((c & 0x80) && h < end) c = *h++;
    if (type == 6) {  // OFS_DELTA: base at a negative offset, git's varint
      if (h >= end) break;
      c = *h++;
      uint64_t rel = c & 127;
      while ((c & 128) && h < end) {
        c = *h++;
        rel = ((rel + 1) << 7) | (c & 127);
      }
      if (rel == 0 || rel > off) break;
      off -= rel;
    } else if (type == 7) {  // REF_DELTA: base by id, in the same pack
      if (h + 20 > end) break;
      git_oid base;
      git_oid_fromraw(&base, h);
      Entry e = Find(base);
      if (e.order == UINT64_MAX || (e.order >> 40) != pi) break;
      off = e.order & ((uint64_t{1} << 40) - 1);
    } else {
      break;
    }
  }
  std::reverse(out->begin(), out->end());
}

int PackIndex::ResolvedType(uint64_t order) const {
  std::vector<uint64_t> chain;
  DeltaChain(order, &chain);
  if (chain.empty()) return 0;
  size_t pi = static_cast<size_t>(chain.front() >> 40);
  uint64_t off = chain.front() & ((uint64_t{1} << 40) - 1);
  int type = (packs_[pi].data[off] >> 4) & 7;
  return type >= 1 && type <= 4 ? type : 0;
}

bool IsLfsPointer(std::string_view data) {
  static constexpr std::string_view kPrefix = "version https://git-lfs";
  return data.size() <= 1024 && data.substr(0, kPrefix.size()) == kPrefix;
}

// ---------------------------------------------------------------------------
// BlobReader

BlobReader::BlobReader(std::string repo_path, std::shared_ptr<Progress> progress,
                       uint64_t max_file_size)
    : repo_path_(std::move(repo_path)),
      progress_(std::move(progress)),
      max_file_size_(max_file_size) {}

Status BlobReader::Read(const WorkItem& item, BlobData* out) {
  if (!opened_) {
    opened_ = true;
    auto repo = OpenRepository(repo_path_);
    if (!repo.ok()) {
      open_status_ = repo.status();
    } else {
      repo_ = std::move(repo).value();
      git_odb* odb = nullptr;
      if (git_repository_odb(&odb, repo_.get()) != 0) {
        open_status_ = Status::Error(LastError("cannot open object database"));
      } else {
        odb_.reset(odb);
      }
    }
  }
  if (!odb_) return Status::Error(item.path + ": " + open_status_.message());
  current_.reset();
  git_oid oid;
  if (!ParseOid(item.key, &oid)) return Status::Error(item.path + ": bad blob id " + item.key);
  git_odb_object* obj = nullptr;
  if (git_odb_read(&obj, odb_.get(), &oid) != 0) {
    return Status::Error(LastError(item.path + ": cannot read blob " + item.key));
  }
  current_.reset(obj);
  if (git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
    return Status::Error(item.path + ": object " + item.key + " is not a blob");
  }
  size_t size = git_odb_object_size(obj);
  if (size > max_file_size_) {
    // Only packed deltas get here (their size is unknown at enumeration).
    return Status::Error("skipped: " + item.path + ": blob " + item.key + " is " +
                         std::to_string(size) + " bytes (larger than the maximum file size)");
  }
  out->data = std::string_view(static_cast<const char*>(git_odb_object_data(obj)), size);
  if (utf16_.Decode(out->data, &decoded_)) out->data = decoded_;
  out->blob_id = item.key;
  if (progress_) progress_->Read(size);
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// LiveChecker

LiveChecker::LiveChecker(git_repository* repo, git_commit* tip) : repo_(repo), tip_(tip) {}

bool LiveChecker::IsLive(const Finding& finding) {
  if (!tip_) return false;
  if (!loaded_) {
    loaded_ = true;
    CollectTreeBlobs(repo_, *git_commit_tree_id(tip_), &blobs_);
  }
  git_oid oid;
  if (ParseOid(finding.blob_id, &oid) && blobs_.count(oid)) return true;
  if (finding.secret.empty()) return false;
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, tip_) != 0) return false;
  TreePtr tree(raw_tree);
  for (const std::string* path : {&finding.commit_path, &finding.location.path}) {
    if (path->empty()) continue;
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, tree.get(), path->c_str()) != 0) continue;
    TreeEntryPtr entry(raw_entry);
    if (git_tree_entry_type(raw_entry) != GIT_OBJECT_BLOB) continue;
    git_blob* raw_blob = nullptr;
    if (git_blob_lookup(&raw_blob, repo_, git_tree_entry_id(raw_entry)) != 0) continue;
    BlobPtr blob(raw_blob);
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(raw_blob)),
                             static_cast<size_t>(git_blob_rawsize(raw_blob)));
    if (content.find(finding.secret) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace git_internal

// ---------------------------------------------------------------------------
// DescribeRepository

namespace {

// Removes "user:password@" (any userinfo) from scheme URLs such as
// https://user:token@host/path. scp-like "git@host:path" has no password
// and is kept.
std::string StripCredentials(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t host_start = scheme + 3;
  size_t path_start = url.find('/', host_start);
  size_t at = url.rfind('@', path_start == std::string::npos ? url.size() : path_start);
  if (at == std::string::npos || at < host_start) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

}  // namespace

RepoInfo DescribeRepository(const std::string& path) {
  using namespace git_internal;
  if (!MayBeInRepository(path)) return {};
  auto opened = OpenRepository(path);
  if (!opened.ok()) return {};
  return DescribeOpenRepository(opened.value().get());
}

RepoInfo git_internal::DescribeOpenRepository(git_repository* repo) {
  RepoInfo info;
  git_remote* remote = nullptr;
  if (git_remote_lookup(&remote, repo, "origin") == 0) {
    const char* url = git_remote_url(remote);
    if (url) info.repository_uri = StripCredentials(url);
    git_remote_free(remote);
  }
  git_oid head;
  if (git_reference_name_to_id(&head, repo, "HEAD") == 0) info.revision = Hex(head);
  git_reference* raw_head = nullptr;
  int rc = git_repository_head(&raw_head, repo);
  if (rc == 0) {
    ReferencePtr ref(raw_head);
    if (git_reference_is_branch(raw_head)) info.branch = git_reference_shorthand(raw_head);
  } else if (rc == GIT_EUNBORNBRANCH) {
    // HEAD names a branch with no commit yet: read the symbolic target.
    git_reference* sym = nullptr;
    if (git_reference_lookup(&sym, repo, "HEAD") == 0) {
      ReferencePtr owner(sym);
      const char* target = git_reference_symbolic_target(sym);
      static constexpr std::string_view kHeads = "refs/heads/";
      if (target && std::string_view(target).substr(0, kHeads.size()) == kHeads) {
        info.branch = target + kHeads.size();
      }
    }
  }
  info.shallow = git_repository_is_shallow(repo) == 1;
  return info;
}

}  // namespace vigil
