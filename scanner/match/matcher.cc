// Hyperscan and RE2 are used here and nowhere else.
#include "scanner/match/matcher.h"

#include <fcntl.h>
#include <hs/hs.h>
#include <re2/re2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "scanner/match/filters.h"
#include "scanner/match/validators.h"

namespace vigil {

namespace {
std::string RelaxLargeRepeats(const std::string& pattern, int threshold = 128);
}  // namespace

struct RuleDatabase::Impl {
  hs_database_t* db = nullptr;
  RE2::Options re_opts;
  std::vector<std::string> patterns;
  // RE2s are compiled on first use when the database came from the cache
  // (its patterns were checked when the cache was written), so a pre-commit
  // run pays only for the rules that see a candidate. Each slot is written
  // once, under its own once_flag; slots are never reallocated.
  std::unique_ptr<std::once_flag[]> once;
  mutable std::vector<std::unique_ptr<RE2>> re2;
  // The pattern with every counted repetition's upper bound dropped, when
  // it has one (`{0,100}` becomes `{0,}`): a superset of the pattern's
  // language whose program is small (a bound of n is n copies of the
  // repeated instruction; the generic assignment rules' values have
  // 2,900-instruction programs, and RE2's submatch search on them cost
  // ~0.6 ms a candidate, its DFA rebuilding states for every new text).
  // It finds the match and its groups; the pattern as written then only has
  // to confirm that span, anchored at both ends, with its DFA. nullptr: no
  // bounds to drop (or RE2 rejects the relaxed form).
  mutable std::vector<std::unique_ptr<RE2>> fast_re2;
  mutable std::vector<int> secret_group;  // 0 = whole match
  std::vector<uint32_t> window;
  std::vector<std::vector<std::string>> keywords_lower;
  // The last byte every keyword of a rule ends with, when they all end with
  // the same non-letter (connection-string keywords all end with `=`), or
  // -1: KeywordNear then only looks where that byte occurs.
  std::vector<int> keyword_last;
  // A rule whose pattern is its prefilter followed by a tail: Hyperscan
  // reports every end of the prefilter, so a full match exists at a
  // candidate only if the tail matches anchored there. Checking that first
  // rejects most keyword candidates (`password: ${DB_PASSWORD}`) for the
  // price of a few bytes of anchored RE2 instead of a window search.
  std::vector<std::string> tails;  // "" = no tail check
  std::unique_ptr<std::once_flag[]> tail_once;
  mutable std::vector<std::unique_ptr<RE2>> tail_re2;        // bounds dropped: fast
  mutable std::vector<std::unique_ptr<RE2>> tail_exact_re2;  // as written: exact

  void Compile(size_t i) const {
    const std::string exact = RelaxLargeRepeats(patterns[i]);
    auto re = std::make_unique<RE2>(exact, re_opts);
    int group = 0;
    const auto& named = re->NamedCapturingGroups();
    if (auto it = named.find("secret"); it != named.end()) {
      group = it->second;
    } else if (re->NumberOfCapturingGroups() >= 1) {
      group = 1;
    }
    secret_group[i] = group;
    std::string relaxed = RelaxLargeRepeats(patterns[i], 0);
    if (re->ok() && relaxed != exact) {
      auto fast = std::make_unique<RE2>(relaxed, re_opts);
      if (fast->ok() && fast->NumberOfCapturingGroups() == re->NumberOfCapturingGroups())
        fast_re2[i] = std::move(fast);
    }
    re2[i] = std::move(re);
  }
  const RE2& Get(size_t i, const RE2** fast = nullptr) const {
    std::call_once(once[i], [this, i] { Compile(i); });
    if (fast) *fast = fast_re2[i].get();
    return *re2[i];
  }
  // nullptr when the rule has no tail (or RE2 rejects it: then the full
  // confirmation decides, as without a tail). `exact` is the tail as
  // written, for the candidates the fast one lets through.
  const RE2* Tail(size_t i, const RE2** exact) const {
    *exact = nullptr;
    if (tails[i].empty()) return nullptr;
    std::call_once(tail_once[i], [this, i] {
      // Only "does it match here": no captures needed, so RE2 can answer
      // with its DFA.
      // Every counted repetition loses its upper bound here (`{0,100}`
      // becomes `{0,}`): a superset of the tail's language, so "no match"
      // stays a proof that the full pattern cannot match at this candidate,
      // while the DFA no longer has to count (bounded repeats inside the
      // value made RE2's DFA run out of memory and fall back to the NFA:
      // ~20 us a candidate). The full pattern still decides what matches.
      // A value longer than a bound (a SealedSecret's ciphertext after
      // `accessKey:`) passes the fast check, and the exact one, whose DFA
      // does count, then rejects it before the window search.
      auto re = std::make_unique<RE2>(RelaxLargeRepeats(tails[i], 0), re_opts);
      auto exact = std::make_unique<RE2>(RelaxLargeRepeats(tails[i]), re_opts);
      if (re->ok() && exact->ok()) {
        tail_re2[i] = std::move(re);
        tail_exact_re2[i] = std::move(exact);
      }
    });
    *exact = tail_exact_re2[i].get();
    return tail_re2[i].get();
  }
  // Non-zero when db lives in an anonymous mapping of this size (loaded
  // from the cache by hs_deserialize_database_at) rather than in memory
  // Hyperscan allocated.
  size_t db_mapped_size = 0;
  ~Impl() {
    if (db && db_mapped_size) {
      munmap(db, db_mapped_size);
    } else if (db) {
      hs_free_database(db);
    }
  }
};

RuleDatabase::RuleDatabase() : impl_(std::make_unique<Impl>()) {}
RuleDatabase::~RuleDatabase() = default;

namespace {

constexpr uint32_t kDefaultWindow = 1024;
constexpr uint32_t kLookahead = 512;
// How far a match that reaches the end of its window may be followed.
constexpr uint64_t kMaxWindow = 1 << 20;

uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= 0xff;  // field separator
  h *= 1099511628211ull;
  return h;
}

std::string CacheKey(const std::vector<Rule>& rules) {
  uint64_t h = 1469598103934665603ull;
  h = Fnv1a(h, hs_version());
  hs_platform_info_t plat;
  if (hs_populate_platform(&plat) == HS_SUCCESS) {
    h = Fnv1a(h, std::to_string(plat.tune) + "/" + std::to_string(plat.cpu_features));
  }
  h = Fnv1a(h, "vigil-db-v2-prefilter");
  for (const auto& r : rules) {
    h = Fnv1a(h, r.id);
    h = Fnv1a(h, r.pattern);
    h = Fnv1a(h, r.prefilter);
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// A read-only mapping of a whole file (page-cache pages, mapped a batch at a
// time by the kernel's fault-around: no copy and few faults). Cache files
// are only ever replaced by rename, never truncated in place, so the
// mapping stays valid while it is read.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  bool ok() const { return data_ != nullptr; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

// Deserializes the cached database straight from the mapped file into one
// page-aligned, pre-faulted anonymous mapping that Impl owns (a warm start
// used to read the ~1.5 MB file into a buffer, then hs_deserialize_database
// copied it again into a second one: two rounds of page faults).
bool LoadCached(const std::string& path, RuleDatabase::Impl* impl) {
  MappedFile file(path);
  if (!file.ok()) return false;
  size_t size = 0;
  if (hs_serialized_database_size(file.bytes().data(), file.bytes().size(), &size) != HS_SUCCESS ||
      size == 0)
    return false;
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (mem == MAP_FAILED) return false;
  auto* db = static_cast<hs_database_t*>(mem);
  if (hs_deserialize_database_at(file.bytes().data(), file.bytes().size(), db) != HS_SUCCESS) {
    munmap(mem, size);
    return false;
  }
  impl->db = db;
  impl->db_mapped_size = size;
  return true;
}

void StoreCached(const std::string& dir, const std::string& path, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // Write to a temporary file and rename, so concurrent runs never read a
  // half-written database.
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (out) out.write(bytes, static_cast<std::streamsize>(len));
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  free(bytes);
}

// The RE2 copy of a pattern: counted repetitions with a large upper bound
// (`{20,500}`) become open-ended (`{20,}`). RE2 compiles a bound of n into n
// copies of the repeated instruction, which makes its confirmation slow
// (O(window x program size)); Hyperscan keeps the bound and the window
// bounds the text RE2 sees anyway.
std::string RelaxLargeRepeats(const std::string& pattern, int threshold) {
  std::string out;
  out.reserve(pattern.size());
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out += c;
      out += pattern[++i];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out += pattern[++i];
      continue;
    }
    if (c == '{') {
      size_t j = i + 1, m_start = j;
      while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) ++j;
      size_t m_end = j;
      if (j < pattern.size() && pattern[j] == ',' && m_end > m_start) {
        size_t n_start = ++j;
        while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j]))) ++j;
        if (j < pattern.size() && pattern[j] == '}' && j > n_start &&
            std::stoi(pattern.substr(n_start, j - n_start)) > threshold) {
          out += "{" + pattern.substr(m_start, m_end - m_start) + ",}";
          i = j;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

// The part of a rule's pattern after its prefilter, when the pattern is
// literally the prefilter followed by more and the prefilter ends at a
// clean boundary: not inside a group or a class, not before a quantifier
// that would extend its last atom, and with no capturing group in it (the
// capture numbering of the full pattern stays what the rule says).
std::string TailAfterPrefilter(const Rule& r) {
  const std::string& p = r.prefilter;
  const std::string& full = r.pattern;
  if (p.empty() || full.size() <= p.size() || full.compare(0, p.size(), p) != 0) return "";
  int depth = 0;
  bool in_class = false;
  bool clean_split = false;
  for (size_t i = 0; i < full.size(); ++i) {
    if (i == p.size()) clean_split = depth == 0 && !in_class;
    if (i > p.size() && !clean_split) return "";
    char c = full[i];
    if (c == '\\') {
      if (i + 1 == p.size()) return "";  // the split would cut an escape
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < full.size() && full[i + 1] == '^') ++i;
      if (i + 1 < full.size() && full[i + 1] == ']') ++i;
    } else if (c == '(') {
      // A capturing group in the prefilter would shift the numbering.
      if (i < p.size() && (i + 1 >= full.size() || full[i + 1] != '?')) return "";
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return "";  // a top-level alternation does not split
    }
  }
  if (!clean_split) return "";
  std::string tail = full.substr(p.size());
  if (std::string_view("*+?{").find(tail[0]) != std::string_view::npos) return "";
  return tail;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string RuleDatabase::DefaultCacheDir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/vigil";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/vigil";
  return "";
}

namespace {

// The parsed-rules cache key: the rules files' texts, the engine and the
// platform (as for the compiled database), and the cache format.
std::string RulesCacheKey(const std::vector<RuleFileText>& files) {
  uint64_t h = HashRuleFiles(files);
  h = Fnv1a(h, hs_version());
  hs_platform_info_t plat;
  if (hs_populate_platform(&plat) == HS_SUCCESS) {
    h = Fnv1a(h, std::to_string(plat.tune) + "/" + std::to_string(plat.cpu_features));
  }
  h = Fnv1a(h, "vigil-rules-v1");
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Temporary file and rename: concurrent runs never read a half-written file.
void WriteFileAtomically(const std::string& dir, const std::string& path, std::string_view bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace

Result<std::shared_ptr<const RuleDatabase>> RuleDatabase::Load(
    const std::vector<RuleFileText>& files, const CompileOptions& options) {
  std::vector<Rule> rules;
  bool cached = false;
  std::string path;
  if (options.use_cache && !options.cache_dir.empty()) {
    path = options.cache_dir + "/rules-" + RulesCacheKey(files) + ".rules";
    // A corrupt or truncated cache fails to deserialize (or to validate):
    // it is then parsed again and rewritten.
    MappedFile file(path);
    if (file.ok() && DeserializeRules(file.bytes(), &rules).ok()) cached = true;
  }
  if (!cached) {
    rules.clear();
    if (Status s = ParseRuleFiles(files, &rules); !s.ok()) return s;
  }
  std::vector<Rule> copy;
  if (!cached && !path.empty()) copy = rules;
  auto db = Build(std::move(rules), options);
  if (!db.ok()) return db;
  // Written only once the rules compiled: a cached rule set is a valid one.
  if (!cached && !path.empty()) WriteFileAtomically(options.cache_dir, path, SerializeRules(copy));
  if (cached) std::const_pointer_cast<RuleDatabase>(db.value())->rules_from_cache_ = true;
  return db;
}

Result<std::shared_ptr<const RuleDatabase>> RuleDatabase::Build(std::vector<Rule> rules,
                                                                const CompileOptions& options) {
  std::shared_ptr<RuleDatabase> out(new RuleDatabase());
  Impl& impl = *out->impl_;
  if (rules.empty()) return Status::Error("no rules to compile");
  RE2::Options re_opts;
  re_opts.set_encoding(RE2::Options::EncodingLatin1);
  re_opts.set_log_errors(false);
  re_opts.set_max_mem(64 << 20);
  impl.re_opts = re_opts;
  impl.once = std::make_unique<std::once_flag[]>(rules.size());
  impl.re2.resize(rules.size());
  impl.fast_re2.resize(rules.size());
  impl.secret_group.assign(rules.size(), 0);
  impl.tail_once = std::make_unique<std::once_flag[]>(rules.size());
  impl.tail_re2.resize(rules.size());
  impl.tail_exact_re2.resize(rules.size());
  for (const auto& r : rules) {
    if (!r.validator.empty() && !IsKnownValidator(r.validator))
      return Status::Error(r.source_file + " (rule " + r.id + "): unknown validator `" +
                           r.validator + "`");
    impl.patterns.push_back(r.pattern);
    impl.window.push_back(r.window ? r.window : kDefaultWindow);
    impl.tails.push_back(TailAfterPrefilter(r));
    std::vector<std::string> kw;
    for (const auto& k : r.keywords) kw.push_back(ToLower(k));
    int last = -1;
    for (size_t k = 0; k < kw.size(); ++k) {
      unsigned char c = kw[k].empty() ? 0 : static_cast<unsigned char>(kw[k].back());
      if (kw[k].empty() || std::isalpha(c) || (k > 0 && c != last)) {
        last = -1;
        break;
      }
      last = c;
    }
    impl.keyword_last.push_back(last);
    impl.keywords_lower.push_back(std::move(kw));
  }

  std::string cache_path;
  if (options.use_cache && !options.cache_dir.empty()) {
    cache_path = options.cache_dir + "/rules-" + CacheKey(rules) + ".hsdb";
    if (LoadCached(cache_path, &impl)) out->from_cache_ = true;
  }
  if (!impl.db) {
    // Not from the cache: check every pattern in RE2 now.
    for (size_t i = 0; i < rules.size(); ++i) {
      const RE2& re = impl.Get(i);
      if (!re.ok())
        return Status::Error(rules[i].source_file + " (rule " + rules[i].id +
                             "): RE2 rejects the pattern: " + re.error());
    }
    std::vector<const char*> exprs;
    std::vector<unsigned> flags, ids;
    for (size_t i = 0; i < rules.size(); ++i) {
      exprs.push_back(rules[i].prefilter.empty() ? rules[i].pattern.c_str()
                                                 : rules[i].prefilter.c_str());
      flags.push_back(0);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    hs_error_t rc = hs_compile_multi(exprs.data(), flags.data(), ids.data(),
                                     static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr,
                                     &impl.db, &err);
    if (rc != HS_SUCCESS) {
      std::string msg = "Hyperscan rejects the rules: ";
      if (err) {
        if (err->expression >= 0 && static_cast<size_t>(err->expression) < rules.size()) {
          const Rule& r = rules[err->expression];
          msg = r.source_file + " (rule " + r.id + "): Hyperscan rejects the " +
                (r.prefilter.empty() ? "pattern" : "prefilter") + ": ";
        }
        msg += err->message;
        hs_free_compile_error(err);
      }
      return Status::Error(msg);
    }
    if (!cache_path.empty()) StoreCached(options.cache_dir, cache_path, impl.db);
  }
  out->rules_ = std::move(rules);
  return std::shared_ptr<const RuleDatabase>(std::move(out));
}

bool AcceptSecret(const Rule& rule, std::string_view secret, std::string* validation,
                  std::string_view before, std::string_view after) {
  if (secret.empty()) return false;
  if (IsEncryptedOrDigest(secret)) return false;
  Verdict verdict = Verdict::kUnknown;
  if (!rule.validator.empty()) {
    verdict = RunValidator(rule.validator, secret);
    if (verdict == Verdict::kInvalid) return false;
    if (verdict == Verdict::kValid) *validation = rule.validator + ": valid";
  }
  if (rule.min_entropy > 0 && ShannonEntropy(secret) < rule.min_entropy) return false;
  // A catch-all rule does not report what a specific rule's validator
  // already rejected: a ghp_/npm_ token with a bad checksum is not a token.
  if (std::find(rule.tags.begin(), rule.tags.end(), "generic") != rule.tags.end() &&
      secret.size() == 40) {
    for (std::string_view prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"}) {
      if (secret.substr(0, 4) == prefix && !ValidTokenChecksum(secret, prefix)) return false;
    }
  }
  if (rule.placeholder_check && verdict != Verdict::kValid) {
    if (IsPlaceholder(secret) || IsReservedExampleHost(after)) return false;
    bool generic_token =
        std::find(rule.tags.begin(), rule.tags.end(), "generic") != rule.tags.end() &&
        std::find(rule.tags.begin(), rule.tags.end(), "token") != rule.tags.end();
    if (generic_token && IsPaginationToken(before)) return false;
  }
  // Documented example credentials are never real, whatever the validator says.
  if (IsDocumentedExample(secret)) return false;
  return true;
}

struct Matcher::State {
  hs_scratch_t* scratch = nullptr;
  std::vector<uint64_t> last_end;  // per rule: end of the last candidate handled
  std::vector<uint32_t> touched;   // rules whose last_end is set
  std::string_view data;
  std::vector<RawMatch>* out = nullptr;
  size_t max_matches = 0;
  const RuleDatabase* db = nullptr;
  std::vector<re2::StringPiece> groups;
  std::vector<re2::StringPiece> wider;  // groups of a widened window
  std::string lower;                    // KeywordNear's buffer
  ~State() {
    if (scratch) hs_free_scratch(scratch);
  }
};

Matcher::Matcher(std::shared_ptr<const RuleDatabase> db)
    : db_(std::move(db)), state_(std::make_unique<State>()) {
  hs_alloc_scratch(db_->impl().db, &state_->scratch);
  state_->last_end.assign(db_->rules().size(), 0);
  state_->db = db_.get();
}

Matcher::~Matcher() = default;

namespace {

// True when one of the (lower-case) keywords occurs, ASCII case-insensitively,
// in data[start - 128, end). The text is lowered once into a buffer (the
// span is bounded by the confirmation window), then memmem per keyword.
bool KeywordNear(const std::vector<std::string>& kws, int last, std::string_view data,
                 uint64_t start, uint64_t end, std::string* buf) {
  if (kws.empty()) return true;
  uint64_t lo = start > 128 ? start - 128 : 0;
  std::string_view text = data.substr(lo, end - lo);
  if (last >= 0) {
    // Every keyword ends with the same non-letter: compare backwards from
    // each occurrence of it (memchr) instead of lowering the whole span.
    const char* base = text.data();
    const char* p = base;
    const char* stop = base + text.size();
    while ((p = static_cast<const char*>(memchr(p, last, static_cast<size_t>(stop - p)))) !=
           nullptr) {
      size_t have = static_cast<size_t>(p - base) + 1;
      for (const auto& k : kws) {
        if (k.size() > have) continue;
        const char* q = p + 1 - k.size();
        size_t i = 0;
        for (; i < k.size(); ++i) {
          unsigned char c = static_cast<unsigned char>(q[i]);
          if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != static_cast<unsigned char>(k[i]))
            break;
        }
        if (i == k.size()) return true;
      }
      ++p;
    }
    return false;
  }
  buf->resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    (*buf)[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  for (const auto& k : kws) {
    if (k.empty() || memmem(buf->data(), buf->size(), k.data(), k.size()) != nullptr) return true;
  }
  return false;
}

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* ctx) {
  auto* st = static_cast<Matcher::State*>(ctx);
  if (st->out->size() >= st->max_matches) return 1;  // stop the scan
  uint64_t& last = st->last_end[id];
  if (last == 0) st->touched.push_back(id);
  if (to <= last) return 0;
  const auto& impl = st->db->impl();
  const Rule& rule = st->db->rules()[id];
  uint64_t window = impl.window[id];
  uint64_t lo = to > window ? to - window : 0;
  lo = std::max(lo, last);
  // A rule with a prefilter reports its candidate before the secret, so RE2
  // must look ahead; a full pattern's candidate ends at (or near) the match
  // end. Both are bounded: the window RE2 scans is what a candidate costs.
  uint64_t ahead = rule.prefilter.empty() ? kLookahead : kLookahead / 2;
  uint64_t hi = std::min<uint64_t>(st->data.size(), to + ahead);
  const RE2* exact_tail = nullptr;
  if (const RE2* tail = impl.Tail(id, &exact_tail)) {
    // The text before `to` is context (for \b); the tail must start at `to`.
    re2::StringPiece text(st->data.data() + lo, hi - lo);
    if (!tail->Match(text, to - lo, text.size(), RE2::ANCHOR_START, nullptr, 0)) return 0;
    if (!exact_tail->Match(text, to - lo, text.size(), RE2::ANCHOR_START, nullptr, 0)) return 0;
  }
  // A keyword must occur within 128 bytes before the match or in it; the
  // match lies in [lo, hi], so no keyword in [lo - 128, hi] means no match.
  if (!KeywordNear(impl.keywords_lower[id], impl.keyword_last[id], st->data, lo, hi, &st->lower))
    return 0;
  const RE2* fast = nullptr;
  const RE2& re = impl.Get(id, &fast);
  if (!re.ok()) {
    last = to;
    return 0;
  }
  int ngroups = re.NumberOfCapturingGroups() + 1;
  st->groups.resize(ngroups);
  // The match and its groups: found with the relaxed pattern and confirmed
  // by the exact one on that span; where the exact one does not match that
  // span (a value over a bound), it searches itself, as without `fast`.
  auto match = [&](re2::StringPiece text, size_t startpos, RE2::Anchor anchor,
                   re2::StringPiece* groups) {
    if (fast != nullptr) {
      if (!fast->Match(text, startpos, text.size(), anchor, groups, ngroups)) return false;
      size_t s = groups[0].data() - text.data();
      if (re.Match(text, s, s + groups[0].size(), RE2::ANCHOR_BOTH, nullptr, 0)) return true;
    }
    return re.Match(text, startpos, text.size(), anchor, groups, ngroups);
  };
  // RE2 sees only the window (a small text lets it use its fastest
  // engines); a match starting exactly at `lo` sees no left context.
  re2::StringPiece window_text(st->data.data() + lo, hi - lo);
  if (!match(window_text, 0, RE2::UNANCHORED, st->groups.data())) {
    last = to;  // engines disagree here (context at the window edge); move on
    return 0;
  }
  // A match that runs to the end of the window may go on past it (a long
  // base64 value): widen the window from the same start until the match
  // ends inside it, so the secret is never cut at the window's edge and
  // the candidates Hyperscan reports further along the same value are
  // covered by `last` instead of each paying a search of its own.
  for (uint64_t grow = std::max<uint64_t>(hi - lo, kLookahead);
       st->groups[0].data() + st->groups[0].size() == st->data.data() + hi &&
       hi < st->data.size() && hi - lo < kMaxWindow;
       grow *= 2) {
    uint64_t from = st->groups[0].data() - st->data.data();
    hi = std::min<uint64_t>({st->data.size(), hi + grow, lo + kMaxWindow});
    re2::StringPiece wider(st->data.data() + lo, hi - lo);
    st->wider.resize(ngroups);
    // (An end-of-text assertion can make the wider text match differently
    // or not at all from this start: then the narrower match stands.)
    if (!match(wider, from - lo, RE2::ANCHOR_START, st->wider.data())) break;
    st->groups.swap(st->wider);
  }
  const re2::StringPiece& whole = st->groups[0];
  uint64_t start = whole.data() - st->data.data();
  uint64_t end = start + whole.size();
  last = std::max<uint64_t>(end, to);
  int g = impl.secret_group[id];
  const re2::StringPiece& sec = st->groups[g];
  if (sec.data() == nullptr) return 0;
  uint64_t s_start = sec.data() - st->data.data();
  uint64_t s_end = s_start + sec.size();
  if (!KeywordNear(impl.keywords_lower[id], impl.keyword_last[id], st->data, start, end,
                   &st->lower))
    return 0;
  std::string validation;
  // The line up to the match (at most 64 bytes) and what follows the secret
  // on its line (at most 256): the context the placeholder filter reads.
  uint64_t b_lo = start > 64 ? start - 64 : 0;
  std::string_view before = st->data.substr(b_lo, start - b_lo);
  if (size_t nl = before.find_last_of('\n'); nl != std::string_view::npos)
    before.remove_prefix(nl + 1);
  std::string_view after = st->data.substr(s_end, 256);
  if (size_t nl = after.find('\n'); nl != std::string_view::npos) after = after.substr(0, nl);
  if (!AcceptSecret(rule, st->data.substr(s_start, s_end - s_start), &validation, before, after))
    return 0;
  RawMatch m;
  m.rule = id;
  m.start = start;
  m.end = end;
  m.secret_start = s_start;
  m.secret_end = s_end;
  m.validation = std::move(validation);
  st->out->push_back(std::move(m));
  return 0;
}

}  // namespace

Status Matcher::Scan(std::string_view data, std::vector<RawMatch>* out, size_t max_matches) {
  State& st = *state_;
  for (uint32_t r : st.touched) st.last_end[r] = 0;
  st.touched.clear();
  st.data = data;
  st.out = out;
  st.max_matches = out->size() + max_matches;
  size_t first = out->size();
  // Hyperscan takes an unsigned int length; scan huge blobs in overlapping
  // chunks (never happens below the default size limit).
  constexpr uint64_t kChunk = 1ull << 31;
  if (data.size() <= kChunk) {
    hs_error_t rc = hs_scan(db_->impl().db, data.data(), static_cast<unsigned>(data.size()), 0,
                            st.scratch, OnMatch, &st);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
      return Status::Error("Hyperscan scan failed (code " + std::to_string(rc) + ")");
  } else {
    return Status::Error("blob larger than 2 GiB");
  }
  std::sort(out->begin() + first, out->end(), [](const RawMatch& a, const RawMatch& b) {
    return a.start != b.start ? a.start < b.start : a.rule < b.rule;
  });
  return Status::Ok();
}

}  // namespace vigil
