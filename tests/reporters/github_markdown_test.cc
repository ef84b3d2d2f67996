// GitHub workflow-command annotations and the Markdown summary.

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "reporters/reporters.h"
#include "tests/reporters/sample_report.h"

namespace vigil {
namespace {

using reporter_test::kGithubToken;
using reporter_test::Render;
using reporter_test::SampleReport;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(GithubReporter, OneCommandPerFinding) {
  std::vector<std::string> lines = Lines(Render("github", SampleReport()));
  // 5 findings + 2 scan errors + the summary notice; every line is a command.
  ASSERT_EQ(lines.size(), 8u);
  for (const std::string& l : lines) EXPECT_EQ(l.rfind("::", 0), 0u) << l;

  EXPECT_EQ(lines[0],
            "::error file=apps/base/app.env,line=3,endLine=3,col=14,endColumn=54,"
            "title=vigil high%3A GitHub personal access token (github-pat)"
            "::GitHub personal access token (classic)%0ASecret: ghp_…[40 chars]"
            "%0AHow to fix: Revoke the credential at its provider, rotate it, and load it from a "
            "secret store instead of the repository.");
  // medium -> warning; decoded key in the message.
  EXPECT_EQ(lines[1].rfind("::warning file=apps/base/db-secret.yaml,line=8,endLine=8,col=13,", 0),
            0u)
      << lines[1];
  EXPECT_NE(lines[1].find("(in Secret/prod/db data.password, decoded from base64 (Secret data))"),
            std::string::npos);
  // Multi-line region: no columns.
  EXPECT_EQ(lines[2].rfind("::error file=apps/base/db-secret.yaml,line=1,endLine=10,title=", 0), 0u)
      << lines[2];
  EXPECT_NE(lines[2].find("%0ASee apps/base/kustomization.yaml:4 (included by this Kustomization)"),
            std::string::npos);
  // History provenance.
  EXPECT_NE(lines[3].find("%0AIntroduced in commit 1a2b3c4 by Jane Doe"), std::string::npos);
  EXPECT_NE(lines[3].find("history only"), std::string::npos);
  // Property escaping of ',' and ':' in a file name.
  EXPECT_NE(lines[4].find("file=docs/my notes/Jürgen #1%2C draft.md,line=5"), std::string::npos)
      << lines[4];
  // Scan errors are warnings with their file and line.
  EXPECT_EQ(lines[5],
            "::warning file=vendor/big.bin,title=vigil scan warning::skipped: larger than "
            "the 10 MB limit");
  EXPECT_EQ(lines[6].rfind("::warning file=apps/broken.yaml,line=7,title=vigil scan error::", 0),
            0u);
  EXPECT_EQ(lines[7],
            "::notice title=vigil::5 findings (1 critical, 3 high, 1 medium) in 42 files, "
            "1 suppressed, 2 scan errors");
}

TEST(GithubReporter, EscapingCannotInjectCommands) {
  ScanReport rep = SampleReport();
  rep.findings.resize(1);
  rep.errors.clear();
  rep.findings[0].message = "100% bad\r\n::error::injected";
  rep.findings[0].location.path = "a,b:c%.env";
  std::vector<std::string> lines = Lines(Render("github", rep));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("file=a%2Cb%3Ac%25.env,"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("::100%25 bad%0D%0A::error::injected"), std::string::npos) << lines[0];
  EXPECT_EQ(EscapeWorkflowData("a%b\nc:d,e"), "a%25b%0Ac:d,e");
  EXPECT_EQ(EscapeWorkflowProperty("a%b\nc:d,e\r"), "a%25b%0Ac%3Ad%2Ce%0D");
}

TEST(GithubReporter, SuppressedAsNoticeAndIncomplete) {
  ScanReport rep = SampleReport();
  rep.summary.incomplete = true;
  ReportOptions opts;
  opts.show_suppressed = true;
  std::string out = Render("github", rep, opts);
  EXPECT_NE(out.find("::notice file=tests/fixtures/token.txt,"), std::string::npos);
  EXPECT_NE(out.find("[suppressed]"), std::string::npos);
  EXPECT_NE(out.find("%0ASuppressed: inline vigil:ignore"), std::string::npos);
  EXPECT_NE(out.find("::error title=vigil scan incomplete::"), std::string::npos);
}

TEST(MarkdownReporter, SummaryTable) {
  std::string out = Render("markdown", SampleReport());
  std::vector<std::string> lines = Lines(out);
  ASSERT_GT(lines.size(), 8u);
  EXPECT_EQ(lines[0], "### vigil: 5 findings (1 critical, 3 high, 1 medium)");
  EXPECT_EQ(lines[2], "| Severity | Rule | Location | Secret | Details | Commit |");
  EXPECT_EQ(lines[3], "|---|---|---|---|---|---|");
  EXPECT_EQ(lines[4],
            "| **high** | <code>github-pat</code> GitHub personal access token | "
            "<code>apps/base/app.env:3</code> | <code>ghp&#95;…[40 chars]</code> | GitHub personal "
            "access token (classic) |  |");
  EXPECT_NE(out.find("| medium | <code>generic-password</code>"), std::string::npos) << out;
  EXPECT_NE(out.find("| <code>1a2b3c4</code> history only |"), std::string::npos) << out;
  // Five rows, then the fixes and the errors.
  size_t rows = 0;
  for (const std::string& l : lines) rows += l.rfind("| ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(rows, 6u);  // header + 5
  EXPECT_NE(out.find("<details><summary>How to fix</summary>"), std::string::npos);
  EXPECT_NE(out.find("<details><summary>2 scan errors</summary>"), std::string::npos);
  EXPECT_NE(out.find("- error <code>apps/broken.yaml:7</code>: malformed YAML"), std::string::npos);
  EXPECT_NE(out.find("<sub>Scanned 42 files (123.5 KB), working-tree in 0.42s · 1 suppressed · 2 "
                     "errors · vigil 0.1.0</sub>"),
            std::string::npos)
      << out;
}

TEST(MarkdownReporter, EscapesCellsAndCapsRows) {
  ScanReport rep = SampleReport();
  rep.findings.resize(1);
  rep.findings[0].location.path = "x|y<script>`z`.env";
  rep.findings[0].message = "a | b\nc <img src=x> [link](http://e)";
  std::string out = Render("markdown", rep);
  EXPECT_NE(out.find("<code>x&#124;y&lt;script&gt;&#96;z&#96;.env:3</code>"), std::string::npos)
      << out;
  EXPECT_NE(out.find("a \\| b c &lt;img src=x&gt; \\[link\\](http://e)"), std::string::npos) << out;
  EXPECT_EQ(out.find("<script>"), std::string::npos);

  Finding base = rep.findings[0];
  rep.findings.clear();
  for (int i = 0; i < 250; ++i) rep.findings.push_back(base);
  out = Render("markdown", rep);
  size_t rows = 0;
  for (const std::string& l : Lines(out)) rows += l.rfind("| ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(rows, 201u);
  EXPECT_NE(out.find("…and 50 more"), std::string::npos);
}

TEST(MarkdownReporter, NoFindings) {
  ScanReport rep;
  rep.summary.files_scanned = 3;
  std::string out = Render("markdown", rep);
  EXPECT_EQ(out, "### vigil: no findings\n\n<sub>Scanned 3 files (0 B) in 0.00s</sub>\n");
}

}  // namespace
}  // namespace vigil
