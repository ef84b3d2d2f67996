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

TEST(Redaction, AnOccurrenceAtTheWindowsEndDoesNotLeakItsHead) {
  // The window is cut around the first occurrence; a second one that starts
  // just before the cut used to show its first bytes in clear.
  std::string secret = "Zt7qLm2Rx9Kp4Wv8Ny3Bc6Hd1Fg5Js0Ae";
  std::string text =
      std::string(100, 'x') + secret + std::string(60, 'y') + secret + std::string(200, 'z');
  std::string out = RedactIn(text, secret, false);
  EXPECT_EQ(out.find(secret.substr(0, 6)), std::string::npos) << out;
  EXPECT_NE(out.find("Zt7q…[33 chars]"), std::string::npos) << out;
  EXPECT_EQ(out.substr(0, 3), "…");
  EXPECT_EQ(out.substr(out.size() - 3), "…");
  // With --show-secrets the same window shows the text as it is.
  std::string shown = RedactIn(text, secret, true);
  EXPECT_NE(shown.find(secret), std::string::npos);
  EXPECT_LT(shown.size(), text.size());
}

TEST(Redaction, TrimmingNeverSplitsAUtf8Sequence) {
  std::string secret = "Zt7qLm2Rx9Kp4Wv8Ny3Bc6Hd1Fg5Js0Ae";
  std::string text;
  for (int i = 0; i < 80; ++i) text += "\xc3\xa9";  // é
  text += secret;
  for (int i = 0; i < 200; ++i) text += "\xe2\x82\xac";  // €
  std::string out = RedactIn(text, secret, false);
  ASSERT_LT(out.size(), text.size());
  // Every byte that starts a sequence is followed by its continuation bytes.
  for (size_t i = 0; i < out.size();) {
    unsigned char c = out[i];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    ASSERT_NE(n, 0u) << "continuation byte at " << i;
    ASSERT_LE(i + n, out.size());
    for (size_t k = 1; k < n; ++k) ASSERT_EQ(static_cast<unsigned char>(out[i + k]) & 0xC0, 0x80);
    i += n;
  }
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
