// Tests for the commit-range source (BASE..TIP, or REF meaning REF..HEAD):
// only blobs added or modified in the range, with their commit as provenance.
#include <git2.h>
#include <gtest/gtest.h>

#include "scanner/source/git_source.h"
#include "tests/source/git_test_repo.h"

namespace vigil {
namespace {

using testing::Enumerated;
using testing::MakeFinding;
using testing::OidHex;
using testing::ReadItem;
using testing::RunEnumerate;
using testing::TestRepo;

const std::string kOld = "OLD_TOKEN=ghp_OLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLD12\n";
const std::string kNew = "NEW_TOKEN=ghp_NEWNEWNEWNEWNEWNEWNEWNEWNEWNEWNEWNEW34\n";

struct RangeRepo {
  TestRepo repo;
  git_oid base, c2, c3;
  RangeRepo() {
    base = repo.Commit({{"old.env", kOld}, {"keep.txt", "keep\n"}}, "base");
    // In the range: a new secret file, and the old secret renamed (old content).
    c2 = repo.Commit({{"old.env", kOld}, {"keep.txt", "keep\n"}, {"app/new.env", kNew}}, "add new");
    c3 = repo.Commit({{"moved.env", kOld}, {"keep.txt", "keep v2\n"}, {"app/new.env", kNew}},
                     "rename old, edit keep");
  }
};

std::unique_ptr<Source> Range(const std::string& path, const std::string& range) {
  auto source = NewGitRangeSource(path, range, {});
  EXPECT_TRUE(source.ok()) << source.status().message();
  return source.ok() ? std::move(source).value() : nullptr;
}

TEST(GitRangeTest, OnlyBlobsAddedInTheRange) {
  RangeRepo r;
  auto source = Range(r.repo.path(), OidHex(r.base) + "..HEAD");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Mode(), "range");
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(e.HardErrors(), 0u);
  EXPECT_EQ(e.CountKey(r.repo.BlobHex(kOld)), 0u);  // existed before BASE
  const WorkItem* added = e.Find("app/new.env");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(ReadItem(*source, *added), kNew);
  ASSERT_NE(e.Find("keep.txt"), nullptr);  // modified in c3
  EXPECT_EQ(e.items.size(), 2u);

  std::vector<Finding> findings{MakeFinding("app/new.env", added->key, "ghp_NEW"),
                                MakeFinding("keep.txt", e.Find("keep.txt")->key, "")};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(r.c2));
  EXPECT_EQ(findings[0].commit->summary, "add new");
  EXPECT_EQ(findings[0].commit_path, "app/new.env");
  EXPECT_TRUE(*findings[0].live);
  ASSERT_TRUE(findings[1].commit);
  EXPECT_EQ(findings[1].commit->id, OidHex(r.c3));
}

TEST(GitRangeTest, SingleRefMeansRefToHead) {
  RangeRepo r;
  auto source = Range(r.repo.path(), OidHex(r.c2));
  Enumerated e = RunEnumerate(*source);
  ASSERT_EQ(e.items.size(), 1u);
  EXPECT_EQ(e.items[0].path, "keep.txt");
}

TEST(GitRangeTest, BranchNamesAndMergeCommits) {
  TestRepo repo;
  git_oid base = repo.Commit({{"a.txt", "a\n"}}, "base");
  git_oid feature = repo.Commit({{"a.txt", "a\n"}, {"f.env", kNew}}, "feature",
                                "refs/heads/feature", std::vector<git_oid>{base});
  git_oid main2 = repo.Commit({{"a.txt", "a2\n"}}, "main work");
  // Merge feature into main.
  repo.Commit({{"a.txt", "a2\n"}, {"f.env", kNew}}, "merge", "refs/heads/main",
              std::vector<git_oid>{main2, feature});
  auto source = Range(repo.path(), "main~1..main");
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  const WorkItem* f = e.Find("f.env");
  ASSERT_NE(f, nullptr);
  std::vector<Finding> findings{MakeFinding("f.env", f->key, "")};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(feature));  // the oldest commit that added it
  EXPECT_EQ(e.Find("a.txt"), nullptr);
}

// Findings without a blob id (the manifest linter's) get their provenance by
// path: the commit that introduced the path's version at the tip (live), or,
// for a path the tip no longer has, the earlier version whose line at the
// finding matches (not live); a context file's finding gets none.
TEST(GitRangeTest, FindingsWithoutBlobIdGetProvenanceByPath) {
  TestRepo repo;
  const std::string v1 = "kind: Secret\nold: one\n", v2 = "kind: Secret\nnew: two\n";
  git_oid base = repo.Commit({{"legacy.yaml", "kind: Secret\n"}}, "base");
  git_oid c2 = repo.Commit(
      {{"legacy.yaml", "kind: Secret\n"}, {"app/config.yaml", "a: 1\n"}, {"gone.yaml", v1}},
      "config and gone v1");
  git_oid c3 = repo.Commit({{"legacy.yaml", "kind: Secret\n"},
                            {"app/config.yaml", "a: 1\n"},
                            {"app/secret.yaml", "kind: Secret # new\n"},
                            {"gone.yaml", v2}},
                           "secret and gone v2");
  repo.Commit({{"legacy.yaml", "kind: Secret\n"},
               {"app/config.yaml", "a: 1\n"},
               {"app/secret.yaml", "kind: Secret # new\n"}},
              "remove gone");
  GitOptions opts;
  opts.context = true;
  auto made = NewGitRangeSource(repo.path(), OidHex(base) + "..HEAD", opts);
  ASSERT_TRUE(made.ok()) << made.status().message();
  auto source = std::move(made).value();
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  ASSERT_NE(e.Find("legacy.yaml"), nullptr);
  EXPECT_TRUE(e.Find("legacy.yaml")->context);

  auto lint = [](const std::string& path, uint32_t line, const std::string& snippet) {
    Finding f = MakeFinding(path, "", "");
    f.kind = FindingKind::kPolicy;
    f.location.line = line;
    f.location.column = 1;
    f.line_text = snippet;
    return f;
  };
  std::vector<Finding> findings{lint("app/secret.yaml", 1, "kind:"),
                                lint("app/config.yaml", 1, "a: …"), lint("legacy.yaml", 1, "kind:"),
                                lint("gone.yaml", 2, "new: …"), lint("gone.yaml", 2, "old: …")};
  findings[3].location.offset = findings[4].location.offset = 13;  // line 2, column 1
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(c3));
  EXPECT_EQ(findings[0].commit_path, "app/secret.yaml");
  EXPECT_EQ(findings[0].live, std::optional<bool>(true));
  ASSERT_TRUE(findings[1].commit);
  EXPECT_EQ(findings[1].commit->id, OidHex(c2));
  EXPECT_EQ(findings[1].live, std::optional<bool>(true));
  // Unchanged by the range: context, no provenance.
  EXPECT_FALSE(findings[2].commit);
  EXPECT_TRUE(findings[2].commit_path.empty());
  EXPECT_FALSE(findings[2].live.has_value());
  // Removed by the tip: the version whose line matches, not live.
  ASSERT_TRUE(findings[3].commit);
  EXPECT_EQ(findings[3].commit->id, OidHex(c3));
  EXPECT_EQ(findings[3].live, std::optional<bool>(false));
  ASSERT_TRUE(findings[4].commit);
  EXPECT_EQ(findings[4].commit->id, OidHex(c2));
  EXPECT_EQ(findings[4].commit_path, "gone.yaml");
}

TEST(GitRangeTest, BadRanges) {
  RangeRepo r;
  EXPECT_FALSE(NewGitRangeSource(r.repo.path(), "nope..HEAD", {}).ok());
  EXPECT_FALSE(NewGitRangeSource(r.repo.path(), "..HEAD", {}).ok());
  EXPECT_FALSE(NewGitRangeSource(r.repo.path(), "main...HEAD", {}).ok());
  EXPECT_TRUE(NewGitRangeSource(r.repo.path(), "main~2..", {}).ok());
}

}  // namespace
}  // namespace vigil
