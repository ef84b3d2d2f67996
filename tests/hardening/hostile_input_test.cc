// Hardening tests: hostile and broken inputs (docs/hardening.md, issue 7).
// Each case runs the real binary (or the library where the binary cannot
// reach the case) and checks the exit code and the message, and that vigil
// neither crashes nor hangs: every run has a wall-clock bound and a crash
// (death by a signal) fails the test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "policies/linter.h"
#include "policies/yaml_tree.h"
#include "scanner/match/matcher.h"
#include "scanner/match/rule.h"
#include "scanner/match/secret_inspector.h"
#include "scanner/pipeline/config.h"
#include "scanner/pipeline/scan.h"
#include "scanner/source/source.h"
#include "tests/cli/cli_util.h"
#include "tests/utf16_bytes.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A GitHub token the built-in rules find (valid checksum).
constexpr const char* kToken = "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";

// Runs vigil with a wall-clock bound (`timeout -s KILL`); code 137 means it
// had to be killed, -1 that it died from a signal.
RunResult RunBounded(const std::string& args, int seconds, const std::string& cwd = VIGIL_SOURCE_DIR) {
  static int n = 0;
  auto dir = fs::temp_directory_path() / ("vigil-hard-" + std::to_string(getpid()) + "-" + std::to_string(n++));
  fs::create_directories(dir);
  std::string out = (dir / "out").string(), err = (dir / "err").string();
  std::string cmd = "cd " + Quote(cwd) + " && timeout -s KILL " + std::to_string(seconds) + " " +
                    Quote(VIGIL_BINARY) + " " + args + " </dev/null >" + Quote(out) + " 2>" + Quote(err);
  int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove_all(dir);
  return r;
}

// Exit codes vigil may return: 0, 1 (findings) or 2 (usage/incomplete).
// Anything else is a crash (e.g. 134 abort, 139 segfault via sh, 137 hang).
#define EXPECT_NO_CRASH(r) \
  EXPECT_TRUE((r).code >= 0 && (r).code <= 2) << "exit " << (r).code << "\nstderr: " << (r).err.substr(0, 2000)

json ParseJson(const RunResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out.substr(0, 500) << "\nstderr: " << r.err.substr(0, 500);
  return j;
}

bool HasFinding(const json& report, const std::string& rule_prefix, const std::string& path_part = "") {
  if (!report.is_object() || !report.contains("findings")) return false;
  for (const auto& f : report["findings"]) {
    if (f.value("rule_id", "").rfind(rule_prefix, 0) != 0) continue;
    if (!path_part.empty() &&
        f["location"].value("path", "").find(path_part) == std::string::npos)
      continue;
    return true;
  }
  return false;
}

std::string ErrorsText(const json& report) {
  std::string s;
  if (!report.is_object() || !report.contains("errors")) return s;
  for (const auto& e : report["errors"]) s += e.value("path", "") + ": " + e.value("message", "") + "\n";
  return s;
}

std::string Scan(const TempTree& t, const std::string& extra = "") {
  return "scan " + Quote(t.path()) + " --format json -q " + extra;
}

// --- YAML: alias bombs and deep nesting -----------------------------------

std::string BillionLaughs() {
  std::string y = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n";
  for (int i = 1; i <= 9; ++i) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) y += std::string(k ? ", " : "") + "*a" + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

TEST(HostileYaml, AliasBombInAManifestStopsWithAMessage) {
  TempTree t;
  t.Write("bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  x: y\n---\n" +
                           BillionLaughs());
  t.Write("app/config.env", std::string("TOKEN=") + kToken + "\n");
  RunResult r = RunBounded(Scan(t), 120);  // killed (137) if expansion were unbounded
  EXPECT_NO_CRASH(r);
  json j = ParseJson(r);
  // The rest of the tree is still scanned.
  EXPECT_TRUE(HasFinding(j, "github", "config.env")) << r.out.substr(0, 1000);
  // The bomb is reported on bomb.yaml (parse limit), not silently expanded.
  EXPECT_NE(ErrorsText(j).find("bomb.yaml"), std::string::npos) << ErrorsText(j);
}

TEST(HostileYaml, AliasBombStopsAtTheLinterNodeBudget) {
  // In-process, so the time bound does not include the rule compilation.
  std::vector<YDocument> docs;
  uint32_t line = 0;
  auto started = std::chrono::steady_clock::now();
  Status s = ParseYaml(BillionLaughs(), &docs, &line);
  EXPECT_FALSE(s.ok());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 10);
}

TEST(HostileYaml, AliasBombInConfigAndRulesDoesNotExpand) {
  // yaml-cpp shares aliased nodes; loading must stay fast and either load or
  // fail with the file named.
  auto started = std::chrono::steady_clock::now();
  auto cfg = ParseConfig("placeholders: []\n" + BillionLaughs(), ".vigil.yaml");
  EXPECT_FALSE(cfg.ok());  // unknown keys a0..a9
  EXPECT_NE(cfg.status().message().find(".vigil.yaml"), std::string::npos);
  std::vector<Rule> rules;
  std::string rules_text = BillionLaughs() +
                           "rules:\n  - id: lol\n    pattern: 'lol([a-z]{8})'\n    keywords: *a9\n";
  Status s = ParseRulesYaml(rules_text, "bomb-rules.yaml", &rules);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("bomb-rules.yaml"), std::string::npos) << s.message();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 10);
}

std::string DeepFlow(int levels, char open, char close, const std::string& inner) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += open == '{' ? std::string("{a: ") : std::string(1, open);
  s += inner;
  for (int i = 0; i < levels; ++i) s += close;
  return s + "\n";
}

TEST(HostileYaml, TenThousandLevelsOfNesting) {
  TempTree t;
  t.Write("deep-seq.yaml", DeepFlow(10000, '[', ']', "x"));
  t.Write("deep-map.yaml", DeepFlow(10000, '{', '}', "x"));
  std::string block;  // block style, 1-space indent per level (about 50 MB at 10k; use 2k)
  for (int i = 0; i < 2000; ++i) block += std::string(i, ' ') + "k:\n";
  t.Write("deep-block.yaml", block);
  t.Write("ok.env", std::string("TOKEN=") + kToken + "\n");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_NO_CRASH(r);
  json j = ParseJson(r);
  EXPECT_TRUE(HasFinding(j, "github", "ok.env"));
  std::string errs = ErrorsText(j);
  EXPECT_NE(errs.find("deep-seq.yaml"), std::string::npos) << errs;
  EXPECT_NE(errs.find("deep-map.yaml"), std::string::npos) << errs;
}

TEST(HostileYaml, DeeplyNestedConfigAndRuleFilesFailCleanly) {
  auto cfg = ParseConfig("exclude: " + DeepFlow(10000, '[', ']', "x"), "deep/.vigil.yaml");
  EXPECT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("deep/.vigil.yaml"), std::string::npos);
  std::vector<Rule> rules;
  Status s = ParseRulesYaml("rules: " + DeepFlow(10000, '[', ']', "x"), "deep-rules.yaml", &rules);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("deep-rules.yaml"), std::string::npos);
  // And through the CLI.
  TempTree t;
  t.Write(".vigil.yaml", "exclude: " + DeepFlow(10000, '[', ']', "x"));
  t.Write("a.txt", "hello\n");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find(".vigil.yaml"), std::string::npos) << r.err;
}

// --- size limits -----------------------------------------------------------

TEST(HostileFiles, HundredMegabyteSingleLine) {
  TempTree t;
  {
    std::ofstream f(t.path() + "/huge.txt", std::ios::binary);
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 100; ++i) f << chunk;
    f << " " << kToken << "\n";
  }
  t.Write("small.env", std::string("TOKEN=") + kToken + "\n");
  // Default limit (10 MB): skipped, and said so.
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  EXPECT_TRUE(HasFinding(j, "github", "small.env"));
  EXPECT_FALSE(HasFinding(j, "github", "huge.txt"));
  std::string errs = ErrorsText(j);
  EXPECT_NE(errs.find("huge.txt"), std::string::npos) << errs;
  EXPECT_NE(errs.find("max-file-size"), std::string::npos) << errs;
  // With a larger limit it is scanned (one line; the token at its end).
  r = RunBounded(Scan(t, "--max-file-size 200MB"), 300);
  EXPECT_EQ(r.code, 1) << r.err;
  j = ParseJson(r);
  ASSERT_TRUE(HasFinding(j, "github", "huge.txt")) << ErrorsText(j);
  for (const auto& f : j["findings"]) {
    if (f["location"]["path"].get<std::string>().find("huge.txt") == std::string::npos) continue;
    EXPECT_EQ(f["location"]["line"], 1);
    EXPECT_EQ(f["location"]["column"], 100 * (1 << 20) + 2);
    // The snippet is trimmed around the secret, not 100 MB.
    EXPECT_LT(f.dump().size(), 4096u);
  }
}

TEST(HostileFiles, OversizedFilesAreReportedInTheTextOutputToo) {
  TempTree t;
  t.Write("big.txt", std::string(2 << 20, 'y'));
  RunResult r = RunBounded("scan " + Quote(t.path()) + " --max-file-size 1MB", 120);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("big.txt"), std::string::npos) << r.out << r.err;
}

// Regression (fuzz/config): a size too large for uint64 made std::stoull
// throw out of ParseConfig / the --max-file-size parser (abort).
TEST(HostileConfig, HugeMaxFileSizeIsAnErrorNotACrash) {
  auto cfg = ParseConfig("max-file-size: 99999999999999999999999999MB\n", ".vigil.yaml");
  EXPECT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find(".vigil.yaml:1"), std::string::npos) << cfg.status().message();
  TempTree t;
  t.Write("a.txt", "hello\n");
  RunResult r = RunBounded(Scan(t, "--max-file-size 99999999999999999999999999"), 120);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("max-file-size"), std::string::npos) << r.err;
}

// --- encodings and bytes ---------------------------------------------------

TEST(HostileFiles, InvalidUtf8AroundASecret) {
  TempTree t;
  t.Write("bad-utf8.txt", std::string("\xff\xfe\xc3\x28 \xe2\x82 token: ") + kToken + " \xf0\x28\x8c\xbc\n");
  for (const char* format : {"json", "sarif"}) {
    RunResult r = RunBounded("scan " + Quote(t.path()) + " -q --format " + format, 120);
    EXPECT_EQ(r.code, 1) << format << ": " << r.err;
    json j = ParseJson(r);  // the output stays valid JSON (replacement characters)
    EXPECT_TRUE(j.is_object()) << format;
  }
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_TRUE(HasFinding(ParseJson(r), "github", "bad-utf8.txt"));
}

using vigil::testing::Utf16WithBom;

std::u16string Ascii16(const std::string& ascii) { return std::u16string(ascii.begin(), ascii.end()); }

// The secret finding on `path` in a JSON report, or null.
json SecretFindingOn(const json& report, const std::string& path_part) {
  if (report.is_object() && report.contains("findings"))
    for (const auto& f : report["findings"])
      if (f.value("rule_id", "").rfind("github", 0) == 0 &&
          f["location"].value("path", "").find(path_part) != std::string::npos)
        return f;
  return json();
}

TEST(HostileFiles, Utf16WithBomIsDecodedLittleAndBigEndian) {
  TempTree t;
  // Line 1 has a character outside the BMP (a surrogate pair), line 3 a
  // 2-byte UTF-8 character before the token: the column counts UTF-8 bytes.
  std::u16string text = u"# config \U0001F600\r\nname: app\r\nna\u00efve: " + Ascii16(kToken) + u"\r\nnext: 1\r\n";
  t.Write("utf16le.txt", Utf16WithBom(text, false));
  t.Write("utf16be.txt", Utf16WithBom(text, true));
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  for (const char* name : {"utf16le.txt", "utf16be.txt"}) {
    json f = SecretFindingOn(j, name);
    ASSERT_TRUE(f.is_object()) << name << ": " << r.out.substr(0, 2000);
    EXPECT_EQ(f["location"]["line"], 3) << name;
    EXPECT_EQ(f["location"]["column"], 9) << name;  // "na\xc3\xafve: " is 8 bytes
    EXPECT_EQ(f.value("snippet", "").find('\r'), std::string::npos) << f.dump();
    EXPECT_EQ(f.value("snippet", "").find('\0'), std::string::npos) << f.dump();
  }
  EXPECT_EQ(j["summary"]["files_skipped"], 0) << r.out.substr(0, 1000);
  EXPECT_EQ(j["summary"]["files_scanned"], 2) << r.out.substr(0, 1000);
}

TEST(HostileFiles, Utf16OnStdinIsDecoded) {
  RunResult r = RunVigil("scan - --format json -q", VIGIL_SOURCE_DIR,
                         Utf16WithBom(u"a\nb\ntoken: " + Ascii16(kToken) + u"\n", true));
  EXPECT_EQ(r.code, 1) << r.err;
  json f = SecretFindingOn(ParseJson(r), "stdin");
  ASSERT_TRUE(f.is_object()) << r.out.substr(0, 2000);
  EXPECT_EQ(f["location"]["line"], 3);
}

TEST(HostileFiles, InvalidUtf16IsReplacedNotACrash) {
  TempTree t;
  // An unpaired low surrogate, a high surrogate followed by a letter, then
  // the token on line 2; the file ends in a lone high surrogate and an odd
  // byte. Invalid units become U+FFFD; the rest is still scanned.
  std::u16string text = u"x";
  text += char16_t{0xDC00};
  text += char16_t{0xD800};
  text += u"y\ntoken: " + Ascii16(kToken) + u"\n";
  text += char16_t{0xD83D};
  for (bool be : {false, true}) {
    std::string name = be ? "bad16be.txt" : "bad16le.txt";
    t.Write(name, Utf16WithBom(text, be) + "\x41");
  }
  t.Write("bom-only.txt", "\xff\xfe");
  t.Write("odd.txt", "\xfe\xff\x00");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  for (const char* name : {"bad16le.txt", "bad16be.txt"}) {
    json f = SecretFindingOn(j, name);
    ASSERT_TRUE(f.is_object()) << name << ": " << r.out.substr(0, 2000);
    EXPECT_EQ(f["location"]["line"], 2) << name;
  }
  EXPECT_EQ(j["summary"]["files_scanned"], 4) << r.out.substr(0, 1000);
  // SARIF stays valid JSON with the replacement characters.
  RunResult s = RunBounded("scan " + Quote(t.path()) + " -q --format sarif", 120);
  EXPECT_EQ(s.code, 1) << s.err;
  EXPECT_TRUE(ParseJson(s).is_object());
}

TEST(HostileFiles, CrlfLineNumbersAndColumns) {
  TempTree t;
  t.Write("crlf.env", std::string("# config\r\nNAME=app\r\n\r\nTOKEN=") + kToken + "\r\nNEXT=1\r\n");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  ASSERT_TRUE(HasFinding(j, "github", "crlf.env")) << r.out;
  for (const auto& f : j["findings"]) {
    if (f["kind"] != "secret") continue;
    EXPECT_EQ(f["location"]["line"], 4);
    EXPECT_EQ(f["location"]["column"], 7);
    EXPECT_EQ(f.value("snippet", "").find('\r'), std::string::npos) << f.dump();
  }
}

TEST(HostileFiles, CrlfKubernetesSecretKeyLine) {
  TempTree t;
  // "password: hunter2-but-longer-9f8e7d6c" base64 under data:, CRLF endings.
  t.Write("secret.yaml",
          "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: db\r\ntype: Opaque\r\ndata:\r\n"
          "  token: Z2hwX0t5OVBmMzRxWTZOYjN3V0QyNVJRNEY1WlIzcWE3eTNnbTFJTA==\r\n");
  RunResult r = RunBounded(Scan(t, "--no-policies"), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  bool seen = false;
  for (const auto& f : j["findings"]) {
    if (f["kind"] != "secret") continue;
    seen = true;
    EXPECT_EQ(f["location"]["line"], 7) << f.dump();
  }
  EXPECT_TRUE(seen) << r.out;
}

TEST(HostileFiles, NulBytesMeanBinaryAndSkipped) {
  TempTree t;
  t.Write("blob.bin.txt", std::string("text\0more", 9) + " token: " + kToken + "\n");
  t.Write("late-nul.txt", std::string(9000, 'a') + std::string("\0", 1) + " " + kToken + "\n");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_NO_CRASH(r);
  json j = ParseJson(r);
  EXPECT_FALSE(HasFinding(j, "github", "blob.bin.txt"));
  EXPECT_GE(j["summary"]["files_skipped"].get<int>(), 1);
  // A NUL after the 8 KiB sniff window: the file is text and scanned.
  EXPECT_TRUE(HasFinding(j, "github", "late-nul.txt")) << r.out.substr(0, 2000);
}

// --- the filesystem --------------------------------------------------------

TEST(HostileFiles, SymlinkLoopsTerminate) {
  TempTree t;
  t.Write("a/ok.env", std::string("TOKEN=") + kToken + "\n");
  fs::create_symlink("loop2", t.path() + "/loop1");
  fs::create_symlink("loop1", t.path() + "/loop2");
  fs::create_directory_symlink("..", t.path() + "/a/up");       // a/up -> the tree root
  fs::create_directory_symlink(".", t.path() + "/a/self");      // a/self -> a
  fs::create_symlink("a/ok.env", t.path() + "/alias.env");      // inside: scanned once, at its target
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  int n = 0;
  for (const auto& f : j["findings"]) n += f["kind"] == "secret" ? 1 : 0;
  EXPECT_EQ(n, 1) << r.out;  // not once per path through a loop
}

TEST(HostileFiles, SymlinksPointingOutsideAreNotFollowed) {
  TempTree outside;
  outside.Write("secret.env", std::string("TOKEN=") + kToken + "\n");
  outside.Write("dir/secret.env", std::string("TOKEN=") + kToken + "\n");
  TempTree t;
  t.Write("readme.txt", "hello\n");
  fs::create_symlink(outside.path() + "/secret.env", t.path() + "/link.env");
  fs::create_directory_symlink(outside.path() + "/dir", t.path() + "/linkdir");
  fs::create_symlink("/etc/shadow", t.path() + "/shadow");
  fs::create_symlink("../../../../../../../../etc/passwd", t.path() + "/passwd");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  json j = ParseJson(r);
  EXPECT_FALSE(HasFinding(j, "")) << r.out;
  std::string errs = ErrorsText(j);
  EXPECT_NE(errs.find("link.env"), std::string::npos) << errs;
  EXPECT_NE(errs.find("outside"), std::string::npos) << errs;
  // Named on the command line, the link is not followed either.
  r = RunBounded("scan " + Quote(t.path() + "/link.env") + " --format json -q", 120);
  EXPECT_NO_CRASH(r);
  EXPECT_FALSE(HasFinding(ParseJson(r), "github")) << r.out;
}

TEST(HostileFiles, DanglingSymlinkIsHarmless) {
  TempTree t;
  t.Write("ok.txt", "hello\n");
  fs::create_symlink("does-not-exist.yaml", t.path() + "/gone.yaml");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(ParseJson(r).is_object());
}

TEST(HostileFiles, FifoInTheTreeDoesNotHang) {
  TempTree t;
  t.Write("ok.env", std::string("TOKEN=") + kToken + "\n");
  ASSERT_EQ(mkfifo((t.path() + "/pipe.yaml").c_str(), 0644), 0);
  ASSERT_EQ(mkfifo((t.path() + "/pipe2.env").c_str(), 0644), 0);
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << "exit " << r.code << " (137: hung on the FIFO)\n" << r.err;
  json j = ParseJson(r);
  EXPECT_TRUE(HasFinding(j, "github", "ok.env"));
  EXPECT_NE(ErrorsText(j).find("pipe.yaml"), std::string::npos) << ErrorsText(j);
  // Named directly.
  r = RunBounded("scan " + Quote(t.path() + "/pipe.yaml") + " --format json -q", 120);
  EXPECT_NO_CRASH(r);
  EXPECT_NE(r.code, 137);
}

TEST(HostileFiles, DeviceNodesAreSkipped) {
  TempTree t;
  t.Write("ok.txt", "hello\n");
  if (mknod((t.path() + "/zero").c_str(), S_IFCHR | 0644, makedev(1, 5)) != 0) {
    // No CAP_MKNOD: a symlink to /dev/zero inside the tree is the same test
    // for the reader (it must not read an endless device).
    fs::create_symlink("/dev/zero", t.path() + "/zero");
  }
  fs::create_symlink("/dev/urandom", t.path() + "/random");
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 0) << "exit " << r.code << "\n" << r.err;
  EXPECT_TRUE(ParseJson(r).is_object());
}

// A file that vanishes between enumeration and read (the reader gets a
// WorkItem for a path that no longer exists): a per-item error naming it;
// the scan goes on.
class VanishingSource : public Source {
 public:
  explicit VanishingSource(std::string root) : root_(std::move(root)),
      inner_(NewWorkingTreeSource({root_}, WorkingTreeOptions{})) {}
  Status Enumerate(const std::function<void(WorkItem)>& emit, std::vector<ScanError>* errors) override {
    // Remove the file after it is enumerated, before it is handed over (the
    // workers may read items while enumeration goes on).
    return inner_->Enumerate(
        [&](WorkItem item) {
          if (item.path.find("vanish.env") != std::string::npos) fs::remove(root_ + "/vanish.env");
          emit(std::move(item));
        },
        errors);
  }
  std::unique_ptr<SourceReader> NewReader() override { return inner_->NewReader(); }
  std::string Mode() const override { return inner_->Mode(); }

 private:
  std::string root_;
  std::unique_ptr<Source> inner_;
};

std::shared_ptr<const RuleDatabase> BuiltinDb() {
  static std::shared_ptr<const RuleDatabase> db = [] {
    std::vector<Rule> rules;
    EXPECT_TRUE(LoadBuiltinRules(&rules).ok());
    CompileOptions co;
    co.use_cache = false;
    auto r = RuleDatabase::Build(std::move(rules), co);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? r.value() : nullptr;
  }();
  return db;
}

TEST(HostileFiles, FileVanishingMidScanIsAPerItemError) {
  TempTree t;
  t.Write("vanish.env", std::string("TOKEN=") + kToken + "\n");
  t.Write("stays.env", std::string("TOKEN=") + kToken + "\n");
  VanishingSource source(t.path());
  ASSERT_TRUE(BuiltinDb());
  SecretInspector secrets(BuiltinDb(), nullptr);
  PipelineOptions po;
  po.threads = 2;
  ScanOutcome out = RunScan(source, {&secrets}, po);
  EXPECT_FALSE(out.summary.incomplete);
  bool named = false;
  for (const auto& e : out.errors) named |= e.path.find("vanish.env") != std::string::npos && !e.warning;
  EXPECT_TRUE(named);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_NE(out.findings[0].location.path.find("stays.env"), std::string::npos);
}

TEST(HostileFiles, FileReplacedByAFifoAfterEnumerationIsNotRead) {
  TempTree t;
  t.Write("swap.env", "x\n");
  auto src = NewWorkingTreeSource({t.path()}, WorkingTreeOptions{});
  std::vector<WorkItem> items;
  std::vector<ScanError> errors;
  ASSERT_TRUE(src->Enumerate([&](WorkItem i) { items.push_back(std::move(i)); }, &errors).ok());
  ASSERT_EQ(items.size(), 1u);
  fs::remove(items[0].key);
  ASSERT_EQ(mkfifo(items[0].key.c_str(), 0644), 0);
  auto reader = src->NewReader();
  BlobData blob;
  auto started = std::chrono::steady_clock::now();
  Status s = reader->Read(items[0], &blob);  // O_NONBLOCK + fstat: no hang
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("swap.env"), std::string::npos) << s.message();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 5);
  // And replaced by a symlink: O_NOFOLLOW.
  fs::remove(items[0].key);
  t.Write("target.env", std::string("TOKEN=") + kToken + "\n");
  fs::create_symlink(t.path() + "/target.env", items[0].key);
  EXPECT_FALSE(reader->Read(items[0], &blob).ok());
}

TEST(HostileFiles, UnreadableFileIsReportedAndTheScanGoesOn) {
  if (geteuid() == 0) GTEST_SKIP() << "running as root: chmod 000 does not block reads";
  TempTree t;
  t.Write("locked.env", std::string("TOKEN=") + kToken + "\n");
  t.Write("open.env", std::string("TOKEN=") + kToken + "\n");
  fs::permissions(t.path() + "/locked.env", fs::perms::none);
  RunResult r = RunBounded(Scan(t), 120);
  EXPECT_EQ(r.code, 1) << r.err;
  json j = ParseJson(r);
  EXPECT_TRUE(HasFinding(j, "github", "open.env"));
  EXPECT_NE(ErrorsText(j).find("locked.env"), std::string::npos);
  fs::permissions(t.path() + "/locked.env", fs::perms::owner_all);
}

// --- rules -----------------------------------------------------------------

TEST(HostileRules, CatastrophicPatternsAreLinearOrRejectedByName) {
  for (const std::string pattern : {"(a*)*b", "(x+x+)+y", "(a|aa)+$", "((a+)+)+c([a-z]{4})"}) {
    SCOPED_TRACE(pattern);
    TempTree rules;
    rules.Write("evil.yaml", "provider: test\nrules:\n  - id: evil-backtrack\n    name: Evil\n"
                             "    severity: low\n    placeholder_check: false\n    pattern: '" +
                                 pattern + "'\n");
    TempTree t;
    t.Write("aaa.txt", std::string(1 << 20, 'a') + "\n" + std::string(1 << 20, 'x') + "\n");
    auto started = std::chrono::steady_clock::now();
    RunResult r = RunBounded(Scan(t, "--no-policies --rules " + Quote(rules.path())), 120);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_NE(r.code, 137) << "the scan did not finish";
    EXPECT_LT(secs, 60);
    if (r.code == 2) {
      // Rejected at load: the message names the rule (and its file).
      EXPECT_NE(r.err.find("evil-backtrack"), std::string::npos) << r.err;
    } else {
      EXPECT_TRUE(r.code == 0 || r.code == 1) << r.code << " " << r.err;
      EXPECT_TRUE(ParseJson(r).is_object());
    }
  }
}

TEST(HostileRules, CatastrophicPatternInTheLibrary) {
  // Both engines are linear-time: compiling is fine and a scan of 1 MiB of
  // 'a' finishes quickly; or Build rejects the pattern naming the rule.
  Rule r;
  r.id = "evil-nested";
  r.pattern = "(a*)*b";
  r.placeholder_check = false;
  r.source_file = "evil.yaml";
  CompileOptions co;
  co.use_cache = false;
  auto db = RuleDatabase::Build({r}, co);
  if (!db.ok()) {
    EXPECT_NE(db.status().message().find("evil-nested"), std::string::npos) << db.status().message();
    return;
  }
  Matcher m(db.value());
  std::vector<RawMatch> out;
  std::string data(1 << 20, 'a');
  auto started = std::chrono::steady_clock::now();
  (void)m.Scan(data, &out);
  data += "b";
  (void)m.Scan(data, &out);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 20);
}

TEST(HostileRules, MalformedRuleFilesNameFileAndLine) {
  TempTree rules;
  rules.Write("broken.yaml", "provider: test\nrules:\n  - id: ok-rule\n    pattern: 'a([0-9]{4})'\n"
                             "  - id: bad\n    pattern: [unclosed\n");
  TempTree t;
  t.Write("a.txt", "a1234\n");
  RunResult r = RunBounded(Scan(t, "--rules " + Quote(rules.path())), 120);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("broken.yaml:"), std::string::npos) << r.err;
  // A pattern neither engine accepts.
  rules.Write("broken.yaml", "provider: test\nrules:\n  - id: bad-pattern\n    pattern: 'a([0-9]{4}'\n");
  r = RunBounded(Scan(t, "--rules " + Quote(rules.path())), 120);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad-pattern"), std::string::npos) << r.err;
}

// --- configuration and baseline files --------------------------------------

TEST(HostileConfig, MalformedVigilYamlExits2NamingFileAndLine) {
  struct Case {
    std::string text;
    std::string where;  // expected "file:line"
  };
  for (const Case& c : std::vector<Case>{
           {"version: 1\nexclude:\n  - '*.lock'\n  - [unclosed\n", ".vigil.yaml:"},
           {"version: 1\n\nnot-a-key: true\n", ".vigil.yaml:3"},
           {"version: 1\nallowlist:\n  regexes: ['(unclosed']\n", ".vigil.yaml"},
           {"version: 1\nfail-on: catastrophic\n", ".vigil.yaml:2"},
           {"\t- tab\n:\n", ".vigil.yaml"},
           {std::string("version: 1\n\xff\xfe\x00garbage: [", 20), ".vigil.yaml"}}) {
    SCOPED_TRACE(c.text);
    TempTree t;
    t.Write(".vigil.yaml", c.text);
    t.Write("a.txt", "hello\n");
    RunResult r = RunBounded("scan . -q", 60, t.path());
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << r.err;
  }
}

TEST(HostileConfig, MalformedBaselineExits2NamingTheFile) {
  TempTree t;
  t.Write("a.env", std::string("TOKEN=") + kToken + "\n");
  t.Write("baseline.json", "{\"version\": 1, \"findings\": [ {\"fingerprint\": ");
  RunResult r = RunBounded(Scan(t, "--baseline " + Quote(t.path() + "/baseline.json")), 120);
  EXPECT_EQ(r.code, 2) << r.out.substr(0, 500) << r.err;
  EXPECT_NE(r.err.find("baseline.json"), std::string::npos) << r.err;
  t.Write("baseline.json", std::string("\x00\x01\x02", 3));
  r = RunBounded(Scan(t, "--baseline " + Quote(t.path() + "/baseline.json")), 120);
  EXPECT_EQ(r.code, 2) << r.err;
  r = RunBounded(Scan(t, "--baseline " + Quote(t.path() + "/no-such-baseline.json")), 120);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("no-such-baseline.json"), std::string::npos) << r.err;
}

// --- timeout and signals ---------------------------------------------------

void WriteLargeTree(TempTree& t, int files, size_t bytes_each) {
  std::string body;
  while (body.size() < bytes_each) {
    body += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: app\ndata:\n";
    for (int k = 0; k < 20; ++k) body += "  key" + std::to_string(k) + ": value-" + std::to_string(k) + "\n";
    body += "---\n";
  }
  for (int i = 0; i < files; ++i) {
    t.Write("d" + std::to_string(i % 20) + "/f" + std::to_string(i) + ".yaml", body);
  }
  t.Write("zz/secret.env", std::string("TOKEN=") + kToken + "\n");
}

TEST(Limits, TimeoutStopsWithPartialResultsMarkedIncomplete) {
  TempTree t;
  WriteLargeTree(t, 3000, 2048);
  RunResult r = RunBounded(Scan(t, "--timeout 0.001"), 120);
  EXPECT_EQ(r.code, 2) << r.err;
  json j = ParseJson(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["summary"]["incomplete"], true);
  EXPECT_NE(r.err.find("timeout"), std::string::npos) << r.err;
  // SARIF marks it too (executionSuccessful false).
  r = RunBounded("scan " + Quote(t.path()) + " --format sarif -q --timeout 0.001", 120);
  EXPECT_EQ(r.code, 2);
  json s = ParseJson(r);
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["runs"][0]["invocations"][0]["executionSuccessful"], false) << r.out.substr(0, 2000);
}

// Starts vigil in the background (stdout/stderr to files); returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  pid_t pid = fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    dup2(o, 1);
    dup2(e, 2);
    dup2(in, 0);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(VIGIL_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(VIGIL_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `seconds`; returns the exit code, -1 for a signal, -2 on timeout
// (the child is then killed).
int WaitFor(pid_t pid, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -2;
}

class SignalTest : public ::testing::TestWithParam<int> {};

TEST_P(SignalTest, InterruptedScanWritesAnIncompleteReportAndExits2) {
  const int sig = GetParam();
  TempTree t;
  WriteLargeTree(t, 4000, 16384);  // ~64 MB of YAML: seconds of linting
  std::string report = t.path() + "/../vigil-signal-report-" + std::to_string(getpid()) + ".json";
  std::string out = report + ".out", err = report + ".err";
  pid_t pid = Spawn({"scan", t.path(), "--format", "json", "-q", "-j", "1", "-o", report},
                    out, err);
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(pid, sig);
  int code = WaitFor(pid, 60);
  std::string err_text = ReadFile(err);
  EXPECT_EQ(code, 2) << "exit " << code << "\n" << err_text;
  json j = json::parse(ReadFile(report), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "no report written: " << err_text;
  EXPECT_EQ(j["summary"]["incomplete"], true);
  EXPECT_NE(err_text.find("interrupted"), std::string::npos) << err_text;
  // Atomic write: no temporary file left next to the report.
  for (const auto& e : fs::directory_iterator(fs::path(report).parent_path())) {
    EXPECT_EQ(e.path().filename().string().find(fs::path(report).filename().string() + ".vigil-tmp"),
              std::string::npos);
  }
  fs::remove(report);
  fs::remove(out);
  fs::remove(err);
}

INSTANTIATE_TEST_SUITE_P(Signals, SignalTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(i.param == SIGINT ? "SIGINT" : "SIGTERM");
                         });

TEST(Limits, StdinInterruptedWhileReading) {
  // SIGTERM while vigil still reads stdin (a pipe kept open): it stops, exits
  // 2 and still writes its (empty, incomplete) report.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  TempTree t;
  std::string report = t.path() + "/report.json";
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 0);
    close(fds[1]);
    int e = ::open((t.path() + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(e, 2);
    execl(VIGIL_BINARY, VIGIL_BINARY, "scan", "-", "--format", "json", "-q", "-o",
          report.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  std::string chunk = std::string("TOKEN=") + kToken + "\n";
  (void)!write(fds[1], chunk.data(), chunk.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGTERM);
  int code = WaitFor(pid, 30);
  close(fds[1]);
  EXPECT_EQ(code, 2) << ReadFile(t.path() + "/err");
  json j = json::parse(ReadFile(report), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << ReadFile(t.path() + "/err");
  EXPECT_EQ(j["summary"]["incomplete"], true);
}

// --- memory ----------------------------------------------------------------

TEST(Limits, PeakRssStaysBoundedOnTheLargestInputs) {
  TempTree t;
  {
    std::ofstream f(t.path() + "/big.txt", std::ios::binary);
    std::string line = "key=" + std::string(120, 'v') + "\n";
    for (size_t n = 0; n < (9u << 20); n += line.size()) f << line;
  }
  WriteLargeTree(t, 500, 16384);
  // /usr/bin/time is not always there: read the child's peak RSS from
  // getrusage(RUSAGE_CHILDREN) through a shell `ulimit`-free run.
  std::string cmd = "cd " + Quote(t.path()) + " && " + Quote(VIGIL_BINARY) +
                    " scan . -q --format json >/dev/null 2>&1";
  struct rusage before {};
  getrusage(RUSAGE_CHILDREN, &before);
  int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << status;
  struct rusage after {};
  getrusage(RUSAGE_CHILDREN, &after);
  long peak_mb = after.ru_maxrss / 1024;  // kilobytes on Linux
  RecordProperty("peak_rss_mb", static_cast<int>(peak_mb));
  std::cerr << "peak RSS: " << peak_mb << " MB for 9 MB + 8 MB of input\n";
  EXPECT_LT(peak_mb, 1024);
}

}  // namespace
}  // namespace vigil::testing
