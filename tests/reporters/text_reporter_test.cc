// Text reporter: grouping by file, redacted snippets, decoded keys, commit
// provenance, remediation, errors, summary, colors and control characters.

#include <gtest/gtest.h>

#include <string>

#include "reporters/reporters.h"
#include "tests/reporters/sample_report.h"

namespace vigil {
namespace {

using reporter_test::kAwsKeyId;
using reporter_test::kGithubToken;
using reporter_test::kSuppressedToken;
using reporter_test::Render;
using reporter_test::SampleReport;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

TEST(TextReporter, GroupsFindingsByFileWithDetails) {
  std::string out = Render("text", SampleReport());
  // Each file header once, at the start of a line, in report order.
  EXPECT_EQ(Count(out, "\napps/base/db-secret.yaml\n"), 1u) << out;
  size_t env = out.find("apps/base/app.env\n");
  size_t db = out.find("apps/base/db-secret.yaml\n");
  size_t legacy = out.find("legacy/config.ini\n");
  ASSERT_NE(env, std::string::npos) << out;
  EXPECT_EQ(env, 0u);
  EXPECT_LT(env, db);
  EXPECT_LT(db, legacy);

  // Severity, rule id and name, line:column.
  EXPECT_NE(out.find("  HIGH      github-pat  GitHub personal access token  3:14\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  CRITICAL  aws-access-key-id  AWS access key ID  2:19"), std::string::npos);
  // Redacted snippet.
  EXPECT_NE(out.find("| GITHUB_TOKEN=ghp_…[40 chars]"), std::string::npos) << out;
  // Decoded key.
  EXPECT_NE(out.find("in Secret/prod/db data.password, decoded from base64 (Secret data)"),
            std::string::npos)
      << out;
  // Commit provenance, history only, and the path at that commit.
  EXPECT_NE(out.find("commit 1a2b3c4 by Jane Doe <jane@example.com> on 2025-11-03T09:15:00Z"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("history only (as config.ini)"), std::string::npos) << out;
  // Related locations of the policy finding.
  EXPECT_NE(out.find("see apps/base/kustomization.yaml:4 (included by this Kustomization)"),
            std::string::npos);
  // One-line remediation from the rule metadata (first line only).
  EXPECT_NE(out.find("fix: Revoke the credential at its provider"), std::string::npos);
  EXPECT_EQ(out.find("Second line that text output leaves out"), std::string::npos);
  EXPECT_NE(out.find("validation: checksum-valid"), std::string::npos);

  // No secret, in the snippet, the commit summary or the error message.
  EXPECT_EQ(out.find(kGithubToken), std::string::npos);
  EXPECT_EQ(out.find(kAwsKeyId), std::string::npos);
  EXPECT_NE(out.find("add legacy config with AKIA…[20 chars]"), std::string::npos) << out;
}

TEST(TextReporter, SuppressedOnlyWhenAsked) {
  ScanReport rep = SampleReport();
  std::string out = Render("text", rep);
  EXPECT_EQ(out.find("tests/fixtures/token.txt"), std::string::npos);
  ReportOptions opts;
  opts.show_suppressed = true;
  out = Render("text", rep, opts);
  EXPECT_NE(out.find("tests/fixtures/token.txt\n"), std::string::npos);
  EXPECT_NE(out.find("(suppressed: inline vigil:ignore)"), std::string::npos) << out;
  EXPECT_EQ(out.find(kSuppressedToken), std::string::npos);
}

TEST(TextReporter, ErrorsAndSummary) {
  ScanReport rep = SampleReport();
  std::string out = Render("text", rep);
  EXPECT_NE(out.find("Errors (2):\n"), std::string::npos) << out;
  EXPECT_NE(out.find("warning  vendor/big.bin  skipped: larger than the 10 MB limit"),
            std::string::npos);
  EXPECT_NE(out.find("error    apps/broken.yaml:7  malformed YAML"), std::string::npos) << out;
  EXPECT_NE(
      out.find("Scanned 42 files (123.5 KB), 1 skipped, working-tree, in 0.42s: "
               "5 findings (1 critical, 3 high, 1 medium), 1 suppressed, 1 error, 1 warning."),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("INCOMPLETE"), std::string::npos);
  rep.summary.incomplete = true;
  out = Render("text", rep);
  EXPECT_NE(out.find("INCOMPLETE: the scan did not finish"), std::string::npos);
}

TEST(TextReporter, EmptyReport) {
  ScanReport rep;
  rep.summary.files_scanned = 1;
  std::string out = Render("text", rep);
  EXPECT_EQ(out, "Scanned 1 file (0 B), in 0.00s: no findings.\n");
}

TEST(TextReporter, ColorsOnlyWhenAsked) {
  ScanReport rep = SampleReport();
  EXPECT_EQ(Render("text", rep).find('\x1b'), std::string::npos);
  ReportOptions opts;
  opts.color = true;
  std::string out = Render("text", rep, opts);
  EXPECT_NE(out.find("\x1b[1;31mCRITICAL"), std::string::npos);
  EXPECT_NE(out.find("\x1b[0m"), std::string::npos);
}

TEST(TextReporter, EscapesControlCharactersFromScannedFiles) {
  ScanReport rep = SampleReport();
  rep.findings.resize(1);
  rep.findings[0].line_text = "\x1b]0;pwned\x07GITHUB_TOKEN=" + kGithubToken;
  rep.findings[0].location.path = "evil\x1b[2J.env";
  std::string out = Render("text", rep);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("\\x1b]0;pwned\\x07GITHUB_TOKEN=ghp_…[40 chars]"), std::string::npos) << out;
  EXPECT_NE(out.find("evil\\x1b[2J.env"), std::string::npos);
}

TEST(TextReporter, ShowSecrets) {
  ReportOptions opts;
  opts.show_secrets = true;
  std::string out = Render("text", SampleReport(), opts);
  EXPECT_NE(out.find("| GITHUB_TOKEN=" + kGithubToken), std::string::npos);
}

}  // namespace
}  // namespace vigil
