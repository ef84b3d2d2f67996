// The YAML tree and the resource index: documents, Lists, JSON, line and
// column of keys, limits (alias bombs, deep nesting), template skipping, and
// namespace resolution through kustomize and Flux.
#include "policies/index.h"

#include <gtest/gtest.h>

#include <string>

#include "policies/yaml_tree.h"
#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;

TEST(YamlTree, MultiDocumentWithMarks) {
  std::vector<YDocument> docs;
  uint32_t line = 0;
  ASSERT_TRUE(ParseYaml("a: 1\n---\nkind: Secret\nmetadata:\n  name: x\n", &docs, &line).ok());
  ASSERT_EQ(docs.size(), 2u);
  const YNode* name_key = docs[1].root.Get("metadata")->KeyNode("name");
  ASSERT_NE(name_key, nullptr);
  EXPECT_EQ(name_key->line, 5u);
  EXPECT_EQ(name_key->column, 3u);
  EXPECT_EQ(docs[1].root.Path("metadata.name")->value, "x");
  EXPECT_EQ(docs[1].root.Path("metadata.name")->column, 9u);
}

TEST(YamlTree, JsonAndQuotedScalars) {
  std::vector<YDocument> docs;
  uint32_t line = 0;
  std::string json =
      "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"Secret\", \"a\": null}\n  ]\n}\n";
  ASSERT_TRUE(ParseYaml(json, &docs, &line).ok());
  ASSERT_EQ(docs.size(), 1u);
  const YNode* items = docs[0].root.Get("items");
  ASSERT_TRUE(items && items->IsSeq());
  EXPECT_EQ(items->values[0].Str("kind"), "Secret");
  EXPECT_TRUE(items->values[0].Get("a")->IsNull());
  EXPECT_FALSE(docs[0].root.Get("kind")->plain);
  EXPECT_EQ(docs[0].root.KeyNode("items")->line, 3u);
}

TEST(YamlTree, AliasBombIsRefused) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = c;
  }
  std::vector<YDocument> docs;
  uint32_t line = 0;
  Status st = ParseYaml(bomb, &docs, &line);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("alias"), std::string::npos) << st.message();
  // Through the linter: a notice, no crash, no findings.
  auto r = Lint({{"bomb.yaml", bomb}});
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.errors.size(), 1u);
}

TEST(YamlTree, DeepNestingIsRefused) {
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  std::vector<YDocument> docs;
  uint32_t line = 0;
  EXPECT_FALSE(ParseYaml(deep, &docs, &line).ok());
  std::string maps;
  for (int i = 0; i < 400; ++i) maps += std::string(i * 2, ' ') + "k:\n";
  EXPECT_FALSE(ParseYaml(maps, &docs, &line).ok());
  auto r = Lint({{"deep.yaml", deep}, {"maps.yaml", maps}});
  EXPECT_EQ(r.errors.size(), 2u);
}

TEST(YamlTree, GarbageNeverThrows) {
  for (const char* text : {"\t\tkey: [", "{{{{", "a: *undefined", "- - - : : :", "\xff\xfe\x00",
                           "key: 'unterminated", "? [a\n: b"}) {
    std::vector<YDocument> docs;
    uint32_t line = 0;
    (void)ParseYaml(text, &docs, &line);
  }
  SUCCEED();
}

TEST(Linter, TemplatesAreSkippedWithOneNotice) {
  auto r = Lint({{"chart/templates/secret.yaml",
                  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n"
                  "data:\n  {{- range $k, $v := .Values.secrets }}\n  {{ $k }}: {{ $v | b64enc "
                  "}}\n  {{- end }}\n"},
                 {"docs/snippet.yaml", "{% raw %}\napiVersion: v1\nkind: Secret\n{% endraw %}\n"}});
  ASSERT_EQ(r.errors.size(), 2u);
  for (const auto& e : r.errors) {
    EXPECT_TRUE(e.warning);
    EXPECT_NE(e.message.find("skipped: template syntax"), std::string::npos) << e.message;
  }
  EXPECT_TRUE(r.findings.empty());
}

TEST(Linter, FindingPointsAtTheKeyAndHidesTheValue) {
  auto r = Lint({{"app/secret.yaml",
                  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: app\n"
                  "stringData:\n  password: Hunter2-Pr0d-X\n"}});
  auto f = r.Of("GSP-PLAIN-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.path, "app/secret.yaml");
  EXPECT_EQ(f[0]->location.line, 7u);
  EXPECT_EQ(f[0]->location.column, 3u);
  EXPECT_EQ(f[0]->location.end_column, 11u);
  EXPECT_EQ(f[0]->kind, FindingKind::kPolicy);
  EXPECT_EQ(f[0]->key, "stringData.password");
  EXPECT_EQ(f[0]->secret, "Secret/app/db:stringData.password");
  EXPECT_TRUE(f[0]->fingerprint.empty());
  EXPECT_EQ(f[0]->message.find("Hunter2"), std::string::npos);
  EXPECT_EQ(f[0]->line_text.find("Hunter2"), std::string::npos);
  EXPECT_NE(f[0]->message.find("stringData.password"), std::string::npos);
}

TEST(Linter, OptionsDisableOverrideAndPlaceholders) {
  std::map<std::string, std::string> files = {
      {"s.yaml",
       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: "
       "vault:secret/db#pw\n"}};
  EXPECT_EQ(Lint(files).Of("GSP-PLAIN-001").size(), 1u);
  LintOptions disabled;
  disabled.disabled = {"GSP-PLAIN-001"};
  EXPECT_TRUE(Lint(files, disabled).Of("GSP-PLAIN-001").empty());
  LintOptions sev;
  sev.severity_override["GSP-PLAIN-001"] = Severity::kLow;
  ASSERT_EQ(Lint(files, sev).Of("GSP-PLAIN-001").size(), 1u);
  EXPECT_EQ(Lint(files, sev).Of("GSP-PLAIN-001")[0]->severity, Severity::kLow);
  LintOptions ph;
  ph.placeholder_patterns = {"^vault:"};
  EXPECT_TRUE(Lint(files, ph).Of("GSP-PLAIN-001").empty());
}

TEST(Linter, IgnoreAnnotationSuppressesOnePolicyOnOneObject) {
  auto r =
      Lint({{"s.yaml",
             "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: x\n  annotations:\n"
             "    vigil.dev/ignore-GSP-PLAIN-001: \"demo values\"\nstringData:\n  password: "
             "Hunter2-Pr0d-X\n"
             "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n  namespace: x\n"
             "stringData:\n  password: Hunter2-Pr0d-X\n"}});
  int suppressed = 0, active = 0;
  for (const auto& f : r.findings) {
    if (f.rule_id != "GSP-PLAIN-001") continue;
    (f.suppressed ? suppressed : active)++;
    if (f.suppressed) {
      EXPECT_NE(f.suppression.find("demo values"), std::string::npos);
    }
  }
  EXPECT_EQ(suppressed, 1);
  EXPECT_EQ(active, 1);
}

TEST(Linter, ListsAndJsonManifests) {
  auto r =
      Lint({{"list.json",
             "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
             "  {\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"a\"},\n"
             "   \"stringData\": {\"token\": \"Hunter2-Pr0d-X\"}}]}\n"}});
  auto f = r.Of("GSP-PLAIN-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->location.line, 3u);
}

// Regression: a real ciphertext whose base64 happens to contain "todo" or
// "xxxx" is not a placeholder.
TEST(Linter, CiphertextIsNeverAPlaceholder) {
  auto r = Lint({{"s.yaml",
                  "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: a\n  "
                  "namespace: x\n"
                  "spec:\n  encryptedData:\n    p: "
                  "AgD4/YXZ9A9Y+EqRHjGRVMn/"
                  "J6ussTTjEKzUgHP90nZkGlznuSZQox8mSqhqqecABaRHMdMWBk+xF+aqtlR3XMWdcg0Mp6Tc+"
                  "HgEfuRYMxWyAdIe4nF2MDunxTdq3+4mcVA4VUgn2rq4jHrsDZA0PsWyx9C7BSkVDNLwVBQ/"
                  "g45F8d+FcOpFSin+CZJPr8oY/NUJ0S9xZoPQ5A4VCx1hmc6tr0FIZtfu7W4R45Qx/"
                  "s5foc98AsJ3MzfkglFSt7BYZKtSC/"
                  "sEiXuQUUhxwePXBMnwM2JqupOS5EyAYRZWsL4TR79RGbngNoZ5YPAGYiSVtehO5DdL/wU3al2fNJ+/"
                  "7k9p6zSJKRHywbRgwTQ7zUCSl8CnNNejV00fXFVwpBKHzgRHSXdkcO8wD1lQVyTUsSmYf7KNmL8nXFHi"
                  "A8uK1cu4EglTLYTxbOsNHOPGPhers2RNegHjEXCjhof3WI5040/"
                  "D5yzx8Dk7cUcAnMzXBUDLZknJRDX37RDiQ0CORvxNXYtdUZpaCyJbCe6WA5sDgl6xVquRqVyfM1Iy0PE"
                  "vlFgl2kbLvDKF7hSGmvIJtKi2k7G5Ccjdc5DHFhma6H+"
                  "sRWCOtQzjKpWIrWh9C55gkeSJipd16qfQIdRxRIKRy0sBDsmw3RjCgrkdVkkqisECBWCmM7OxEnSeblI"
                  "xxxxJpR8TSoOJF74gmDl6LuwOuIiNzgLDnDyVhX2vEnffuuHioGEpEX2AMxLMdjY=\n"}});
  EXPECT_TRUE(r.Of("GSP-SEALED-002").empty());
}

// Namespace and name rewrites, as kustomize and Flux apply them.
class IndexTest : public ::testing::Test {
 protected:
  void Add(const std::string& path, const std::string& text) {
    auto f = std::make_unique<ManifestFile>();
    f->path = path;
    f->raw = text;
    f->format = FileFormat::kYaml;
    uint32_t line = 0;
    ASSERT_TRUE(ParseYaml(text, &f->docs, &line).ok()) << path;
    f->parsed = true;
    index_.NotePath(path, false, false);
    index_.AddFile(std::move(f));
  }
  const Resource* Find(const std::string& kind, const std::string& name) {
    for (const auto& r : index_.resources()) {
      if (r.kind == kind && r.name == name) return &r;
    }
    return nullptr;
  }
  ResourceIndex index_;
};

TEST_F(IndexTest, KustomizeOuterNamespaceWinsAndPrefixesStack) {
  Add("base/kustomization.yaml", "namespace: base-ns\nnamePrefix: app-\nresources:\n  - cm.yaml\n");
  Add("base/cm.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: orig\n");
  Add("overlays/prod/kustomization.yaml",
      "namespace: prod\nnameSuffix: -v2\nresources:\n  - ../../base\n  - ns.yaml\n");
  Add("overlays/prod/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n");
  index_.Build();
  const Resource* cm = Find("ConfigMap", "cfg");
  ASSERT_NE(cm, nullptr);
  ASSERT_EQ(cm->placements.size(), 1u);
  EXPECT_EQ(cm->placements[0].namespace_, "prod");
  EXPECT_EQ(cm->placements[0].name, "app-cfg-v2");
  EXPECT_EQ(cm->placements[0].rewrites.size(), 2u);
  const Resource* ns = Find("Namespace", "prod");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->Namespace(), "");  // cluster-scoped: kustomize leaves it alone
}

TEST_F(IndexTest, FluxTargetNamespaceAndGeneratedKustomization) {
  Add("clusters/prod/apps.yaml",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
      "  namespace: flux-system\nspec:\n  path: ./apps/web\n  targetNamespace: web\n"
      "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n");
  Add("apps/web/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
  Add("apps/web/db/kustomization.yaml", "namespace: db\nresources:\n  - secret.yaml\n");
  Add("apps/web/db/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n");
  Add("apps/web/db/unlisted.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: unlisted\n");
  index_.Build();
  const Resource* web = Find("Deployment", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->Namespace(), "web");
  const Resource* db = Find("Secret", "db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->Namespace(), "web");  // Flux targetNamespace is applied after kustomize
  ASSERT_EQ(db->placements[0].rewrites.size(), 2u);
  EXPECT_EQ(db->placements[0].rewrites[0].by, "kustomize");
  EXPECT_EQ(db->placements[0].rewrites[1].by, "flux");
  // Not listed in the sub-kustomization: Flux never applies it.
  const Resource* unlisted = Find("Secret", "unlisted");
  ASSERT_NE(unlisted, nullptr);
  EXPECT_EQ(unlisted->Namespace(), "");
}

TEST_F(IndexTest, SopsConfigIsTheNearestAncestor) {
  Add(".sops.yaml", "creation_rules:\n  - age: age1x\n");
  Add("talos/.sops.yaml", "creation_rules:\n  - age: age1y\n");
  Add("talos/a/b.yaml", "x: 1\n");
  Add("k8s/c.yaml", "x: 1\n");
  index_.Build();
  ASSERT_NE(index_.SopsConfigFor("talos/a/b.yaml"), nullptr);
  EXPECT_EQ(index_.SopsConfigFor("talos/a/b.yaml")->path, "talos/.sops.yaml");
  EXPECT_EQ(index_.SopsConfigFor("k8s/c.yaml")->path, ".sops.yaml");
}

TEST(PathHelpers, JoinNormalises) {
  EXPECT_EQ(JoinPath("a/b", "../c/./d.yaml"), "a/c/d.yaml");
  EXPECT_EQ(JoinPath("", "./x"), "x");
  EXPECT_EQ(DirName("a/b/c.yaml"), "a/b");
  EXPECT_EQ(DirName("c.yaml"), "");
  EXPECT_EQ(BaseName("a/b/c.yaml"), "c.yaml");
}

// The noted paths (a staged scan notes every file of the repository, most
// of them unread): existence, directories, SOPS markers asked of the probe
// once, and notes of one path merged in the order they came.
TEST(IndexPaths, ExistenceDirectoriesAndMarkers) {
  ResourceIndex index;
  index.NoteUnreadPath("z/last.txt", false);
  index.NoteUnreadPath("apps/web/secret.enc.env", false);
  index.NotePath("apps/web/plain.env", false, false);
  index.NotePath("apps/web/sealed.env", true, false);
  index.NoteUnreadPath("apps/web-b/x.txt", false);
  int probes = 0;
  index.SetMarkerProbe([&probes](std::string_view path) {
    ++probes;
    return path == "apps/web/secret.enc.env";
  });
  EXPECT_TRUE(index.PathExists("z/last.txt"));
  EXPECT_TRUE(index.PathExists("apps/web/plain.env"));
  EXPECT_FALSE(index.PathExists("apps/web"));
  EXPECT_FALSE(index.PathExists("apps/web/none.env"));
  EXPECT_TRUE(index.DirExists(""));
  EXPECT_TRUE(index.DirExists("apps"));
  EXPECT_TRUE(index.DirExists("apps/web"));
  EXPECT_TRUE(index.DirExists("apps/web-b"));
  EXPECT_TRUE(index.DirExists("z"));
  EXPECT_FALSE(index.DirExists("apps/we"));             // a prefix of a name is not a directory
  EXPECT_FALSE(index.DirExists("apps/web/plain.env"));  // a file is not a directory
  EXPECT_FALSE(index.DirExists("other"));
  EXPECT_TRUE(index.PathHasSopsMarkers("apps/web/sealed.env"));
  EXPECT_FALSE(index.PathHasSopsMarkers("apps/web/plain.env"));
  EXPECT_EQ(probes, 0);  // read paths never ask
  EXPECT_TRUE(index.PathHasSopsMarkers("apps/web/secret.enc.env"));
  EXPECT_TRUE(index.PathHasSopsMarkers("apps/web/secret.enc.env"));
  EXPECT_FALSE(index.PathHasSopsMarkers("z/last.txt"));
  EXPECT_FALSE(index.PathHasSopsMarkers("z/last.txt"));
  EXPECT_EQ(probes, 2);  // once per unread path, the answer kept
  EXPECT_FALSE(index.PathHasSopsMarkers("missing"));
  EXPECT_EQ(probes, 2);
}

TEST(IndexPaths, NotesAfterAQueryAndDuplicates) {
  ResourceIndex index;
  index.NoteUnreadPath("b/unread.env", false);
  index.NoteUnreadPath("b/unread.env", false);  // a second unread note changes nothing
  index.NotePath("a/read.env", true, false);
  index.NoteUnreadPath("a/read.env", false);  // an unread note never hides what was read
  index.SetMarkerProbe([](std::string_view) { return true; });
  EXPECT_TRUE(index.PathHasSopsMarkers("a/read.env"));
  // Reading an unread path later (the linter's on-demand context) replaces
  // the unknown; a history version never overrides a read one.
  index.NotePath("b/unread.env", false, false);
  EXPECT_FALSE(index.PathHasSopsMarkers("b/unread.env"));
  index.NotePath("b/unread.env", true, true);
  EXPECT_FALSE(index.PathHasSopsMarkers("b/unread.env"));
  index.NotePath("b/unread.env", true, false);
  EXPECT_TRUE(index.PathHasSopsMarkers("b/unread.env"));
  // A new path after the first query, before and after the sorted ones.
  index.NotePath("0/first.yaml", false, false);
  index.NotePath("c/d/late.yaml", false, false);
  EXPECT_TRUE(index.PathExists("0/first.yaml"));
  EXPECT_TRUE(index.DirExists("c/d"));
  EXPECT_TRUE(index.DirExists("c"));
  EXPECT_TRUE(index.PathExists("a/read.env"));
  EXPECT_TRUE(index.PathExists("b/unread.env"));
}

TEST(IndexPaths, ManyPathsInAnyOrder) {
  ResourceIndex index;
  // Reverse order, as concurrent workers may note them.
  for (int i = 9999; i >= 0; --i) {
    index.NoteUnreadPath("svc" + std::to_string(i % 100) + "/f" + std::to_string(i) + ".txt",
                         false);
  }
  index.SetMarkerProbe([](std::string_view p) { return p == "svc7/f1007.txt"; });
  for (int i = 0; i < 10000; i += 997) {
    EXPECT_TRUE(
        index.PathExists("svc" + std::to_string(i % 100) + "/f" + std::to_string(i) + ".txt"))
        << i;
  }
  EXPECT_FALSE(index.PathExists("svc7/f1008.txt"));
  EXPECT_TRUE(index.DirExists("svc99"));
  EXPECT_FALSE(index.DirExists("svc100"));
  EXPECT_TRUE(index.PathHasSopsMarkers("svc7/f1007.txt"));
  EXPECT_FALSE(index.PathHasSopsMarkers("svc7/f107.txt"));
}

}  // namespace
}  // namespace vigil
