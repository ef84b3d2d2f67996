// Writers for the secret producer/consumer graph (scanner/core/graph.h) of
// `vigil graph`: text (per namespace, for people), JSON (schema
// "vigil-secret-graph/1", docs/graph.md) and DOT (Graphviz). They live in
// reporters/ beside the finding reporters because they are output formats
// and the JSON one uses nlohmann-json, which lives only here.
//
// Every writer prints names, mechanisms and file:line locations only, never
// a secret's value (the graph holds none). Stateless; safe to call from any
// thread on distinct streams.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/finding.h"
#include "scanner/core/graph.h"

namespace vigil {

struct GraphReportInfo {
  std::string tool_version;
  std::string root;               // the scanned path as given
  std::vector<ScanError> errors;  // files that could not be read or parsed
};

struct GraphCounts {
  size_t namespaces = 0, secrets = 0, producers = 0, consumers = 0, unresolved = 0, unconsumed = 0;
};
GraphCounts CountGraph(const SecretGraph& graph);

void WriteGraphText(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out);
void WriteGraphJson(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out);
void WriteGraphDot(const SecretGraph& graph, const GraphReportInfo& info, std::ostream& out);

// The writer for a --format name ("text", "json", "dot"); false when unknown.
bool WriteGraph(std::string_view format, const SecretGraph& graph, const GraphReportInfo& info,
                std::ostream& out);

}  // namespace vigil
