#include "scanner/match/secret_inspector.h"

#include <algorithm>

#include "scanner/core/lines.h"

namespace vigil {

namespace {

bool IsGeneric(const Rule& r) {
  return std::find(r.tags.begin(), r.tags.end(), "generic") != r.tags.end();
}

class SecretWorker : public InspectorWorker {
 public:
  SecretWorker(std::shared_ptr<const RuleDatabase> db, const Decoder* decoder)
      : matcher_(std::move(db)), decoder_(decoder) {}

  void Inspect(const BlobRef& blob, std::vector<Finding>* out,
               std::vector<ScanError>* errors) override {
    size_t first = out->size();
    matches_.clear();
    if (Status s = matcher_.Scan(blob.data, &matches_); !s.ok()) {
      errors->push_back({std::string(blob.path), 0, s.message(), false});
      return;
    }
    if (matches_.size() >= 2000)
      errors->push_back({std::string(blob.path), 0, "more than 2000 matches: the rest were not reported", true});
    if (!matches_.empty()) {
      LineIndex lines(blob.data);
      for (const auto& m : matches_) out->push_back(MakeFinding(blob, lines, m));
    }
    if (decoder_) {
      decoded_.clear();
      decoder_->Decode(blob, &decoded_);
      if (!decoded_.empty()) {
        // The decoder knows what an encoded value means: a plain match on
        // the encoded text itself (the base64 of a Secret's data) gives way
        // to what the decoded value shows, placeholder or secret.
        size_t w = first;
        for (size_t i = first; i < out->size(); ++i) {
          const Location& loc = (*out)[i].location;
          bool inside = false;
          for (const auto& dv : decoded_) {
            if (loc.offset >= dv.offset && loc.end_offset <= dv.end_offset) {
              inside = true;
              break;
            }
          }
          if (!inside) {
            if (w != i) (*out)[w] = std::move((*out)[i]);
            ++w;
          }
        }
        out->resize(w);
        LineIndex lines(blob.data);
        for (const auto& dv : decoded_) {
          matches_.clear();
          if (!matcher_.Scan(dv.text, &matches_).ok()) continue;
          for (const auto& m : matches_) out->push_back(MakeDecodedFinding(blob, lines, dv, m));
        }
      }
    }
    Dedup(out, first);
  }

 private:
  Finding Base(const Rule& r, std::string_view path) {
    Finding f;
    f.rule_id = r.id;
    f.rule_name = r.name;
    f.kind = FindingKind::kSecret;
    f.severity = r.severity;
    f.location.path = std::string(path);
    return f;
  }

  Finding MakeFinding(const BlobRef& blob, const LineIndex& lines, const RawMatch& m) {
    const Rule& r = matcher_.db().rules()[m.rule];
    Finding f = Base(r, blob.path);
    f.message = r.name + " in clear text";
    f.secret = std::string(blob.data.substr(m.secret_start, m.secret_end - m.secret_start));
    auto [l, c] = lines.Position(m.secret_start);
    auto [el, ec] = lines.Position(m.secret_end > m.secret_start ? m.secret_end - 1 : m.secret_start);
    f.location.line = l;
    f.location.column = c;
    f.location.end_line = el;
    f.location.end_column = ec + 1;
    f.location.offset = m.secret_start;
    f.location.end_offset = m.secret_end;
    uint64_t ls = lines.LineStart(l);
    std::string_view last_line = lines.Line(el);
    uint64_t last_start = lines.LineStart(el);
    uint64_t le = last_start + last_line.size();
    if (le < m.secret_end) le = m.secret_end;
    f.line_text = std::string(blob.data.substr(ls, le - ls));
    f.validation = m.validation;
    return f;
  }

  Finding MakeDecodedFinding(const BlobRef& blob, const LineIndex& lines, const DecodedValue& dv,
                             const RawMatch& m) {
    const Rule& r = matcher_.db().rules()[m.rule];
    Finding f = Base(r, blob.path);
    f.secret = dv.text.substr(m.secret_start, m.secret_end - m.secret_start);
    f.key = dv.key;
    f.decoded_from = dv.how;
    f.message = r.name + " in " + (dv.key.empty() ? "an encoded value" : dv.key) +
                (dv.how.empty() ? "" : " (" + dv.how + ")");
    auto [l, c] = lines.Position(dv.offset);
    auto [el, ec] = lines.Position(dv.end_offset > dv.offset ? dv.end_offset - 1 : dv.offset);
    f.location.line = l;
    f.location.column = c;
    f.location.end_line = el;
    f.location.end_column = ec + 1;
    f.location.offset = dv.offset;
    f.location.end_offset = dv.end_offset;
    // The encoded value is as good as the secret: show the line up to it,
    // then the (redacted at report time) decoded secret.
    uint64_t ls = lines.LineStart(l);
    f.line_text = std::string(blob.data.substr(ls, dv.offset - ls)) + f.secret;
    f.validation = m.validation;
    return f;
  }

  // Drops a generic finding that overlaps a specific one, and exact
  // duplicates (same span, same secret) from several rules.
  void Dedup(std::vector<Finding>* out, size_t first) {
    if (out->size() - first < 2) return;
    const auto& rules = matcher_.db().rules();
    std::vector<bool> generic;
    for (size_t i = first; i < out->size(); ++i) {
      const auto& id = (*out)[i].rule_id;
      bool g = false;
      for (const auto& r : rules) {
        if (r.id == id) { g = IsGeneric(r); break; }
      }
      generic.push_back(g);
    }
    std::vector<bool> drop(out->size() - first, false);
    for (size_t i = first; i < out->size(); ++i) {
      for (size_t j = first; j < out->size(); ++j) {
        if (i == j || drop[i - first] || drop[j - first]) continue;
        const Finding& a = (*out)[i];
        const Finding& b = (*out)[j];
        bool overlap = a.location.offset < b.location.end_offset &&
                       b.location.offset < a.location.end_offset;
        if (!overlap) continue;
        bool ga = generic[i - first], gb = generic[j - first];
        if (ga && !gb) {
          drop[i - first] = true;
        } else if (ga == gb && a.location.offset == b.location.offset &&
                   a.location.end_offset == b.location.end_offset) {
          // Same span: keep the higher severity (then the first).
          if (a.severity < b.severity || (a.severity == b.severity && i > j)) drop[i - first] = true;
        } else if (ga && gb) {
          // Two generic rules on overlapping text: keep the longer secret.
          if (a.secret.size() < b.secret.size() || (a.secret.size() == b.secret.size() && i > j))
            drop[i - first] = true;
        }
      }
    }
    size_t w = first;
    for (size_t i = first; i < out->size(); ++i) {
      if (!drop[i - first]) {
        if (w != i) (*out)[w] = std::move((*out)[i]);
        ++w;
      }
    }
    out->resize(w);
  }

  Matcher matcher_;
  const Decoder* decoder_;
  std::vector<RawMatch> matches_;
  std::vector<DecodedValue> decoded_;
};

}  // namespace

std::unique_ptr<InspectorWorker> SecretInspector::NewWorker() const {
  return std::make_unique<SecretWorker>(db_, decoder_);
}

std::vector<RuleInfo> RuleInfos(const RuleDatabase& db) {
  std::vector<RuleInfo> out;
  for (const auto& r : db.rules()) {
    RuleInfo info;
    info.id = r.id;
    info.name = r.name;
    info.description = r.description;
    info.remediation = r.remediation;
    info.references = r.references;
    info.tags = r.tags;
    info.severity = r.severity;
    info.kind = FindingKind::kSecret;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace vigil
