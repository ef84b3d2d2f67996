// The git sources decode UTF-16 blobs with a byte-order mark to UTF-8 (one
// decoder for every source, scanner/source/utf16.h), like the working tree:
// history, range and staged readers hand the pipeline UTF-8 text, and the
// blob id stays the git id of the stored bytes.
#include <git2.h>
#include <gtest/gtest.h>

#include "scanner/source/git_source.h"
#include "scanner/source/utf16.h"
#include "tests/source/git_test_repo.h"
#include "tests/utf16_bytes.h"

namespace vigil {
namespace {

using testing::Enumerated;
using testing::ReadItem;
using testing::RunEnumerate;
using testing::TestRepo;

// Not a real token (the github rule's shape, obviously fake).
const std::u16string kText = u"# \u00e9t\u00e9 \U0001F600\r\nname: app\r\ntoken: ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000\r\n";
const std::string kUtf8 =
    "# \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\r\nname: app\r\ntoken: ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000\r\n";

using vigil::testing::Utf16WithBom;

const std::string kLe = Utf16WithBom(kText, false);
const std::string kBe = Utf16WithBom(kText, true);

// Every item of `source` whose path is le.txt or be.txt reads as kUtf8, with
// the git id of the UTF-16 bytes.
void ExpectDecoded(TestRepo& repo, Source& source, const std::string& prefix = "") {
  Enumerated e = RunEnumerate(source);
  ASSERT_TRUE(e.status.ok()) << e.status.message();
  EXPECT_EQ(e.HardErrors(), 0u);
  for (const auto& [name, raw] : {std::pair{prefix + "le.txt", kLe}, std::pair{prefix + "be.txt", kBe}}) {
    SCOPED_TRACE(name);
    const WorkItem* item = e.Find(name);
    ASSERT_NE(item, nullptr);
    std::string blob_id;
    EXPECT_EQ(ReadItem(source, *item, &blob_id), kUtf8);
    EXPECT_EQ(blob_id, repo.BlobHex(raw));
  }
}

TEST(GitUtf16Test, DecoderMatchesTheExpectedUtf8) {
  Utf16Decoder d;
  std::string out;
  ASSERT_TRUE(d.Decode(kLe, &out));
  EXPECT_EQ(out, kUtf8);
  ASSERT_TRUE(d.Decode(kBe, &out));
  EXPECT_EQ(out, kUtf8);
  EXPECT_FALSE(d.Decode("\xff\xfe plain text, no NUL", &out));  // scanned as bytes
  EXPECT_FALSE(d.Decode(std::string("no BOM\0here", 11), &out));
}

TEST(GitUtf16Test, HistoryDecodesUtf16Blobs) {
  TestRepo repo;
  repo.Commit({{"le.txt", kLe}, {"be.txt", kBe}, {"plain.txt", "plain\n"}}, "c1");
  auto source = NewGitHistorySource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  ExpectDecoded(repo, *source.value());
}

TEST(GitUtf16Test, RangeDecodesUtf16Blobs) {
  TestRepo repo;
  git_oid base = repo.Commit({{"plain.txt", "plain\n"}}, "base");
  repo.Commit({{"plain.txt", "plain\n"}, {"dir/le.txt", kLe}, {"dir/be.txt", kBe}}, "add");
  auto source = NewGitRangeSource(repo.path(), testing::OidHex(base) + "..HEAD", {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  ExpectDecoded(repo, *source.value(), "dir/");
}

TEST(GitUtf16Test, StagedDecodesUtf16Blobs) {
  TestRepo repo;
  repo.Commit({{"plain.txt", "plain\n"}}, "c1");
  git_index* index = nullptr;
  ASSERT_EQ(git_repository_index(&index, repo.repo()), 0);
  for (const auto& [path, content] : {std::pair{"le.txt", kLe}, std::pair{"be.txt", kBe}}) {
    git_index_entry entry{};
    entry.mode = GIT_FILEMODE_BLOB;
    entry.path = path;
    ASSERT_EQ(git_index_add_from_buffer(index, &entry, content.data(), content.size()), 0);
  }
  ASSERT_EQ(git_index_write(index), 0);
  git_index_free(index);
  auto source = NewGitStagedSource(repo.path(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  ExpectDecoded(repo, *source.value());
}

}  // namespace
}  // namespace vigil
