// Regression tests for the crashes the fuzz targets found (fuzz/, see
// docs/hardening.md). Each replays the minimal input as a library call; the
// sanitizers (asan preset) catch undefined behaviour, the assertions the rest.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policies/linter.h"
#include "reporters/report_util.h"
#include "reporters/reporters.h"
#include "scanner/pipeline/config.h"

namespace vigil::testing {
namespace {

// fuzz_reporters: FormatSeconds cast a double beyond INT_MAX to int (UB,
// reporters/report_util.cc). A clock never measures that, but a report is
// data: every format must write any value.
TEST(FuzzRegression, ReportersWriteAnyDurationWithoutUndefinedBehaviour) {
  for (double s : {0.0, 59.99, 3600.5, 3e9, 8.5e307, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN(), -1.0}) {
    SCOPED_TRACE(s);
    EXPECT_FALSE(report::FormatSeconds(s).empty());
    ScanReport report;
    report.summary.seconds = s;
    for (const auto& format : ReporterFormats()) {
      std::ostringstream out;
      NewReporter(format)->Write(report, ReportOptions{}, out);
      if (format == "json" || format == "sarif") {
        EXPECT_FALSE(nlohmann::json::parse(out.str(), nullptr, false).is_discarded()) << format;
      }
    }
  }
}

// fuzz_config: std::stoull threw std::out_of_range out of ParseConfig (only
// YAML exceptions are caught) for a size with too many digits.
TEST(FuzzRegression, ConfigSizeOverflowIsAStatus) {
  for (const char* text :
       {"max-file-size: 99999999999999999999999\n", "max-file-size: 18446744073709551616\n",
        "max-file-size: 99999999999999G\n"}) {
    SCOPED_TRACE(text);
    Result<Config> cfg = Status::Error("unset");
    EXPECT_NO_THROW(cfg = ParseConfig(text, ".vigil.yaml"));
    EXPECT_FALSE(cfg.ok());  // too large: an error, not a wrapped-around small limit
  }
}

// fuzz_linter (the long session of 1 December 2026): in a SOPS-encrypted
// file, a document that is a bare scalar is a leaf with no key and an empty
// key path; GSP-SOPS-003/004 took `path.back()` of it (UB on an empty
// vector) and reported it at line 0 with an empty name.
TEST(FuzzRegression, SopsLeafWithoutAKeyIsReportedAtItsOwnPosition) {
  const std::string text =
      "data:\n"
      "  password: "
      "ENC[AES256_GCM,data:Zm9vYmFy,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:MTIzNDU2Nzg5MDEyMzQ1Ng==,type:"
      "str]\n"
      "sops:\n  age: []\n  lastmodified: \"2024-01-01T00:00:00Z\"\n"
      "  mac: "
      "ENC[AES256_GCM,data:Zm9vYmFy,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:MTIzNDU2Nzg5MDEyMzQ1Ng==,type:"
      "str]\n"
      "  version: 3.8.1\n---\nplain-scalar-document\n---\n- ENC[AES256_GCM,data:bad]\n";
  std::vector<ScanError> errors;
  auto findings = LintInMemory({{"clusters/prod/secret.enc.yaml", text}}, {}, &errors);
  bool plain = false, malformed = false;
  for (const auto& f : findings) {
    SCOPED_TRACE(f.rule_id + ": " + f.message);
    EXPECT_GE(f.location.line, 1u);
    EXPECT_GE(f.location.column, 1u);
    EXPECT_LE(f.location.end_offset, text.size());
    if (f.rule_id == "GSP-SOPS-003" && f.location.line == 9) {
      plain = true;
      EXPECT_EQ(f.location.column, 1u);
      EXPECT_EQ(f.location.end_column, 1u + std::string("plain-scalar-document").size());
      EXPECT_EQ(f.message.rfind("the document's top-level value is plain text", 0), 0u);
    }
    if (f.rule_id == "GSP-SOPS-004" && f.location.line == 11) malformed = true;
  }
  EXPECT_TRUE(plain);
  EXPECT_TRUE(malformed);
}

}  // namespace
}  // namespace vigil::testing
