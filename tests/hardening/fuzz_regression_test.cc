// Regression tests for the crashes the fuzz targets found (fuzz/, see
// docs/hardening.md). Each replays the minimal input as a library call; the
// sanitizers (asan preset) catch undefined behaviour, the assertions the rest.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <sstream>

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
  for (const char* text : {"max-file-size: 99999999999999999999999\n",
                           "max-file-size: 18446744073709551616\n",
                           "max-file-size: 99999999999999G\n"}) {
    SCOPED_TRACE(text);
    Result<Config> cfg = Status::Error("unset");
    EXPECT_NO_THROW(cfg = ParseConfig(text, ".vigil.yaml"));
    EXPECT_FALSE(cfg.ok());  // too large: an error, not a wrapped-around small limit
  }
}

}  // namespace
}  // namespace vigil::testing
