// Tests for the staged source: the index against HEAD, reading the staged
// blob (never the working file).
#include <fcntl.h>
#include <git2.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "scanner/source/git_source.h"
#include "tests/source/git_test_repo.h"

namespace vigil {
namespace {

using testing::Enumerated;
using testing::MakeTempDir;
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

  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
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
  // Without a cross-file inspector (GitOptions::context false): no context.
  GitOptions no_context;
  no_context.context = false;
  auto staged_only = NewGitStagedSource(repo.path(), no_context);
  ASSERT_TRUE(staged_only.ok());
  Enumerated s = RunEnumerate(*staged_only.value());
  EXPECT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.Find("b.yaml"), nullptr);
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

// A repository built with the git command line (so the index holds real stat
// data for the working files), with `b.yaml` unchanged and `a.yaml` staged.
class StatRepo {
 public:
  StatRepo() : dir_(MakeTempDir("statrepo")) {
    WriteFile(dir_ + "/a.yaml", "a: 1\n");
    WriteFile(dir_ + "/b.yaml", "b: 1\n");
    Git("init -q && git -c user.name=t -c user.email=t@example.invalid add -A && "
        "git -c user.name=t -c user.email=t@example.invalid commit -qm c1");
    WriteFile(dir_ + "/a.yaml", "a: 2\n");
    Git("add a.yaml");
  }
  ~StatRepo() { std::filesystem::remove_all(dir_); }
  void Git(const std::string& args) {
    ASSERT_EQ(std::system(("cd '" + dir_ + "' && git " + args + " >/dev/null 2>&1").c_str()), 0)
        << args;
  }
  const std::string& path() const { return dir_; }
  // The loose object file of a blob id.
  std::string ObjectPath(const std::string& hex) const {
    return dir_ + "/.git/objects/" + hex.substr(0, 2) + "/" + hex.substr(2);
  }

 private:
  std::string dir_;
};

// An unchanged file whose working copy still has the index's stat data is
// read from the working tree: here its loose object is gone and the read
// still succeeds, with the same bytes and blob id.
TEST(GitStagedTest, ContextReadsAMatchingWorkingFile) {
  StatRepo repo;
  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  const WorkItem* b = e.Find("b.yaml");
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->context);
  // Not racily clean: the file is older than the index (git wrote it later).
  struct stat file_st, index_st;
  ASSERT_EQ(stat((repo.path() + "/b.yaml").c_str(), &file_st), 0);
  ASSERT_EQ(stat((repo.path() + "/.git/index").c_str(), &index_st), 0);
  if (file_st.st_mtim.tv_sec == index_st.st_mtim.tv_sec &&
      file_st.st_mtim.tv_nsec >= index_st.st_mtim.tv_nsec) {
    GTEST_SKIP() << "file system timestamps too coarse to tell the file from the index";
  }
  ASSERT_TRUE(std::filesystem::remove(repo.ObjectPath(b->key)));
  std::string blob_id;
  EXPECT_EQ(ReadItem(*source.value(), *b, &blob_id), "b: 1\n");
  EXPECT_EQ(blob_id, b->key);
  // The staged file itself is always the staged blob.
  const WorkItem* a = e.Find("a.yaml");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(ReadItem(*source.value(), *a), "a: 2\n");
}

// A working copy changed since it was staged (same size, mtime put back: the
// ctime still tells) is not the staged content: the blob is read.
TEST(GitStagedTest, ContextIgnoresAChangedWorkingFile) {
  StatRepo repo;
  std::string b_path = repo.path() + "/b.yaml";
  struct stat before;
  ASSERT_EQ(stat(b_path.c_str(), &before), 0);
  WriteFile(b_path, "b: 9\n");
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, b_path.c_str(), times, 0), 0);
  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
  const WorkItem* b = e.Find("b.yaml");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(ReadItem(*source.value(), *b), "b: 1\n");
  // With a .gitattributes (filters, eol) working files never stand in for blobs.
  WriteFile(b_path, "b: 1\n");
  WriteFile(repo.path() + "/.gitattributes", "*.yaml text eol=crlf\n");
  repo.Git("-c user.name=t -c user.email=t@example.invalid add .gitattributes b.yaml");
  auto again = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(again.ok());
  Enumerated e2 = RunEnumerate(*again.value());
  const WorkItem* b2 = e2.Find("b.yaml");
  ASSERT_NE(b2, nullptr);
  ASSERT_TRUE(b2->context);
  ASSERT_TRUE(std::filesystem::remove(repo.ObjectPath(b2->key)));
  auto reader = again.value()->NewReader();
  BlobData data;
  EXPECT_FALSE(reader->Read(*b2, &data).ok());  // the blob, which is gone
}

// Many unchanged files in nested directories, named in git's tricky order
// ("a-b.yaml" < "a.b.yaml" < "a/" < "a0.yaml"): each one is found in the
// index's stat table (a sorted flat table) and read from the working tree,
// its loose object being gone. The files are dated in the past, so none is
// racily clean.
TEST(GitStagedTest, ContextReadsWorkingFilesAcrossManyPaths) {
  std::string dir = MakeTempDir("statmany");
  std::vector<std::string> paths;
  for (int i = 0; i < 40; ++i) {
    for (const char* name : {"a-b.yaml", "a.b.yaml", "a/x.yaml", "a/b/c.yaml", "a0.yaml"}) {
      paths.push_back("d" + std::to_string(i) + "/" + name);
    }
  }
  for (const auto& p : paths) WriteFile(dir + "/" + p, "path: " + p + "\n");
  WriteFile(dir + "/staged.yaml", "s: 1\n");
  auto git = [&dir](const std::string& args) {
    return std::system(("cd '" + dir + "' && " + args + " >/dev/null 2>&1").c_str());
  };
  ASSERT_EQ(git("git init -q && find . -path ./.git -prune -o -type f "
                "-exec touch -d 2020-01-01T00:00:00 {} + && git add -A && "
                "git -c user.name=t -c user.email=t@example.invalid commit -qm c1"),
            0);
  WriteFile(dir + "/staged.yaml", "s: 2\n");
  ASSERT_EQ(git("git add staged.yaml"), 0);
  auto source = NewGitStagedSource(dir, {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  Enumerated e = RunEnumerate(*source.value());
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(e.items.size(), paths.size() + 1);
  for (const auto& p : paths) {
    const WorkItem* item = e.Find(p);
    ASSERT_NE(item, nullptr) << p;
    ASSERT_TRUE(item->context) << p;
    std::string object =
        dir + "/.git/objects/" + item->key.substr(0, 2) + "/" + item->key.substr(2);
    ASSERT_TRUE(std::filesystem::remove(object)) << p;
    EXPECT_EQ(ReadItem(*source.value(), *item), "path: " + p + "\n");
  }
  std::filesystem::remove_all(dir);
}

// The staged set is git's own: `git diff --cached` (added, modified, type
// changed) on a tree with nested, new, renamed-around and tricky-order paths
// ("a-b" and "a.b" sort around the directory "a"), with and without an
// intent-to-add entry (which takes libgit2's diff instead of the tree-id
// comparison).
TEST(GitStagedTest, StagedSetIsGitDiffCached) {
  StatRepo repo;
  for (const char* p : {"a/b/c/deep.txt", "a/b/other.txt", "a/keep.txt", "a-b", "a.b", "z/keep.txt",
                        "mode.sh", "link-me.txt"}) {
    WriteFile(repo.path() + "/" + p, std::string("v1 ") + p + "\n");
  }
  repo.Git("add -A");
  repo.Git("-c user.name=t -c user.email=t@example.invalid commit -qm c2");
  WriteFile(repo.path() + "/a/b/c/deep.txt", "v2\n");
  WriteFile(repo.path() + "/a/b/new.txt", "new\n");
  WriteFile(repo.path() + "/new/dir/x.txt", "x\n");
  WriteFile(repo.path() + "/a.b", "v2\n");
  WriteFile(repo.path() + "/a0", "after a\n");
  std::filesystem::remove(repo.path() + "/link-me.txt");
  std::filesystem::create_symlink("a.b", repo.path() + "/link-me.txt");
  std::filesystem::remove(repo.path() + "/z/keep.txt");
  repo.Git("add -A");
  repo.Git("update-index --chmod=+x mode.sh");
  auto staged_paths = [&]() {
    auto source = NewGitStagedSource(repo.path(), {});
    EXPECT_TRUE(source.ok());
    Enumerated e = RunEnumerate(*source.value());
    EXPECT_TRUE(e.status.ok()) << e.status.message();
    std::set<std::string> out;
    for (const auto& item : e.items) {
      if (!item.context) out.insert(item.path);
    }
    return out;
  };
  auto git_paths = [&]() {
    std::set<std::string> out;
    FILE* f = popen(
        ("cd '" + repo.path() + "' && git diff --cached --name-only --diff-filter=AMT").c_str(),
        "r");
    char line[4096];
    while (f != nullptr && fgets(line, sizeof line, f) != nullptr) {
      std::string l = line;
      if (!l.empty() && l.back() == '\n') l.pop_back();
      out.insert(l);
    }
    if (f != nullptr) pclose(f);
    return out;
  };
  std::set<std::string> want = git_paths();
  EXPECT_EQ(want, (std::set<std::string>{"a.b", "a/b/c/deep.txt", "a/b/new.txt", "a0",
                                         "link-me.txt", "mode.sh", "new/dir/x.txt"}));
  EXPECT_EQ(staged_paths(), want);
  WriteFile(repo.path() + "/later.txt", "intent\n");
  repo.Git("add -N later.txt");
  // (git and libgit2 differ on whether an intent-to-add entry is "added".)
  std::set<std::string> with_ita = staged_paths();
  with_ita.erase("later.txt");
  EXPECT_EQ(with_ita, want);
}

TEST(GitStagedTest, BareRepositoryIsAnError) {
  TestRepo repo(/*bare=*/true);
  EXPECT_FALSE(NewGitStagedSource(repo.path(), {}).ok());
}

}  // namespace
}  // namespace vigil
