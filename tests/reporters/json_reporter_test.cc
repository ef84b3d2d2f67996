// JSON reporter: the documented schema (docs/output.md), parsed back with
// nlohmann-json.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reporters/reporters.h"
#include "tests/reporters/sample_report.h"

namespace vigil {
namespace {

using nlohmann::json;
using reporter_test::kAwsKeyId;
using reporter_test::kGithubToken;
using reporter_test::kPassword;
using reporter_test::Render;
using reporter_test::SampleReport;

TEST(JsonReporter, TopLevelShape) {
  json doc = json::parse(Render("json", SampleReport()));
  std::vector<std::string> keys;
  for (auto& [k, v] : doc.items()) keys.push_back(k);
  // nlohmann::json sorts keys when parsing; the writer keeps document order.
  EXPECT_EQ(keys, (std::vector<std::string>{"errors", "findings", "repository", "summary", "tool",
                                            "version"}));
  EXPECT_EQ(doc["version"], "1");
  EXPECT_EQ(doc["tool"]["name"], "vigil");
  EXPECT_EQ(doc["tool"]["version"], "0.1.0");

  const json& s = doc["summary"];
  EXPECT_EQ(s["root"], "/srv/repos/gitops");
  EXPECT_EQ(s["mode"], "working-tree");
  EXPECT_EQ(s["files_scanned"], 42);
  EXPECT_EQ(s["bytes_scanned"], 123456);
  EXPECT_EQ(s["files_skipped"], 1);
  EXPECT_EQ(s["findings"], 5);
  EXPECT_EQ(s["by_severity"]["critical"], 1);
  EXPECT_EQ(s["by_severity"]["high"], 3);
  EXPECT_EQ(s["by_severity"]["medium"], 1);
  EXPECT_EQ(s["by_severity"]["low"], 0);
  EXPECT_EQ(s["suppressed"], 1);
  EXPECT_EQ(s["errors"], 1);
  EXPECT_EQ(s["warnings"], 1);
  EXPECT_DOUBLE_EQ(s["seconds"].get<double>(), 0.42);
  EXPECT_EQ(s["incomplete"], false);

  // Credentials are dropped from the remote.
  EXPECT_EQ(doc["repository"]["uri"], "https://github.com/acme/gitops");
  EXPECT_EQ(doc["repository"]["revision"], "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(doc["repository"]["branch"], "main");

  ASSERT_EQ(doc["errors"].size(), 2u);
  EXPECT_EQ(doc["errors"][0]["level"], "warning");
  EXPECT_EQ(doc["errors"][1]["path"], "apps/broken.yaml");
  EXPECT_EQ(doc["errors"][1]["line"], 7);
  EXPECT_EQ(doc["errors"][1]["message"], "malformed YAML: unexpected token near 'ghp_…[40 chars]'");
}

TEST(JsonReporter, KeyOrderIsStable) {
  std::string out = Render("json", SampleReport());
  size_t v = out.find("\"version\""), t = out.find("\"tool\""), s = out.find("\"summary\"");
  size_t f = out.find("\"findings\": ["), e = out.find("\"errors\": [");
  EXPECT_LT(v, t);
  EXPECT_LT(t, s);
  EXPECT_LT(s, f);
  EXPECT_LT(f, e);
}

TEST(JsonReporter, FindingFields) {
  json doc = json::parse(Render("json", SampleReport()));
  const json& findings = doc["findings"];
  ASSERT_EQ(findings.size(), 5u);  // the suppressed one is left out

  const json& tok = findings[0];
  EXPECT_EQ(tok["rule_id"], "github-pat");
  EXPECT_EQ(tok["rule_name"], "GitHub personal access token");
  EXPECT_EQ(tok["kind"], "secret");
  EXPECT_EQ(tok["severity"], "high");
  EXPECT_EQ(tok["message"], "GitHub personal access token (classic)");
  EXPECT_EQ(tok["location"], json::parse(R"({"path": "apps/base/app.env", "line": 3, "column": 14,
                                             "end_line": 3, "end_column": 54})"));
  EXPECT_EQ(tok["secret"], "ghp_…[40 chars]");
  EXPECT_EQ(tok["snippet"], "GITHUB_TOKEN=ghp_…[40 chars]");
  EXPECT_EQ(tok["validation"], "checksum-valid");
  EXPECT_EQ(tok["fingerprint"], "a1b2c3d4e5f60718293a4b5c6d7e8f90");
  EXPECT_EQ(tok["blob_id"], "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  EXPECT_TRUE(tok["commit"].is_null());
  EXPECT_TRUE(tok["live"].is_null());
  EXPECT_EQ(tok["related"], json::array());
  EXPECT_EQ(tok["suppressed"], false);
  EXPECT_EQ(tok["suppression"], "");

  const json& pw = findings[1];
  EXPECT_EQ(pw["key"], "Secret/prod/db data.password");
  EXPECT_EQ(pw["decoded_from"], "base64 (Secret data)");
  EXPECT_EQ(pw["secret"], "S3cr…[20 chars]");
  // The base64 form of the password on the line is redacted too.
  EXPECT_EQ(pw["snippet"].get<std::string>().find("UzNjcjN0UEBzc3cwcmQtMjAy"), std::string::npos)
      << pw["snippet"];

  const json& pol = findings[2];
  EXPECT_EQ(pol["kind"], "policy");
  EXPECT_EQ(pol["secret"], "");
  ASSERT_EQ(pol["related"].size(), 2u);
  EXPECT_EQ(pol["related"][1]["location"]["path"], "clusters/prod/apps.yaml");
  EXPECT_EQ(pol["related"][1]["message"], "deployed to prod by this Flux Kustomization");

  const json& aws = findings[3];
  EXPECT_EQ(aws["severity"], "critical");
  EXPECT_EQ(aws["commit"]["id"], "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");
  EXPECT_EQ(aws["commit"]["author"], "Jane Doe");
  EXPECT_EQ(aws["commit"]["email"], "jane@example.com");
  EXPECT_EQ(aws["commit"]["date"], "2025-11-03T09:15:00Z");
  EXPECT_EQ(aws["commit"]["summary"], "add legacy config with AKIA…[20 chars]");
  EXPECT_EQ(aws["commit"]["path"], "config.ini");
  EXPECT_EQ(aws["live"], false);

  // Every finding has every key, always.
  for (const json& f : findings) {
    for (const char* key : {"rule_id", "rule_name", "kind", "severity", "message", "location",
                            "secret", "snippet", "key", "decoded_from", "validation", "fingerprint",
                            "blob_id", "commit", "live", "related", "suppressed", "suppression"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
  }
}

TEST(JsonReporter, SuppressedAndShowSecrets) {
  ReportOptions opts;
  opts.show_suppressed = true;
  opts.show_secrets = true;
  json doc = json::parse(Render("json", SampleReport(), opts));
  ASSERT_EQ(doc["findings"].size(), 6u);
  EXPECT_EQ(doc["findings"][4]["suppressed"], true);
  EXPECT_EQ(doc["findings"][4]["suppression"], "inline vigil:ignore");
  EXPECT_EQ(doc["findings"][0]["secret"], kGithubToken);
  EXPECT_EQ(doc["findings"][1]["secret"], kPassword);
  EXPECT_EQ(doc["findings"][3]["secret"], kAwsKeyId);
}

TEST(JsonReporter, InvalidUtf8IsReplacedNotFatal) {
  ScanReport rep = SampleReport();
  rep.findings[0].line_text = "bad \xff\xfe bytes " + kGithubToken;
  rep.findings[0].message = "latin-1 caf\xe9";
  json doc = json::parse(Render("json", rep));
  EXPECT_EQ(doc["findings"][0]["message"], "latin-1 caf\xEF\xBF\xBD");
}

// The findings and errors are streamed, not built as one document: the
// output must stay byte for byte what nlohmann's dump(2) of the same document
// prints (indentation, separators, escapes, U+FFFD for invalid UTF-8).
TEST(JsonReporter, LayoutIsNlohmannDump) {
  ScanReport rep = SampleReport();
  rep.findings[0].line_text = "bad \xff\xfe bytes \"quoted\" back\\slash\ttab " + kGithubToken;
  rep.findings[0].message = "latin-1 caf\xe9, control \x01\x1f, DEL \x7f, \u2026 and \U0001F600";
  rep.findings[1].related.clear();
  rep.errors.push_back({"apps/\"odd\".yaml", 3, "tab\there, newline\nthere", false});
  ReportOptions show;
  show.show_suppressed = true;
  show.show_secrets = true;
  for (const ScanReport& r : {rep, ScanReport{}}) {
    for (const ReportOptions& options : {ReportOptions{}, show}) {
      std::string out = Render("json", r, options);
      nlohmann::ordered_json doc = nlohmann::ordered_json::parse(out);
      EXPECT_EQ(out, doc.dump(2, ' ', false) + "\n");
    }
  }
}

TEST(JsonReporter, EmptyReportIsValid) {
  json doc = json::parse(Render("json", ScanReport{}));
  EXPECT_EQ(doc["findings"], json::array());
  EXPECT_EQ(doc["errors"], json::array());
  EXPECT_TRUE(doc["repository"].is_null());
  EXPECT_EQ(doc["summary"]["findings"], 0);
}

}  // namespace
}  // namespace vigil
