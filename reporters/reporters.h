// The reporters: text (humans, grouped by file), JSON (one stable schema,
// docs/output.md), SARIF 2.1.0 (GitHub code scanning), GitHub workflow-command
// annotations, and a Markdown summary (PR comments, job summaries).
//
// Every reporter implements vigil::Reporter (scanner/core/reporter.h), writes
// to the stream it is given and keeps no state between calls, so one instance
// may be used from one thread at a time and different instances concurrently.
// None of them prints a raw secret unless ReportOptions::show_secrets.
// nlohmann-json is used inside reporters/*.cc only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/core/reporter.h"

namespace vigil {

// The reporter for a --format name ("text", "json", "sarif", "github",
// "markdown"), with default options; nullptr when the name is unknown.
std::unique_ptr<Reporter> NewReporter(std::string_view format);

// The format names NewReporter accepts, in the order --help lists them.
std::vector<std::string> ReporterFormats();

// Where the SARIF driver points users for documentation: the CMake cache
// variable VIGIL_HOMEPAGE, an absolute URL; "" (the default) when the build
// names none, and the reports then omit the field (it is optional in SARIF).
std::string_view VigilInformationUri();

// GitHub code scanning limits (see docs/output.md and
// shared/schemas/github-code-scanning-sarif.md).
inline constexpr size_t kSarifMaxResults = 25000;  // per run; upload rejected above
inline constexpr size_t kSarifMaxRules = 25000;    // per run
inline constexpr size_t kSarifMaxTagsPerRule = 20;
inline constexpr size_t kSarifMaxRelatedLocations = 100;  // GitHub keeps 100 locations
inline constexpr size_t kSarifMaxRuleNameChars = 255;
inline constexpr size_t kSarifMaxDescriptionChars = 1024;
inline constexpr size_t kSarifMaxMessageChars = 1000;   // our cap for result messages
inline constexpr size_t kSarifMaxNotifications = 1000;  // our cap for toolExecutionNotifications

struct SarifOptions {
  // run.runAutomationDetails.id is written as "<category>/" when set, so
  // scans of different kinds (history, working tree) on one commit do not
  // replace each other. Leave empty when upload-sarif's `category` is used.
  std::string category;
  // At most this many results (the most severe, unsuppressed first); a
  // notification says how many were left out.
  size_t max_results = kSarifMaxResults;
};

std::unique_ptr<Reporter> NewTextReporter();
std::unique_ptr<Reporter> NewJsonReporter();
std::unique_ptr<Reporter> NewSarifReporter(SarifOptions options = {});
std::unique_ptr<Reporter> NewGithubReporter();
std::unique_ptr<Reporter> NewMarkdownReporter();

// Exposed for tests and for the CLI (e.g. to show what SARIF will publish).

// SARIF result.level for a severity: critical/high -> "error", medium ->
// "warning", low/info -> "note".
std::string_view SarifLevel(Severity s);
// A remote URL as a publishable absolute URI, without credentials
// ("git@github.com:org/repo.git" -> "https://github.com/org/repo"); "" when
// it cannot be made absolute.
std::string SarifRepositoryUri(std::string_view remote);
// A finding path as a SARIF artifactLocation.uri (percent-encoded relative
// reference; "file:///..." for absolute paths).
std::string SarifArtifactUri(std::string_view path);

// GitHub workflow-command escaping: the message part (%, CR, LF) and a
// property value (additionally ':' and ',').
std::string EscapeWorkflowData(std::string_view s);
std::string EscapeWorkflowProperty(std::string_view s);

}  // namespace vigil
