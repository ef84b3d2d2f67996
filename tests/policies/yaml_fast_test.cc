// ParseYamlFast, the fast path of ParseYaml: on the subset it accepts it must
// build exactly yaml-cpp's tree (every field of every node, marks included),
// and it must decline everything else so that yaml-cpp parses it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policies/yaml_tree.h"

namespace vigil {
namespace {

// Parses with both; fails the test unless the fast path accepts and the
// trees are identical. Returns the fast path's documents.
std::vector<YDocument> BothAgree(const std::string& text) {
  std::vector<YDocument> fast, ref;
  uint32_t line = 0;
  EXPECT_TRUE(ParseYamlFast(text, &fast)) << "fast path declined:\n" << text;
  Status st = ParseYamlReference(text, &ref, &line);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(YamlDifference(fast, ref), "") << text;
  return fast;
}

TEST(YamlFast, BlockMapsSequencesAndCompactForms) {
  BothAgree(
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "metadata:\n"
      "  name: web   # trailing comment\n"
      "  labels:\n"
      "    app.kubernetes.io/name: web\n"
      "spec:\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: api\n"
      "          image: registry.internal/api:1.2 # pinned\n"
      "          args:\n"
      "          - --port=8080\n"
      "          - \"--mode=a:b\"\n"
      "          env:\n"
      "            - {name: A, value: \"1\"}\n"
      "            - name: B\n"
      "              valueFrom:\n"
      "                secretKeyRef: {name: db, key: password}\n"
      "      volumes: []\n"
      "matrix:\n"
      "- - a\n"
      "  - b\n"
      "- c\n");
}

TEST(YamlFast, ScalarsQuotingNullsAndEmptyValues) {
  auto docs = BothAgree(
      "plain: value with spaces and a:colon and a#hash\n"
      "single: 'it''s'\n"
      "double: \"tab\\tnl\\n quote\\\" slash\\/ \\x41\\u0042\"\n"
      "empty: ''\n"
      "tilde: ~\n"
      "word: null\n"
      "quoted_null: \"null\"\n"
      "nothing:\n"
      "nested:\n"
      "  inner:\n"
      "last:\n");
  const YNode& root = docs.at(0).root;
  EXPECT_EQ(root.Str("double"), "tab\tnl\n quote\" slash/ AB");
  EXPECT_TRUE(root.Get("tilde")->IsNull());
  EXPECT_FALSE(root.Get("quoted_null")->plain);
  // An empty value's mark is where the next token starts, as in yaml-cpp.
  EXPECT_TRUE(root.Get("nothing")->IsNull());
  EXPECT_EQ(root.Get("nothing")->line, 9u);
  EXPECT_EQ(root.Path("nested.inner")->line, 11u);
  EXPECT_EQ(root.Get("last")->line, 12u);  // the end of the text
  // At the end of a text without a final newline, yaml-cpp's mark is in
  // column 1 of the last line, unless the blanks on that line stop short of
  // the container's indentation (found by the fuzz target).
  for (const char* text : {"-", "a: b\nc:", "- a\n-", "x:\n  - a\n  -", "a:\n# c", "a: 1\n---",
                           "  p:\n ", "a:\n  - \n ", "a:\n    b:\n  "}) {
    BothAgree(text);
  }
}

TEST(YamlFast, LiteralBlockScalarsWithEveryChomping) {
  auto docs = BothAgree(
      "clip: |\n"
      "  line one\n"
      "    indented\n"
      "\n"
      "  line three\n"
      "\n"
      "strip: |-\n"
      "  a\n"
      "\n"
      "keep: |+\n"
      "  b\n"
      "\n"
      "items:\n"
      "  - |\n"
      "    -----BEGIN CERTIFICATE-----\n"
      "    MIIB\n"
      "    -----END CERTIFICATE-----\n"
      "tail: |  # a comment\n"
      "  no newline at the end");
  const YNode& root = docs.at(0).root;
  EXPECT_EQ(root.Str("clip"), "line one\n  indented\n\nline three\n");
  EXPECT_EQ(root.Str("strip"), "a");
  EXPECT_EQ(root.Str("keep"), "b\n\n");
  EXPECT_FALSE(root.Get("clip")->plain);
  EXPECT_EQ(root.Str("tail"), "no newline at the end");
}

TEST(YamlFast, FlowCollectionsAndOneLineJson) {
  BothAgree(
      "resources: [deployment.yaml, 'service.yaml', \"x.yaml\"]\n"
      "selector: {matchLabels: {app: web}, empty: {}, list: [1, [2, 3]]}\n");
  BothAgree(
      "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"k\":\"dmFsdWU=\"},\"n\":[1,2]}");
}

TEST(YamlFast, DocumentsCommentsAndMarkers) {
  auto docs = BothAgree(
      "# leading comment\n"
      "\n"
      "a: 1\n"
      "---\n"
      "# second\n"
      "b: 2\n"
      "--- # empty document\n"
      "---\n"
      "  indented: root\n"
      "---\n");
  ASSERT_EQ(docs.size(), 5u);
  EXPECT_EQ(docs[0].line, 3u);
  EXPECT_EQ(docs[1].line, 4u);
  EXPECT_TRUE(docs[2].root.IsNull());
  EXPECT_EQ(docs[3].root.column, 3u);
  EXPECT_TRUE(docs[4].root.IsNull());
  BothAgree("");
  BothAgree("# only a comment\n");
}

TEST(YamlFast, DeclinesWhatIsOutsideTheSubset) {
  const char* outside[] = {
      "a: &x 1\nb: *x\n",          // anchors and aliases
      "a: !!str 1\n",              // tags
      "%YAML 1.2\n---\na: 1\n",    // directives
      "a: 1\n...\n",               // document end
      "? a\n: b\n",                // explicit keys
      "a: >\n  folded\n  text\n",  // folded scalars
      "a: |2\n   x\n",             // indentation indicator
      "a: one\n  two\n",           // multi-line plain scalar
      "a: \"one\n  two\"\n",       // multi-line quoted scalar
      "a: [1,\n  2]\n",            // multi-line flow
      "a:\tb\n",                   // tab
      "a: b\r\n",                  // carriage return
      "\xEF\xBB\xBF"
      "a: b\n",            // byte-order mark
      "a: \"\\u00e9\"\n",  // escape above U+007F
      "a: b: c\n",         // an error
      "a: 1\n b: 2\n",     // an error (indentation)
      "- a\nb: 1\n",       // an error
  };
  for (const char* text : outside) {
    std::vector<YDocument> docs;
    EXPECT_FALSE(ParseYamlFast(text, &docs)) << text;
    EXPECT_TRUE(docs.empty()) << text;
    // ParseYaml still parses it, or reports yaml-cpp's error and line.
    std::vector<YDocument> viaAuto, viaRef;
    uint32_t l1 = 0, l2 = 0;
    Status a = ParseYaml(text, &viaAuto, &l1);
    Status b = ParseYamlReference(text, &viaRef, &l2);
    EXPECT_EQ(a.ok(), b.ok()) << text;
    EXPECT_EQ(a.message(), b.message()) << text;
    EXPECT_EQ(l1, l2) << text;
    EXPECT_EQ(YamlDifference(viaAuto, viaRef), "") << text;
  }
}

TEST(YamlFast, LimitsAreLeftToYamlCpp) {
  YamlLimits limits;
  limits.max_nodes = 5;
  std::vector<YDocument> docs;
  EXPECT_FALSE(ParseYamlFast("a: 1\nb: 2\nc: 3\n", &docs, limits));
  uint32_t line = 0;
  EXPECT_FALSE(ParseYaml("a: 1\nb: 2\nc: 3\n", &docs, &line, limits).ok());
  limits = {};
  limits.max_depth = 3;
  EXPECT_FALSE(ParseYamlFast("a:\n  b:\n    c:\n      d: 1\n", &docs, limits));
  EXPECT_TRUE(ParseYamlFast("a:\n  b:\n    c: 1\n", &docs, limits));
}

// The arena's first chunk is sized from an estimate (keys and list items);
// a line of flow items is far above it, and deep and long lists need
// further chunks: the tree is still exactly yaml-cpp's.
TEST(YamlFast, ListsBeyondTheArenaEstimateStayExact) {
  std::string flow = "a: [";
  for (int i = 0; i < 3000; ++i) flow += (i ? ", " : "") + std::to_string(i);
  flow += "]\nb: {x: 1, y: 2}\n";
  auto docs = BothAgree(flow);
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_EQ(docs[0].root.Get("a")->size(), 3000u);
  EXPECT_EQ(docs[0].root.Get("a")->values[2999].value, "2999");
  EXPECT_EQ(docs[0].root.Path("b.y")->value, "2");

  std::string block;
  for (int i = 0; i < 5000; ++i)
    block += "- name: n" + std::to_string(i) + "\n  v: [" + std::to_string(i) + "]\n";
  docs = BothAgree(block);
  ASSERT_EQ(docs[0].root.size(), 5000u);
  EXPECT_EQ(docs[0].root.values[4321].Str("name"), "n4321");
  EXPECT_EQ(docs[0].root.values[4321].Get("v")->values[0].value, "4321");
}

// Every YAML and JSON file bundled with the project: what the fast path
// accepts, yaml-cpp parses into the same tree; and the fast path accepts
// the manifests it is for (most of the real-world copies; the rest are
// Helm templates, JSON over several lines, folded scalars, anchors).
TEST(YamlFast, EveryBundledFileItAcceptsMatchesYamlCpp) {
  namespace fs = std::filesystem;
  size_t files = 0, accepted = 0;
  for (const char* dir : {"tests/fixtures", "examples", "policies/catalog"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(VIGIL_SOURCE_DIR) / dir)) {
      std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".yaml" && ext != ".yml" && ext != ".json")) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      ++files;
      std::vector<YDocument> fast, ref;
      if (!ParseYamlFast(text, &fast)) continue;
      ++accepted;
      uint32_t line = 0;
      ASSERT_TRUE(ParseYamlReference(text, &ref, &line).ok()) << e.path();
      EXPECT_EQ(YamlDifference(fast, ref), "") << e.path();
    }
  }
  EXPECT_GT(files, 350u);
  EXPECT_GT(accepted * 100, files * 80) << accepted << " of " << files;
}

}  // namespace
}  // namespace vigil
