#include "reporters/baseline.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace vigil {

using nlohmann::json;

std::set<std::string> Baseline::Fingerprints() const {
  std::set<std::string> out;
  for (const auto& e : entries) out.insert(e.fingerprint);
  return out;
}

namespace {

void SortEntries(std::vector<BaselineEntry>* e) {
  std::sort(e->begin(), e->end(), [](const BaselineEntry& a, const BaselineEntry& b) {
    if (a.path != b.path) return a.path < b.path;
    if (a.rule_id != b.rule_id) return a.rule_id < b.rule_id;
    return a.fingerprint < b.fingerprint;
  });
  e->erase(std::unique(e->begin(), e->end(),
                       [](const BaselineEntry& a, const BaselineEntry& b) { return a.fingerprint == b.fingerprint; }),
           e->end());
}

}  // namespace

std::string NowIso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Baseline> LoadBaseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path + ": cannot read baseline file");
  std::stringstream ss;
  ss << in.rdbuf();
  json j;
  try {
    j = json::parse(ss.str());
  } catch (const json::parse_error& e) {
    return Status::Error(path + ": not a baseline (invalid JSON at byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object() || !j.contains("findings") || !j["findings"].is_array())
    return Status::Error(path + ": not a baseline (expected an object with a `findings` list)");
  if (j.contains("version") && j["version"] != 1)
    return Status::Error(path + ": unsupported baseline version");
  Baseline b;
  size_t i = 0;
  for (const auto& e : j["findings"]) {
    if (!e.is_object() || !e.contains("fingerprint") || !e["fingerprint"].is_string())
      return Status::Error(path + ": entry " + std::to_string(i) + " has no `fingerprint` string");
    BaselineEntry be;
    be.fingerprint = e["fingerprint"].get<std::string>();
    be.rule_id = e.value("rule_id", "");
    be.path = e.value("path", "");
    be.first_seen = e.value("first_seen", "");
    b.entries.push_back(std::move(be));
    ++i;
  }
  SortEntries(&b.entries);
  return b;
}

Status WriteBaseline(const std::string& path, const Baseline& baseline) {
  json j;
  j["version"] = 1;
  j["tool"] = "vigil";
  j["findings"] = json::array();
  for (const auto& e : baseline.entries) {
    j["findings"].push_back(
        {{"fingerprint", e.fingerprint}, {"rule_id", e.rule_id}, {"path", e.path}, {"first_seen", e.first_seen}});
  }
  std::string tmp = path + ".vigil-tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Error(path + ": cannot write baseline");
    out << j.dump(2) << "\n";
    if (!out) return Status::Error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Status::Error(path + ": cannot write baseline: " + ec.message());
  }
  return Status::Ok();
}

Baseline MakeBaseline(const std::vector<Finding>& findings, const Baseline* previous, const std::string& now) {
  std::map<std::string, std::string> seen;
  if (previous) {
    for (const auto& e : previous->entries) seen[e.fingerprint] = e.first_seen;
  }
  Baseline b;
  for (const auto& f : findings) {
    if (f.kind == FindingKind::kNotice || f.fingerprint.empty()) continue;
    if (f.suppressed && f.suppression != "baseline") continue;  // inline-ignored: not baselined
    BaselineEntry e;
    e.fingerprint = f.fingerprint;
    e.rule_id = f.rule_id;
    e.path = f.commit_path.empty() ? f.location.path : f.commit_path;
    auto it = seen.find(f.fingerprint);
    e.first_seen = it != seen.end() && !it->second.empty() ? it->second : now;
    b.entries.push_back(std::move(e));
  }
  SortEntries(&b.entries);
  return b;
}

Baseline PruneBaseline(const Baseline& previous, const std::vector<Finding>& findings, size_t* pruned) {
  std::set<std::string> current;
  for (const auto& f : findings) current.insert(f.fingerprint);
  Baseline b;
  size_t n = 0;
  for (const auto& e : previous.entries) {
    if (current.count(e.fingerprint)) {
      b.entries.push_back(e);
    } else {
      ++n;
    }
  }
  if (pruned) *pruned = n;
  return b;
}

}  // namespace vigil
