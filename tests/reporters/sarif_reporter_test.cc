// SARIF reporter: validated against the OASIS schema (and GitHub's rules) by
// tests/schemas/validate_sarif.py, and checked field by field: rules
// metadata, regions, fingerprints, suppressions, provenance, notifications,
// and GitHub's limits on a 30,000-finding report.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reporters/report_util.h"
#include "reporters/reporters.h"
#include "tests/reporters/sample_report.h"

namespace vigil {
namespace {

using nlohmann::json;
using reporter_test::kGithubToken;
using reporter_test::Render;
using reporter_test::SampleReport;

struct Validation {
  int status = -1;
  std::string output;
};

// Writes `sarif` to a temp file and runs validate_sarif.py on it.
Validation Validate(const std::string& sarif, const std::string& name,
                    const std::string& extra_args = "") {
  std::string path = ::testing::TempDir() + "/vigil_" + name + ".sarif";
  {
    std::ofstream f(path, std::ios::binary);
    f << sarif;
  }
  std::string cmd = "python3 " VIGIL_TESTS_DIR "/schemas/validate_sarif.py " + extra_args + " '" +
                    path + "' 2>&1";
  Validation v;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return v;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) v.output.append(buf, n);
  int rc = pclose(p);
  v.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::remove(path.c_str());
  return v;
}

const json* FindResult(const json& results, const std::string& rule_id, int nth = 0) {
  for (const json& r : results) {
    if (r["ruleId"] == rule_id && nth-- == 0) return &r;
  }
  return nullptr;
}

TEST(SarifReporter, SampleValidatesAgainstSchemaAndGithubRules) {
  std::string out = Render("sarif", SampleReport());
  Validation v = Validate(out, "sample");
  EXPECT_EQ(v.status, 0) << v.output;
  ReportOptions opts;
  opts.show_suppressed = true;
  opts.show_secrets = true;
  v = Validate(Render("sarif", SampleReport(), opts), "sample_show");
  EXPECT_EQ(v.status, 0) << v.output;
  v = Validate(Render("sarif", ScanReport{}), "empty");
  EXPECT_EQ(v.status, 0) << v.output;
}

TEST(SarifReporter, ValidatorRejectsBrokenSarif) {
  json doc = json::parse(Render("sarif", SampleReport()));
  json bad = doc;
  bad["runs"][0]["results"][0].erase("message");
  Validation v = Validate(bad.dump(), "bad_message");
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.output.find("message"), std::string::npos) << v.output;

  bad = doc;
  bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
      "a path with spaces.yaml";
  v = Validate(bad.dump(), "bad_uri");
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.output.find("uri-reference"), std::string::npos) << v.output;

  bad = doc;
  bad["runs"][0]["versionControlProvenance"][0]["repositoryUri"] = "git@github.com:acme/x.git";
  v = Validate(bad.dump(), "bad_repo_uri");
  EXPECT_EQ(v.status, 1) << v.output;

  bad = doc;
  bad["runs"][0]["results"][0]["ruleIndex"] = 3;
  v = Validate(bad.dump(), "bad_rule_index");
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.output.find("ruleIndex"), std::string::npos) << v.output;

  v = Validate(doc.dump(), "forbid", "--forbid '" + kGithubToken + "' --forbid 'ghp_…'");
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.output.find("forbidden text"), std::string::npos) << v.output;
  EXPECT_EQ(v.output.find(kGithubToken), std::string::npos);
}

TEST(SarifReporter, LogAndDriver) {
  json doc = json::parse(Render("sarif", SampleReport()));
  EXPECT_EQ(doc["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const json& run = doc["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "vigil");
  EXPECT_EQ(driver["version"], "0.1.0");
  EXPECT_EQ(driver["semanticVersion"], "0.1.0");
  // informationUri comes from the build (VIGIL_HOMEPAGE): absent when none
  // is configured, never a placeholder.
  if (VigilInformationUri().empty()) {
    EXPECT_FALSE(driver.contains("informationUri"));
  } else {
    EXPECT_EQ(driver["informationUri"], std::string(VigilInformationUri()));
    EXPECT_TRUE(report::IsAbsoluteUri(driver["informationUri"].get<std::string>()));
  }

  // All rules of the report, unused ones included, in report order.
  const json& rules = driver["rules"];
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_EQ(rules[5]["id"], "unused-rule");
  const json& pat = rules[0];
  EXPECT_EQ(pat["id"], "github-pat");
  EXPECT_EQ(pat["name"], "GitHubPersonalAccessToken");
  EXPECT_EQ(pat["shortDescription"]["text"], "GitHub personal access token");
  EXPECT_EQ(pat["fullDescription"]["text"], "Detects GitHub personal access token.");
  EXPECT_NE(pat["help"]["text"].get<std::string>().find("How to fix: Revoke the credential"),
            std::string::npos);
  EXPECT_NE(pat["help"]["markdown"].get<std::string>().find(
                "**References**\n\n- https://docs.example.com/github-pat"),
            std::string::npos)
      << pat["help"]["markdown"];
  EXPECT_EQ(pat["helpUri"], "https://docs.example.com/github-pat");
  EXPECT_EQ(pat["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(pat["properties"]["tags"], json::parse(R"(["security", "secret", "github", "token"])"));
  EXPECT_EQ(pat["properties"]["precision"], "high");
  EXPECT_EQ(pat["properties"]["security-severity"], "8.0");

  EXPECT_EQ(rules[1]["defaultConfiguration"]["level"], "error");  // critical
  EXPECT_EQ(rules[1]["properties"]["security-severity"], "9.5");
  EXPECT_EQ(rules[2]["defaultConfiguration"]["level"], "warning");  // medium
  EXPECT_EQ(rules[2]["properties"]["precision"], "medium");         // generic
  EXPECT_EQ(rules[3]["properties"]["tags"][1], "policy");
  EXPECT_EQ(rules[3]["properties"]["precision"], "very-high");
  EXPECT_EQ(rules[5]["defaultConfiguration"]["level"], "note");  // low

  // Provenance: an absolute https URI without the credential.
  ASSERT_EQ(run["versionControlProvenance"].size(), 1u);
  EXPECT_EQ(run["versionControlProvenance"][0]["repositoryUri"], "https://github.com/acme/gitops");
  EXPECT_EQ(run["versionControlProvenance"][0]["revisionId"],
            "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(run["versionControlProvenance"][0]["branch"], "main");
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///srv/repos/gitops/");
  EXPECT_EQ(run["columnKind"], "utf16CodeUnits");
  EXPECT_FALSE(run.contains("automationDetails"));
}

TEST(SarifReporter, Results) {
  json doc = json::parse(Render("sarif", SampleReport()));
  const json& run = doc["runs"][0];
  const json& results = run["results"];
  ASSERT_EQ(results.size(), 6u);  // suppressed findings stay, marked

  const json* tok = FindResult(results, "github-pat");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ((*tok)["ruleIndex"], 0);
  EXPECT_EQ((*tok)["level"], "error");
  EXPECT_EQ((*tok)["message"]["text"], "GitHub personal access token (classic).");
  const json& phys = (*tok)["locations"][0]["physicalLocation"];
  EXPECT_EQ(phys["artifactLocation"]["uri"], "apps/base/app.env");
  EXPECT_EQ(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(phys["region"]["startLine"], 3);
  EXPECT_EQ(phys["region"]["startColumn"], 14);
  EXPECT_EQ(phys["region"]["endLine"], 3);
  EXPECT_EQ(phys["region"]["endColumn"], 54);
  EXPECT_EQ(phys["region"]["snippet"]["text"], "GITHUB_TOKEN=ghp_…[40 chars]");
  EXPECT_EQ((*tok)["partialFingerprints"]["vigil/v1"], "a1b2c3d4e5f60718293a4b5c6d7e8f90");
  std::string lh = (*tok)["partialFingerprints"]["primaryLocationLineHash"];
  EXPECT_EQ(lh.size(), 18u);
  EXPECT_EQ(lh.substr(16), ":1");
  EXPECT_EQ((*tok)["properties"]["validation"], "checksum-valid");
  EXPECT_EQ((*tok)["properties"]["secret"], "ghp_…[40 chars]");
  EXPECT_FALSE(tok->contains("suppressions"));

  const json* pw = FindResult(results, "generic-password");
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ((*pw)["level"], "warning");
  EXPECT_EQ((*pw)["message"]["text"],
            "Password in a Kubernetes Secret. In Secret/prod/db data.password, decoded from base64 "
            "(Secret data).");
  EXPECT_EQ((*pw)["properties"]["key"], "Secret/prod/db data.password");

  const json* pol = FindResult(results, "plain-k8s-secret");
  ASSERT_NE(pol, nullptr);
  ASSERT_EQ((*pol)["relatedLocations"].size(), 2u);
  const json& rel = (*pol)["relatedLocations"][0];
  EXPECT_EQ(rel["id"], 1);
  EXPECT_EQ(rel["message"]["text"], "included by this Kustomization");
  EXPECT_EQ(rel["physicalLocation"]["artifactLocation"]["uri"], "apps/base/kustomization.yaml");
  EXPECT_EQ(rel["physicalLocation"]["region"]["startLine"], 4);
  EXPECT_EQ((*pol)["relatedLocations"][1]["id"], 2);
  EXPECT_EQ((*pol)["locations"][0]["physicalLocation"]["region"]["endLine"], 10);

  const json* aws = FindResult(results, "aws-access-key-id");
  ASSERT_NE(aws, nullptr);
  EXPECT_EQ((*aws)["ruleIndex"], 1);
  const json& commit = (*aws)["properties"]["commit"];
  EXPECT_EQ(commit["id"], "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d");
  EXPECT_EQ(commit["author"], "Jane Doe");
  EXPECT_EQ(commit["path"], "config.ini");
  EXPECT_EQ(commit["summary"], "add legacy config with AKIA…[20 chars]");
  EXPECT_EQ((*aws)["properties"]["live"], false);
  EXPECT_NE((*aws)["message"]["text"].get<std::string>().find(
                "Commit 1a2b3c4 by Jane Doe <jane@example.com> on 2025-11-03T09:15:00Z"),
            std::string::npos);
  EXPECT_NE((*aws)["message"]["text"].get<std::string>().find("history only"), std::string::npos);

  const json* sup = FindResult(results, "github-pat", 1);
  ASSERT_NE(sup, nullptr);
  ASSERT_EQ((*sup)["suppressions"].size(), 1u);
  EXPECT_EQ((*sup)["suppressions"][0]["kind"], "inSource");
  EXPECT_EQ((*sup)["suppressions"][0]["justification"], "inline vigil:ignore");

  // Percent-encoded URI, UTF-16 columns ("Jürgen: " is 9 bytes, 8 units).
  const json* slack = FindResult(results, "slack-bot-token");
  ASSERT_NE(slack, nullptr);
  const json& sl = (*slack)["locations"][0]["physicalLocation"];
  EXPECT_EQ(sl["artifactLocation"]["uri"], "docs/my%20notes/J%C3%BCrgen%20%231,%20draft.md");
  EXPECT_EQ(sl["region"]["startColumn"], 9);
  EXPECT_EQ(sl["region"]["endColumn"], 59);

  // Scan errors as notifications, with locations.
  const json& inv = run["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], true);
  const json& notes = inv["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]["level"], "warning");
  EXPECT_EQ(notes[1]["level"], "error");
  EXPECT_EQ(notes[1]["message"]["text"], "malformed YAML: unexpected token near 'ghp_…[40 chars]'");
  EXPECT_EQ(notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "apps/broken.yaml");
  EXPECT_EQ(notes[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 7);
}

TEST(SarifReporter, FingerprintsIgnoreLinesAndCommits) {
  ScanReport a = SampleReport();
  ScanReport b = SampleReport();
  // Same secret, moved down and found in another commit.
  b.findings[3].location.line += 10;
  b.findings[3].location.end_line += 10;
  b.findings[3].commit->id = "ffffffffffffffffffffffffffffffffffffffff";
  // Fallback fingerprints (when the pipeline left none) are stable too.
  a.findings[0].fingerprint.clear();
  b.findings[0].fingerprint.clear();
  b.findings[0].location.line = 30;
  b.findings[0].location.end_line = 30;
  json ra = json::parse(Render("sarif", a))["runs"][0]["results"];
  json rb = json::parse(Render("sarif", b))["runs"][0]["results"];
  for (size_t i = 0; i < ra.size(); ++i) {
    EXPECT_EQ(ra[i]["partialFingerprints"], rb[i]["partialFingerprints"]) << i;
  }
  std::string fallback = ra[0]["partialFingerprints"]["vigil/v1"];
  EXPECT_EQ(fallback.size(), 32u);
  EXPECT_EQ(fallback.find(kGithubToken.substr(4)), std::string::npos);

  // Two occurrences of the same secret in one file are told apart.
  ScanReport c = SampleReport();
  c.findings.insert(c.findings.begin() + 1, c.findings[0]);
  c.findings[1].location.line = 9;
  json rc = json::parse(Render("sarif", c))["runs"][0]["results"];
  std::string h0 = rc[0]["partialFingerprints"]["primaryLocationLineHash"];
  std::string h1 = rc[1]["partialFingerprints"]["primaryLocationLineHash"];
  EXPECT_EQ(h0.substr(0, 16), h1.substr(0, 16));
  EXPECT_EQ(h0.substr(16), ":1");
  EXPECT_EQ(h1.substr(16), ":2");
}

TEST(SarifReporter, IncompleteScanAndCategory) {
  ScanReport rep = SampleReport();
  rep.summary.incomplete = true;
  SarifOptions so;
  so.category = "vigil/history";
  std::ostringstream out;
  NewSarifReporter(so)->Write(rep, {}, out);
  Validation v = Validate(out.str(), "incomplete");
  EXPECT_EQ(v.status, 0) << v.output;
  json run = json::parse(out.str())["runs"][0];
  EXPECT_EQ(run["automationDetails"]["id"], "vigil/history/");
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], false);
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"].back()["message"]["text"],
            "The scan did not complete; these results are partial.");
}

TEST(SarifReporter, SemanticVersionOnlyWhenSemver) {
  ScanReport rep = SampleReport();
  rep.tool_version = "0.1.0-12-gabc1234";
  json driver = json::parse(Render("sarif", rep))["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["semanticVersion"], "0.1.0-12-gabc1234");
  rep.tool_version = "v0.1";
  driver = json::parse(Render("sarif", rep))["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["version"], "v0.1");
  EXPECT_FALSE(driver.contains("semanticVersion"));
}

TEST(SarifReporter, UnknownRuleGetsADescriptor) {
  ScanReport rep = SampleReport();
  rep.rules.clear();
  std::string out = Render("sarif", rep);
  Validation v = Validate(out, "norules");
  EXPECT_EQ(v.status, 0) << v.output;
  json run = json::parse(out)["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 5u);
}

TEST(SarifReporter, LongTextsAreCutToGithubLimits) {
  ScanReport rep = SampleReport();
  rep.rules[0].name = std::string(400, 'n') + " ü";
  rep.rules[0].description = std::string(3000, 'd');
  rep.findings[0].message = std::string(1500, 'm') + "é";
  for (int i = 0; i < 40; ++i) rep.rules[0].tags.push_back("tag" + std::to_string(i));
  std::string out = Render("sarif", rep);
  Validation v = Validate(out, "long");
  EXPECT_EQ(v.status, 0) << v.output;
  json run = json::parse(out)["runs"][0];
  const json& rule = run["tool"]["driver"]["rules"][0];
  EXPECT_LE(rule["name"].get<std::string>().size(), kSarifMaxRuleNameChars);
  EXPECT_LE(rule["shortDescription"]["text"].get<std::string>().size(), kSarifMaxDescriptionChars);
  EXPECT_LE(rule["fullDescription"]["text"].get<std::string>().size(), kSarifMaxDescriptionChars);
  EXPECT_EQ(rule["properties"]["tags"].size(), kSarifMaxTagsPerRule);
  EXPECT_LE(run["results"][0]["message"]["text"].get<std::string>().size(), kSarifMaxMessageChars);
}

// 30,000 findings: the run keeps 25,000 (the most severe), says so, and
// still validates.
TEST(SarifReporter, LargeResultSetKeepsGithubLimits) {
  ScanReport rep = SampleReport();
  rep.findings.clear();
  rep.errors.clear();
  for (int i = 0; i < 30000; ++i) {
    Finding f;
    bool low = i % 6 != 0;  // 25,000 low, 5,000 critical
    f.rule_id = low ? "unused-rule" : "aws-access-key-id";
    f.severity = low ? Severity::kLow : Severity::kCritical;
    f.message = "finding " + std::to_string(i);
    f.location = {"gen/file" + std::to_string(i / 100) + ".txt",
                  static_cast<uint32_t>(i % 100 + 1),
                  1,
                  static_cast<uint32_t>(i % 100 + 1),
                  21,
                  0,
                  0};
    f.secret = "AKIA" + std::to_string(1000000000000000LL + i);
    f.line_text = f.secret;
    f.fingerprint = report::HexHash64(f.secret);
    rep.findings.push_back(std::move(f));
  }
  std::string out = Render("sarif", rep);

  // Results are written one per line; parse the run without them (a full
  // DOM parse of 25,000 results takes seconds in a debug build) and the
  // result lines one by one where needed.
  size_t open = out.find("\"results\": [\n");
  size_t close = out.rfind("\n      ]");
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  json run =
      json::parse(out.substr(0, open) + "\"results\": []" + out.substr(close + 8))["runs"][0];
  std::vector<std::string_view> lines;
  std::string_view body = std::string_view(out).substr(open + 13, close - open - 13);
  for (size_t pos = 0; pos <= body.size();) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    lines.push_back(body.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), kSarifMaxResults);
  size_t critical = 0;
  for (std::string_view l : lines) {
    critical += l.find("\"level\":\"error\"") != std::string_view::npos ? 1 : 0;
  }
  EXPECT_EQ(critical, 5000u);
  EXPECT_EQ(run["properties"]["resultsOmitted"], 5000);
  EXPECT_EQ(run["properties"]["resultsTruncated"], true);
  const json& notes = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["level"], "warning");
  EXPECT_NE(
      notes[0]["message"]["text"].get<std::string>().find("5000 of 30000 findings were left out"),
      std::string::npos)
      << notes[0];
  // Kept results stay in report order: 0 (critical), 1 (low), ...
  auto result = [&](size_t i) {
    std::string_view l = lines[i];
    if (l.back() == ',') l.remove_suffix(1);
    return json::parse(l);
  };
  EXPECT_EQ(result(0)["message"]["text"], "finding 0.");
  EXPECT_EQ(result(1)["message"]["text"], "finding 1.");
  EXPECT_EQ(result(kSarifMaxResults - 1)["message"]["text"], "finding 29994.");
  // The schema check samples 2,000 results (python jsonschema needs ~1 ms per
  // result; every result is written by the same code the other tests check
  // in full); the GitHub limit checks see all 25,000.
  Validation v = Validate(out, "large", "--sample-results 2000 --forbid AKIA1000000000000000");
  EXPECT_EQ(v.status, 0) << v.output;
}

TEST(SarifReporter, SmallerLimitPrefersUnsuppressedAndSevere) {
  ScanReport rep = SampleReport();
  SarifOptions so;
  so.max_results = 2;
  std::ostringstream out;
  NewSarifReporter(so)->Write(rep, {}, out);
  json results = json::parse(out.str())["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["ruleId"], "github-pat");         // high, first in report order
  EXPECT_EQ(results[1]["ruleId"], "aws-access-key-id");  // critical
  EXPECT_FALSE(results[0].contains("suppressions"));
}

TEST(SarifHelpers, RepositoryUri) {
  EXPECT_EQ(SarifRepositoryUri("git@github.com:acme/gitops.git"), "https://github.com/acme/gitops");
  EXPECT_EQ(SarifRepositoryUri("https://user:pa55@gitlab.example.com:8443/g/r.git"),
            "https://gitlab.example.com:8443/g/r");
  EXPECT_EQ(SarifRepositoryUri("https://ghp_tok@github.com/acme/x"), "https://github.com/acme/x");
  EXPECT_EQ(SarifRepositoryUri("ssh://git@github.com:22/acme/x.git"), "https://github.com/acme/x");
  EXPECT_EQ(SarifRepositoryUri("https://org@dev.azure.com/org/proj/_git/repo"),
            "https://dev.azure.com/org/proj/_git/repo");
  EXPECT_EQ(SarifRepositoryUri("https://github.com/acme/x.git?token=abc#frag"),
            "https://github.com/acme/x");
  EXPECT_EQ(SarifRepositoryUri("/srv/git/my repo.git"), "file:///srv/git/my%20repo");
  EXPECT_EQ(SarifRepositoryUri("file:///srv/git/repo"), "file:///srv/git/repo");
  EXPECT_EQ(SarifRepositoryUri("../relative/repo"), "");
  EXPECT_EQ(SarifRepositoryUri("C:\\repos\\x"), "");
  EXPECT_EQ(SarifRepositoryUri(""), "");
  EXPECT_EQ(SarifRepositoryUri("https://bad host/x"), "");
}

TEST(SarifHelpers, ArtifactUriAndLevel) {
  EXPECT_EQ(SarifArtifactUri("./apps/a b.yaml"), "apps/a%20b.yaml");
  EXPECT_EQ(SarifArtifactUri("c:d/e?f#g%h"), "c%3Ad/e%3Ff%23g%25h");
  EXPECT_EQ(SarifArtifactUri("/abs/x.yaml"), "file:///abs/x.yaml");
  EXPECT_EQ(SarifArtifactUri(""), "stdin");
  EXPECT_EQ(SarifLevel(Severity::kCritical), "error");
  EXPECT_EQ(SarifLevel(Severity::kHigh), "error");
  EXPECT_EQ(SarifLevel(Severity::kMedium), "warning");
  EXPECT_EQ(SarifLevel(Severity::kLow), "note");
  EXPECT_EQ(SarifLevel(Severity::kInfo), "note");
}

}  // namespace
}  // namespace vigil
