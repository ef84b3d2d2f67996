// The secret graph writers (see graph_writer.h).
#include "reporters/graph_writer.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

std::string NsLabel(const std::string& ns) {
  if (ns.empty()) return "(no namespace)";
  if (ns == "*") return "(any namespace)";
  return ns;
}

std::string Where(const GraphLocation& at) {
  std::string s = at.path;
  if (at.line > 0) s += ":" + std::to_string(at.line);
  return s;
}

// "SealedSecret db" / "plain Secret db" / "secretGenerator in k.yaml".
std::string ProducerLabel(const GraphProducer& p) {
  std::string s = p.mechanism;
  if (!p.resource.empty() && s.find(p.resource) == std::string::npos) s += " " + p.resource;
  return s;
}

Json LocationJson(const GraphLocation& at) {
  return Json{{"file", at.path}, {"line", at.line}, {"column", at.column}};
}

Json ErrorsJson(const std::vector<ScanError>& errors) {
  Json list = Json::array();
  for (const auto& e : errors) {
    list.push_back(
        Json{{"file", e.path}, {"line", e.line}, {"message", e.message}, {"warning", e.warning}});
  }
  return list;
}

// Graphviz double-quoted string: escape quotes and backslashes; "\n" breaks lines.
std::string DotQuote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    o += c;
  }
  return o + "\"";
}

}  // namespace

GraphCounts CountGraph(const SecretGraph& graph) {
  GraphCounts c;
  c.namespaces = graph.namespaces.size();
  for (const auto& ns : graph.namespaces) {
    for (const auto& s : ns.secrets) {
      ++c.secrets;
      c.producers += s.producers.size();
      c.consumers += s.consumers.size();
      if (!s.resolved()) ++c.unresolved;
      if (s.consumers.empty()) ++c.unconsumed;
    }
  }
  return c;
}

void WriteGraphText(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out) {
  GraphCounts c = CountGraph(graph);
  out << "Secret graph of " << (info.root.empty() ? "." : info.root) << ": " << c.secrets
      << " secret" << (c.secrets == 1 ? "" : "s") << " in " << c.namespaces << " namespace"
      << (c.namespaces == 1 ? "" : "s") << ", " << c.unresolved
      << " without a producer in the repo\n";
  for (const auto& ns : graph.namespaces) {
    out << "\nnamespace " << NsLabel(ns.name) << "\n";
    for (const auto& s : ns.secrets) {
      out << "  Secret " << s.name;
      if (!s.resolved()) out << "  [UNRESOLVED: no producer in the repo]";
      if (s.consumers.empty()) out << "  [not consumed in the repo]";
      out << "\n";
      for (const auto& p : s.producers) {
        out << "    <- " << ProducerLabel(p);
        if (!p.type.empty()) out << " (type " << p.type << ")";
        out << "  " << Where(p.at) << "\n";
      }
      for (const auto& k : s.consumers) {
        out << "    -> " << k.kind << " " << k.name << " (" << k.how << ")  " << Where(k.at)
            << "\n";
      }
    }
  }
}

void WriteGraphJson(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out) {
  GraphCounts c = CountGraph(graph);
  Json j;
  j["schema"] = "vigil-secret-graph/1";
  j["tool"] = Json{{"name", "vigil"}, {"version", info.tool_version}};
  j["root"] = info.root;
  j["summary"] = Json{{"namespaces", c.namespaces}, {"secrets", c.secrets},
                      {"producers", c.producers},   {"consumers", c.consumers},
                      {"unresolved", c.unresolved}, {"unconsumed", c.unconsumed}};
  Json nss = Json::array();
  for (const auto& ns : graph.namespaces) {
    Json secrets = Json::array();
    for (const auto& s : ns.secrets) {
      Json producers = Json::array();
      for (const auto& p : s.producers) {
        Json keys = Json::array();
        for (const auto& k : p.keys) keys.push_back(k);
        Json pj;
        pj["mechanism"] = p.mechanism;
        pj["family"] = p.family;
        pj["kind"] = p.kind;
        pj["resource"] = p.resource;
        pj["namespace"] = p.ns;
        pj["type"] = p.type;
        pj["keys"] = keys;
        pj["keys_known"] = p.keys_known;
        pj["via"] = p.via;
        pj["location"] = LocationJson(p.at);
        producers.push_back(std::move(pj));
      }
      Json consumers = Json::array();
      for (const auto& k : s.consumers) {
        consumers.push_back(Json{
            {"kind", k.kind}, {"name", k.name}, {"how", k.how}, {"location", LocationJson(k.at)}});
      }
      Json sj;
      sj["name"] = s.name;
      sj["resolved"] = s.resolved();
      sj["producers"] = std::move(producers);
      sj["consumers"] = std::move(consumers);
      secrets.push_back(std::move(sj));
    }
    nss.push_back(Json{{"name", ns.name}, {"secrets", std::move(secrets)}});
  }
  j["namespaces"] = std::move(nss);
  j["errors"] = ErrorsJson(info.errors);
  out << j.dump(2) << "\n";
}

void WriteGraphDot(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out) {
  out << "// vigil graph " << (info.root.empty() ? "." : info.root)
      << ": producers -> Secret -> consumers; dashed red = no producer in the repo\n";
  out << "digraph secrets {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
         "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::map<std::string, std::string> ids;  // node key -> id
  auto id_of = [&](const std::string& key, bool* fresh) {
    auto [it, inserted] = ids.emplace(key, "n" + std::to_string(ids.size()));
    *fresh = inserted;
    return it->second;
  };
  std::set<std::tuple<std::string, std::string, std::string>> edges_seen;
  std::string edges;
  auto edge = [&](const std::string& from, const std::string& to, const std::string& label,
                  bool unresolved) {
    if (!edges_seen.emplace(from, to, label).second) return;
    edges += "  " + from + " -> " + to + " [label=" + DotQuote(label) +
             (unresolved ? ", style=dashed, color=red, fontcolor=red" : "") + "];\n";
  };
  size_t cluster = 0;
  for (const auto& ns : graph.namespaces) {
    out << "  subgraph cluster_" << cluster++
        << " {\n    label=" << DotQuote("namespace " + NsLabel(ns.name))
        << ";\n    style=rounded;\n";
    for (const auto& s : ns.secrets) {
      bool fresh = false;
      std::string sid = id_of("s|" + ns.name + "|" + s.name, &fresh);
      out << "    " << sid
          << " [label=" << DotQuote("Secret\n" + s.name + (s.resolved() ? "" : "\n(no producer)"))
          << ", shape=ellipse" << (s.resolved() ? "" : ", style=dashed, color=red, fontcolor=red")
          << "];\n";
      for (const auto& p : s.producers) {
        std::string pid = id_of(
            "p|" + ns.name + "|" + p.mechanism + "|" + p.resource + "|" + Where(p.at), &fresh);
        if (fresh) {
          out << "    " << pid << " [label=" << DotQuote(ProducerLabel(p) + "\n" + Where(p.at))
              << ", shape=note, style=filled, fillcolor=\"#e8f4e8\"];\n";
        }
        edge(pid, sid, p.family, false);
      }
      for (const auto& k : s.consumers) {
        std::string cid =
            id_of("c|" + ns.name + "|" + k.kind + "|" + k.name + "|" + k.at.path, &fresh);
        if (fresh) {
          out << "    " << cid << " [label=" << DotQuote(k.kind + " " + k.name + "\n" + k.at.path)
              << ", shape=box];\n";
        }
        edge(sid, cid, k.how, !s.resolved());
      }
    }
    out << "  }\n";
  }
  out << edges << "}\n";
}

bool WriteGraph(std::string_view format, const SecretGraph& graph, const GraphReportInfo& info,
                std::ostream& out) {
  if (format == "text") {
    WriteGraphText(graph, info, out);
  } else if (format == "json") {
    WriteGraphJson(graph, info, out);
  } else if (format == "dot") {
    WriteGraphDot(graph, info, out);
  } else {
    return false;
  }
  return true;
}

}  // namespace vigil
