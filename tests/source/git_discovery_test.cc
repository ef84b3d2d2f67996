// Tests for the cheap repository pre-check (git_internal::MayBeInRepository)
// that lets a scan outside any repository skip libgit2's initialisation, and
// for the discovery results built on it (RepositoryWorkdir, GitIgnoreChecker,
// DescribeRepository): wherever libgit2 finds a repository the pre-check
// must say "maybe", or behaviour would change.
#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scanner/source/git_internal.h"
#include "scanner/source/git_source.h"
#include "tests/source/git_test_repo.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using git_internal::MayBeInRepository;
using testing::MakeTempDir;
using testing::TestRepo;

// Whether libgit2 itself finds a repository from `path` (flags 0, as the
// sources open them).
bool Libgit2Finds(const std::string& path) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  bool found = git_repository_open_ext(&repo, path.c_str(), 0, nullptr) == 0;
  git_repository_free(repo);
  git_libgit2_shutdown();
  return found;
}

void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

TEST(GitDiscoveryTest, PlainDirectoryOutsideAnyRepositoryIsNo) {
  std::string dir = MakeTempDir("norepo");
  fs::create_directories(fs::path(dir) / "a" / "b");
  std::string deep = (fs::path(dir) / "a" / "b").string();
  if (Libgit2Finds(deep)) GTEST_SKIP() << "the temporary directory is inside a repository";
  EXPECT_FALSE(MayBeInRepository(dir));
  EXPECT_FALSE(MayBeInRepository(deep));
  EXPECT_EQ(RepositoryWorkdir(deep), "");
  EXPECT_FALSE(GitIgnoreChecker(deep).active());
  EXPECT_EQ(DescribeRepository(deep).revision, "");
  fs::remove_all(dir);
}

TEST(GitDiscoveryTest, EveryPlaceLibgit2FindsARepositoryIsMaybe) {
  TestRepo repo;
  repo.Commit({{"src/app.txt", "x\n"}}, "c1");
  fs::path root = repo.path();
  fs::create_directories(root / "src" / "deep");
  WriteFile(root / "src" / "app.txt", "x\n");
  for (const fs::path& p : {root, root / "src", root / "src" / "deep", root / "src" / "app.txt",
                            fs::path(repo.git_dir())}) {
    ASSERT_TRUE(Libgit2Finds(p.string())) << p;
    EXPECT_TRUE(MayBeInRepository(p.string())) << p;
  }
  std::string wd = RepositoryWorkdir((root / "src" / "deep").string());
  EXPECT_EQ(fs::path(wd).lexically_normal(), (fs::weakly_canonical(root) / "").lexically_normal());
  EXPECT_TRUE(GitIgnoreChecker((root / "src").string()).active());
  EXPECT_EQ(DescribeRepository((root / "src").string()).branch, "main");
}

TEST(GitDiscoveryTest, BareRepositoryAndGitlinkFileAreMaybe) {
  TestRepo bare(/*bare=*/true);
  ASSERT_TRUE(Libgit2Finds(bare.path()));
  EXPECT_TRUE(MayBeInRepository(bare.path()));

  // A work tree whose .git is a file pointing at the git directory (as
  // `git worktree` and submodules make them).
  TestRepo real;
  std::string dir = MakeTempDir("gitlink");
  WriteFile(fs::path(dir) / ".git", "gitdir: " + real.git_dir() + "\n");
  fs::create_directories(fs::path(dir) / "sub");
  std::string sub = (fs::path(dir) / "sub").string();
  ASSERT_TRUE(Libgit2Finds(sub));
  EXPECT_TRUE(MayBeInRepository(sub));
  fs::remove_all(dir);
}

TEST(GitDiscoveryTest, UnresolvablePathIsLeftToLibgit2) {
  // realpath fails: the pre-check does not guess.
  EXPECT_TRUE(MayBeInRepository("/nonexistent-vigil-test-dir/x"));
}

}  // namespace
}  // namespace vigil
