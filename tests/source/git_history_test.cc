// Tests for the full-history git source: enumeration (each blob once, all
// refs, bare, shallow, missing objects, submodules, LFS, size limit) and lazy
// provenance (introducing commit, live flag).
#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

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

const std::string kSecret = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
const std::string kSecretFile = "apiVersion: v1\nkind: ConfigMap\ndata:\n  token: " + kSecret + "\n";

std::unique_ptr<Source> History(const std::string& path, GitOptions options = {}) {
  auto source = NewGitHistorySource(path, options);
  EXPECT_TRUE(source.ok()) << source.status().message();
  return source.ok() ? std::move(source).value() : nullptr;
}

TEST(GitHistoryTest, SecretAddedThenDeletedHasProvenanceAndIsNotLive) {
  TestRepo repo;
  git_oid c1 = repo.Commit({{"README.md", "# demo\n"}}, "initial");
  git_oid c2 = repo.Commit({{"README.md", "# demo\n"}, {"deploy/config.yaml", kSecretFile}},
                           "add config\n\nlonger body");
  repo.Commit({{"README.md", "# demo\n"}}, "remove config");
  (void)c1;

  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(source->Mode(), "history");
  EXPECT_EQ(e.HardErrors(), 0u);
  const WorkItem* item = e.Find("deploy/config.yaml");
  ASSERT_NE(item, nullptr);
  EXPECT_TRUE(item->from_history);
  EXPECT_EQ(item->key, repo.BlobHex(kSecretFile));
  EXPECT_EQ(item->size, kSecretFile.size());
  EXPECT_EQ(e.items.size(), 2u);  // README + config: each blob once

  std::string blob_id;
  EXPECT_EQ(ReadItem(*source, *item, &blob_id), kSecretFile);
  EXPECT_EQ(blob_id, item->key);

  std::vector<Finding> findings{MakeFinding(item->path, item->key, kSecret)};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit.has_value());
  EXPECT_EQ(findings[0].commit->id, OidHex(c2));
  EXPECT_EQ(findings[0].commit->author, "Alice Example");
  EXPECT_EQ(findings[0].commit->email, "alice@example.com");
  EXPECT_EQ(findings[0].commit->date, "2023-11-14T23:13:20Z");  // 1700000000 + 3600
  EXPECT_EQ(findings[0].commit->summary, "add config");
  EXPECT_EQ(findings[0].commit_path, "deploy/config.yaml");
  ASSERT_TRUE(findings[0].live.has_value());
  EXPECT_FALSE(*findings[0].live);
}

TEST(GitHistoryTest, SecretOnlyOnSideBranch) {
  TestRepo repo;
  git_oid base = repo.Commit({{"a.txt", "a\n"}}, "base");
  git_oid side = repo.Commit({{"a.txt", "a\n"}, {"side.env", "TOKEN=" + kSecret + "\n"}}, "side work",
                             "refs/heads/feature", std::vector<git_oid>{base});
  repo.Commit({{"a.txt", "a2\n"}}, "main work");

  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok());
  const WorkItem* item = e.Find("side.env");
  ASSERT_NE(item, nullptr);
  std::vector<Finding> findings{MakeFinding("side.env", item->key, kSecret)};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(side));
  EXPECT_FALSE(*findings[0].live);
}

TEST(GitHistoryTest, TagsAndRemotesAndDetachedObjectsAreRefs) {
  TestRepo repo;
  git_oid c1 = repo.Commit({{"a.txt", "a\n"}}, "base");
  // A commit reachable only from a remote-tracking ref, one only from a tag.
  repo.Commit({{"remote.txt", "remote only\n"}}, "remote", "refs/remotes/origin/x",
              std::vector<git_oid>{c1});
  repo.Commit({{"tag.txt", "tag only\n"}}, "tagged", "refs/tags/v1", std::vector<git_oid>{c1});
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  EXPECT_NE(e.Find("remote.txt"), nullptr);
  EXPECT_NE(e.Find("tag.txt"), nullptr);
}

TEST(GitHistoryTest, RenamedFileIsOneBlobWithPerPathProvenance) {
  TestRepo repo;
  git_oid c1 = repo.Commit({{"old/name.env", kSecretFile}}, "add");
  git_oid c2 = repo.Commit({{"new/name.env", kSecretFile}}, "rename");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  std::string key = repo.BlobHex(kSecretFile);
  EXPECT_EQ(e.CountKey(key), 1u);

  std::vector<Finding> findings{MakeFinding("old/name.env", key, kSecret),
                                MakeFinding("new/name.env", key, kSecret)};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit && findings[1].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(c1));
  EXPECT_EQ(findings[1].commit->id, OidHex(c2));
  EXPECT_TRUE(*findings[0].live);  // the blob is still in HEAD (renamed)
  EXPECT_TRUE(*findings[1].live);
}

TEST(GitHistoryTest, SameBlobAtTwoPathsIsScannedOnce) {
  TestRepo repo;
  repo.Commit({{"x/a.env", kSecretFile}, {"y/b.env", kSecretFile}, {"z.txt", "z\n"}}, "dup");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  EXPECT_EQ(e.items.size(), 2u);
  EXPECT_EQ(e.CountKey(repo.BlobHex(kSecretFile)), 1u);
}

TEST(GitHistoryTest, SecretMovedToAnotherLineIsStillLive) {
  TestRepo repo;
  repo.Commit({{"c.yaml", kSecretFile}}, "add");
  repo.Commit({{"c.yaml", "# moved\n\n" + kSecretFile}}, "move");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  std::vector<Finding> findings{MakeFinding("c.yaml", repo.BlobHex(kSecretFile), kSecret)};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].live);
  EXPECT_TRUE(*findings[0].live);  // same secret in HEAD's version of the path
}

TEST(GitHistoryTest, BareRepository) {
  TestRepo repo(/*bare=*/true);
  git_oid c1 = repo.Commit({{"s.env", "K=" + kSecret + "\n"}}, "add");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  const WorkItem* item = e.Find("s.env");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(ReadItem(*source, *item), "K=" + kSecret + "\n");
  std::vector<Finding> findings{MakeFinding("s.env", item->key, kSecret)};
  source->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
  EXPECT_EQ(findings[0].commit->id, OidHex(c1));
  EXPECT_TRUE(*findings[0].live);
}

TEST(GitHistoryTest, ShallowCloneIsScannedAndNoted) {
  TestRepo origin;
  origin.Commit({{"old.env", "OLD=" + kSecret + "\n"}}, "one");
  origin.Commit({{"new.env", "NEW=1\n"}}, "two");
  std::string dst = testing::MakeTempDir("shallow");
  std::filesystem::remove_all(dst);
  std::string cmd = "git clone -q --depth 1 file://" + origin.path() + " " + dst + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);

  auto source = History(dst);
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_TRUE(e.HasError("shallow", /*warning=*/true));
  EXPECT_EQ(e.HardErrors(), 0u) << (e.errors.empty() ? "" : e.errors[0].message);
  EXPECT_NE(e.Find("new.env"), nullptr);
  EXPECT_EQ(e.Find("old.env"), nullptr);  // beyond the boundary
  std::vector<Finding> findings{MakeFinding("new.env", e.Find("new.env")->key, "1")};
  source->AddProvenance(&findings);
  EXPECT_TRUE(findings[0].commit);
  EXPECT_TRUE(DescribeRepository(dst).shallow);
  std::filesystem::remove_all(dst);
}

TEST(GitHistoryTest, MissingObjectIsReportedAndScanGoesOn) {
  TestRepo repo;
  repo.Commit({{"keep.txt", "keep me\n"}, {"lost.txt", "this blob goes missing\n"}}, "c1");
  repo.Commit({{"keep.txt", "keep me\n"}, {"lost.txt", "this blob goes missing\n"},
               {"later.txt", "later\n"}},
              "c2");
  std::string lost = repo.BlobHex("this blob goes missing\n");
  std::filesystem::path file =
      std::filesystem::path(repo.git_dir()) / "objects" / lost.substr(0, 2) / lost.substr(2);
  ASSERT_TRUE(std::filesystem::remove(file));

  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok());
  EXPECT_TRUE(e.HasError(lost, /*warning=*/false));
  EXPECT_NE(e.Find("keep.txt"), nullptr);
  EXPECT_NE(e.Find("later.txt"), nullptr);
  EXPECT_EQ(e.Find("lost.txt"), nullptr);
}

TEST(GitHistoryTest, LargeBlobsAreSkippedWithAWarning) {
  TestRepo repo;
  repo.Commit({{"big.bin", std::string(5000, 'x')}, {"small.txt", "s\n"}}, "c1");
  GitOptions options;
  options.max_file_size = 1000;
  auto source = History(repo.path(), options);
  Enumerated e = RunEnumerate(*source);
  EXPECT_EQ(e.Find("big.bin"), nullptr);
  EXPECT_NE(e.Find("small.txt"), nullptr);
  EXPECT_TRUE(e.HasError("larger than the maximum", /*warning=*/true));
}

TEST(GitHistoryTest, SubmodulesAndLfsPointersAreNoted) {
  TestRepo repo;
  std::string lfs =
      "version https://git-lfs.github.com/spec/v1\n"
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
      "size 12345\n";
  repo.Commit({{"vendor/lib", "gitlink:0123456789abcdef0123456789abcdef01234567"},
               {"assets/big.psd", lfs}},
              "c1");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_TRUE(e.status.ok());
  EXPECT_TRUE(e.HasError("submodule", /*warning=*/true));
  EXPECT_TRUE(e.HasError("LFS", /*warning=*/true));
  EXPECT_EQ(e.HardErrors(), 0u);
  EXPECT_NE(e.Find("assets/big.psd"), nullptr);
}

TEST(GitHistoryTest, UnreachableBlobsOnlyOnRequest) {
  TestRepo repo;
  repo.Commit({{"a.txt", "a\n"}}, "c1");
  std::string dangling = repo.BlobHex("dangling " + kSecret + "\n");
  auto reachable = History(repo.path());
  EXPECT_EQ(RunEnumerate(*reachable).CountKey(dangling), 0u);
  GitOptions options;
  options.include_unreachable = true;
  auto all = History(repo.path(), options);
  Enumerated e = RunEnumerate(*all);
  ASSERT_EQ(e.CountKey(dangling), 1u);
  EXPECT_EQ(e.Find("unreachable:" + dangling)->key, dangling);
}

TEST(GitHistoryTest, ReadersWorkInParallel) {
  TestRepo repo;
  std::map<std::string, std::string> files;
  for (int i = 0; i < 50; ++i) files["f" + std::to_string(i)] = "content " + std::to_string(i) + "\n";
  repo.Commit(files, "many");
  auto source = History(repo.path());
  Enumerated e = RunEnumerate(*source);
  ASSERT_EQ(e.items.size(), 50u);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      auto reader = source->NewReader();
      for (size_t i = t; i < e.items.size(); i += 2) {
        BlobData data;
        if (reader->Read(e.items[i], &data).ok() && data.data == files[e.items[i].path]) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 50);
}

TEST(GitHistoryTest, NotARepository) {
  std::string dir = testing::MakeTempDir("norepo");
  auto source = NewGitHistorySource(dir, {});
  EXPECT_FALSE(source.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// Packed objects take the pack-index path (pack order, sizes from pack
// headers, deltas sized by the reader).
TEST(GitHistoryPackedTest, PackedRepositoryWithDeltas) {
  testing::TestRepo repo;
  std::string big(4000, 'a');
  for (int i = 0; i < 4000; i += 50) big[i] = '\n';
  std::vector<git_oid> commits;
  std::string content = big;
  for (int i = 0; i < 6; ++i) {
    content += "line " + std::to_string(i) + "\n";
    commits.push_back(repo.Commit({{"big.txt", content}, {"s.env", "S=" + std::to_string(i) + "\n"}},
                                  "c" + std::to_string(i)));
  }
  std::string cmd = "git -C " + repo.path() + " repack -q -a -d -f 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  cmd = "git -C " + repo.path() + " prune-packed 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);

  GitOptions options;
  options.max_file_size = 4000;  // everything but the first version of big.txt is larger
  auto source = NewGitHistorySource(repo.path(), options);
  ASSERT_TRUE(source.ok());
  testing::Enumerated e = testing::RunEnumerate(*source.value());
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(e.HardErrors(), 0u);
  // 6 versions of s.env; big.txt versions are either skipped at enumeration
  // (non-delta, size known) or refused by the reader (delta).
  size_t envs = 0, bigs_read = 0, bigs_skipped_by_reader = 0;
  auto reader = source.value()->NewReader();
  for (const WorkItem& item : e.items) {
    BlobData data;
    Status s = reader->Read(item, &data);
    if (item.path == "s.env") {
      ++envs;
      EXPECT_TRUE(s.ok());
      if (item.size) {
        EXPECT_EQ(item.size, data.data.size());
      }
    } else if (s.ok()) {
      ++bigs_read;
      EXPECT_LE(data.data.size(), 4000u);
    } else {
      ++bigs_skipped_by_reader;
      EXPECT_EQ(s.message().rfind("skipped:", 0), 0u) << s.message();
    }
  }
  EXPECT_EQ(envs, 6u);
  EXPECT_EQ(bigs_read, 0u);  // every version is over 4000 bytes
  size_t skipped_at_enumeration = 0;
  for (const auto& err : e.errors) skipped_at_enumeration += err.warning && err.message.find("larger") != std::string::npos;
  EXPECT_EQ(skipped_at_enumeration + bigs_skipped_by_reader, 6u);

  const WorkItem* env = e.Find("s.env");
  ASSERT_NE(env, nullptr);
  std::vector<Finding> findings{testing::MakeFinding("s.env", env->key, "")};
  source.value()->AddProvenance(&findings);
  ASSERT_TRUE(findings[0].commit);
}

}  // namespace
}  // namespace vigil
