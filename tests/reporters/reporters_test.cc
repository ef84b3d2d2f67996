// The reporter factory, the no-leak guarantee across every format, and the
// shared helpers (scrubbing, truncation, URIs).

#include "reporters/reporters.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reporters/report_util.h"
#include "scanner/core/redaction.h"
#include "tests/reporters/sample_report.h"

namespace vigil {
namespace {

using reporter_test::PlantedSecrets;
using reporter_test::Render;
using reporter_test::SampleReport;

TEST(Reporters, Factory) {
  EXPECT_EQ(ReporterFormats(),
            (std::vector<std::string>{"text", "json", "sarif", "github", "markdown"}));
  for (const std::string& f : ReporterFormats()) EXPECT_NE(NewReporter(f), nullptr) << f;
  EXPECT_EQ(NewReporter("html"), nullptr);
  EXPECT_EQ(NewReporter(""), nullptr);
  EXPECT_EQ(NewReporter("SARIF"), nullptr);
}

std::string MarkdownEscaped(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '_' ? std::string("&#95;") : std::string(1, c);
  return out;
}

// The planted secrets (in snippets, a decoded base64 value, a commit summary,
// an error message and the remote URL's credentials) appear in no format
// without show_secrets, suppressed findings included.
TEST(Reporters, NoSecretInAnyFormatWithoutShowSecrets) {
  ScanReport rep = SampleReport();
  for (bool show_suppressed : {false, true}) {
    for (bool color : {false, true}) {
      ReportOptions opts;
      opts.show_suppressed = show_suppressed;
      opts.color = color;
      for (const std::string& format : ReporterFormats()) {
        std::string out = Render(format, rep, opts);
        ASSERT_FALSE(out.empty()) << format;
        for (const std::string& secret : PlantedSecrets()) {
          EXPECT_EQ(out.find(secret), std::string::npos)
              << format << " leaks " << secret << " (show_suppressed=" << show_suppressed << ")";
          // Markdown escapes '_' inside <code>: an escaped secret is still a leak.
          EXPECT_EQ(out.find(MarkdownEscaped(secret)), std::string::npos) << format;
        }
        // JSON escaping must not hide a leak either.
        if (format == "json" || format == "sarif") {
          std::string dumped = nlohmann::json::parse(out).dump();
          for (const std::string& secret : PlantedSecrets()) {
            EXPECT_EQ(dumped.find(secret), std::string::npos) << format;
          }
        }
      }
    }
  }
}

// A display step that drops a character (a carriage return, a control
// character in a Markdown cell) must not join two halves of a secret that
// the scrubber saw apart. Found by fuzz/reporters_fuzz.cc.
TEST(Reporters, DroppedControlCharactersDoNotJoinASecret) {
  const std::string& token = reporter_test::kGithubToken;
  for (char control : {'\r', '\x01', '\x1b', '\x7f'}) {
    ScanReport rep = SampleReport();
    ASSERT_FALSE(rep.findings.empty());
    Finding& f = rep.findings.front();
    ASSERT_EQ(f.secret, token);
    std::string split = token.substr(0, 10) + control + token.substr(10);
    f.message = "value " + split + " here";
    f.location.path = "dir/" + split + ".yaml";
    f.rule_name = split;
    for (const std::string& format : ReporterFormats()) {
      std::string out = Render(format, rep, ReportOptions{});
      EXPECT_EQ(out.find(token), std::string::npos)
          << format << " joins the secret around control character " << int(control);
      EXPECT_EQ(out.find(MarkdownEscaped(token)), std::string::npos) << format;
      // Markdown table cells escape '_' as "\_": a reader sees the secret.
      std::string unescaped = out;
      std::erase(unescaped, '\\');
      EXPECT_EQ(unescaped.find(token), std::string::npos)
          << format << " joins the secret (escaped) around control character " << int(control);
    }
  }
}

TEST(Reporters, ShowSecretsShowsThem) {
  ReportOptions opts;
  opts.show_secrets = true;
  for (const std::string& format : ReporterFormats()) {
    std::string out = Render(format, SampleReport(), opts);
    const std::string& token = reporter_test::kGithubToken;
    EXPECT_NE(out.find(format == "markdown" ? MarkdownEscaped(token) : token), std::string::npos)
        << format;
  }
}

std::string Base64(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= uint8_t(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

TEST(Scrubber, RedactsBase64FormsAtAnyOffset) {
  Finding f;
  f.secret = "S3cr3tP@ssw0rd-2026!";
  f.decoded_from = "base64";
  report::Scrubber s(f, false);
  for (std::string prefix : {"", "x", "xy", "user=admin\npassword="}) {
    for (std::string suffix : {"", "\n", "; more text"}) {
      std::string enc = Base64(prefix + f.secret + suffix);
      std::string out = s.Text("value: " + enc);
      // The characters that encode only the secret's bytes.
      size_t first = (prefix.size() * 4 + 2) / 3 + 1;
      size_t last = (prefix.size() + f.secret.size()) * 4 / 3 - 1;
      std::string inner = enc.substr(first, last - first);
      ASSERT_GE(inner.size(), 20u);
      for (size_t i = 0; i + 12 <= inner.size(); ++i) {
        EXPECT_EQ(out.find(inner.substr(i, 12)), std::string::npos)
            << "prefix=" << prefix.size() << " suffix=" << suffix.size() << ": " << out;
      }
      EXPECT_NE(out.find("…["), std::string::npos);
    }
  }
  EXPECT_EQ(s.Text("the secret S3cr3tP@ssw0rd-2026! here"), "the secret S3cr…[20 chars] here");
  report::Scrubber show(f, true);
  EXPECT_EQ(show.Text("S3cr3tP@ssw0rd-2026!"), "S3cr3tP@ssw0rd-2026!");
  EXPECT_EQ(show.Secret(), "S3cr3tP@ssw0rd-2026!");
  EXPECT_EQ(s.Secret(), Redact(f.secret));
}

TEST(ReportUtil, TruncateAndSanitizeUtf8) {
  EXPECT_EQ(report::TruncateUtf8("abcdef", 10), "abcdef");
  EXPECT_EQ(report::TruncateUtf8("abcdef", 4, ""), "abcd");
  // "é" is 2 bytes; never cut inside it.
  EXPECT_EQ(report::TruncateUtf8("aé", 2, ""), "a");
  std::string t = report::TruncateUtf8(std::string(50, 'x'), 10);
  EXPECT_EQ(t, std::string(7, 'x') + "…");
  EXPECT_LE(t.size(), 10u);
  EXPECT_EQ(report::SanitizeUtf8("ok \xff é \xc3"), "ok \xEF\xBF\xBD é \xEF\xBF\xBD");
  EXPECT_EQ(report::SanitizeUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ReportUtil, FormattingHelpers) {
  EXPECT_EQ(report::FormatBytes(532), "532 B");
  EXPECT_EQ(report::FormatBytes(1234567), "1.2 MB");
  EXPECT_EQ(report::FormatSeconds(0.213), "0.21s");
  EXPECT_EQ(report::FormatSeconds(63.4), "1m03s");
  std::array<uint64_t, 5> counts{1, 0, 2, 0, 3};
  EXPECT_EQ(report::SeverityBreakdown(counts), "3 critical, 2 medium, 1 info");
  EXPECT_EQ(report::ShortId("1a2b3c4d5e6f"), "1a2b3c4");
  EXPECT_TRUE(report::IsAbsoluteUri("https://github.com/a/b"));
  EXPECT_TRUE(report::IsAbsoluteUri("file:///x/y%20z"));
  EXPECT_FALSE(report::IsAbsoluteUri("github.com/a/b"));
  EXPECT_FALSE(report::IsAbsoluteUri("https://x/a b"));
  EXPECT_FALSE(report::IsAbsoluteUri("https://x/%zz"));
  EXPECT_EQ(report::HexHash64("abc"), report::HexHash64("abc"));
  EXPECT_NE(report::HexHash64("abc"), report::HexHash64("abc", 1));
}

}  // namespace
}  // namespace vigil
