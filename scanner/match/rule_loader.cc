// Rule loading. yaml-cpp is used here and in policies/ only; its exceptions
// are caught and turned into a Status naming the file and line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scanner/match/rule.h"

namespace vigil {

// Generated at build time from rules/*.yaml (see cmake/EmbedRules.cmake).
struct EmbeddedRuleFile {
  const char* name;
  const char* text;
};
extern const EmbeddedRuleFile kEmbeddedRuleFiles[];
extern const size_t kEmbeddedRuleFileCount;

namespace {

std::string At(const std::string& origin, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return origin;
  return origin + ":" + std::to_string(m.line + 1);
}

bool IsKebab(const std::string& id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return id.find("--") == std::string::npos;
}

Status StringList(const YAML::Node& n, const std::string& where, std::vector<std::string>* out) {
  if (!n) return Status::Ok();
  if (!n.IsSequence()) return Status::Error(where + ": expected a list of strings");
  for (const auto& e : n) out->push_back(e.as<std::string>());
  return Status::Ok();
}

const std::set<std::string>& KnownRuleKeys() {
  static const std::set<std::string> k = {
      "id", "name", "description", "remediation", "severity", "pattern", "prefilter", "keywords",
      "min_entropy", "validator", "placeholder_check", "window", "references", "tags",
      "examples", "negative_examples"};
  return k;
}

}  // namespace

Status ParseRulesYaml(std::string_view text, const std::string& origin, std::vector<Rule>* rules) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsMap()) return Status::Error(origin + ": a rules file is a mapping with `rules:`");
    std::string provider = root["provider"] ? root["provider"].as<std::string>() : "";
    YAML::Node list = root["rules"];
    if (!list || !list.IsSequence()) return Status::Error(origin + ": missing `rules:` list");
    for (const auto& r : list) {
      std::string where = At(origin, r);
      if (!r.IsMap()) return Status::Error(where + ": a rule is a mapping");
      for (const auto& kv : r) {
        std::string key = kv.first.as<std::string>();
        if (!KnownRuleKeys().count(key))
          return Status::Error(At(origin, kv.first) + ": unknown rule key `" + key + "`");
      }
      Rule rule;
      rule.provider = provider;
      rule.source_file = origin;
      if (!r["id"]) return Status::Error(where + ": rule without `id`");
      rule.id = r["id"].as<std::string>();
      where += " (rule " + rule.id + ")";
      if (!r["pattern"]) return Status::Error(where + ": rule without `pattern`");
      rule.pattern = r["pattern"].as<std::string>();
      if (r["prefilter"]) rule.prefilter = r["prefilter"].as<std::string>();
      rule.name = r["name"] ? r["name"].as<std::string>() : rule.id;
      rule.description = r["description"] ? r["description"].as<std::string>() : "";
      rule.remediation = r["remediation"] ? r["remediation"].as<std::string>() : "";
      if (r["severity"]) {
        auto s = ParseSeverity(r["severity"].as<std::string>());
        if (!s) return Status::Error(where + ": unknown severity `" + r["severity"].as<std::string>() + "`");
        rule.severity = *s;
      }
      if (r["min_entropy"]) rule.min_entropy = r["min_entropy"].as<double>();
      if (r["validator"]) rule.validator = r["validator"].as<std::string>();
      if (r["placeholder_check"]) rule.placeholder_check = r["placeholder_check"].as<bool>();
      if (r["window"]) rule.window = r["window"].as<uint32_t>();
      if (Status s = StringList(r["keywords"], where, &rule.keywords); !s.ok()) return s;
      if (Status s = StringList(r["references"], where, &rule.references); !s.ok()) return s;
      if (Status s = StringList(r["tags"], where, &rule.tags); !s.ok()) return s;
      if (const YAML::Node ex = r["examples"]) {
        if (!ex.IsSequence()) return Status::Error(where + ": `examples` must be a list");
        for (const auto& e : ex) {
          RuleExample example;
          if (e.IsMap()) {
            example.text = e["text"].as<std::string>();
            example.secret = e["secret"] ? e["secret"].as<std::string>() : "";
          } else {
            example.text = e.as<std::string>();
          }
          rule.examples.push_back(std::move(example));
        }
      }
      if (Status s = StringList(r["negative_examples"], where, &rule.negative_examples); !s.ok())
        return s;
      rules->push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    std::string msg = origin;
    if (e.mark.line >= 0) msg += ":" + std::to_string(e.mark.line + 1);
    return Status::Error(msg + ": " + e.msg);
  }
  return Status::Ok();
}

Status LoadBuiltinRules(std::vector<Rule>* rules) {
  for (size_t i = 0; i < kEmbeddedRuleFileCount; ++i) {
    const auto& f = kEmbeddedRuleFiles[i];
    if (Status s = ParseRulesYaml(f.text, std::string("rules/") + f.name, rules); !s.ok()) return s;
  }
  return Status::Ok();
}

namespace {

// Reads the rules files of a --rules directory (sorted by name).
Status ReadRulesDir(const std::string& dir, std::vector<RuleFileText>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Error(dir + ": not a directory of rules");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
  }
  if (ec) return Status::Error(dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Status::Error(p.string() + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    RuleFileText f;
    f.origin = p.string();
    f.builtin = false;
    f.owned = ss.str();
    out->push_back(std::move(f));
  }
  // `text` views `owned`: set once the vector no longer moves.
  for (auto& f : *out) {
    if (!f.builtin) f.text = f.owned;
  }
  return Status::Ok();
}

// Merges rules loaded from a --rules directory: an existing id is replaced.
void MergeRules(std::vector<Rule> loaded, std::vector<Rule>* rules) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < rules->size(); ++i) index[(*rules)[i].id] = i;
  for (auto& r : loaded) {
    auto it = index.find(r.id);
    if (it != index.end()) {
      (*rules)[it->second] = std::move(r);
    } else {
      index[r.id] = rules->size();
      rules->push_back(std::move(r));
    }
  }
}

}  // namespace

Status LoadRulesDir(const std::string& dir, std::vector<Rule>* rules) {
  std::vector<RuleFileText> files;
  if (Status s = ReadRulesDir(dir, &files); !s.ok()) return s;
  std::vector<Rule> loaded;
  for (const auto& f : files) {
    if (Status s = ParseRulesYaml(f.text, f.origin, &loaded); !s.ok()) return s;
  }
  MergeRules(std::move(loaded), rules);
  return Status::Ok();
}

Status CollectRuleFiles(const std::string& rules_dir, std::vector<RuleFileText>* files) {
  for (size_t i = 0; i < kEmbeddedRuleFileCount; ++i) {
    RuleFileText f;
    f.origin = std::string("rules/") + kEmbeddedRuleFiles[i].name;
    f.text = kEmbeddedRuleFiles[i].text;
    files->push_back(std::move(f));
  }
  if (rules_dir.empty()) return Status::Ok();
  std::vector<RuleFileText> dir_files;
  if (Status s = ReadRulesDir(rules_dir, &dir_files); !s.ok()) return s;
  for (auto& f : dir_files) files->push_back(std::move(f));
  // A move may relocate a short string: point the views at their owners
  // once the vector is complete.
  for (auto& f : *files) {
    if (!f.builtin) f.text = f.owned;
  }
  return Status::Ok();
}

Status ParseRuleFiles(const std::vector<RuleFileText>& files, std::vector<Rule>* rules) {
  std::vector<Rule> loaded;
  for (const auto& f : files) {
    if (Status s = ParseRulesYaml(f.text, f.origin, f.builtin ? rules : &loaded); !s.ok()) return s;
  }
  MergeRules(std::move(loaded), rules);
  return ValidateRules(*rules);
}

uint64_t HashRuleFiles(const std::vector<RuleFileText>& files) {
  // FNV-1a style, 64 bits, eight bytes a step: every start hashes the ~300 KB
  // of built-in rules, and a byte at a time that was ~0.5 ms of it.
  uint64_t h = 1469598103934665603ull;
  auto add = [&h](std::string_view s) {
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h ^= w;
      h *= 1099511628211ull;
      h ^= h >> 29;
    }
    for (; i < s.size(); ++i) {
      h ^= static_cast<unsigned char>(s[i]);
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // field separator
    h *= 1099511628211ull;
  };
  for (const auto& f : files) {
    add(f.builtin ? "builtin" : "dir");
    add(f.origin);
    add(std::to_string(f.text.size()));
    add(f.text);
  }
  return h;
}

// --- rule cache serialization ------------------------------------------
// Little-endian fixed-width integers, strings as a 32-bit length and bytes,
// lists as a 32-bit count. The reader checks every length against what is
// left, so a truncated or corrupt file fails cleanly.

namespace {

constexpr std::string_view kRulesMagic = "vigil-rules-v1\n";

class Writer {
 public:
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void F64(double d) {
    uint64_t v;
    std::memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void List(const std::vector<std::string>& v) {
    U32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) Str(s);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(4);
    return v;
  }
  double F64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    double d;
    std::memcpy(&d, &v, sizeof d);
    return d;
  }
  std::string Str() {
    uint32_t n = U32();
    if (!Need(n)) return "";
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  // A count of items each at least `min_item` bytes long, checked against
  // the input (a corrupt count cannot make us allocate gigabytes).
  uint32_t Count(size_t min_item) {
    uint32_t n = U32();
    if (ok_ && static_cast<uint64_t>(n) * min_item > in_.size()) ok_ = false;
    return ok_ ? n : 0;
  }
  std::vector<std::string> List() {
    std::vector<std::string> v(Count(4));
    for (auto& s : v) s = Str();
    return v;
  }

 private:
  bool Need(uint64_t n) {
    if (!ok_ || n > in_.size()) ok_ = false;
    return ok_;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string SerializeRules(const std::vector<Rule>& rules) {
  Writer w;
  w.out().append(kRulesMagic);
  w.U32(static_cast<uint32_t>(rules.size()));
  for (const Rule& r : rules) {
    w.Str(r.id);
    w.Str(r.name);
    w.Str(r.description);
    w.Str(r.remediation);
    w.Str(r.provider);
    w.U32(static_cast<uint32_t>(r.severity));
    w.Str(r.pattern);
    w.Str(r.prefilter);
    w.List(r.keywords);
    w.F64(r.min_entropy);
    w.Str(r.validator);
    w.U32(r.placeholder_check ? 1 : 0);
    w.U32(r.window);
    w.List(r.references);
    w.List(r.tags);
    w.U32(static_cast<uint32_t>(r.examples.size()));
    for (const auto& e : r.examples) {
      w.Str(e.text);
      w.Str(e.secret);
    }
    w.List(r.negative_examples);
    w.Str(r.source_file);
  }
  return std::move(w.out());
}

Status DeserializeRules(std::string_view bytes, std::vector<Rule>* rules) {
  rules->clear();
  if (bytes.substr(0, kRulesMagic.size()) != kRulesMagic) return Status::Error("not a vigil rule cache");
  Reader rd(bytes.substr(kRulesMagic.size()));
  std::vector<Rule> out(rd.Count(64));
  for (Rule& r : out) {
    r.id = rd.Str();
    r.name = rd.Str();
    r.description = rd.Str();
    r.remediation = rd.Str();
    r.provider = rd.Str();
    uint32_t sev = rd.U32();
    if (sev > static_cast<uint32_t>(Severity::kCritical)) return Status::Error("rule cache: bad severity");
    r.severity = static_cast<Severity>(sev);
    r.pattern = rd.Str();
    r.prefilter = rd.Str();
    r.keywords = rd.List();
    r.min_entropy = rd.F64();
    r.validator = rd.Str();
    r.placeholder_check = rd.U32() != 0;
    r.window = rd.U32();
    r.references = rd.List();
    r.tags = rd.List();
    r.examples.resize(rd.Count(8));
    for (auto& e : r.examples) {
      e.text = rd.Str();
      e.secret = rd.Str();
    }
    r.negative_examples = rd.List();
    r.source_file = rd.Str();
    if (!rd.ok()) return Status::Error("rule cache: truncated");
  }
  if (!rd.ok() || !rd.done()) return Status::Error("rule cache: malformed");
  if (Status s = ValidateRules(out); !s.ok()) return Status::Error("rule cache: " + s.message());
  *rules = std::move(out);
  return Status::Ok();
}

Status ValidateRules(const std::vector<Rule>& rules) {
  std::set<std::string> seen;
  for (const auto& r : rules) {
    std::string where = r.source_file + " (rule " + r.id + ")";
    if (!IsKebab(r.id)) return Status::Error(where + ": id must be kebab-case");
    if (!seen.insert(r.id).second) return Status::Error(where + ": duplicate rule id");
    if (r.pattern.empty()) return Status::Error(where + ": empty pattern");
  }
  return Status::Ok();
}

}  // namespace vigil
