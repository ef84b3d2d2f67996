// The fast path of ParseYaml (yaml_tree.h): a single-pass loader for the
// block-style subset of YAML that Kubernetes manifests are written in. It
// builds exactly the tree, marks included, that the yaml-cpp event handler
// builds from the same text, and gives up (returns false, and ParseYaml
// hands the whole text to yaml-cpp) on anything outside that subset:
//
//   - accepted: block maps and sequences (indentless sequences under a key,
//     compact `- key: value` maps and `- - x` sequences), single-line plain,
//     'single' and "double" quoted scalars (the common escapes), literal
//     block scalars (`|`, `|-`, `|+`), single-line flow collections
//     (`{a: b}`, `[a, "b"]`, JSON on one line), comments, `---` documents;
//   - handed to yaml-cpp: anchors, aliases, tags, directives, `...`, `?`
//     keys, folded (`>`) scalars, indentation indicators, multi-line plain
//     or quoted scalars, flow collections over several lines, escapes above
//     U+007F, keys over 1,000 characters, tabs, carriage returns, control
//     characters, a byte-order mark, and every error (so an error is always
//     yaml-cpp's message and line).
//
// yaml-cpp remains the reference: fuzz/yaml_tree_fuzz.cc parses every input
// both ways and traps when the fast path accepts a text and its tree differs
// in any field, or yaml-cpp rejects it.
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policies/yaml_tree.h"

namespace vigil {
namespace {

struct GiveUp {};

class FastYaml {
 public:
  FastYaml(std::string_view s, const YamlLimits& limits) : s_(s), n_(s.size()), limits_(limits) {}

  void Run(std::vector<YDocument>* docs) {
    if (n_ > 0 && static_cast<unsigned char>(s_[0]) >= 0x80) throw GiveUp{};  // BOM, UTF-16
    // The arena's first chunk is sized from an estimate of the nodes: a key
    // (`:` before a blank) and its value are two, a list item (`- `) one
    // more. On generated and real-world manifests it is within 6 % above
    // and 2 % below the count.
    size_t estimate = 2;
    for (size_t i = 0; i < n_; ++i) {
      unsigned char u = static_cast<unsigned char>(s_[i]);
      if ((u < 0x20 && u != '\n') || u == 0x7f) throw GiveUp{};
      if ((u == ':' || u == '-') && BlankOrEnd(i + 1)) estimate += u == ':' ? 2 : 1;
    }
    arena_->Reserve(estimate);
    while (true) {
      SkipEmptyLines();
      if (Eof()) break;
      YDocument doc;
      doc.arena = arena_;
      bool explicit_start = false;
      if (AtDocMarker('-')) {
        doc.line = line_;
        p_ += 3;
        EndLine();
        SkipEmptyLines();
        explicit_start = true;
      } else if (AtDocMarker('.') || At(p_) == '%') {
        throw GiveUp{};
      }
      if (explicit_start && (Eof() || AtDocMarker('-'))) {
        doc.root = Make(YNode::Type::kNull);
        docs->push_back(std::move(doc));
        continue;
      }
      if (AtDocMarker('.')) throw GiveUp{};
      if (!explicit_start) doc.line = line_;
      doc.root = BlockNode(-1);
      SkipEmptyLines();
      if (!Eof() && !AtDocMarker('-')) throw GiveUp{};
      docs->push_back(std::move(doc));
    }
  }

 private:
  // ---- position ----
  char At(size_t i) const { return i < n_ ? s_[i] : '\0'; }
  bool Eof() const { return p_ >= n_; }
  int Indent() const { return static_cast<int>(p_ - ls_); }
  bool BlankOrEnd(size_t i) const { return i >= n_ || s_[i] == ' ' || s_[i] == '\n'; }
  // `---` or `...` at column 1, followed by a blank, a line end or the end.
  bool AtDocMarker(char c) const {
    return p_ == ls_ && At(p_) == c && At(p_ + 1) == c && At(p_ + 2) == c && BlankOrEnd(p_ + 3);
  }
  bool AtAnyDocMarker() const { return AtDocMarker('-') || AtDocMarker('.'); }
  void SkipSpaces() {
    while (p_ < n_ && s_[p_] == ' ') ++p_;
  }
  void NewLine() {  // p_ is at a '\n'
    ++p_;
    ++line_;
    ls_ = p_;
  }
  // The rest of the line must be blanks and an optional comment (a `#`
  // after a blank, or at the start of the line); moves to the next line.
  void EndLine() {
    SkipSpaces();
    if (At(p_) == '#') {
      if (p_ != ls_ && s_[p_ - 1] != ' ') throw GiveUp{};  // `"a"#b`
      const void* nl = std::memchr(s_.data() + p_, '\n', n_ - p_);
      p_ = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n_;
    }
    if (Eof()) return;
    if (s_[p_] != '\n') throw GiveUp{};
    NewLine();
  }
  // From the start of a line: skips blank and comment lines, stopping at the
  // first character of the next content line (or the end).
  void SkipEmptyLines() {
    while (!Eof()) {
      size_t q = p_;
      while (q < n_ && s_[q] == ' ') ++q;
      if (q < n_ && s_[q] != '\n' && s_[q] != '#') {
        p_ = q;
        return;
      }
      p_ = q;
      if (q < n_ && s_[q] == '#') {
        const void* nl = std::memchr(s_.data() + q, '\n', n_ - q);
        p_ = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n_;
      }
      if (Eof()) return;
      NewLine();
    }
  }
  // After a single-line scalar that ended its line: a plain scalar goes on
  // over the next lines that are indented deeper than its container
  // (`parent`); that is outside the subset. A comment line ends it.
  void NoContinuation(int parent) const {
    size_t q = p_;
    while (q < n_) {
      size_t start = q;
      while (q < n_ && s_[q] == ' ') ++q;
      if (q >= n_) return;
      if (s_[q] == '\n') {
        ++q;
        continue;
      }
      if (s_[q] == '#') return;
      if (static_cast<int>(q - start) > parent) {
        // A document marker at column 1 ends the scalar instead.
        char c = s_[q];
        bool marker = q == start && (c == '-' || c == '.') && At(q + 1) == c && At(q + 2) == c &&
                      BlankOrEnd(q + 3);
        if (!marker) throw GiveUp{};
      }
      return;
    }
  }

  // ---- nodes ----
  YNode Make(YNode::Type type) { return MakeAt(type, p_); }
  YNode MakeAt(YNode::Type type, size_t pos) {
    if (++nodes_ > limits_.max_nodes) throw GiveUp{};
    YNode n;
    n.type = type;
    n.line = line_;
    // (yaml-cpp's mark at the end of the text is in column 1 of its line;
    // EmptyNull knows the exception.)
    n.column = pos >= n_ ? 1 : static_cast<uint32_t>(pos - ls_ + 1);
    n.offset = pos;
    return n;
  }
  // The null of an empty value (`key:`) or item (`-`): its mark is where the
  // next token starts. At the end of the text that token is the end of the
  // container (at `indent`) when yaml-cpp closes it for the last line's
  // column, else the end of the stream, whose mark is in column 1.
  YNode EmptyNull(int indent, bool seq) {
    YNode n = Make(YNode::Type::kNull);
    if (Eof()) {
      int c = static_cast<int>(n_ - ls_);
      if (indent > c || (indent == c && seq)) n.column = static_cast<uint32_t>(c + 1);
    }
    return n;
  }
  void Open() {
    if (depth_ >= limits_.max_depth) throw GiveUp{};
    ++depth_;
  }
  // Moves items_[first..] into the container (keys and values alternate in
  // a map), as the yaml-cpp builder does.
  void Close(YNode* c, size_t first) {
    size_t count = items_.size() - first;
    YNode* child = items_.data() + first;
    if (c->type == YNode::Type::kMap) {
      c->keys = arena_->Store(child, count / 2, 2);
      c->values = arena_->Store(child + 1, count / 2, 2);
    } else {
      c->values = arena_->Store(child, count, 1);
    }
    items_.resize(first);
    --depth_;
  }

  // ---- scalars ----
  static bool IsNullWord(std::string_view v) {
    return v == "~" || v == "null" || v == "Null" || v == "NULL";
  }
  // A plain scalar may start here (yaml-cpp's PlainScalar and
  // PlainScalarInFlow, narrowed to what both accept: `?` never starts one
  // here, nor `-` or `:` before a blank).
  bool PlainStart(size_t q) const {
    char c = At(q);
    if (q >= n_ || c == ' ' || c == '\n') return false;
    if (std::strchr(",[]{}#&*!|>'\"%@`?", c) != nullptr) return false;
    if ((c == '-' || c == ':') && BlankOrEnd(q + 1)) return false;
    return true;
  }
  // Scans a plain scalar from p_ to where yaml-cpp ends it on this line: a
  // `:` before a blank (or before `,]}` in a flow), a blank before `#`, the
  // line's end, or in a flow one of `,?[]{}`. Trailing blanks are trimmed.
  YNode Plain(bool flow) {
    size_t q = p_;
    size_t i = p_, last = p_;
    while (i < n_) {
      char c = s_[i];
      if (c == '\n') break;
      if (c == ':') {
        char d = At(i + 1);
        if (i + 1 >= n_ || d == ' ' || d == '\n' || (flow && (d == ',' || d == ']' || d == '}')))
          break;
      } else if (c == ' ') {
        if (At(i + 1) == '#') break;
      } else if (flow && (c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}')) {
        break;
      }
      ++i;
      if (c != ' ') last = i;
    }
    if (last == q) throw GiveUp{};  // `[:,]`: yaml-cpp's empty plain scalar
    std::string_view v = s_.substr(q, last - q);
    YNode n = MakeAt(IsNullWord(v) ? YNode::Type::kNull : YNode::Type::kScalar, q);
    if (n.type == YNode::Type::kScalar) n.value.assign(v.data(), v.size());
    p_ = i;
    return n;
  }
  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // A quoted scalar on one line, p_ at its opening quote.
  YNode Quoted() {
    YNode n = Make(YNode::Type::kScalar);
    n.plain = false;
    char quote = s_[p_];
    size_t i = p_ + 1;
    std::string& v = n.value;
    while (true) {
      if (i >= n_ || s_[i] == '\n') throw GiveUp{};
      char c = s_[i];
      if (quote == '\'') {
        if (c == '\'') {
          if (At(i + 1) != '\'') break;
          v += '\'';
          i += 2;
          continue;
        }
        v += c;
        ++i;
        continue;
      }
      if (c == '"') break;
      if (c != '\\') {
        v += c;
        ++i;
        continue;
      }
      char e = At(i + 1);
      const char* from = "0abtnvfre \"'\\/";
      const char* to = "\0\a\b\t\n\v\f\r\x1b \"'\\/";
      const char* hit = e != '\0' ? std::strchr(from, e) : nullptr;
      if (hit != nullptr) {
        v += to[hit - from];
        i += 2;
        continue;
      }
      int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
      if (digits == 0) throw GiveUp{};
      unsigned long cp = 0;
      for (int k = 0; k < digits; ++k) {
        int h = Hex(At(i + 2 + k));
        if (h < 0) throw GiveUp{};
        cp = cp * 16 + static_cast<unsigned long>(h);
      }
      if (cp >= 0x80) throw GiveUp{};
      v += static_cast<char>(cp);
      i += 2 + static_cast<size_t>(digits);
    }
    p_ = i + 1;
    return n;
  }
  // A scalar key or value starting at p_ (quoted or plain).
  YNode Scalar(bool flow) {
    char c = At(p_);
    if (c == '"' || c == '\'') return Quoted();
    if (!PlainStart(p_)) throw GiveUp{};
    return Plain(flow);
  }
  // yaml-cpp rejects a simple key that runs over 1024 characters to its
  // `:` (YAML's limit); longer ones are left to it.
  static constexpr size_t kMaxKeyLength = 1000;
  // After a scalar in block context: true (and p_ past the `:`) when it was
  // a map key, i.e. blanks, `:`, then a blank, a line end or the end.
  bool KeyColon(const YNode& key) {
    size_t q = p_;
    while (q < n_ && s_[q] == ' ') ++q;
    if (At(q) == ':' && BlankOrEnd(q + 1)) {
      if (q - key.offset > kMaxKeyLength) throw GiveUp{};
      p_ = q + 1;
      return true;
    }
    return false;
  }
  // A literal block scalar, p_ at its `|`; `parent` is the indentation of
  // the container it is in.
  YNode Literal(int parent) {
    YNode n = Make(YNode::Type::kScalar);
    n.plain = false;
    ++p_;
    char chomp = 'c';
    if (At(p_) == '-' || At(p_) == '+') chomp = s_[p_++];
    if (!BlankOrEnd(p_)) throw GiveUp{};  // an indentation indicator, `|-+`, text
    EndLine();
    std::string& v = n.value;
    // Leading empty lines, then the first content line sets the indentation.
    size_t m = 0;
    while (true) {
      if (Eof()) throw GiveUp{};  // no content line
      size_t q = p_;
      while (q < n_ && s_[q] == ' ') ++q;
      if (q < n_ && s_[q] == '\n' && q == p_) {
        v += '\n';
        NewLine();
        continue;
      }
      if (q >= n_ || s_[q] == '\n') throw GiveUp{};  // spaces only: indentation guessing
      m = q - p_;
      if (static_cast<int>(m) <= parent) throw GiveUp{};  // empty scalar, or less indented
      break;
    }
    while (!Eof()) {
      size_t q = p_;
      while (q < n_ && s_[q] == ' ') ++q;
      size_t sp = q - p_;
      if (q >= n_ || s_[q] == '\n') {  // a line of spaces only
        if (sp > m) throw GiveUp{};
        p_ = q;
        if (q < n_) {
          v += '\n';
          NewLine();
        }
        continue;
      }
      if (sp < m) break;
      const void* nl = std::memchr(s_.data() + p_ + m, '\n', n_ - p_ - m);
      size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n_;
      v.append(s_.data() + p_ + m, end - p_ - m);
      p_ = end;
      if (end < n_) {
        v += '\n';
        NewLine();
      }
    }
    if (chomp != '+') {
      size_t pos = v.find_last_not_of('\n');
      if (pos == std::string::npos) {
        v.clear();
      } else if (chomp == '-') {
        v.erase(pos + 1);
      } else if (pos + 1 < v.size()) {
        v.erase(pos + 2);
      }
    }
    return n;
  }

  // ---- flow collections (on one line) ----
  YNode Flow() {
    char open = s_[p_];
    YNode c = Make(open == '[' ? YNode::Type::kSeq : YNode::Type::kMap);
    Open();
    size_t first = items_.size();
    char close = open == '[' ? ']' : '}';
    ++p_;
    SkipSpaces();
    if (At(p_) == close) {
      ++p_;
      Close(&c, first);
      return c;
    }
    while (true) {
      if (open == '{') {
        char q = At(p_);
        YNode key = Scalar(true);
        if (q == '"' || q == '\'') {
          if (At(p_) != ':') {
            SkipSpaces();
            if (At(p_) != ':' || !BlankOrEnd(p_ + 1)) throw GiveUp{};
          }
        } else if (At(p_) != ':') {
          throw GiveUp{};
        }
        if (p_ - key.offset > kMaxKeyLength) throw GiveUp{};
        ++p_;
        SkipSpaces();
        items_.push_back(std::move(key));
      }
      items_.push_back(FlowItem());
      SkipSpaces();
      if (At(p_) == ',') {
        ++p_;
        SkipSpaces();
        if (At(p_) == close) throw GiveUp{};  // a trailing comma
        continue;
      }
      if (At(p_) != close) throw GiveUp{};
      ++p_;
      break;
    }
    Close(&c, first);
    return c;
  }
  YNode FlowItem() {
    char c = At(p_);
    if (c == '[' || c == '{') return Flow();
    return Scalar(true);
  }

  // ---- block collections ----
  // A node at the start of its own line (p_ at its first character, deeper
  // than `parent`).
  YNode BlockNode(int parent) {
    char c = At(p_);
    if (c == '-' && BlankOrEnd(p_ + 1)) return Seq(Indent());
    if (c == '[' || c == '{') return FlowValue();
    if (c == '|') throw GiveUp{};
    return ScalarOrMap(parent);
  }
  // A flow collection as a value: the rest of its line is a comment at most.
  YNode FlowValue() {
    YNode n = Flow();
    size_t q = p_;
    while (q < n_ && s_[q] == ' ') ++q;
    if (At(q) == ':') throw GiveUp{};  // a flow collection as a key
    EndLine();
    return n;
  }
  // A scalar that may be the first key of a block map at its column.
  YNode ScalarOrMap(int parent) {
    int indent = Indent();
    YNode first = Scalar(false);
    if (KeyColon(first)) return Map(indent, std::move(first));
    if (At(p_) == ':') throw GiveUp{};
    EndLine();
    if (first.plain) NoContinuation(parent);
    return first;
  }
  // A block map at column `indent`; its first key is parsed and p_ is past
  // that key's `:`.
  YNode Map(int indent, YNode first_key) {
    YNode m = MakeAt(YNode::Type::kMap, first_key.offset);
    m.line = first_key.line;
    m.column = first_key.column;
    Open();
    size_t first = items_.size();
    items_.push_back(std::move(first_key));
    while (true) {
      items_.push_back(MapValue(indent));
      SkipEmptyLines();
      if (Eof() || AtAnyDocMarker()) break;
      int j = Indent();
      if (j < indent) break;
      if (j > indent) throw GiveUp{};
      YNode key = Scalar(false);
      if (!KeyColon(key)) throw GiveUp{};
      items_.push_back(std::move(key));
    }
    Close(&m, first);
    return m;
  }
  // The value after a block map key's `:` (p_ just past it).
  YNode MapValue(int indent) {
    SkipSpaces();
    char c = At(p_);
    if (Eof() || c == '\n' || c == '#') {
      EndLine();
      SkipEmptyLines();
      if (Eof() || AtAnyDocMarker()) return EmptyNull(indent, false);
      int j = Indent();
      if (j > indent) return BlockNode(indent);
      if (j == indent && At(p_) == '-' && BlankOrEnd(p_ + 1)) return Seq(j);
      return EmptyNull(indent, false);
    }
    return InlineValue(indent, /*after_dash=*/false);
  }
  // A value on the same line as its key's `:` or its `- `.
  YNode InlineValue(int parent, bool after_dash) {
    char c = At(p_);
    if (c == '|') return Literal(parent);
    if (c == '[' || c == '{') return FlowValue();
    if (c == '-' && BlankOrEnd(p_ + 1)) {
      if (!after_dash) throw GiveUp{};  // `key: - x`
      return Seq(Indent());
    }
    if (after_dash) return ScalarOrMap(parent);
    YNode v = Scalar(false);
    size_t q = p_;
    while (q < n_ && s_[q] == ' ') ++q;
    if (At(q) == ':') throw GiveUp{};  // `a: b: c`, or `a: "b":`
    EndLine();
    if (v.plain) NoContinuation(parent);
    return v;
  }
  // A block sequence whose `-` entries are at column `indent`.
  YNode Seq(int indent) {
    YNode s = Make(YNode::Type::kSeq);
    Open();
    size_t first = items_.size();
    while (true) {
      ++p_;  // the `-`
      SkipSpaces();
      char c = At(p_);
      if (Eof() || c == '\n' || c == '#') {
        EndLine();
        SkipEmptyLines();
        if (Eof() || AtAnyDocMarker() || Indent() <= indent) {
          items_.push_back(EmptyNull(indent, true));
        } else {
          items_.push_back(BlockNode(indent));
        }
      } else {
        items_.push_back(InlineValue(indent, /*after_dash=*/true));
      }
      SkipEmptyLines();
      if (Eof() || AtAnyDocMarker()) break;
      int j = Indent();
      if (j < indent) break;
      if (j > indent) throw GiveUp{};
      if (!(At(p_) == '-' && BlankOrEnd(p_ + 1))) break;
    }
    Close(&s, first);
    return s;
  }

  std::string_view s_;
  size_t n_;
  const YamlLimits& limits_;
  std::shared_ptr<YArena> arena_ = std::make_shared<YArena>();
  size_t p_ = 0;       // current byte
  size_t ls_ = 0;      // start of the current line
  uint32_t line_ = 1;  // 1-based
  size_t nodes_ = 0;
  int depth_ = 0;
  std::vector<YNode> items_;  // children of the open containers, innermost last
};

std::string NodeDifference(const YNode& a, const YNode& b, const std::string& path) {
  auto at = [&](const char* what, const std::string& x, const std::string& y) {
    return path + ": " + what + " " + x + " vs " + y;
  };
  if (a.type != b.type)
    return at("type", std::to_string(static_cast<int>(a.type)),
              std::to_string(static_cast<int>(b.type)));
  if (a.plain != b.plain) return at("plain", std::to_string(a.plain), std::to_string(b.plain));
  if (a.line != b.line || a.column != b.column || a.offset != b.offset)
    return at(
        "mark",
        std::to_string(a.line) + ":" + std::to_string(a.column) + "@" + std::to_string(a.offset),
        std::to_string(b.line) + ":" + std::to_string(b.column) + "@" + std::to_string(b.offset));
  if (a.value != b.value) return at("value", "\"" + a.value + "\"", "\"" + b.value + "\"");
  if (a.keys.size() != b.keys.size() || a.values.size() != b.values.size())
    return at("children", std::to_string(a.keys.size()) + "/" + std::to_string(a.values.size()),
              std::to_string(b.keys.size()) + "/" + std::to_string(b.values.size()));
  for (size_t i = 0; i < a.keys.size(); ++i) {
    std::string d = NodeDifference(a.keys[i], b.keys[i], path + ".key" + std::to_string(i));
    if (!d.empty()) return d;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    std::string d = NodeDifference(a.values[i], b.values[i], path + "." + std::to_string(i));
    if (!d.empty()) return d;
  }
  return "";
}

}  // namespace

std::string YamlDifference(const std::vector<YDocument>& a, const std::vector<YDocument>& b) {
  if (a.size() != b.size())
    return "documents: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    std::string doc = "doc" + std::to_string(i);
    if (a[i].line != b[i].line)
      return doc + ": line " + std::to_string(a[i].line) + " vs " + std::to_string(b[i].line);
    std::string d = NodeDifference(a[i].root, b[i].root, doc);
    if (!d.empty()) return d;
  }
  return "";
}

bool ParseYamlFast(std::string_view text, std::vector<YDocument>* docs, const YamlLimits& limits) {
  size_t before = docs->size();
  try {
    FastYaml parser(text, limits);
    parser.Run(docs);
    return true;
  } catch (const GiveUp&) {
    docs->resize(before);
    return false;
  }
}

}  // namespace vigil
