// The secret producer/consumer graph builder behind `vigil graph`: joins the
// producers (CollectSecretProducers + AddCertificateProducers) and the
// consumers (CollectSecretConsumers) of a ResourceIndex into a SecretGraph
// (scanner/core/graph.h) grouped per namespace, with the same resolution rule
// as GSP-XREF-001 / GSP-PULL-001 (ProducerServes). No output code here: the
// writers are in reporters/graph_writer.h.
//
// Thread safety: pure functions; the index must be built (Build()) and not
// change while they run.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scanner/core/graph.h"
#include "scanner/core/inspector.h"

namespace vigil {

class ResourceIndex;

// The graph of a built index (working-tree resources only).
SecretGraph BuildSecretGraph(const ResourceIndex& index);

// An Inspector that parses manifests exactly as the manifest linter does and,
// in Finish(), builds the graph of the whole tree into *out (which must
// outlive it). It reports no findings; unparsable files come back as errors.
std::unique_ptr<Inspector> NewSecretGraphInspector(SecretGraph* out);

// The graph of an in-memory tree (path -> text), for tests.
SecretGraph SecretGraphInMemory(const std::map<std::string, std::string>& files,
                                std::vector<ScanError>* errors);

}  // namespace vigil
