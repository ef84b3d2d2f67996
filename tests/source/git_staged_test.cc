// Tests for the staged source: the index against HEAD, reading the staged
// blob (never the working file).
#include <git2.h>
#include <gtest/gtest.h>

#include <chrono>

#include "scanner/source/git_source.h"
#include "tests/source/git_test_repo.h"

namespace vigil {
namespace {

using testing::Enumerated;
using testing::ReadItem;
using testing::RunEnumerate;
using testing::TestRepo;
using testing::WriteFile;

void Stage(TestRepo& repo, const std::string& path, const std::string& content) {
  git_index* index = nullptr;
  ASSERT_EQ(git_repository_index(&index, repo.repo()), 0);
  git_index_entry entry{};
  entry.mode = GIT_FILEMODE_BLOB;
  entry.path = path.c_str();
  ASSERT_EQ(git_index_add_from_buffer(index, &entry, content.data(), content.size()), 0);
  ASSERT_EQ(git_index_write(index), 0);
  git_index_free(index);
}

// Makes the index match HEAD's tree (as after a checkout).
void ResetIndexToHead(TestRepo& repo) {
  git_object* head = nullptr;
  ASSERT_EQ(git_revparse_single(&head, repo.repo(), "HEAD^{tree}"), 0);
  git_index* index = nullptr;
  ASSERT_EQ(git_repository_index(&index, repo.repo()), 0);
  ASSERT_EQ(git_index_read_tree(index, reinterpret_cast<git_tree*>(head)), 0);
  ASSERT_EQ(git_index_write(index), 0);
  git_index_free(index);
  git_object_free(head);
}

TEST(GitStagedTest, ScansStagedContentNotTheWorkingFile) {
  TestRepo repo;
  repo.Commit({{"a.yaml", "a: 1\n"}, {"b.yaml", "b: 1\n"}}, "c1");
  ResetIndexToHead(repo);
  const std::string staged = "a: 1\npassword: hunter2-staged\n";
  Stage(repo, "a.yaml", staged);
  Stage(repo, "dir/new.env", "TOKEN=staged-new\n");
  WriteFile(repo.path() + "/a.yaml", "a: 1\n# working copy differs\n");
  WriteFile(repo.path() + "/untracked.env", "TOKEN=not-staged\n");

  auto start = std::chrono::steady_clock::now();
  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(source.value()->Mode(), "staged");
  // The two staged files, then the unchanged one as context (for the linter).
  ASSERT_EQ(e.items.size(), 3u);
  const WorkItem* a = e.Find("a.yaml");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->from_history);
  EXPECT_FALSE(a->context);
  EXPECT_EQ(ReadItem(*source.value(), *a), staged);
  ASSERT_NE(e.Find("dir/new.env"), nullptr);
  EXPECT_FALSE(e.Find("dir/new.env")->context);
  const WorkItem* b = e.Find("b.yaml");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->context);
  EXPECT_EQ(ReadItem(*source.value(), *b), "b: 1\n");
  EXPECT_EQ(e.Find("untracked.env"), nullptr);
  EXPECT_LT(ms, 200.0);
}

TEST(GitStagedTest, EmptyRepositoryStagesEverything) {
  TestRepo repo;
  Stage(repo, "first.txt", "hello\n");
  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok());
  Enumerated e = RunEnumerate(*source.value());
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  ASSERT_EQ(e.items.size(), 1u);
  EXPECT_EQ(ReadItem(*source.value(), e.items[0]), "hello\n");
}

TEST(GitStagedTest, FromASubdirectoryAndNothingStaged) {
  TestRepo repo;
  repo.Commit({{"sub/a.txt", "a\n"}}, "c1");
  ResetIndexToHead(repo);
  std::filesystem::create_directories(repo.path() + "/sub");
  auto source = NewGitStagedSource(repo.path() + "/sub", {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
  EXPECT_TRUE(e.status.ok());
  EXPECT_TRUE(e.items.empty());
}

TEST(GitStagedTest, BareRepositoryIsAnError) {
  TestRepo repo(/*bare=*/true);
  EXPECT_FALSE(NewGitStagedSource(repo.path(), {}).ok());
}

}  // namespace
}  // namespace vigil
