// A realistic ScanReport built by hand for the reporter tests: a clear-text
// token, a password inside a base64-decoded Secret value, a manifest policy
// finding with related locations, a history-only AWS key with commit
// provenance, a suppressed finding, a path that needs URI escaping, and scan
// errors (one of which quotes a secret). Also the list of strings that must
// never appear in output without show_secrets.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "reporters/reporters.h"
#include "scanner/core/reporter.h"

namespace vigil::reporter_test {

inline const std::string kGithubToken = "ghp_R7q2Lm9XvB4kT8sW1nY6pZ3cD5fH0jA2eG7u";  // 40 chars
inline const std::string kPassword = "S3cr3tP@ssw0rd-2026!";
inline const std::string kPasswordB64 = "UzNjcjN0UEBzc3cwcmQtMjAyNiE=";
inline const std::string kAwsKeyId = "AKIAZ7Q3WX5RT2LM9KPE";
inline const std::string kSuppressedToken = "ghp_T0k3nInAT3stF1xtur3Ign0r3dXq9Lm2Zx8C";
inline const std::string kUnicodeSecret = "xoxb-2618273645-9182736450912-Zq8Lm3Xv9Pk2Tn7Rw4Yb";
inline const std::string kRemoteCredential = "ghs_RemoteCredentialDoNotLeak0123456789ab";

// Everything a reporter must never print unless show_secrets.
inline std::vector<std::string> PlantedSecrets() {
  return {kGithubToken,     kPassword,      kPasswordB64.substr(0, 24), kAwsKeyId,
          kSuppressedToken, kUnicodeSecret, kRemoteCredential};
}

inline RuleInfo MakeRule(std::string id, std::string name, Severity sev, FindingKind kind,
                         std::vector<std::string> tags = {}) {
  RuleInfo r;
  r.id = std::move(id);
  r.name = std::move(name);
  r.severity = sev;
  r.kind = kind;
  r.tags = std::move(tags);
  r.description = "Detects " + r.name + ".";
  r.remediation =
      "Revoke the credential at its provider, rotate it, and load it from a secret "
      "store instead of the repository.\nSecond line that text output leaves out.";
  r.references = {"https://docs.example.com/" + r.id, "not a uri"};
  return r;
}

inline ScanReport SampleReport() {
  ScanReport rep;
  rep.tool_version = "0.1.0";
  rep.root = "/srv/repos/gitops";
  rep.rules = {
      MakeRule("github-pat", "GitHub personal access token", Severity::kHigh, FindingKind::kSecret,
               {"github", "token"}),
      MakeRule("aws-access-key-id", "AWS access key ID", Severity::kCritical, FindingKind::kSecret,
               {"aws", "cloud"}),
      MakeRule("generic-password", "Generic password assignment", Severity::kMedium,
               FindingKind::kSecret, {"generic"}),
      MakeRule("plain-k8s-secret", "Kubernetes Secret with plain values in Git", Severity::kHigh,
               FindingKind::kPolicy, {"kubernetes", "gitops"}),
      MakeRule("slack-bot-token", "Slack bot token", Severity::kHigh, FindingKind::kSecret),
      MakeRule("unused-rule", "A rule that did not fire", Severity::kLow, FindingKind::kSecret),
  };

  {  // 1. clear-text token in an env file
    Finding f;
    f.rule_id = "github-pat";
    f.rule_name = "GitHub personal access token";
    f.severity = Severity::kHigh;
    f.message = "GitHub personal access token (classic)";
    f.location = {"apps/base/app.env", 3, 14, 3, 54, 40, 80};
    f.secret = kGithubToken;
    f.line_text = "GITHUB_TOKEN=" + kGithubToken;
    f.validation = "checksum-valid";
    f.blob_id = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    f.fingerprint = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    rep.findings.push_back(f);
  }
  {  // 2. password in a base64 Secret value, pointing at the key
    Finding f;
    f.rule_id = "generic-password";
    f.rule_name = "Generic password assignment";
    f.severity = Severity::kMedium;
    f.message = "Password in a Kubernetes Secret";
    f.location = {"apps/base/db-secret.yaml", 8, 13, 8, 41, 120, 148};
    f.secret = kPassword;
    f.line_text = "  password: " + kPasswordB64;
    f.key = "Secret/prod/db data.password";
    f.decoded_from = "base64 (Secret data)";
    f.fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    rep.findings.push_back(f);
  }
  {  // 3. policy finding with related locations
    Finding f;
    f.rule_id = "plain-k8s-secret";
    f.rule_name = "Kubernetes Secret with plain values in Git";
    f.kind = FindingKind::kPolicy;
    f.severity = Severity::kHigh;
    f.message =
        "Secret prod/db is committed with plain values; encrypt it with SOPS or use a "
        "SealedSecret";
    f.location = {"apps/base/db-secret.yaml", 1, 1, 10, 1, 0, 160};
    f.fingerprint = "policy-fp-0001";
    f.related.push_back(
        {{"apps/base/kustomization.yaml", 4, 5, 4, 24, 0, 0}, "included by this Kustomization"});
    f.related.push_back({{"clusters/prod/apps.yaml", 12, 3, 12, 30, 0, 0},
                         "deployed to prod by this Flux Kustomization"});
    rep.findings.push_back(f);
  }
  {  // 4. history-only finding with commit provenance
    Finding f;
    f.rule_id = "aws-access-key-id";
    f.rule_name = "AWS access key ID";
    f.severity = Severity::kCritical;
    f.message = "AWS access key ID";
    f.location = {"legacy/config.ini", 2, 19, 2, 39, 30, 50};
    f.secret = kAwsKeyId;
    f.line_text = "aws_access_key_id=" + kAwsKeyId;
    f.blob_id = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
    f.fingerprint = "aws-fp-7777";
    f.commit =
        CommitInfo{"1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "Jane Doe", "jane@example.com",
                   "2025-11-03T09:15:00Z", "add legacy config with " + kAwsKeyId};
    f.commit_path = "config.ini";
    f.live = false;
    rep.findings.push_back(f);
  }
  {  // 5. suppressed inline
    Finding f;
    f.rule_id = "github-pat";
    f.rule_name = "GitHub personal access token";
    f.severity = Severity::kHigh;
    f.message = "GitHub personal access token (classic)";
    f.location = {"tests/fixtures/token.txt", 1, 7, 1, 47, 6, 46};
    f.secret = kSuppressedToken;
    f.line_text = "token=" + kSuppressedToken + "  # vigil:ignore github-pat";
    f.fingerprint = "suppressed-fp-1";
    f.suppressed = true;
    f.suppression = "inline vigil:ignore";
    rep.findings.push_back(f);
  }
  {  // 6. a path that needs escaping, non-ASCII before the secret
    Finding f;
    f.rule_id = "slack-bot-token";
    f.rule_name = "Slack bot token";
    f.severity = Severity::kHigh;
    f.message = "Slack bot token";
    // "Jürgen: " is 9 bytes, 8 UTF-16 units; the token starts at byte column 10.
    f.location = {"docs/my notes/Jürgen #1, draft.md",
                  5,
                  10,
                  5,
                  static_cast<uint32_t>(10 + kUnicodeSecret.size()),
                  0,
                  0};
    f.secret = kUnicodeSecret;
    f.line_text = "Jürgen: " + kUnicodeSecret;
    f.fingerprint = "slack-fp-9";
    rep.findings.push_back(f);
  }

  rep.errors.push_back({"vendor/big.bin", 0, "skipped: larger than the 10 MB limit", true});
  rep.errors.push_back({"apps/broken.yaml", 7,
                        "malformed YAML: unexpected token near '" + kGithubToken + "'", false});

  rep.summary.files_scanned = 42;
  rep.summary.bytes_scanned = 123456;
  rep.summary.files_skipped = 1;
  rep.summary.findings = 5;
  rep.summary.suppressed = 1;
  rep.summary.seconds = 0.42;
  rep.summary.mode = "working-tree";
  rep.repo.repository_uri =
      "https://x-access-token:" + kRemoteCredential + "@github.com/acme/gitops.git";
  rep.repo.revision = "0123456789abcdef0123456789abcdef01234567";
  rep.repo.branch = "main";
  return rep;
}

// Writes `report` in `format`.
inline std::string Render(std::string_view format, const ScanReport& report,
                          const ReportOptions& options = {}) {
  std::unique_ptr<Reporter> r = NewReporter(format);
  if (r == nullptr) return "<unknown format>";
  std::ostringstream out;
  r->Write(report, options, out);
  return out.str();
}

}  // namespace vigil::reporter_test
