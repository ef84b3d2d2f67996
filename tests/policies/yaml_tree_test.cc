// ParseYaml: the tree built from yaml-cpp's events (structure, marks, nulls,
// quoting, anchors and aliases, several documents, errors and limits).
#include "policies/yaml_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

std::vector<YDocument> Parse(const std::string& text) {
  std::vector<YDocument> docs;
  uint32_t line = 0;
  Status st = ParseYaml(text, &docs, &line);
  EXPECT_TRUE(st.ok()) << st.message();
  return docs;
}

TEST(YamlTree, MapsSequencesAndExactMarks) {
  const std::string text =
      "apiVersion: v1\n"
      "kind: Secret\n"
      "metadata:\n"
      "  name: db\n"
      "  labels: {app: web, tier: \"back\"}\n"
      "items:\n"
      "  - one\n"
      "  - 'two'\n"
      "  - [a, b]\n";
  auto docs = Parse(text);
  ASSERT_EQ(docs.size(), 1u);
  const YNode& root = docs[0].root;
  ASSERT_TRUE(root.IsMap());
  ASSERT_EQ(root.keys.size(), 4u);
  ASSERT_EQ(root.values.size(), 4u);
  EXPECT_EQ(root.keys[1].value, "kind");
  EXPECT_EQ(root.Str("kind"), "Secret");
  const YNode* name = root.Path("metadata.name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->value, "db");
  EXPECT_EQ(name->line, 4u);
  EXPECT_EQ(name->column, 9u);
  EXPECT_EQ(text.substr(name->offset, 2), "db");
  const YNode* name_key = root.Get("metadata")->KeyNode("name");
  ASSERT_NE(name_key, nullptr);
  EXPECT_EQ(name_key->line, 4u);
  EXPECT_EQ(name_key->column, 3u);
  const YNode* tier = root.Path("metadata.labels.tier");
  ASSERT_NE(tier, nullptr);
  EXPECT_EQ(tier->value, "back");
  EXPECT_FALSE(tier->plain);
  EXPECT_EQ(text[tier->offset], '"');
  EXPECT_TRUE(root.Path("metadata.labels.app")->plain);
  const YNode* items = root.Get("items");
  ASSERT_TRUE(items != nullptr && items->IsSeq());
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ(items->values[0].value, "one");
  EXPECT_EQ(items->values[1].value, "two");
  EXPECT_FALSE(items->values[1].plain);
  EXPECT_EQ(items->values[1].line, 8u);
  EXPECT_EQ(items->values[1].column, 5u);
  ASSERT_TRUE(items->values[2].IsSeq());
  EXPECT_EQ(items->values[2].values[1].value, "b");
  EXPECT_EQ(root.Get("absent"), nullptr);
  EXPECT_EQ(root.Str("metadata"), "");  // not a scalar
}

TEST(YamlTree, NullsEmptyValuesAndQuotedNull) {
  auto docs = Parse("a: ~\nb: null\nc:\nd: 'null'\ne: \"\"\n");
  ASSERT_EQ(docs.size(), 1u);
  const YNode& r = docs[0].root;
  EXPECT_TRUE(r.Get("a")->IsNull());
  EXPECT_TRUE(r.Get("b")->IsNull());
  EXPECT_TRUE(r.Get("c")->IsNull());
  // yaml-cpp marks an empty value where it reads the next token.
  EXPECT_EQ(r.Get("c")->line, 4u);
  ASSERT_TRUE(r.Get("d")->IsScalar());
  EXPECT_EQ(r.Get("d")->value, "null");
  ASSERT_TRUE(r.Get("e")->IsScalar());
  EXPECT_EQ(r.Get("e")->value, "");
  EXPECT_EQ(r.keys.size(), r.values.size());
}

TEST(YamlTree, AliasesCopyTheAnchoredNodeWithTheAliasMark) {
  const std::string text =
      "base: &b\n"
      "  x: 1\n"
      "  y: [2, 3]\n"
      "copy: *b\n"
      "scalar: &s hello\n"
      "again: *s\n";
  auto docs = Parse(text);
  ASSERT_EQ(docs.size(), 1u);
  const YNode& r = docs[0].root;
  const YNode* copy = r.Get("copy");
  ASSERT_TRUE(copy != nullptr && copy->IsMap());
  EXPECT_EQ(copy->Str("x"), "1");
  ASSERT_TRUE(copy->Get("y")->IsSeq());
  EXPECT_EQ(copy->Get("y")->values[1].value, "3");
  EXPECT_EQ(copy->line, 4u);
  EXPECT_EQ(copy->column, 7u);
  EXPECT_EQ(text[copy->offset], '*');
  // The children keep the anchored node's marks.
  EXPECT_EQ(copy->Get("x")->line, 2u);
  const YNode* again = r.Get("again");
  ASSERT_TRUE(again->IsScalar());
  EXPECT_EQ(again->value, "hello");
  EXPECT_EQ(again->line, 6u);
}

// An alias shares the anchored subtree instead of copying it (the node
// budget still counts it in full: NodeBudgetCountsAliasExpansion).
TEST(YamlTree, AliasesShareTheAnchoredSubtree) {
  auto docs = Parse("base: &b\n  x: 1\n  y: [2, 3]\ncopy: *b\n");
  const YNode& r = docs[0].root;
  ASSERT_TRUE(r.Get("copy")->IsMap());
  EXPECT_EQ(r.Get("copy")->Get("y"), r.Get("base")->Get("y"));
  EXPECT_EQ(r.Get("copy")->keys.data(), r.Get("base")->keys.data());
}

// The nodes live in the parse's arena, which every document (and every copy
// of one) keeps alive: a document taken out of the parse's vector stays
// readable after the vector is gone, from either parser.
TEST(YamlTree, ADocumentKeepsItsNodesAfterTheParseResultIsGone) {
  const std::string text = "a:\n  b: [1, 2]\n---\n- k: v\n  l: [x, {y: z}]\n";
  for (int pass = 0; pass < 2; ++pass) {
    YDocument second;
    {
      std::vector<YDocument> docs;
      uint32_t line = 0;
      if (pass == 0) {
        ASSERT_TRUE(ParseYamlFast(text, &docs));
      } else {
        ASSERT_TRUE(ParseYamlReference(text, &docs, &line).ok());
      }
      ASSERT_EQ(docs.size(), 2u);
      second = docs[1];
    }
    ASSERT_TRUE(second.root.IsSeq());
    EXPECT_EQ(second.root.values[0].Str("k"), "v");
    EXPECT_EQ(second.root.values[0].Get("l")->values[1].Str("y"), "z");
    EXPECT_EQ(second.root.values[0].Get("l")->values[1].Get("y")->line, 5u);
  }
}

TEST(YamlTree, SeveralDocumentsKeepTheirStartLines) {
  auto docs = Parse("a: 1\n---\nb: 2\n---\n- x\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].root.Str("a"), "1");
  EXPECT_EQ(docs[1].root.Str("b"), "2");
  EXPECT_EQ(docs[1].line, 2u);
  ASSERT_TRUE(docs[2].root.IsSeq());
  EXPECT_EQ(docs[2].root.values[0].value, "x");
  EXPECT_EQ(docs[2].root.values[0].line, 5u);
}

TEST(YamlTree, ErrorsKeepEarlierDocumentsAndNameTheLine) {
  std::vector<YDocument> docs;
  uint32_t line = 0;
  Status st = ParseYaml("a: 1\n---\nb: [1, 2\nc: 3\n", &docs, &line);
  EXPECT_FALSE(st.ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].root.Str("a"), "1");
  EXPECT_GE(line, 3u);
}

TEST(YamlTree, NodeBudgetCountsAliasExpansion) {
  YamlLimits limits;
  limits.max_nodes = 50;
  std::string text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n";
  for (int i = 0; i < 10; ++i) text += "k" + std::to_string(i) + ": *a\n";
  std::vector<YDocument> docs;
  uint32_t line = 0;
  Status st = ParseYaml(text, &docs, &line, limits);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("alias"), std::string::npos) << st.message();
  EXPECT_GT(line, 1u);
}

TEST(YamlTree, DepthLimit) {
  YamlLimits limits;
  limits.max_depth = 5;
  std::vector<YDocument> docs;
  uint32_t line = 0;
  EXPECT_FALSE(ParseYaml("[[[[[[[1]]]]]]]\n", &docs, &line, limits).ok());
  docs.clear();
  EXPECT_TRUE(ParseYaml("[[[[1]]]]\n", &docs, &line, limits).ok());
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].root.values[0].values[0].values[0].values[0].value, "1");
}

}  // namespace
}  // namespace vigil
