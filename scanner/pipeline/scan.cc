#include "scanner/pipeline/scan.h"

#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "scanner/core/lines.h"
#include "scanner/pipeline/path_filter.h"
#include "scanner/source/git_source.h"

namespace vigil {

namespace {

using Clock = std::chrono::steady_clock;

bool LooksBinary(std::string_view data) {
  size_t n = std::min<size_t>(data.size(), 8192);
  return std::memchr(data.data(), '\0', n) != nullptr;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A compiled allowlist.
struct CompiledAllowlist {
  PathFilter paths;
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<std::string> stopwords;  // lower-case

  void Build(const AllowlistConfig& c) {
    (void)paths.Add(c.paths);  // validated when the config was loaded
    for (const auto& r : c.regexes) regexes.push_back(std::make_unique<RE2>(r, RE2::Quiet));
    for (const auto& s : c.stopwords) stopwords.push_back(Lower(s));
  }
  // Why the finding is allowed, or "" when it is not.
  std::string Allows(const Finding& f, const std::string& rel_path) const {
    if (!paths.empty() && paths.Matches(rel_path)) return "allowlist: path";
    for (const auto& re : regexes) {
      if (re->ok() && !f.secret.empty() && RE2::PartialMatch(f.secret, *re))
        return "allowlist: regex";
    }
    if (!stopwords.empty() && !f.secret.empty()) {
      std::string s = Lower(f.secret);
      for (const auto& w : stopwords) {
        if (s.find(w) != std::string::npos) return "allowlist: stopword";
      }
    }
    return "";
  }
};

// The hand-over from the enumerating thread to the workers, bounded so that
// memory is set by the items in flight, not by the number of items (a
// history has hundreds of thousands). Push blocks while the queue is full,
// until the workers have taken half of it (waking the producer for every
// item taken from a full queue costs a futex call per item); nobody is
// notified who is not waiting. Once aborted (timeout, cancel) pushes are
// dropped and pops fail.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  void Push(WorkItem item) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.size() >= capacity_) {
      ++push_waiting_;
      not_full_.wait(lock, [&] { return items_.size() <= capacity_ / 2 || aborted_; });
      --push_waiting_;
    }
    if (aborted_) return;
    items_.push_back(std::move(item));
    if (pop_waiting_ > 0) not_empty_.notify_one();
  }
  // The next item; false once the queue is closed and drained, or aborted.
  bool Pop(WorkItem* out) {
    std::unique_lock<std::mutex> lock(mu_);
    if (items_.empty() && !closed_ && !aborted_) {
      ++pop_waiting_;
      not_empty_.wait(lock, [&] { return !items_.empty() || closed_ || aborted_; });
      --pop_waiting_;
    }
    if (aborted_ || items_.empty()) return false;
    *out = std::move(items_.front());
    items_.pop_front();
    if (push_waiting_ > 0 && items_.size() <= capacity_ / 2) not_full_.notify_one();
    return true;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }
  // No more items will be pushed.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<WorkItem> items_;
  int push_waiting_ = 0, pop_waiting_ = 0;
  bool closed_ = false, aborted_ = false;
};

// Items queued ahead of the workers at most.
constexpr size_t kQueueCapacity = 4096;

struct WorkerResult {
  std::vector<Finding> findings;
  std::vector<ScanError> errors;
  std::map<std::string, std::vector<std::pair<uint32_t, std::string>>> markers;  // path -> markers
  uint64_t files = 0, bytes = 0, skipped = 0;
};

// The path a fingerprint names a working-tree file by: relative to the root
// of the repository that contains it (git sources' paths are relative to it
// already), or to the scan root it was found under when it is in none; so
// the same secret in the same file has one fingerprint however it was
// scanned. One repository discovery per directory with findings.
class FingerprintPath {
 public:
  FingerprintPath(bool filesystem_paths, const std::vector<std::string>& roots)
      : fs_(filesystem_paths) {
    if (!fs_) return;
    for (const auto& r : roots) {
      std::error_code ec;
      std::filesystem::path p =
          std::filesystem::weakly_canonical(std::filesystem::absolute(r, ec), ec);
      if (ec) continue;
      if (!std::filesystem::is_directory(p, ec)) p = p.parent_path();
      roots_.push_back(p);
    }
  }
  std::string operator()(const std::string& path) {
    if (!fs_) return path;
    // Findings of one directory share the work (absolute path,
    // canonicalisation: a readlink per component, repository discovery): it
    // is done once per directory as written, and each file's name is joined
    // to the directory's relative forms. A lint run has thousands of findings.
    size_t slash = path.rfind('/');
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.empty() || name == "." || name == "..") return path;
    std::string raw_dir = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    auto it = dirs_.find(raw_dir);
    if (it == dirs_.end()) it = dirs_.emplace(raw_dir, DirRelatives(path)).first;
    for (const std::string& d : it->second) {
      if (d.empty()) continue;
      std::string rel = d == "." ? name : d + "/" + name;
      if (rel.rfind("..", 0) != 0) return rel;
    }
    return path;
  }

 private:
  // The directory of `path` relative to each base (its repository's top
  // directory, then the scan roots), in order; "" where there is none.
  std::vector<std::string> DirRelatives(const std::string& path) {
    namespace fs = std::filesystem;
    std::vector<std::string> out;
    std::error_code ec;
    fs::path abs = fs::absolute(path, ec).lexically_normal();
    if (ec) return out;
    fs::path dir = fs::weakly_canonical(abs.parent_path(), ec);
    if (ec) return out;
    auto it = workdirs_.find(dir.string());
    if (it == workdirs_.end())
      it = workdirs_.emplace(dir.string(), RepositoryWorkdir(dir.string())).first;
    std::vector<fs::path> bases;
    if (!it->second.empty()) bases.push_back(fs::path(it->second).lexically_normal().parent_path());
    for (const auto& r : roots_) bases.push_back(r);
    for (const auto& b : bases) out.push_back(dir.lexically_relative(b).generic_string());
    return out;
  }

  bool fs_;
  std::vector<std::filesystem::path> roots_;
  std::map<std::string, std::string> workdirs_;
  std::map<std::string, std::vector<std::string>> dirs_;  // directory as written -> DirRelatives
};

// Paths in the configuration are relative to the directory of the config
// file; working-tree paths are relative to where vigil runs (or absolute).
class RelativePath {
 public:
  RelativePath(const Config* cfg, bool filesystem_paths) : fs_(filesystem_paths) {
    if (cfg && !cfg->path.empty() && fs_) {
      std::error_code ec;
      base_ = std::filesystem::absolute(std::filesystem::path(cfg->path).parent_path(), ec)
                  .lexically_normal();
    }
  }
  std::string operator()(const std::string& path) const {
    if (!fs_ || base_.empty()) return path;
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec).lexically_normal();
    auto rel = abs.lexically_relative(base_);
    std::string r = rel.generic_string();
    if (r.empty() || r.rfind("..", 0) == 0) return path;
    return r;
  }

 private:
  bool fs_;
  std::filesystem::path base_;
};

}  // namespace

namespace {

// Multi-line values for inline suppression: a `vigil:ignore` marker on the
// line where a value starts (or on the line just before it) covers every line
// of that value. Recognised: YAML block scalars (`key: |`, `- >-`), PEM blocks
// (-----BEGIN ... -----END), heredocs (`<<EOF`, `<<-'EOF'`, Terraform
// `<<~EOT`), triple-quoted strings (''' and """) and backtick strings (Go raw
// strings, JS templates, Markdown fences). Purely textual, so it works in any
// file type; an unterminated value covers at most kMaxValueLines lines.
constexpr uint32_t kMaxValueLines = 5000;

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

size_t IndentOf(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

size_t CountOf(std::string_view s, std::string_view what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string_view::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// The text of `line` without a trailing YAML/shell comment (` #...`).
std::string_view WithoutHashComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  }
  return line;
}

// When a YAML block scalar starts on this line, the indentation its content
// must exceed; otherwise npos.
size_t BlockScalarIndent(std::string_view line) {
  std::string_view s = TrimView(WithoutHashComment(line));
  // Header: [|>] then optional indentation and chomping indicators.
  size_t h = s.size();
  while (h > 0 &&
         (std::isdigit(static_cast<unsigned char>(s[h - 1])) || s[h - 1] == '-' || s[h - 1] == '+'))
    --h;
  if (h == 0 || (s[h - 1] != '|' && s[h - 1] != '>')) return std::string_view::npos;
  std::string_view before = TrimView(s.substr(0, h - 1));
  size_t indent = IndentOf(line);
  if (before.empty()) return std::string_view::npos;
  if (before.back() == ':') {
    // `key: |` or `- key: |`: content is indented more than the key.
    size_t k = indent;
    while (k + 1 < line.size() && line[k] == '-' && (line[k + 1] == ' ' || line[k + 1] == '\t')) {
      k = k + 1 + IndentOf(line.substr(k + 1));
    }
    return k;
  }
  if (before == "-" ||
      (before.back() == '-' && TrimView(before.substr(0, before.size() - 1)).empty())) {
    return indent;  // `- |`: a sequence entry
  }
  return std::string_view::npos;
}

// The heredoc delimiter opened on this line (`<<EOF`, `<<-"EOF"`, `<<~EOT`,
// `<< 'END'`), or "".
std::string_view HeredocWord(std::string_view line) {
  for (size_t p = line.find("<<"); p != std::string_view::npos; p = line.find("<<", p + 2)) {
    size_t q = p + 2;
    if (q < line.size() && (line[q] == '-' || line[q] == '~')) ++q;
    while (q < line.size() && line[q] == ' ') ++q;
    char quote = 0;
    if (q < line.size() && (line[q] == '\'' || line[q] == '"')) quote = line[q++];
    size_t w = q;
    while (q < line.size() && (std::isalnum(static_cast<unsigned char>(line[q])) || line[q] == '_'))
      ++q;
    if (q == w || std::isdigit(static_cast<unsigned char>(line[w]))) continue;
    if (quote && (q >= line.size() || line[q] != quote)) continue;
    return line.substr(w, q - w);
  }
  return {};
}

// The last line (1-based) of a multi-line value starting on `start`, or 0 when
// no multi-line value starts there.
uint32_t MultiLineValueEnd(const LineIndex& lines, uint32_t start) {
  if (start == 0 || start > lines.line_count()) return 0;
  const uint32_t n = lines.line_count();
  const uint32_t limit = std::min<uint32_t>(n, start + kMaxValueLines);
  std::string_view first = lines.Line(start);
  // A value that closes on a later line containing `closer`.
  auto until = [&](std::string_view closer) -> uint32_t {
    for (uint32_t l = start + 1; l <= limit; ++l) {
      if (lines.Line(l).find(closer) != std::string_view::npos) return l;
    }
    return 0;
  };
  if (size_t b = first.find("-----BEGIN ");
      b != std::string_view::npos && first.find("-----END ", b) == std::string_view::npos) {
    if (uint32_t e = until("-----END "); e) return e;
  }
  if (size_t base = BlockScalarIndent(first); base != std::string_view::npos) {
    uint32_t last = 0;
    for (uint32_t l = start + 1; l <= limit; ++l) {
      std::string_view t = lines.Line(l);
      if (TrimView(t).empty()) continue;
      if (IndentOf(t) <= base) break;
      last = l;
    }
    if (last) return last;
  }
  if (std::string_view word = HeredocWord(first); !word.empty()) {
    for (uint32_t l = start + 1; l <= limit; ++l) {
      if (TrimView(lines.Line(l)) == word) return l;
    }
  }
  for (std::string_view q : {std::string_view("\"\"\""), std::string_view("'''")}) {
    if (CountOf(first, q) % 2 == 1) {
      if (uint32_t e = until(q); e) return e;
    }
  }
  if (CountOf(first, "`") % 2 == 1) {
    if (uint32_t e = until("`"); e) return e;
  }
  return 0;
}

}  // namespace

// Each marker yields (its line, rule); RunScan treats an entry as covering its
// line and the next one. When a multi-line value starts on the marker's line
// or the line after it, the entries continue to the value's second-to-last
// line, so the marker covers the whole value and nothing after it.
std::vector<std::pair<uint32_t, std::string>> FindIgnoreMarkers(std::string_view data) {
  std::vector<std::pair<uint32_t, std::string>> out;
  static constexpr std::string_view kMarker = "vigil:ignore";
  // memmem (two-way search) is much faster than string_view::find here,
  // and this runs over every byte scanned.
  auto find = [&](size_t from) -> size_t {
    if (from >= data.size()) return std::string_view::npos;
    const void* hit =
        memmem(data.data() + from, data.size() - from, kMarker.data(), kMarker.size());
    return hit ? static_cast<const char*>(hit) - data.data() : std::string_view::npos;
  };
  size_t pos = find(0);
  if (pos == std::string_view::npos) return out;
  LineIndex lines(data);
  while (pos != std::string_view::npos) {
    auto [line, col] = lines.Position(pos);
    (void)col;
    size_t p = pos + kMarker.size();
    // Optional rule ids: `vigil:ignore <rule-id>`, `vigil:ignore=<id>`, or a
    // comma-separated list `vigil:ignore id-a,id-b`.
    std::vector<std::string> rules;
    if (p < data.size() && (data[p] == ' ' || data[p] == '=' || data[p] == ':')) {
      size_t q = p + 1;
      while (true) {
        size_t w = q;
        while (q < data.size() && (std::isalnum(static_cast<unsigned char>(data[q])) ||
                                   data[q] == '-' || data[q] == '_'))
          ++q;
        if (q > w) rules.emplace_back(data.substr(w, q - w));
        if (q + 1 < data.size() && data[q] == ',' && data[q + 1] != ' ' && data[q + 1] != '\n') {
          ++q;
          continue;
        }
        break;
      }
    }
    if (rules.empty()) rules.emplace_back();
    uint32_t end = MultiLineValueEnd(lines, line);
    if (end == 0) end = MultiLineValueEnd(lines, line + 1);
    for (const auto& rule : rules) {
      out.emplace_back(line, rule);
      for (uint32_t l = line + 1; l + 1 <= end; ++l) out.emplace_back(l, rule);
    }
    pos = find(p);
  }
  return out;
}

std::string FormatProgressLine(const ProgressCounts& c) {
  char buf[256];
  std::string line;
  if (c.objects_enumerated > 0) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 " objects enumerated, ", c.objects_enumerated);
    line += buf;
  }
  double mb = static_cast<double>(c.bytes_scanned) / 1e6;
  double rate = c.seconds > 0 ? mb / c.seconds : 0.0;
  std::snprintf(buf, sizeof buf, "%" PRIu64 "/%" PRIu64 "%s blobs scanned, %.1f MB at %.1f MB/s, ",
                c.blobs_scanned, c.blobs_total, c.enumeration_done ? "" : "+", mb, rate);
  line += buf;
  // The ETA assumes the remaining blobs go at the rate of those scanned so
  // far; unknown until enumeration has counted them all.
  if (!c.enumeration_done || c.blobs_scanned == 0 || c.seconds <= 0) {
    line += "ETA --";
  } else {
    uint64_t left = c.blobs_total - std::min(c.blobs_scanned, c.blobs_total);
    auto eta = static_cast<uint64_t>(
        c.seconds * static_cast<double>(left) / static_cast<double>(c.blobs_scanned) + 0.5);
    if (eta >= 3600) {
      std::snprintf(buf, sizeof buf, "ETA %" PRIu64 "h%02" PRIu64 "m", eta / 3600, eta / 60 % 60);
    } else if (eta >= 60) {
      std::snprintf(buf, sizeof buf, "ETA %" PRIu64 "m%02" PRIu64 "s", eta / 60, eta % 60);
    } else {
      std::snprintf(buf, sizeof buf, "ETA %" PRIu64 "s", eta);
    }
    line += buf;
  }
  return line;
}

std::string Fingerprint(const Finding& f) {
  return Fingerprint(f, f.commit_path.empty() ? f.location.path : f.commit_path);
}

std::string Fingerprint(const Finding& f, const std::string& path) {
  std::string material = "vigil/v1\n" + f.rule_id + "\n" + path + "\n" +
                         (f.secret.empty() ? f.key + "\n" + f.message : f.secret);
  return Sha1Hex(material);
}

ScanOutcome RunScan(Source& source, const std::vector<Inspector*>& inspectors,
                    const PipelineOptions& options) {
  auto started = Clock::now();
  ScanOutcome outcome;
  outcome.summary.mode = source.Mode();
  const Config* cfg = options.config;

  PathFilter exclude;
  if (cfg) (void)exclude.Add(cfg->exclude);
  RelativePath relative(cfg, source.Mode() == "working-tree");

  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, threads);
  // Workers scan while the source is still enumerating (a history source
  // hands over each tree level's blobs as soon as the level is read).
  WorkQueue queue(kQueueCapacity);
  std::atomic<bool> stopped{false};
  std::atomic<bool> enumerated{false};
  std::atomic<uint64_t> emitted{0}, scanned{0}, done_bytes{0};
  auto deadline = options.timeout_seconds > 0
                      ? started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.timeout_seconds))
                      : Clock::time_point::max();
  std::vector<WorkerResult> results(threads);

  const bool wants_context = std::any_of(inspectors.begin(), inspectors.end(),
                                         [](const Inspector* in) { return in->WantsContext(); });
  auto work = [&](int t) {
    WorkerResult& res = results[t];
    std::unique_ptr<SourceReader> reader = source.NewReader();
    std::vector<std::unique_ptr<InspectorWorker>> workers;
    for (Inspector* in : inspectors) workers.push_back(in->NewWorker());
    BlobData blob;
    WorkItem item;
    while (queue.Pop(&item)) {
      if ((options.cancel && options.cancel->load()) || Clock::now() > deadline) {
        stopped = true;
        queue.Abort();
        break;
      }
      // Context items are read only for an inspector that wants them (a
      // staged scan with --no-policies reads just the staged blobs).
      if (item.context && !wants_context) {
        scanned.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      Status rs = reader->Read(item, &blob);
      scanned.fetch_add(1, std::memory_order_relaxed);
      if (!rs.ok()) {
        // A reader that finds an item over a limit only once it reads it
        // (packed git blobs) says "skipped: ...": a note, not an error.
        bool skipped = rs.message().find("skipped:") != std::string::npos;
        if (skipped && !item.context) res.skipped++;  // context: not part of the scan
        res.errors.push_back({item.path, 0, rs.message(), skipped});
        continue;
      }
      if (item.context) {
        // An unchanged file of a staged scan: a peer for cross-file checks
        // (the linter) only; neither secret-scanned nor counted.
        BlobRef peer{item.path, blob.data, item.from_history, true};
        for (size_t k = 0; k < workers.size(); ++k) {
          if (inspectors[k]->WantsContext()) workers[k]->Inspect(peer, &res.findings, &res.errors);
        }
        auto markers = FindIgnoreMarkers(blob.data);
        if (!markers.empty()) res.markers[item.path] = std::move(markers);
        continue;
      }
      if (LooksBinary(blob.data)) {
        res.skipped++;
        continue;
      }
      res.files++;
      res.bytes += blob.data.size();
      done_bytes.fetch_add(blob.data.size(), std::memory_order_relaxed);
      BlobRef ref{item.path, blob.data, item.from_history};
      size_t before = res.findings.size();
      for (auto& w : workers) w->Inspect(ref, &res.findings, &res.errors);
      for (size_t k = before; k < res.findings.size(); ++k) {
        if (res.findings[k].blob_id.empty()) res.findings[k].blob_id = blob.blob_id;
      }
      auto markers = FindIgnoreMarkers(blob.data);
      if (!markers.empty()) res.markers[item.path] = std::move(markers);
    }
  };

  // Progress on stderr, only when it is a terminal: at most 10 lines a
  // second, the first after 100 ms (quick scans print nothing), cleared at
  // the end.
  std::thread progress;
  std::mutex progress_mu;
  std::condition_variable progress_cv;
  bool progress_done = false;
  if (options.progress && isatty(STDERR_FILENO) == 1) {
    progress = std::thread([&] {
      bool printed = false;
      std::unique_lock<std::mutex> lock(progress_mu);
      while (!progress_cv.wait_for(lock, std::chrono::milliseconds(100),
                                   [&] { return progress_done; })) {
        ProgressCounts c;
        c.objects_enumerated = source.ObjectsEnumerated();
        c.enumeration_done = enumerated.load();
        c.blobs_total = emitted.load();
        c.blobs_scanned = std::min(scanned.load(), c.blobs_total);
        c.bytes_scanned = done_bytes.load();
        c.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::string line = "\r\033[K" + FormatProgressLine(c);
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        printed = true;
      }
      if (printed) {
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
      }
    });
  }

  // Enumerate on this thread; start workers as items arrive (up to
  // `threads`), so a one-file scan starts one worker.
  std::vector<std::thread> pool;
  // Context items no inspector wants the bytes of are kept here, unread
  // (no queue round trip), and handed to the inspectors all at once before
  // Finish (a staged scan has one per file of the repository).
  std::vector<WorkItem> unread;
  auto path_only = [&](WorkItem& item) {
    if (!item.context || !wants_context) return false;
    for (const Inspector* in : inspectors) {
      if (in->WantsContext() && in->WantsContextBytes(item.path)) return false;
    }
    unread.push_back(std::move(item));
    return true;
  };
  Status st = source.Enumerate(
      [&](WorkItem item) {
        if (!exclude.empty() && exclude.Matches(relative(item.path))) {
          if (!item.context) outcome.summary.files_skipped++;
          return;
        }
        if (path_only(item)) return;
        emitted.fetch_add(1, std::memory_order_relaxed);
        queue.Push(std::move(item));
        if (static_cast<int>(pool.size()) < threads && (pool.empty() || queue.size() > 1)) {
          pool.emplace_back(work, static_cast<int>(pool.size()));
        }
      },
      &outcome.errors);
  enumerated = true;
  queue.Close();
  if (!st.ok()) {
    outcome.errors.push_back({"", 0, st.message(), false});
    outcome.summary.incomplete = true;
  }
  for (auto& th : pool) th.join();
  if (progress.joinable()) {
    {
      std::lock_guard<std::mutex> lock(progress_mu);
      progress_done = true;
    }
    progress_cv.notify_all();
    progress.join();
  }
  if (stopped) {
    outcome.summary.incomplete = true;
    bool cancelled = options.cancel && options.cancel->load();
    outcome.errors.push_back({"", 0,
                              cancelled ? "scan interrupted: results are partial"
                                        : "scan stopped by --timeout: results are partial",
                              false});
  }

  std::map<std::string, std::vector<std::pair<uint32_t, std::string>>> markers;
  for (auto& r : results) {
    outcome.summary.files_scanned += r.files;
    outcome.summary.bytes_scanned += r.bytes;
    outcome.summary.files_skipped += r.skipped;
    for (auto& f : r.findings) outcome.findings.push_back(std::move(f));
    for (auto& e : r.errors) outcome.errors.push_back(std::move(e));
    for (auto& [p, m] : r.markers) markers[p] = std::move(m);
  }
  // The unread context items sorted by path (one record per item, no map
  // node or key copy). Usually in order already (the staged source emits in
  // index order); the first item of a path wins.
  auto by_path = [](const WorkItem& a, const WorkItem& b) { return a.path < b.path; };
  if (!std::is_sorted(unread.begin(), unread.end(), by_path)) {
    std::stable_sort(unread.begin(), unread.end(), by_path);
  }
  // Context blobs handed over path-only are read on demand, on this thread,
  // with one reader of the source.
  std::unique_ptr<SourceReader> fetch_reader;
  ContextFetch fetch = [&](std::string_view path, std::string* out) {
    auto it = std::lower_bound(unread.begin(), unread.end(), path,
                               [](const WorkItem& w, std::string_view p) { return w.path < p; });
    if (it == unread.end() || it->path != path) return false;
    if (!fetch_reader) fetch_reader = source.NewReader();
    BlobData blob;
    if (!fetch_reader->Read(*it, &blob).ok()) return false;
    out->assign(blob.data);
    auto found = FindIgnoreMarkers(blob.data);
    if (!found.empty()) markers[it->path] = std::move(found);
    return true;
  };
  std::vector<UnreadContext> unread_views;
  if (!unread.empty()) {
    unread_views.reserve(unread.size());
    for (const WorkItem& w : unread) unread_views.push_back({w.path, w.from_history});
  }
  for (Inspector* in : inspectors) {
    if (!unread.empty() && in->WantsContext()) in->SetUnreadContext(unread_views, fetch);
    in->Finish(&outcome.findings, &outcome.errors);
  }
  source.AddProvenance(&outcome.findings);

  // Filters.
  std::set<std::string> disabled;
  CompiledAllowlist global;
  std::map<std::string, CompiledAllowlist> per_rule;
  if (cfg) {
    disabled.insert(cfg->disabled_rules.begin(), cfg->disabled_rules.end());
    global.Build(cfg->allowlist);
    for (const auto& [id, al] : cfg->rule_allowlists) per_rule[id].Build(al);
  }
  FingerprintPath fingerprint_path(source.Mode() == "working-tree", options.roots);
  std::vector<Finding> kept;
  for (auto& f : outcome.findings) {
    if (disabled.count(f.rule_id)) continue;
    if (cfg) {
      if (auto it = cfg->severity.find(f.rule_id); it != cfg->severity.end())
        f.severity = it->second;
    }
    f.fingerprint =
        Fingerprint(f, f.commit_path.empty() ? fingerprint_path(f.location.path) : f.commit_path);
    if (f.kind != FindingKind::kNotice) {
      std::string rel = relative(f.location.path);
      std::string why = global.Allows(f, rel);
      if (why.empty()) {
        if (auto it = per_rule.find(f.rule_id); it != per_rule.end())
          why = it->second.Allows(f, rel);
      }
      if (!why.empty()) continue;  // allowlisted: not a finding at all
      if (auto it = markers.find(f.location.path); it != markers.end()) {
        // An entry covers its line and the next (FindIgnoreMarkers extends a
        // marker over a multi-line value); rule ids compare case-insensitively
        // (`vigil:ignore gsp-plain-001`).
        std::string id = Lower(f.rule_id);
        for (const auto& [line, rule] : it->second) {
          if ((line == f.location.line || line + 1 == f.location.line) &&
              (rule.empty() || Lower(rule) == id)) {
            f.suppressed = true;
            f.suppression = "inline vigil:ignore";
            break;
          }
        }
      }
      if (!f.suppressed && options.baseline.count(f.fingerprint)) {
        f.suppressed = true;
        f.suppression = "baseline";
      }
    }
    kept.push_back(std::move(f));
  }
  std::sort(kept.begin(), kept.end(), [](const Finding& a, const Finding& b) {
    if (a.location.path != b.location.path) return a.location.path < b.location.path;
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    if (a.location.column != b.location.column) return a.location.column < b.location.column;
    return a.rule_id < b.rule_id;
  });
  outcome.findings = std::move(kept);
  for (const auto& f : outcome.findings) {
    if (f.suppressed) {
      outcome.summary.suppressed++;
    } else if (f.kind != FindingKind::kNotice) {
      outcome.summary.findings++;
    }
  }
  outcome.summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return outcome;
}

}  // namespace vigil
