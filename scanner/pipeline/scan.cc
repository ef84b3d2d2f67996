#include "scanner/pipeline/scan.h"

#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
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
      if (re->ok() && !f.secret.empty() && RE2::PartialMatch(f.secret, *re)) return "allowlist: regex";
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

struct WorkerResult {
  std::vector<Finding> findings;
  std::vector<ScanError> errors;
  std::map<std::string, std::vector<std::pair<uint32_t, std::string>>> markers;  // path -> markers
  uint64_t files = 0, bytes = 0, skipped = 0;
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
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
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
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) return line.substr(0, i);
  }
  return line;
}

// When a YAML block scalar starts on this line, the indentation its content
// must exceed; otherwise npos.
size_t BlockScalarIndent(std::string_view line) {
  std::string_view s = TrimView(WithoutHashComment(line));
  // Header: [|>] then optional indentation and chomping indicators.
  size_t h = s.size();
  while (h > 0 && (std::isdigit(static_cast<unsigned char>(s[h - 1])) || s[h - 1] == '-' || s[h - 1] == '+')) --h;
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
  if (before == "-" || (before.back() == '-' && TrimView(before.substr(0, before.size() - 1)).empty())) {
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
    while (q < line.size() && (std::isalnum(static_cast<unsigned char>(line[q])) || line[q] == '_')) ++q;
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
  if (size_t b = first.find("-----BEGIN "); b != std::string_view::npos &&
                                             first.find("-----END ", b) == std::string_view::npos) {
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
    const void* hit = memmem(data.data() + from, data.size() - from, kMarker.data(), kMarker.size());
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
        while (q < data.size() && (std::isalnum(static_cast<unsigned char>(data[q])) || data[q] == '-' ||
                                   data[q] == '_'))
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

std::string Fingerprint(const Finding& f) {
  std::string path = f.commit_path.empty() ? f.location.path : f.commit_path;
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

  std::vector<WorkItem> items;
  Status st = source.Enumerate(
      [&](WorkItem item) {
        if (!exclude.empty() && exclude.Matches(relative(item.path))) {
          outcome.summary.files_skipped++;
          return;
        }
        items.push_back(std::move(item));
      },
      &outcome.errors);
  if (!st.ok()) {
    outcome.errors.push_back({"", 0, st.message(), false});
    outcome.summary.incomplete = true;
  }

  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min<int>(threads, static_cast<int>(std::max<size_t>(1, items.size()))));
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> done_bytes{0};
  auto deadline = options.timeout_seconds > 0
                      ? started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.timeout_seconds))
                      : Clock::time_point::max();
  std::vector<WorkerResult> results(threads);

  auto work = [&](int t) {
    WorkerResult& res = results[t];
    std::unique_ptr<SourceReader> reader = source.NewReader();
    std::vector<std::unique_ptr<InspectorWorker>> workers;
    for (Inspector* in : inspectors) workers.push_back(in->NewWorker());
    BlobData blob;
    while (true) {
      if ((options.cancel && options.cancel->load()) || Clock::now() > deadline) {
        stopped = true;
        break;
      }
      size_t i = next.fetch_add(1);
      if (i >= items.size()) break;
      const WorkItem& item = items[i];
      Status rs = reader->Read(item, &blob);
      if (!rs.ok()) {
        // A reader that finds an item over a limit only once it reads it
        // (packed git blobs) says "skipped: ...": a note, not an error.
        bool skipped = rs.message().find("skipped:") != std::string::npos;
        if (skipped) res.skipped++;
        res.errors.push_back({item.path, 0, rs.message(), skipped});
        continue;
      }
      if (LooksBinary(blob.data)) {
        res.skipped++;
        continue;
      }
      res.files++;
      res.bytes += blob.data.size();
      done_bytes += blob.data.size();
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

  std::thread progress;
  std::atomic<bool> progress_done{false};
  if (options.progress && isatty(2)) {
    progress = std::thread([&] {
      while (!progress_done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        double secs = std::chrono::duration<double>(Clock::now() - started).count();
        size_t n = std::min(next.load(), items.size());
        double mb = done_bytes.load() / 1e6;
        fprintf(stderr, "\r%zu/%zu blobs, %.1f MB, %.1f MB/s   ", n, items.size(), mb,
                secs > 0 ? mb / secs : 0.0);
      }
      fprintf(stderr, "\r\033[K");
    });
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  if (progress.joinable()) {
    progress_done = true;
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
  for (Inspector* in : inspectors) in->Finish(&outcome.findings, &outcome.errors);
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
  std::vector<Finding> kept;
  for (auto& f : outcome.findings) {
    if (disabled.count(f.rule_id)) continue;
    if (cfg) {
      if (auto it = cfg->severity.find(f.rule_id); it != cfg->severity.end()) f.severity = it->second;
    }
    f.fingerprint = Fingerprint(f);
    if (f.kind != FindingKind::kNotice) {
      std::string rel = relative(f.location.path);
      std::string why = global.Allows(f, rel);
      if (why.empty()) {
        if (auto it = per_rule.find(f.rule_id); it != per_rule.end()) why = it->second.Allows(f, rel);
      }
      if (!why.empty()) continue;  // allowlisted: not a finding at all
      if (auto it = markers.find(f.location.path); it != markers.end()) {
        // An entry covers its line and the next (FindIgnoreMarkers extends a
        // marker over a multi-line value); rule ids compare case-insensitively
        // (`vigil:ignore gsp-plain-001`).
        std::string id = Lower(f.rule_id);
        for (const auto& [line, rule] : it->second) {
          if ((line == f.location.line || line + 1 == f.location.line) && (rule.empty() || Lower(rule) == id)) {
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
