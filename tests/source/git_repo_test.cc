// Tests for DescribeRepository (SARIF versionControlProvenance facts).
#include <git2.h>
#include <gtest/gtest.h>

#include "scanner/source/git_source.h"
#include "tests/source/git_test_repo.h"

namespace vigil {
namespace {

using testing::OidHex;
using testing::TestRepo;

void AddOrigin(TestRepo& repo, const std::string& url) {
  git_remote* remote = nullptr;
  ASSERT_EQ(git_remote_create(&remote, repo.repo(), "origin", url.c_str()), 0);
  git_remote_free(remote);
}

TEST(GitRepoTest, DescribesOriginHeadAndBranch) {
  TestRepo repo;
  git_oid c1 = repo.Commit({{"a", "a\n"}}, "c1");
  AddOrigin(repo, "https://user:s3cr3t@example.com/org/repo.git");
  RepoInfo info = DescribeRepository(repo.path());
  EXPECT_EQ(info.repository_uri, "https://example.com/org/repo.git");
  EXPECT_EQ(info.revision, OidHex(c1));
  EXPECT_EQ(info.branch, "main");
  EXPECT_FALSE(info.shallow);
}

TEST(GitRepoTest, KeepsScpStyleUrlsAndTokenOnlyUserinfoIsStripped) {
  TestRepo a;
  a.Commit({{"a", "a\n"}}, "c1");
  AddOrigin(a, "git@github.com:org/repo.git");
  EXPECT_EQ(DescribeRepository(a.path()).repository_uri, "git@github.com:org/repo.git");
  TestRepo b;
  AddOrigin(b, "https://ghp_token@github.com/org/repo");
  EXPECT_EQ(DescribeRepository(b.path()).repository_uri, "https://github.com/org/repo");
}

TEST(GitRepoTest, UnbornAndDetachedHead) {
  TestRepo repo;
  RepoInfo unborn = DescribeRepository(repo.path());
  EXPECT_EQ(unborn.revision, "");
  EXPECT_EQ(unborn.branch, "main");
  git_oid c1 = repo.Commit({{"a", "a\n"}}, "c1");
  ASSERT_EQ(git_repository_set_head_detached(repo.repo(), &c1), 0);
  RepoInfo detached = DescribeRepository(repo.path());
  EXPECT_EQ(detached.revision, OidHex(c1));
  EXPECT_EQ(detached.branch, "");
}

TEST(GitRepoTest, NotARepository) {
  std::string dir = testing::MakeTempDir("norepo");
  RepoInfo info = DescribeRepository(dir);
  EXPECT_EQ(info.revision, "");
  EXPECT_EQ(info.repository_uri, "");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil
