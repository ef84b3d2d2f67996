// Hardening tests for the git sources: hostile and broken repositories, and
// repository-controlled behaviour that must never run (hooks, filter
// drivers, fsmonitor, config includes, pagers, ssh/credential helpers).
//
// The repositories are built with the git CLI (HOME and the system config
// isolated), and the hostile configuration is written into .git/config
// *after* every git command, so only vigil could trigger it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/cli/cli_util.h"
#include "tests/utf16_bytes.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kToken = "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";

#define EXPECT_NO_CRASH(r) \
  EXPECT_TRUE((r).code >= 0 && (r).code <= 2) << "exit " << (r).code << "\nstderr: " << (r).err.substr(0, 2000)

// Runs a shell command with git isolated from the user's configuration.
int Sh(const std::string& cmd, const std::string& cwd) {
  std::string full = "cd " + Quote(cwd) +
                     " && export HOME=" + Quote(cwd) + " GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t "
                     "GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t "
                     "GIT_COMMITTER_EMAIL=t@example.com GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' "
                     "GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' && (" + cmd + ") >/dev/null 2>&1";
  int status = std::system(full.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// vigil with a wall-clock bound, HOME pointed away from the real one.
RunResult RunBounded(const std::string& args, int seconds, const std::string& cwd) {
  static int n = 0;
  auto dir = fs::temp_directory_path() / ("vigil-hgit-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  fs::create_directories(dir);
  std::string out = (dir / "out").string(), err = (dir / "err").string();
  std::string cmd = "cd " + Quote(cwd) + " && HOME=" + Quote(dir.string()) +
                    " XDG_CACHE_HOME=" + Quote((fs::temp_directory_path() / "vigil-hardening-cache").string()) +
                    " timeout -s KILL " +
                    std::to_string(seconds) + " " + Quote(VIGIL_BINARY) + " " + args + " </dev/null >" +
                    Quote(out) + " 2>" + Quote(err);
  int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove_all(dir);
  return r;
}

bool HasSecret(const std::string& json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.contains("findings")) return false;
  for (const auto& f : j["findings"]) {
    if (f.value("kind", "") == "secret") return true;
  }
  return false;
}

// A repository with two commits (a secret in the first, removed in the
// second) and one staged change.
class GitTree {
 public:
  GitTree() {
    root_ = t_.path() + "/repo";
    fs::create_directories(root_);
    EXPECT_EQ(Sh("git init -q -b main .", root_), 0);
    Write("app/config.env", std::string("TOKEN=") + kToken + "\n");
    Write("README.md", "hello\n");
    EXPECT_EQ(Sh("git add -A && git commit -q -m first", root_), 0);
    Write("app/config.env", "TOKEN=${TOKEN}\n");
    EXPECT_EQ(Sh("git add -A && git commit -q -m second", root_), 0);
    Write("staged.env", std::string("STAGED_TOKEN=") + kToken + "\n");
    EXPECT_EQ(Sh("git add staged.env", root_), 0);
  }
  void Write(const std::string& rel, const std::string& text) {
    fs::create_directories(fs::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel, std::ios::binary) << text;
  }
  void AppendConfig(const std::string& text) {
    std::ofstream(root_ + "/.git/config", std::ios::app) << text;
  }
  const std::string& root() const { return root_; }
  std::string scratch() const { return t_.path(); }

 private:
  TempTree t_;
  std::string root_;
};

// --- repository-controlled behaviour ---------------------------------------

TEST(HostileGit, NothingFromTheRepositoryEverRuns) {
  GitTree g;
  const std::string markers = g.scratch() + "/markers";
  fs::create_directories(markers);
  auto touch = [&](const std::string& name) { return "touch " + markers + "/" + name; };

  // Hooks: every hook git knows, in .git/hooks and in a core.hooksPath dir.
  const std::vector<std::string> hooks = {
      "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
      "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
      "pre-push", "pre-receive", "update", "post-receive", "post-update", "push-to-checkout",
      "pre-auto-gc", "post-rewrite", "sendemail-validate", "fsmonitor-watchman", "reference-transaction",
      "post-index-change"};
  fs::create_directories(g.root() + "/.git/hooks");
  fs::create_directories(g.root() + "/evil-hooks");
  for (const auto& h : hooks) {
    for (const std::string& dir : {g.root() + "/.git/hooks/", g.root() + "/evil-hooks/"}) {
      std::string p = dir + h;
      std::ofstream(p) << "#!/bin/sh\n" << touch("hook-" + h) << "\n";
      fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    }
  }
  // An included config file (include.path and includeIf) that asks for more.
  std::string included = g.scratch() + "/included.config";
  std::ofstream(included) << "[core]\n\tfsmonitor = " << touch("include-fsmonitor") << "\n"
                          << "[filter \"evil\"]\n\tclean = " << touch("include-clean") << "\n"
                          << "\tsmudge = " << touch("include-smudge") << "\n";
  g.AppendConfig(
      "[core]\n"
      "\thooksPath = " + g.root() + "/evil-hooks\n"
      "\tfsmonitor = " + touch("fsmonitor") + "\n"
      "\tpager = " + touch("pager") + "\n"
      "\tsshCommand = " + touch("ssh") + "\n"
      "\taskPass = " + touch("askpass") + "\n"
      "\teditor = " + touch("editor") + "\n"
      "[filter \"evil\"]\n"
      "\tclean = " + touch("clean") + "\n"
      "\tsmudge = " + touch("smudge") + "\n"
      "\tprocess = " + touch("process") + "\n"
      "\trequired = true\n"
      "[diff \"evil\"]\n"
      "\ttextconv = " + touch("textconv") + "\n"
      "\tcommand = " + touch("diff-command") + "\n"
      "[diff]\n\texternal = " + touch("diff-external") + "\n"
      "[merge \"evil\"]\n\tdriver = " + touch("merge-driver") + "\n"
      "[credential]\n\thelper = !" + touch("credential") + "\n"
      "[gpg]\n\tprogram = " + touch("gpg") + "\n"
      "[protocol]\n\tallow = always\n"
      "[uploadpack]\n\tpackObjectsHook = " + touch("pack-objects-hook") + "\n"
      "[include]\n\tpath = " + included + "\n"
      "[includeIf \"gitdir:" + g.root() + "/\"]\n\tpath = " + included + "\n");
  // Attributes that route every file through the drivers.
  g.Write(".gitattributes", "* filter=evil diff=evil merge=evil\n");
  g.Write(".git/info/attributes", "* filter=evil diff=evil merge=evil\n");

  struct Mode {
    std::string name, args;
  };
  for (const Mode& m : std::vector<Mode>{{"history", "scan . --history"},
                                         {"all-objects", "scan . --history --all-objects"},
                                         {"staged", "scan . --staged"},
                                         {"range", "scan . --range HEAD~1..HEAD"},
                                         {"working-tree", "scan ."},
                                         {"lint-staged", "lint . --staged"}}) {
    SCOPED_TRACE(m.name);
    RunResult r = RunBounded(m.args + " --format json -q", 120, g.root());
    EXPECT_NO_CRASH(r);
    std::vector<std::string> ran;
    for (const auto& e : fs::directory_iterator(markers)) ran.push_back(e.path().filename().string());
    EXPECT_TRUE(ran.empty()) << m.name << " ran: " << ::testing::PrintToString(ran);
    for (const auto& name : ran) fs::remove(markers + "/" + name);
  }
  // The scans still work: the history has the secret, the index too.
  RunResult h = RunBounded("scan . --history --format json -q", 120, g.root());
  EXPECT_EQ(h.code, 1) << h.err;
  EXPECT_TRUE(HasSecret(h.out)) << h.out.substr(0, 1000);
  RunResult s = RunBounded("scan . --staged --format json -q", 120, g.root());
  EXPECT_EQ(s.code, 1) << s.err;
  EXPECT_TRUE(HasSecret(s.out)) << s.out.substr(0, 1000);
}

// --- broken repositories ---------------------------------------------------

TEST(HostileGit, TruncatedPackFile) {
  GitTree g;
  ASSERT_EQ(Sh("git gc -q --aggressive --prune=now", g.root()), 0);
  std::vector<fs::path> packs;
  for (const auto& e : fs::directory_iterator(g.root() + "/.git/objects/pack")) {
    if (e.path().extension() == ".pack") packs.push_back(e.path());
  }
  ASSERT_FALSE(packs.empty());
  for (const auto& p : packs) fs::resize_file(p, fs::file_size(p) / 2);
  RunResult r = RunBounded("scan . --history --format json -q", 120, g.root());
  EXPECT_NO_CRASH(r);
  // Not a silent success: exit 2 with a message, or per-object errors listed.
  json j = json::parse(r.out, nullptr, false);
  bool reported = r.code == 2 || (!j.is_discarded() && !j["errors"].empty());
  EXPECT_TRUE(reported) << "exit " << r.code << "\n" << r.out.substr(0, 1000) << r.err;
  if (r.code == 2) {
    EXPECT_FALSE(r.err.empty());
  }
}

TEST(HostileGit, CorruptPackBytes) {
  GitTree g;
  ASSERT_EQ(Sh("git gc -q --prune=now", g.root()), 0);
  for (const auto& e : fs::directory_iterator(g.root() + "/.git/objects/pack")) {
    if (e.path().extension() != ".pack") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    uint64_t size = fs::file_size(e.path());
    for (uint64_t off = 12; off + 20 < size; off += 7) {  // keep header and trailer length
      f.seekp(static_cast<std::streamoff>(off));
      f.put('\x5a');
    }
  }
  RunResult r = RunBounded("scan . --history --format json -q", 120, g.root());
  EXPECT_NO_CRASH(r);
  json j = json::parse(r.out, nullptr, false);
  bool reported = r.code == 2 || (!j.is_discarded() && !j["errors"].empty());
  EXPECT_TRUE(reported) << "exit " << r.code << "\n" << r.err;
}

TEST(HostileGit, MissingBlobIsAPerItemError) {
  GitTree g;
  // Loose objects: delete the blob of README.md.
  std::string blob = g.scratch() + "/blob-id";
  ASSERT_EQ(Sh("git rev-parse HEAD:README.md > " + Quote(blob), g.root()), 0);
  std::string id = ReadFile(blob).substr(0, 40);
  ASSERT_EQ(id.size(), 40u);
  fs::path obj = g.root() + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2);
  ASSERT_TRUE(fs::exists(obj));
  fs::remove(obj);
  RunResult r = RunBounded("scan . --history --format json -q", 120, g.root());
  EXPECT_NO_CRASH(r);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.err;
  // The other blobs are scanned: the secret in the first commit is found.
  EXPECT_TRUE(HasSecret(r.out)) << r.out.substr(0, 1000) << r.err;
  std::string all = r.err + j["errors"].dump();
  EXPECT_TRUE(all.find(id.substr(0, 7)) != std::string::npos || all.find("README.md") != std::string::npos)
      << all;
}

TEST(HostileGit, MissingCommitObject) {
  GitTree g;
  std::string head_file = g.scratch() + "/head-id";
  ASSERT_EQ(Sh("git rev-parse HEAD > " + Quote(head_file), g.root()), 0);
  std::string id = ReadFile(head_file).substr(0, 40);
  fs::remove(g.root() + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2));
  for (const std::string mode : {"--history", "--staged", "--range HEAD~1..HEAD"}) {
    RunResult r = RunBounded("scan . " + mode + " --format json -q", 120, g.root());
    EXPECT_NO_CRASH(r);
    if (std::string(mode) != "--staged") {
      EXPECT_EQ(r.code, 2) << mode << ": " << r.err;
    }
  }
}

TEST(HostileGit, GitFilePointingElsewhere) {
  TempTree t;
  // Points at a directory that does not exist.
  t.Write("work/.git", "gitdir: /nonexistent/vigil/repo.git\n");
  t.Write("work/a.env", std::string("TOKEN=") + kToken + "\n");
  RunResult r = RunBounded("scan work --history --format json -q", 60, t.path());
  EXPECT_EQ(r.code, 2) << r.out.substr(0, 300) << r.err;
  EXPECT_FALSE(r.err.empty());
  r = RunBounded("scan work --staged --format json -q", 60, t.path());
  EXPECT_EQ(r.code, 2) << r.err;
  // Garbage in the .git file.
  t.Write("work2/.git", std::string("\x00\xffgitdir", 8));
  r = RunBounded("scan work2 --history --format json -q", 60, t.path());
  EXPECT_EQ(r.code, 2) << r.err;
  // The working tree is still scannable: the .git file itself is skipped.
  r = RunBounded("scan work --format json -q", 60, t.path());
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(HasSecret(r.out));
  // A .git file pointing at a real repository elsewhere (a worktree layout):
  // that repository is what git would use; vigil must not crash on it.
  GitTree other;
  t.Write("work3/.git", "gitdir: " + other.root() + "/.git\n");
  r = RunBounded("scan work3 --history --format json -q", 120, t.path());
  EXPECT_NO_CRASH(r);
}

TEST(HostileGit, HugeNumbersOfRefs) {
  GitTree g;
  std::string head_file = g.scratch() + "/head-id";
  ASSERT_EQ(Sh("git rev-parse HEAD HEAD~1 > " + Quote(head_file), g.root()), 0);
  std::string ids = ReadFile(head_file);
  std::string head = ids.substr(0, 40), parent = ids.substr(41, 40);
  {
    std::ofstream packed(g.root() + "/.git/packed-refs");
    packed << "# pack-refs with: peeled fully-peeled sorted \n";
    for (int i = 0; i < 50000; ++i) {
      char name[64];
      snprintf(name, sizeof name, "refs/heads/b%06d", i);
      packed << (i % 2 ? head : parent) << " " << name << "\n";
    }
    for (int i = 0; i < 20000; ++i) {
      char name[64];
      snprintf(name, sizeof name, "refs/tags/t%06d", i);
      packed << head << " " << name << "\n";
    }
  }
  auto started = std::chrono::steady_clock::now();
  RunResult r = RunBounded("scan . --history --format json -q", 180, g.root());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.code, 1) << r.err.substr(0, 2000);
  EXPECT_LT(secs, 120);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  // The one secret blob is reported once, not once per ref.
  int n = 0;
  for (const auto& f : j["findings"]) n += f["kind"] == "secret" ? 1 : 0;
  EXPECT_EQ(n, 1) << r.out.substr(0, 2000);
}

TEST(HostileGit, EmptyAndBareRepositories) {
  TempTree t;
  ASSERT_EQ(Sh("git init -q empty && git init -q --bare bare.git", t.path()), 0);
  for (const std::string dir : {"empty", "bare.git"}) {
    for (const std::string mode : {"--history", "--staged"}) {
      RunResult r = RunBounded("scan " + dir + " " + mode + " --format json -q", 60, t.path());
      EXPECT_NO_CRASH(r);
    }
  }
}

TEST(HostileGit, CorruptIndexForStaged) {
  GitTree g;
  {
    std::fstream f(g.root() + "/.git/index", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.write("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
  }
  RunResult r = RunBounded("scan . --staged --format json -q", 60, g.root());
  EXPECT_NO_CRASH(r);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_FALSE(r.err.empty());
  // Truncated to nothing.
  fs::resize_file(g.root() + "/.git/index", 10);
  r = RunBounded("scan . --staged --format json -q", 60, g.root());
  EXPECT_NO_CRASH(r);
  EXPECT_EQ(r.code, 2) << r.err;
}

// --- UTF-16 blobs ------------------------------------------------------------

using vigil::testing::Utf16WithBom;

// The github-token findings of a JSON report, as path -> line.
std::map<std::string, int> TokenLines(const std::string& json_text) {
  std::map<std::string, int> out;
  json j = json::parse(json_text, nullptr, false);
  if (!j.is_object() || !j.contains("findings")) return out;
  for (const auto& f : j["findings"]) {
    if (f.value("rule_id", "").rfind("github", 0) != 0) continue;
    out[f["location"].value("path", "")] = f["location"].value("line", 0);
  }
  return out;
}

// The git sources decode UTF-16 blobs with a BOM like working-tree files
// (one decoder, scanner/source/utf16.h): history, range and staged scans find
// the token, at its line (line 1 has a surrogate pair, CRLF line ends).
TEST(HostileGit, Utf16BlobsAreDecodedInHistoryRangeAndStaged) {
  TempTree t;
  const std::string root = t.path() + "/repo";
  fs::create_directories(root);
  auto write = [&](const std::string& rel, const std::string& text) {
    std::ofstream(root + "/" + rel, std::ios::binary) << text;
  };
  std::u16string token(kToken, kToken + std::strlen(kToken));
  std::u16string text = u"# config \U0001F600\r\nname: app\r\ntoken: " + token + u"\r\nnext: 1\r\n";
  ASSERT_EQ(Sh("git init -q -b main .", root), 0);
  write("README.md", "hello\n");
  ASSERT_EQ(Sh("git add -A && git commit -q -m base", root), 0);
  write("le.txt", Utf16WithBom(text, false));
  write("be.txt", Utf16WithBom(text, true));
  ASSERT_EQ(Sh("git add -A && git commit -q -m utf16", root), 0);
  write("staged-le.txt", Utf16WithBom(u"\r\n\r\n" + text, false));
  write("staged-be.txt", Utf16WithBom(u"\r\n\r\n" + text, true));
  ASSERT_EQ(Sh("git add staged-le.txt staged-be.txt", root), 0);

  RunResult h = RunBounded("scan . --history --format json -q", 120, root);
  EXPECT_EQ(h.code, 1) << h.err;
  std::map<std::string, int> want = {{"le.txt", 3}, {"be.txt", 3}};
  EXPECT_EQ(TokenLines(h.out), want) << h.out.substr(0, 2000);
  RunResult r = RunBounded("scan . --range HEAD~1..HEAD --format json -q", 120, root);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(TokenLines(r.out), want) << r.out.substr(0, 2000);
  RunResult s = RunBounded("scan . --staged --format json -q", 120, root);
  EXPECT_EQ(s.code, 1) << s.err;
  want = {{"staged-le.txt", 5}, {"staged-be.txt", 5}};
  EXPECT_EQ(TokenLines(s.out), want) << s.out.substr(0, 2000);
}

}  // namespace
}  // namespace vigil::testing
