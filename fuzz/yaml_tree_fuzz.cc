// Fuzzes the linter's YAML loader (policies/yaml_tree.h: yaml-cpp events into
// a tree, aliases sharing the anchored subtree under a node budget, nesting
// capped), holds its fast path to yaml-cpp (whatever ParseYamlFast accepts,
// yaml-cpp must parse into the same tree, field for field), checks map
// lookups against a plain scan of the keys, and fuzzes the shared policy
// helpers that look at untrusted scalars (base64, SOPS ENC
// tokens, key material, template detection).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "policies/policy.h"
#include "policies/yaml_tree.h"

namespace {

size_t CountNodes(const vigil::YNode& n, int depth) {
  if (depth > 1000) __builtin_trap();  // the depth cap must hold
  size_t c = 1;
  for (const auto& k : n.keys) c += CountNodes(k, depth + 1);
  for (const auto& v : n.values) c += CountNodes(v, depth + 1);
  if (n.IsMap() && n.keys.size() != n.values.size()) __builtin_trap();
  // Get and KeyNode find the first scalar key with that text, as a plain
  // scan does.
  for (size_t i = 0; n.IsMap() && i < n.keys.size(); ++i) {
    const vigil::YNode& k = n.keys[i];
    if (!k.IsScalar()) continue;
    size_t first = 0;
    while (!(n.keys[first].IsScalar() && n.keys[first].value == k.value)) ++first;
    if (n.Get(k.value) != &n.values[first] || n.KeyNode(k.value) != &n.keys[first])
      __builtin_trap();
  }
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::YDocument> docs;
  uint32_t error_line = 0;
  vigil::YamlLimits limits;
  (void)vigil::ParseYaml(text, &docs, &error_line, limits);
  std::vector<vigil::YDocument> fast, reference;
  if (vigil::ParseYamlFast(text, &fast, limits)) {
    if (!vigil::ParseYamlReference(text, &reference, &error_line, limits).ok()) __builtin_trap();
    std::string diff = vigil::YamlDifference(fast, reference);
    if (!diff.empty()) {
      fprintf(stderr, "fast path and yaml-cpp differ: %s\n", diff.c_str());
      __builtin_trap();
    }
  }
  size_t total = 0;
  for (const auto& d : docs) total += CountNodes(d.root, 0);
  // The budget counts expanded nodes (keys included); allow slack for the
  // documents' roots.
  if (total > 2 * limits.max_nodes + docs.size() + 16) __builtin_trap();
  (void)vigil::LooksLikeTemplate(text);
  std::string out, what;
  (void)vigil::DecodeBase64Strict(text, &out);
  size_t offset = 0;
  if (vigil::ContainsKeyMaterial(text, &what, &offset) && offset > size) __builtin_trap();
  (void)vigil::IsEncToken(text);
  (void)vigil::IsTrivialValue(text);
  (void)vigil::IsCredentialKey(text);
  vigil::LintOptions lo;
  (void)vigil::InferEnvironment(text, lo);
  return 0;
}
