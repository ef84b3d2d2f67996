// YamlTree: the linter's own YAML document tree, built by a fast loader for
// the subset manifests use, or else from yaml-cpp parser events. Every node keeps its 1-based line
// and column and byte offset, map keys are nodes too (so a finding can point at the offending key),
// an alias is a copy of its anchor's node that shares the anchored subtree, counted in full
// against a node budget (alias bombs stop with an error, as if expanded), and nesting is capped.
// yaml-cpp types stay in yaml_tree.cc. Parsing is a pure function; the nodes live in one arena
// per parse (YArena), which the documents of that parse keep alive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/status.h"

namespace vigil {

struct YNode;

// A run of sibling nodes (a map's keys, its values, a sequence's items),
// stored contiguously in the arena of the parse that built them. The lists
// are views: a copy of a node copies its own fields and shares its subtree,
// which lives as long as a YDocument (or a copy of one) of that parse.
class YNodeList {
 public:
  const YNode* begin() const { return data_; }
  inline const YNode* end() const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  inline const YNode& operator[](size_t i) const;
  const YNode& front() const { return (*this)[0]; }
  const YNode& back() const { return (*this)[size_ - 1]; }
  const YNode* data() const { return data_; }

 private:
  friend class YArena;
  const YNode* data_ = nullptr;
  uint32_t size_ = 0;
};

struct YNode {
  enum class Type : uint8_t { kNull, kScalar, kMap, kSeq };
  // (Small fields first: no padding between them, 8 bytes less per node.)
  Type type = Type::kNull;
  bool plain = true;    // scalar written without quotes (or block style)
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, bytes
  uint64_t offset = 0;  // byte offset of the node's first character
  std::string value;    // scalar text (empty for null/map/seq)
  YNodeList keys;       // map keys (as many as values, or one more)
  YNodeList values;     // map values, or sequence items

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

inline const YNode* YNodeList::end() const { return data_ + size_; }
inline const YNode& YNodeList::operator[](size_t i) const { return data_[i]; }

// Where one parse keeps its nodes: chunks that never move, so that the
// lists pointing into them stay valid. The builders fill it (one bump
// allocation per container instead of two vectors each); YDocument keeps
// it alive.
class YArena {
 public:
  // Moves from[0], from[stride], ... (n nodes) into one contiguous run and
  // returns it as a list.
  YNodeList Store(YNode* from, size_t n, size_t stride);
  // Sizes the first chunk (a builder's estimate of the nodes to come).
  void Reserve(size_t nodes);

 private:
  std::vector<std::vector<YNode>> chunks_;
  size_t stored_ = 0;
};

struct YDocument {
  YNode root;
  uint32_t line = 1;                    // where the document starts
  std::shared_ptr<const YArena> arena;  // owns the nodes below root
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
