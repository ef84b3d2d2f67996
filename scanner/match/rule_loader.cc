// Rule loading. yaml-cpp is used here and in policies/ only; its exceptions
// are caught and turned into a Status naming the file and line.
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

Status LoadRulesDir(const std::string& dir, std::vector<Rule>* rules) {
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
  std::vector<Rule> loaded;
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return Status::Error(p.string() + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    if (Status s = ParseRulesYaml(ss.str(), p.string(), &loaded); !s.ok()) return s;
  }
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
