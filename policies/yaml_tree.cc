// yaml-cpp event handler that builds YNode trees (see yaml_tree.h).
#include "policies/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <istream>
#include <map>
#include <sstream>
#include <streambuf>
#include <string>

namespace vigil {
namespace {

struct LimitExceeded {
  std::string what;
  uint32_t line;
};

// Children are collected on one scratch stack shared by every open
// container (items_), and moved into the parse's arena when their container
// ends (no growing vectors, no slack capacity kept in the tree). An alias
// is a copy of its anchor's node: it shares the anchored subtree.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const YamlLimits& limits, std::vector<YDocument>* docs)
      : limits_(limits), docs_(docs) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    stack_.clear();
    items_.clear();
    anchors_.clear();
    doc_line_ = static_cast<uint32_t>(mark.line + 1);
    have_root_ = false;
  }
  void OnDocumentEnd() override {
    YDocument doc;
    doc.line = doc_line_;
    doc.arena = arena_;
    if (have_root_) doc.root = std::move(root_);
    docs_->push_back(std::move(doc));
    have_root_ = false;
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Complete(Make(YNode::Type::kNull, mark), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) {
      Complete(Make(YNode::Type::kNull, mark), YAML::NullAnchor);
      return;
    }
    nodes_ += it->second.count;
    if (nodes_ > limits_.max_nodes) {
      throw LimitExceeded{"too many nodes after alias expansion (alias bomb?)",
                          static_cast<uint32_t>(mark.line + 1)};
    }
    YNode copy = it->second.node;
    copy.line = static_cast<uint32_t>(mark.line + 1);
    copy.column = static_cast<uint32_t>(mark.column + 1);
    copy.offset = static_cast<uint64_t>(mark.pos);
    Complete(std::move(copy), YAML::NullAnchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YNode n = Make(YNode::Type::kScalar, mark);
    n.plain = (tag != "!");
    // A plain `~`/`null`/empty scalar is YAML null.
    if (n.plain && tag == "?" &&
        (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
      n.type = YNode::Type::kNull;
    } else {
      n.value = value;
    }
    Complete(std::move(n), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(Make(YNode::Type::kSeq, mark), anchor);
  }
  void OnSequenceEnd() override { Pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(Make(YNode::Type::kMap, mark), anchor);
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    YNode node;  // the container, children not attached yet
    YAML::anchor_t anchor;
    size_t first;  // its children are items_[first..]
  };
  struct Anchored {
    YNode node;
    size_t count;  // nodes in it (what an alias to it adds to the budget)
  };

  YNode Make(YNode::Type type, const YAML::Mark& mark) {
    if (++nodes_ > limits_.max_nodes) {
      throw LimitExceeded{"too many YAML nodes", static_cast<uint32_t>(mark.line + 1)};
    }
    YNode n;
    n.type = type;
    n.line = static_cast<uint32_t>(mark.line + 1);
    n.column = static_cast<uint32_t>(mark.column + 1);
    n.offset = mark.pos < 0 ? 0 : static_cast<uint64_t>(mark.pos);
    return n;
  }
  static size_t Count(const YNode& n) {
    size_t c = 1;
    for (const auto& k : n.keys) c += Count(k);
    for (const auto& v : n.values) c += Count(v);
    return c;
  }
  void Push(YNode n, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw LimitExceeded{"YAML nested too deeply", n.line};
    }
    stack_.push_back(Frame{std::move(n), anchor, items_.size()});
  }
  void Pop() {
    if (stack_.empty()) return;
    Frame& f = stack_.back();
    YNode n = std::move(f.node);
    YAML::anchor_t anchor = f.anchor;
    size_t first = f.first;
    stack_.pop_back();
    size_t count = items_.size() - first;
    YNode* child = items_.data() + first;
    if (n.type == YNode::Type::kMap) {
      // Keys and values alternate (a key without a value stays a key).
      n.keys = arena_->Store(child, (count + 1) / 2, 2);
      n.values = arena_->Store(child + 1, count / 2, 2);
    } else {
      n.values = arena_->Store(child, count, 1);
    }
    items_.resize(first);
    Complete(std::move(n), anchor);
  }
  void Complete(YNode n, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      size_t count = Count(n);
      anchors_.insert_or_assign(anchor, Anchored{n, count});
    }
    if (stack_.empty()) {
      root_ = std::move(n);
      have_root_ = true;
      return;
    }
    items_.push_back(std::move(n));
  }

  const YamlLimits& limits_;
  std::vector<YDocument>* docs_;
  std::shared_ptr<YArena> arena_ = std::make_shared<YArena>();
  std::vector<Frame> stack_;
  std::vector<YNode> items_;  // children of the open containers, innermost last
  std::map<YAML::anchor_t, Anchored> anchors_;
  YNode root_;
  bool have_root_ = false;
  uint32_t doc_line_ = 1;
  size_t nodes_ = 0;
};

// A read-only streambuf over a string_view.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());
    setg(p, p, p + text.size());
  }
};

}  // namespace

YNodeList YArena::Store(YNode* from, size_t n, size_t stride) {
  YNodeList list;
  if (n == 0) return list;
  if (chunks_.empty() || chunks_.back().capacity() - chunks_.back().size() < n) {
    // Past the estimate (Reserve), or without one, chunks grow with what is
    // stored, from 32 nodes to 4,096; a longer list gets a chunk of its own.
    size_t cap = std::clamp<size_t>(stored_ / 4, 32, 4096);
    chunks_.emplace_back();
    chunks_.back().reserve(std::max(cap, n));
  }
  std::vector<YNode>& c = chunks_.back();
  list.data_ = c.data() + c.size();
  list.size_ = static_cast<uint32_t>(n);
  stored_ += n;
  for (size_t i = 0; i < n; ++i) c.push_back(std::move(from[i * stride]));
  return list;
}

void YArena::Reserve(size_t nodes) {
  if (!chunks_.empty() || nodes == 0) return;
  chunks_.emplace_back();
  chunks_.back().reserve(nodes);
}

namespace {
// keys[i] is the scalar `key` (the length and first byte are compared before
// memcmp: map lookups are the policies' hottest operation).
inline bool IsKey(const YNode& k, std::string_view key) {
  return k.type == YNode::Type::kScalar && k.value.size() == key.size() &&
         (key.empty() ||
          (k.value[0] == key[0] && std::memcmp(k.value.data(), key.data(), key.size()) == 0));
}
}  // namespace

const YNode* YNode::Get(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i) {
    if (IsKey(keys[i], key)) return &values[i];
  }
  return nullptr;
}

const YNode* YNode::KeyNode(std::string_view key) const {
  if (type != Type::kMap) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (IsKey(keys[i], key)) return &keys[i];
  }
  return nullptr;
}

const YNode* YNode::Path(std::string_view dotted) const {
  const YNode* n = this;
  while (n != nullptr && !dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string_view part = dotted.substr(0, dot);
    n = n->Get(part);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  return n;
}

std::string YNode::Str(std::string_view key) const {
  const YNode* n = Get(key);
  if (n == nullptr || n->type != Type::kScalar) return "";
  return n->value;
}

Status ParseYaml(std::string_view text, std::vector<YDocument>* docs, uint32_t* error_line,
                 const YamlLimits& limits) {
  *error_line = 0;
  if (ParseYamlFast(text, docs, limits)) return Status::Ok();
  return ParseYamlReference(text, docs, error_line, limits);
}

Status ParseYamlReference(std::string_view text, std::vector<YDocument>* docs, uint32_t* error_line,
                          const YamlLimits& limits) {
  *error_line = 0;
  try {
    // Read the text in place (no copy into an istringstream).
    ViewBuf buf(text);
    std::istream in(&buf);
    YAML::Parser parser(in);
    TreeBuilder builder(limits, docs);
    while (parser.HandleNextDocument(builder)) {
    }
    return Status::Ok();
  } catch (const LimitExceeded& e) {
    *error_line = e.line;
    return Status::Error(e.what);
  } catch (const YAML::Exception& e) {
    *error_line = e.mark.is_null() ? 0 : static_cast<uint32_t>(e.mark.line + 1);
    return Status::Error(e.msg);
  } catch (const std::exception& e) {
    return Status::Error(e.what());
  } catch (...) {
    return Status::Error("unknown YAML parser error");
  }
}

bool LooksLikeTemplate(std::string_view text) {
  if (text.find("{{") != std::string_view::npos) return true;
  if (text.find("{%") != std::string_view::npos) return true;
  if (text.find("#{") != std::string_view::npos) return true;
  if (text.find("${") != std::string_view::npos) return true;
  return false;
}

}  // namespace vigil
