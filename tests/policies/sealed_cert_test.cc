// GSP-SEALED-008's sealing-certificate checks on the generated certificates in
// tests/fixtures/sealed-certs (see its SOURCES.md): X.509 parsing through
// libcrypto, then expiry, key renewal age, RSA size against the cluster's
// SealedSecrets, and which certificates count as sealing certificates.
#include <gtest/gtest.h>

#include "policies/x509.h"
#include "tests/cli/cli_util.h"
#include "tests/policies/lint_helpers.h"

namespace vigil {
namespace {

using testing::Lint;
using testing::LintResult;

std::string Cert(const std::string& name) {
  return testing::ReadFile(std::string(VIGIL_TESTS_DIR) + "/fixtures/sealed-certs/" + name);
}

int64_t At(const char* date) {
  int64_t t = 0;
  EXPECT_TRUE(ParseUtcTime(date, &t)) << date;
  return t;
}

LintResult LintAt(const std::map<std::string, std::string>& files, const char* date) {
  LintOptions o;
  o.now_unix = At(date);
  return Lint(files, o);
}

// A SealedSecret whose ciphertext starts with the 2-byte length 256 (2048-bit RSA).
const char kSealed2048[] =
    "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: app\n"
    "spec:\n  encryptedData:\n    password: "
    "AQBdQNppwDl6woLqNgNdBn+hE8cMYN1HY0s3UM13QlU7tWLX0fYmslwtZyCPk1fvOHqBfDRtK1/IYuSMRzoDzUpgF/Mqdzeu95Rj"
    "2SvKwdPcDHddgOylI6QHhdo1JFcxcA3DWpOqsUURISejeaMfapEssS2es1zubXHYMDF7RO6b+VC3zg1mbiMMtuOkzsgoB5BUm5HC"
    "3CAim0PyToc2bwPyWuCuUc/KKKTOob3dSggFTupeS10thumCSUrYgQ/sGIru+fGZoNNIX0ZGxw5u2KGzMlIiItABc0dYhXseaRMI"
    "905jhJURHFrUkKCgTzL1x3r673OwfEERymCBfisE4wJLzzwJ/aEVsokdiMk5BtgLuZuA0fsPXW+sdtY=\n";

TEST(SealedCertificates, ParsesTheGeneratedCertificates) {
  auto c2048 = ParsePemCertificates(Cert("pub-sealed-secrets-2048.pem"));
  ASSERT_EQ(c2048.size(), 1u);
  ASSERT_TRUE(c2048[0].parsed) << c2048[0].error;
  EXPECT_TRUE(c2048[0].rsa);
  EXPECT_EQ(c2048[0].key_bits, 2048);
  EXPECT_TRUE(c2048[0].encipher_only);
  EXPECT_EQ(FormatDate(c2048[0].not_before), "2026-12-01");
  EXPECT_EQ(FormatDate(c2048[0].not_after), "2036-11-28");
  EXPECT_NE(c2048[0].subject.find("CN=sealed-secret"), std::string::npos) << c2048[0].subject;
  auto c4096 = ParsePemCertificates(Cert("pub-sealed-secrets-4096.pem"));
  ASSERT_EQ(c4096.size(), 1u);
  EXPECT_EQ(c4096[0].key_bits, 4096);
  auto tls = ParsePemCertificates(Cert("web-tls.pem"));
  ASSERT_EQ(tls.size(), 1u);
  EXPECT_FALSE(tls[0].encipher_only);
  // Two certificates in one file, the second indented as in a YAML block scalar.
  std::string two = Cert("weak-1024.pem") + "cert: |\n";
  std::string body = Cert("web-tls.pem");
  for (size_t p = 0, q; p < body.size(); p = q + 1) {
    q = body.find('\n', p);
    if (q == std::string::npos) q = body.size();
    two += "  " + body.substr(p, q - p) + "\n";
  }
  auto both = ParsePemCertificates(two);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].key_bits, 1024);
  EXPECT_TRUE(both[1].parsed) << both[1].error;
  EXPECT_GT(both[1].line, 10u);
  // A damaged body is reported as unreadable, not a crash.
  std::string broken = Cert("web-tls.pem");
  broken[100] = '*';
  broken[101] = '*';
  auto bad = ParsePemCertificates(broken);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_FALSE(bad[0].parsed);
}

TEST(SealedCertificates, ExpiredExpiringAndStale) {
  std::map<std::string, std::string> tree = {{"clusters/prod/pub-sealed-secrets.pem", Cert("pub-sealed-secrets-2048.pem")}};
  EXPECT_TRUE(LintAt(tree, "2026-12-10").Of("GSP-SEALED-008").empty());
  LintResult expired = LintAt(tree, "2037-01-01");
  ASSERT_EQ(expired.Of("GSP-SEALED-008").size(), 1u);
  EXPECT_NE(expired.Of("GSP-SEALED-008")[0]->message.find("expired on 2036-11-28"), std::string::npos);
  EXPECT_EQ(expired.Of("GSP-SEALED-008")[0]->location.line, 1u);
  EXPECT_EQ(expired.Of("GSP-SEALED-008")[0]->severity, Severity::kMedium);
  LintResult expiring = LintAt(tree, "2036-11-20");
  ASSERT_EQ(expiring.Of("GSP-SEALED-008").size(), 1u);
  EXPECT_NE(expiring.Of("GSP-SEALED-008")[0]->message.find("in 8 days"), std::string::npos)
      << expiring.Of("GSP-SEALED-008")[0]->message;
  LintResult stale = LintAt(tree, "2027-01-15");
  ASSERT_EQ(stale.Of("GSP-SEALED-008").size(), 1u);
  EXPECT_EQ(stale.Of("GSP-SEALED-008")[0]->severity, Severity::kLow);
  EXPECT_NE(stale.Of("GSP-SEALED-008")[0]->message.find("issued on 2026-12-01"), std::string::npos);
}

TEST(SealedCertificates, RsaSizeAgainstTheClustersSealedSecrets) {
  std::map<std::string, std::string> tree = {
      {"clusters/prod/pub-sealed-secrets.pem", Cert("pub-sealed-secrets-4096.pem")},
      {"clusters/prod/db.yaml", kSealed2048},
      {"clusters/staging/pub-sealed-secrets.pem", Cert("pub-sealed-secrets-2048.pem")},
      {"clusters/staging/db.yaml", std::string(kSealed2048)}};
  LintResult r = LintAt(tree, "2026-12-10");
  std::vector<const Finding*> certs;
  for (const Finding* f : r.Of("GSP-SEALED-008")) {
    if (f->location.path.find(".pem") != std::string::npos) certs.push_back(f);
  }
  // Only prod's 4096-bit certificate mismatches its 2048-bit ciphertext.
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(certs[0]->location.path, "clusters/prod/pub-sealed-secrets.pem");
  EXPECT_NE(certs[0]->message.find("4096-bit RSA key"), std::string::npos) << certs[0]->message;
  ASSERT_EQ(certs[0]->related.size(), 1u);
  EXPECT_EQ(certs[0]->related[0].location.path, "clusters/prod/db.yaml");
}

TEST(SealedCertificates, WeakKeyAndWhatCountsAsASealingCertificate) {
  LintResult weak = LintAt({{"keys/cert.pem", Cert("weak-1024.pem")}}, "2026-12-10");  // encipherOnly
  ASSERT_EQ(weak.Of("GSP-SEALED-008").size(), 1u);
  EXPECT_EQ(weak.Of("GSP-SEALED-008")[0]->severity, Severity::kHigh);
  // An ordinary TLS certificate: not sealing, unless its path says so.
  EXPECT_TRUE(LintAt({{"certs/web-tls.pem", Cert("web-tls.pem")}}, "2037-01-01").Of("GSP-SEALED-008").empty());
  EXPECT_EQ(LintAt({{"sealed-secrets/tls.crt", Cert("web-tls.pem")}}, "2037-01-01").Of("GSP-SEALED-008").size(), 1u);
  // Inside YAML only encipherOnly certificates count (a ConfigMap's CA bundle does not).
  std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ca\ndata:\n  ca.crt: |\n";
  std::string sealing_cm = cm;
  for (const auto& [name, out] : {std::pair<const char*, std::string*>{"web-tls.pem", &cm},
                                  std::pair<const char*, std::string*>{"pub-sealed-secrets-2048.pem", &sealing_cm}}) {
    std::string body = Cert(name);
    for (size_t p = 0, q; p < body.size(); p = q + 1) {
      q = body.find('\n', p);
      if (q == std::string::npos) q = body.size();
      *out += "    " + body.substr(p, q - p) + "\n";
    }
  }
  EXPECT_TRUE(LintAt({{"sealed/ca.yaml", cm}}, "2037-01-01").Of("GSP-SEALED-008").empty());
  EXPECT_EQ(LintAt({{"sealed/ca.yaml", sealing_cm}}, "2037-01-01").Of("GSP-SEALED-008").size(), 1u);
}

}  // namespace
}  // namespace vigil
