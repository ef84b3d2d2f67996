// Fingerprints name a file by its repository-relative path (or scan-root
// relative outside a repository): the same secret in the same file has one
// fingerprint whether it is found by `vigil scan .`, by an absolute path, from
// a subdirectory, in the staged index or in history; and a baseline made one
// way suppresses it the other ways.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

// Fake (checksum-valid) token, as in scan_cli_test.cc.
constexpr const char* kToken = "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";

// The fingerprints of the JSON report's secret findings.
std::set<std::string> Fingerprints(const RunResult& r) {
  std::set<std::string> out;
  json doc = json::parse(r.out, nullptr, false);
  if (doc.is_discarded()) return out;
  for (const auto& f : doc["findings"]) {
    if (f["kind"] == "secret") out.insert(f["fingerprint"].get<std::string>());
  }
  return out;
}

int Sh(const TempTree& t, const std::string& cmd) {
  return std::system(("cd " + Quote(t.path()) + " && " + cmd + " >/dev/null 2>&1").c_str());
}

TEST(FingerprintCli, SameInEveryModeAndFromEveryDirectory) {
  TempTree t;
  ASSERT_EQ(Sh(t, "git init -q && git config user.email t@example.invalid && git config user.name t"), 0);
  t.Write("deploy/app/creds.env", std::string("GITHUB_TOKEN=") + kToken + "\n");
  ASSERT_EQ(Sh(t, "git add deploy/app/creds.env"), 0);
  const std::string flags = " --no-config --no-policies -q -f json";

  RunResult staged = RunVigil("scan --staged ." + flags, t.path());
  ASSERT_EQ(staged.code, 1) << staged.err;
  std::set<std::string> fp = Fingerprints(staged);
  ASSERT_EQ(fp.size(), 1u) << staged.out;

  RunResult dot = RunVigil("scan ." + flags, t.path());
  EXPECT_EQ(Fingerprints(dot), fp) << "vigil scan . (cwd = repository root)";
  RunResult abs = RunVigil("scan " + Quote(t.path()) + flags, "/");
  EXPECT_EQ(Fingerprints(abs), fp) << "vigil scan /abs/repo";
  RunResult sub = RunVigil("scan app" + flags, t.path() + "/deploy");
  EXPECT_EQ(Fingerprints(sub), fp) << "vigil scan app (cwd = a subdirectory)";
  RunResult file = RunVigil("scan ../deploy/app/creds.env" + flags, t.path() + "/deploy");
  EXPECT_EQ(Fingerprints(file), fp) << "vigil scan FILE";

  ASSERT_EQ(Sh(t, "git commit -qm add"), 0);
  RunResult history = RunVigil("scan --history ." + flags, t.path());
  EXPECT_EQ(Fingerprints(history), fp) << "vigil scan --history";

  // A baseline made with an absolute path suppresses the finding in the
  // staged view and from the repository root.
  std::string baseline = t.path() + "/.vigil-baseline.json";
  RunResult made = RunVigil("baseline create " + Quote(t.path()) + " --no-config --no-policies -q --output " +
                                Quote(baseline),
                            "/");
  ASSERT_EQ(made.code, 0) << made.err;
  t.Write("deploy/app/creds.env", std::string("# moved down\nGITHUB_TOKEN=") + kToken + "\n");
  ASSERT_EQ(Sh(t, "git add deploy/app/creds.env"), 0);
  EXPECT_EQ(RunVigil("scan --staged . --baseline " + Quote(baseline) + flags, t.path()).code, 0);
  EXPECT_EQ(RunVigil("scan . --baseline " + Quote(baseline) + flags, t.path()).code, 0);
}

TEST(FingerprintCli, OutsideARepositoryRelativeToTheScanRoot) {
  TempTree t;
  t.Write("tree/conf/a.env", std::string("T=") + kToken + "\n");
  const std::string flags = " --no-config --no-policies -q -f json";
  RunResult from_root = RunVigil("scan ." + flags, t.path() + "/tree");
  std::set<std::string> fp = Fingerprints(from_root);
  ASSERT_EQ(fp.size(), 1u) << from_root.out << from_root.err;
  EXPECT_EQ(Fingerprints(RunVigil("scan tree" + flags, t.path())), fp);
  EXPECT_EQ(Fingerprints(RunVigil("scan " + Quote(t.path() + "/tree") + flags, "/")), fp);
  // A different path is a different finding.
  t.Write("tree/other/a.env", std::string("T=") + kToken + "\n");
  EXPECT_EQ(Fingerprints(RunVigil("scan ." + flags, t.path() + "/tree")).size(), 2u);
}

}  // namespace
}  // namespace vigil::testing
