#include "scanner/pipeline/config.h"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vigil {

namespace {

std::string At(const std::string& origin, const YAML::Node& n) {
  if (n.Mark().line < 0) return origin;
  return origin + ":" + std::to_string(n.Mark().line + 1);
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& known,
                 const std::string& origin, const std::string& section) {
  if (!map.IsMap()) return Status::Error(At(origin, map) + ": `" + section + "` must be a mapping");
  for (const auto& kv : map) {
    std::string k = kv.first.as<std::string>();
    if (!known.count(k)) {
      std::string list;
      for (const auto& x : known) list += (list.empty() ? "" : ", ") + x;
      return Status::Error(At(origin, kv.first) + ": unknown key `" + (section.empty() ? "" : section + ".") +
                           k + "` (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Status Strings(const YAML::Node& n, const std::string& origin, const std::string& what,
               std::vector<std::string>* out) {
  if (!n) return Status::Ok();
  if (!n.IsSequence()) return Status::Error(At(origin, n) + ": `" + what + "` must be a list");
  for (const auto& e : n) {
    if (!e.IsScalar()) return Status::Error(At(origin, e) + ": `" + what + "` entries must be strings");
    out->push_back(e.as<std::string>());
  }
  return Status::Ok();
}

Status Regexes(const std::vector<std::string>& res, const std::string& origin, const std::string& what) {
  for (const auto& r : res) {
    RE2 re(r, RE2::Quiet);
    if (!re.ok()) return Status::Error(origin + ": invalid regex in `" + what + "`: " + r + ": " + re.error());
  }
  return Status::Ok();
}

Status Allowlist(const YAML::Node& n, const std::string& origin, const std::string& section,
                 AllowlistConfig* out) {
  if (Status s = CheckKeys(n, {"paths", "regexes", "stopwords"}, origin, section); !s.ok()) return s;
  if (Status s = Strings(n["paths"], origin, section + ".paths", &out->paths); !s.ok()) return s;
  if (Status s = Strings(n["regexes"], origin, section + ".regexes", &out->regexes); !s.ok()) return s;
  if (Status s = Strings(n["stopwords"], origin, section + ".stopwords", &out->stopwords); !s.ok()) return s;
  return Regexes(out->regexes, origin, section + ".regexes");
}


}  // namespace

Result<uint64_t> ParseSize(const std::string& s, const std::string& where) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return Status::Error(where + ": invalid size `" + s + "` (e.g. 10MB)");
  // At most 18 digits: std::stoull would throw past 2^64 (found by fuzz/config).
  if (i > 18) return Status::Error(where + ": size `" + s + "` is too large");
  uint64_t n = std::stoull(s.substr(0, i));
  std::string unit = s.substr(i);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = -1;
  if (unit.empty() || unit == "B") shift = 0;
  if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  if (shift < 0) return Status::Error(where + ": invalid size unit in `" + s + "`");
  if (n > (UINT64_MAX >> shift)) return Status::Error(where + ": size `" + s + "` is too large");
  return n << shift;
}

Result<Config> ParseConfig(std::string_view text, const std::string& origin) {
  Config cfg;
  cfg.path = origin;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return cfg;
    if (Status s = CheckKeys(root,
                             {"version", "exclude", "rules", "policies", "allowlist", "placeholders",
                              "environments", "fail-on", "max-file-size", "baseline"},
                             origin, "");
        !s.ok())
      return s;
    if (root["version"] && root["version"].as<int>() != 1)
      return Status::Error(At(origin, root["version"]) + ": unsupported `version` (expected 1)");
    if (Status s = Strings(root["exclude"], origin, "exclude", &cfg.exclude); !s.ok()) return s;
    for (const char* section : {"rules", "policies"}) {
      YAML::Node n = root[section];
      if (!n) continue;
      if (Status s = CheckKeys(n, {"disable", "severity", "allowlist"}, origin, section); !s.ok()) return s;
      if (Status s = Strings(n["disable"], origin, std::string(section) + ".disable", &cfg.disabled_rules);
          !s.ok())
        return s;
      if (YAML::Node sev = n["severity"]) {
        if (!sev.IsMap()) return Status::Error(At(origin, sev) + ": `severity` must map ids to severities");
        for (const auto& kv : sev) {
          auto v = ParseSeverity(kv.second.as<std::string>());
          if (!v) return Status::Error(At(origin, kv.second) + ": unknown severity `" + kv.second.as<std::string>() + "`");
          cfg.severity[kv.first.as<std::string>()] = *v;
        }
      }
      if (YAML::Node al = n["allowlist"]) {
        if (!al.IsMap()) return Status::Error(At(origin, al) + ": `allowlist` must map ids to allowlists");
        for (const auto& kv : al) {
          std::string id = kv.first.as<std::string>();
          if (Status s = Allowlist(kv.second, origin, std::string(section) + ".allowlist." + id,
                                   &cfg.rule_allowlists[id]);
              !s.ok())
            return s;
        }
      }
    }
    if (YAML::Node al = root["allowlist"]) {
      if (Status s = Allowlist(al, origin, "allowlist", &cfg.allowlist); !s.ok()) return s;
    }
    if (Status s = Strings(root["placeholders"], origin, "placeholders", &cfg.placeholders); !s.ok()) return s;
    if (Status s = Regexes(cfg.placeholders, origin, "placeholders"); !s.ok()) return s;
    if (YAML::Node env = root["environments"]) {
      if (!env.IsMap()) return Status::Error(At(origin, env) + ": `environments` must map names to path tokens");
      for (const auto& kv : env) {
        std::vector<std::string> tokens;
        if (Status s = Strings(kv.second, origin, "environments." + kv.first.as<std::string>(), &tokens); !s.ok())
          return s;
        cfg.environments[kv.first.as<std::string>()] = tokens;
      }
    }
    if (YAML::Node f = root["fail-on"]) {
      auto v = ParseSeverity(f.as<std::string>());
      if (!v) return Status::Error(At(origin, f) + ": unknown severity `" + f.as<std::string>() + "`");
      cfg.fail_on = *v;
    }
    if (YAML::Node m = root["max-file-size"]) {
      auto v = ParseSize(m.as<std::string>(), At(origin, m));
      if (!v.ok()) return v.status();
      cfg.max_file_size = v.value();
    }
    if (YAML::Node b = root["baseline"]) cfg.baseline = b.as<std::string>();
  } catch (const YAML::Exception& e) {
    std::string where = origin;
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1);
    return Status::Error(where + ": " + e.msg);
  }
  return cfg;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

std::string FindConfig(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (!fs::is_directory(p, ec)) p = p.parent_path();
  for (int depth = 0; depth < 64 && !p.empty(); ++depth) {
    for (const char* name : {".vigil.yaml", ".vigil.yml"}) {
      if (fs::is_regular_file(p / name, ec)) return (p / name).string();
    }
    if (fs::exists(p / ".git", ec)) break;  // stop at the repository root
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return "";
}

}  // namespace vigil
