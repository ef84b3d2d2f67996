// BuildSecretGraph (see graph.h): producers and consumers joined per
// namespace and Secret name.
#include "policies/graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "policies/index.h"
#include "policies/secret_graph.h"

namespace vigil {
namespace {

GraphLocation LocationOf(const ManifestFile* file, const YNode* at, const Resource* r) {
  GraphLocation loc;
  if (file != nullptr) loc.path = file->path;
  if (at == nullptr && r != nullptr) at = r->node;
  if (at != nullptr) {
    loc.line = at->line;
    loc.column = at->column;
  }
  return loc;
}

GraphProducer ToGraph(const SecretProducer& p) {
  GraphProducer g;
  g.mechanism = p.mechanism;
  g.family = p.family;
  if (p.r != nullptr) {
    g.kind = p.r->kind;
    g.resource = p.r->name;
  }
  g.type = p.type;
  for (const auto& k : p.keys) {
    if (!k.empty()) g.keys.push_back(k);  // std::set: already sorted
  }
  g.keys_known = p.keys_known;
  g.via = p.via;
  g.ns = p.ns;
  g.at = LocationOf(p.file, p.at, p.r);
  return g;
}

struct Entry {
  std::vector<GraphProducer> producers;
  std::set<std::tuple<std::string, uint32_t, uint32_t, std::string>> producer_seen;
  std::vector<GraphConsumer> consumers;
  std::set<std::tuple<std::string, uint32_t, uint32_t, std::string, std::string>> consumer_seen;

  void Add(const SecretProducer& p) {
    GraphProducer g = ToGraph(p);
    if (producer_seen.emplace(g.at.path, g.at.line, g.at.column, g.mechanism).second) {
      producers.push_back(std::move(g));
    }
  }
  void Add(const SecretConsumer& c) {
    GraphConsumer g;
    g.kind = c.r->kind;
    g.name = c.r->name;
    g.how = c.how;
    g.at = LocationOf(c.r->file, c.at, c.r);
    if (consumer_seen.emplace(g.at.path, g.at.line, g.at.column, g.how, g.kind + "/" + g.name)
            .second) {
      consumers.push_back(std::move(g));
    }
  }
};

// "" (unknown) first, "*" (any namespace) last, names in between.
int NsRank(const std::string& ns) { return ns.empty() ? 0 : ns == kAnyNamespace ? 2 : 1; }

}  // namespace

SecretGraph BuildSecretGraph(const ResourceIndex& index) {
  std::vector<SecretProducer> producers = CollectSecretProducers(index);
  AddCertificateProducers(index, &producers);
  std::vector<SecretConsumer> consumers = CollectSecretConsumers(index);

  std::map<std::string, std::vector<const SecretProducer*>> by_name;
  for (const auto& p : producers) by_name[p.name].push_back(&p);

  std::map<std::pair<std::string, std::string>, Entry> entries;  // (ns, name)
  std::set<const SecretProducer*> used;
  for (const auto& c : consumers) {
    Entry& e = entries[{c.ns, c.name}];
    e.Add(c);
    for (const SecretProducer* p : by_name[c.name]) {
      if (!ProducerServes(*p, c.ns)) continue;
      e.Add(*p);
      used.insert(p);
    }
  }
  // Producers nothing reads still appear, in their own namespace; a producer
  // without a fixed namespace only when it served no consumer.
  for (const auto& p : producers) {
    bool fixed = !p.ns.empty() && p.ns != kAnyNamespace;
    if (fixed || !used.count(&p)) entries[{p.ns, p.name}].Add(p);
  }

  SecretGraph graph;
  for (auto& [key, e] : entries) {
    const auto& [ns, name] = key;
    if (graph.namespaces.empty() || graph.namespaces.back().name != ns) {
      graph.namespaces.push_back(GraphNamespace{ns, {}});
    }
    auto by_loc = [](const auto& a, const auto& b) {
      return std::tie(a.at.path, a.at.line, a.at.column) <
             std::tie(b.at.path, b.at.line, b.at.column);
    };
    std::stable_sort(e.producers.begin(), e.producers.end(), by_loc);
    std::stable_sort(e.consumers.begin(), e.consumers.end(), by_loc);
    graph.namespaces.back().secrets.push_back(
        GraphSecret{name, std::move(e.producers), std::move(e.consumers)});
  }
  std::stable_sort(graph.namespaces.begin(), graph.namespaces.end(),
                   [](const GraphNamespace& a, const GraphNamespace& b) {
                     return std::make_pair(NsRank(a.name), a.name) <
                            std::make_pair(NsRank(b.name), b.name);
                   });
  return graph;
}

}  // namespace vigil
