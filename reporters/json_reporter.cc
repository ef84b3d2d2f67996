// The JSON reporter: one stable, documented schema (docs/output.md, schema
// version "1"). Every key is always present (empty string, null or [] when it
// does not apply) so consumers can rely on the shape. Keys keep their order.
//
// The document is the output of nlohmann's dump(2) (two-space indentation, no
// ASCII escaping, invalid UTF-8 replaced by U+FFFD). The head (tool, summary,
// repository) is built and dumped by nlohmann; the findings and errors, which
// can be tens of thousands, are streamed in the same layout by JsonWriter
// (building an ordered_json per finding cost ~40 us a finding), with every
// string that is not plain printable ASCII escaped by nlohmann itself.

#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>

#include "reporters/report_util.h"
#include "reporters/reporters.h"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;
using report::Scrubber;

// Appends pretty-printed JSON to a buffer, byte for byte as
// Json::dump(2, ' ', false, error_handler_t::replace) lays it out; flushes
// the buffer to the stream in large chunks.
class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) { buf_.reserve(kChunk + 4096); }
  ~JsonWriter() { Flush(); }

  // Objects and arrays. Open*/Close* nest; Key() precedes every member of an
  // object, Item() every element of an array.
  void OpenObject() { Open('{'); }
  void CloseObject() { Close('}'); }
  void OpenArray() { Open('['); }
  void CloseArray() { Close(']'); }
  void Key(std::string_view key) {
    Separate();
    String(key);
    buf_ += ": ";
  }
  void Item() { Separate(); }

  void String(std::string_view s) {
    if (PlainAscii(s)) {
      buf_ += '"';
      buf_ += s;
      buf_ += '"';
    } else {
      // Escapes, UTF-8 validation and replacement: nlohmann's serializer.
      buf_ += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    MaybeFlush();
  }
  void Uint(uint64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, r.ptr);
  }
  void Bool(bool v) { buf_ += v ? "true" : "false"; }
  void Null() { buf_ += "null"; }
  // A value nlohmann lays out, indented to the current depth.
  void Value(const Json& j) {
    std::string text = j.dump(2, ' ', false, Json::error_handler_t::replace);
    std::string indent = "\n" + std::string(2 * depth_, ' ');
    // Raw newlines occur only between tokens (strings escape theirs).
    for (char c : text) {
      if (c == '\n') {
        buf_ += indent;
      } else {
        buf_ += c;
      }
    }
    MaybeFlush();
  }
  // One member: Key(key) then the value.
  void Member(std::string_view key, std::string_view v) {
    Key(key);
    String(v);
  }
  void Flush() {
    out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  void Raw(std::string_view s) { buf_ += s; }

 private:
  static constexpr size_t kChunk = 1 << 16;

  // Bytes nlohmann copies unchanged: printable ASCII but '"' and '\\'
  // (with ensure_ascii off it escapes only those, control characters, and
  // invalid UTF-8; 0x7F is copied).
  static bool PlainAscii(std::string_view s) {
    for (unsigned char c : s) {
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
    }
    return true;
  }
  void Open(char c) {
    buf_ += c;
    ++depth_;
    empty_.push_back(true);
  }
  void Close(char c) {
    --depth_;
    bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) Newline();
    buf_ += c;
  }
  // Before a member or element: the comma after the previous one, a newline
  // and the indentation.
  void Separate() {
    if (!empty_.empty()) {
      if (!empty_.back()) buf_ += ',';
      empty_.back() = false;
    }
    Newline();
  }
  void Newline() {
    buf_ += '\n';
    buf_.append(2 * depth_, ' ');
  }
  void MaybeFlush() {
    if (buf_.size() >= kChunk) Flush();
  }

  std::ostream& out_;
  std::string buf_;
  size_t depth_ = 0;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
};

void WriteLocation(JsonWriter& w, const Location& l) {
  w.OpenObject();
  w.Member("path", l.path);
  w.Key("line");
  w.Uint(l.line);
  w.Key("column");
  w.Uint(l.column);
  w.Key("end_line");
  w.Uint(l.end_line);
  w.Key("end_column");
  w.Uint(l.end_column);
  w.CloseObject();
}

void WriteFinding(JsonWriter& w, const Finding& f, const ReportOptions& options) {
  Scrubber scrub(f, options.show_secrets);
  w.OpenObject();
  w.Member("rule_id", f.rule_id);
  w.Member("rule_name", f.rule_name);
  w.Member("kind", report::KindName(f.kind));
  w.Member("severity", SeverityName(f.severity));
  w.Member("message", scrub.Text(f.message));
  w.Key("location");
  WriteLocation(w, f.location);
  w.Member("secret", f.secret.empty() ? std::string() : scrub.Secret());
  w.Member("snippet", scrub.Snippet());
  w.Member("key", scrub.Text(f.key));
  w.Member("decoded_from", f.decoded_from);
  w.Member("validation", f.validation);
  w.Member("fingerprint", f.fingerprint);
  w.Member("blob_id", f.blob_id);
  w.Key("commit");
  if (f.commit) {
    w.OpenObject();
    w.Member("id", f.commit->id);
    w.Member("author", f.commit->author);
    w.Member("email", f.commit->email);
    w.Member("date", f.commit->date);
    w.Member("summary", scrub.Text(f.commit->summary));
    w.Member("path", f.commit_path);
    w.CloseObject();
  } else {
    w.Null();
  }
  w.Key("live");
  if (f.live.has_value()) {
    w.Bool(*f.live);
  } else {
    w.Null();
  }
  w.Key("related");
  w.OpenArray();
  for (const RelatedLocation& r : f.related) {
    w.Item();
    w.OpenObject();
    w.Key("location");
    WriteLocation(w, r.location);
    w.Member("message", scrub.Text(r.message));
    w.CloseObject();
  }
  w.CloseArray();
  w.Key("suppressed");
  w.Bool(f.suppressed);
  w.Member("suppression", f.suppression);
  w.CloseObject();
}

class JsonReporter : public Reporter {
 public:
  void Write(const ScanReport& report, const ReportOptions& options, std::ostream& out) override {
    JsonWriter w(out);
    w.OpenObject();
    w.Member("version", "1");
    // information_uri: the build's VIGIL_HOMEPAGE, "" when none is configured.
    w.Key("tool");
    w.Value(Json{{"name", "vigil"},
                 {"version", report.tool_version},
                 {"information_uri", std::string(VigilInformationUri())}});

    const ScanSummary& s = report.summary;
    const auto counts = report::CountBySeverity(report.findings);
    uint64_t total = 0, suppressed = 0;
    for (uint64_t c : counts) total += c;
    for (const Finding& f : report.findings) suppressed += f.suppressed ? 1 : 0;
    uint64_t errors = 0, warnings = 0;
    for (const ScanError& e : report.errors) (e.warning ? warnings : errors) += 1;
    Json by_sev;
    for (int sev = 4; sev >= 0; --sev) {
      by_sev[std::string(SeverityName(static_cast<Severity>(sev)))] = counts[sev];
    }
    w.Key("summary");
    w.Value(Json{{"root", report.root},
                 {"mode", s.mode},
                 {"files_scanned", s.files_scanned},
                 {"bytes_scanned", s.bytes_scanned},
                 {"files_skipped", s.files_skipped},
                 {"findings", total},
                 {"by_severity", by_sev},
                 {"suppressed", std::max<uint64_t>(suppressed, s.suppressed)},
                 {"errors", errors},
                 {"warnings", warnings},
                 {"seconds", s.seconds},
                 {"incomplete", s.incomplete}});
    w.Key("repository");
    if (!report.repo.repository_uri.empty() || !report.repo.revision.empty()) {
      w.Value(Json{{"uri", report::NormalizeRepositoryUri(report.repo.repository_uri)},
                   {"revision", report.repo.revision},
                   {"branch", report.repo.branch},
                   {"shallow", report.repo.shallow}});
    } else {
      w.Null();
    }

    w.Key("findings");
    w.OpenArray();
    for (const Finding* f : report::VisibleFindings(report, options)) {
      w.Item();
      WriteFinding(w, *f, options);
    }
    w.CloseArray();

    // The secrets to scrub from error messages (collected only when there
    // are errors: a set of every finding's secret).
    std::vector<std::string> secrets;
    if (!report.errors.empty() && !options.show_secrets)
      secrets = report::CollectSecrets(report.findings);
    w.Key("errors");
    w.OpenArray();
    for (const ScanError& e : report.errors) {
      w.Item();
      w.OpenObject();
      w.Member("path", e.path);
      w.Key("line");
      w.Uint(e.line);
      w.Member("level", e.warning ? "warning" : "error");
      w.Member("message", options.show_secrets ? e.message : report::ScrubAll(e.message, secrets));
      w.CloseObject();
    }
    w.CloseArray();
    w.CloseObject();
    w.Raw("\n");
  }
};

}  // namespace

std::unique_ptr<Reporter> NewJsonReporter() { return std::make_unique<JsonReporter>(); }

}  // namespace vigil
