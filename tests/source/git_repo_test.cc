// Tests for DescribeRepository (SARIF versionControlProvenance facts) and the
// libgit2 plumbing of git_repo.cc (object hashing, the CA bundle skipped at
// initialisation).
#include <git2.h>
#include <gtest/gtest.h>

#include <string>

#include "scanner/source/git_internal.h"
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

// HashObject computes the ids libgit2 (and git) compute, for the object
// types and sizes the sources hash (empty, small, over a SHA-1 block, large).
TEST(GitRepoTest, HashObjectMatchesLibgit2) {
  git_internal::EnsureInit();
  std::string data;
  for (size_t size : {0u, 1u, 55u, 56u, 64u, 1000u, 100000u}) {
    data.assign(size, '\0');
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 131 + 7) & 0xff);
    for (auto [name, type] : {std::pair{"blob", GIT_OBJECT_BLOB}, {"tree", GIT_OBJECT_TREE}}) {
      git_oid want;
      ASSERT_EQ(git_odb_hash(&want, data.data(), data.size(), type), 0);
      git_oid got = git_internal::HashObject(name, data);
      EXPECT_TRUE(git_oid_equal(&want, &got)) << name << " of " << size << " bytes";
    }
  }
  // git hash-object of "hello\n".
  EXPECT_EQ(git_internal::Hex(git_internal::HashObject("blob", "hello\n")),
            "ce013625030ba8dba906f756967f9e9ca394464a");
}

// libgit2's initialisation does not parse the system CA bundle (git_repo.cc),
// but loading certificates on request still reaches mbedTLS: a real
// certificate file loads, a file that holds none is an error.
TEST(GitRepoTest, CertificateLocationsStillLoadAfterInitialisation) {
  git_internal::EnsureInit();
  std::string cert = std::string(VIGIL_TESTS_DIR) + "/fixtures/sealed-certs/web-tls.pem";
  std::string not_cert = std::string(VIGIL_TESTS_DIR) + "/source/git_repo_test.cc";
  if (git_libgit2_features() & GIT_FEATURE_HTTPS) {
    EXPECT_EQ(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, cert.c_str(), nullptr), 0)
        << git_error_last()->message;
    EXPECT_NE(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, not_cert.c_str(), nullptr), 0);
  }
}

}  // namespace
}  // namespace vigil
