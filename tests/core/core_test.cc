#include <gtest/gtest.h>

#include "scanner/core/finding.h"
#include "scanner/core/lines.h"
#include "scanner/core/redaction.h"

namespace vigil {
namespace {

TEST(Redaction, KeepsShortPrefixAndLength) {
  EXPECT_EQ(Redact("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"), "ghp_…[40 chars]");
  EXPECT_EQ(Redact("hunter22"), "hu…[8 chars]");
  EXPECT_EQ(Redact("abc"), "…[3 chars]");
}

TEST(Redaction, RedactsEveryOccurrenceInText) {
  std::string secret = "s3cr3tValueXYZ12345";
  std::string text = "a=" + secret + " b=" + secret;
  std::string out = RedactIn(text, secret, false);
  EXPECT_EQ(out.find(secret), std::string::npos);
  EXPECT_NE(out.find("a=s3cr…[19 chars]"), std::string::npos);
  EXPECT_EQ(RedactIn(text, secret, true), text);
}

TEST(Redaction, LongLinesAreTrimmedWithoutLeaking) {
  std::string secret(300, 'k');
  secret[10] = 'Q';
  std::string text = std::string(500, 'x') + secret + std::string(500, 'y');
  std::string out = RedactIn(text, secret, false);
  EXPECT_EQ(out.find(secret.substr(0, 40)), std::string::npos);
  EXPECT_LT(out.size(), text.size());
}

TEST(LineIndex, PositionsAreOneBased) {
  LineIndex idx("ab\ncd\r\n\nef");
  EXPECT_EQ(idx.Position(0), std::make_pair(1u, 1u));
  EXPECT_EQ(idx.Position(3), std::make_pair(2u, 1u));
  EXPECT_EQ(idx.Position(4), std::make_pair(2u, 2u));
  EXPECT_EQ(idx.Position(8), std::make_pair(4u, 1u));
  EXPECT_EQ(idx.Line(2), "cd");
  EXPECT_EQ(idx.Line(3), "");
  EXPECT_EQ(idx.line_count(), 4u);
}

TEST(Severity, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseSeverity("HIGH"), Severity::kHigh);
  EXPECT_EQ(ParseSeverity("info"), Severity::kInfo);
  EXPECT_FALSE(ParseSeverity("urgent").has_value());
  EXPECT_EQ(SeverityName(Severity::kCritical), "critical");
}

}  // namespace
}  // namespace vigil
