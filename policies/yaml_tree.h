// YamlTree: the linter's own YAML document tree, built by a fast loader for
// the subset manifests use, or else from yaml-cpp parser events. Every node keeps its 1-based line
// and column and byte offset, map keys are nodes too (so a finding can point at the offending key),
// aliases are expanded by copy under a node budget (alias bombs stop with an error, never exhaust
// memory), and nesting is capped. yaml-cpp types stay in yaml_tree.cc. Parsing is a pure function;
// the tree is a plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/status.h"

namespace vigil {

struct YNode {
  enum class Type : uint8_t { kNull, kScalar, kMap, kSeq };
  // (Small fields first: no padding between them, 8 bytes less per node.)
  Type type = Type::kNull;
  bool plain = true;          // scalar written without quotes (or block style)
  uint32_t line = 0;          // 1-based
  uint32_t column = 0;        // 1-based, bytes
  uint64_t offset = 0;        // byte offset of the node's first character
  std::string value;          // scalar text (empty for null/map/seq)
  std::vector<YNode> keys;    // map keys (same length as values)
  std::vector<YNode> values;  // map values, or sequence items

  bool IsMap() const { return type == Type::kMap; }
  bool IsSeq() const { return type == Type::kSeq; }
  bool IsScalar() const { return type == Type::kScalar; }
  bool IsNull() const { return type == Type::kNull; }
  // The value of a map entry whose key is `key`; nullptr when absent or not a map.
  const YNode* Get(std::string_view key) const;
  // The key node of a map entry; nullptr when absent.
  const YNode* KeyNode(std::string_view key) const;
  // Follows a dotted path of map keys ("metadata.name").
  const YNode* Path(std::string_view dotted) const;
  // Scalar text of Get(key), or "" when absent or not a scalar.
  std::string Str(std::string_view key) const;
  size_t size() const { return values.size(); }
};

struct YDocument {
  YNode root;
  uint32_t line = 1;  // where the document starts
};

struct YamlLimits {
  size_t max_nodes = 200000;  // total nodes per file, aliases expanded
  int max_depth = 200;
};

// Parses every document of a YAML (or JSON) stream into *docs. Never throws;
// a parse error or an exceeded limit returns an error Status and sets
// *error_line (1-based, 0 when unknown). Documents parsed before the error
// stay in *docs. Tries ParseYamlFast first, then yaml-cpp.
Status ParseYaml(std::string_view text, std::vector<YDocument>* docs, uint32_t* error_line,
                 const YamlLimits& limits = {});

// The fast path alone (yaml_fast.cc): the block-style subset of YAML that
// manifests are written in, parsed into exactly the tree ParseYamlReference
// builds. Returns false, leaving *docs as it was, for any text outside the
// subset (anchors, tags, folded or multi-line scalars, multi-line flow
// collections, tabs, ...) and for every error.
bool ParseYamlFast(std::string_view text, std::vector<YDocument>* docs,
                   const YamlLimits& limits = {});

// yaml-cpp alone: the reference the fast path is tested against.
Status ParseYamlReference(std::string_view text, std::vector<YDocument>* docs, uint32_t* error_line,
                          const YamlLimits& limits = {});

// "" when the two parses are the same in every field of every node (type,
// plain, line, column, offset, value, children); otherwise where they first
// differ. For the tests and the fuzz target that hold the two parsers equal.
std::string YamlDifference(const std::vector<YDocument>& a, const std::vector<YDocument>& b);

// True when the text carries template syntax (Helm/Go `{{`, Jinja `{%`,
// makejinja `#{`, envsubst `${VAR}` at a key position) that makes it
// something other than YAML until rendered.
bool LooksLikeTemplate(std::string_view text);

}  // namespace vigil
