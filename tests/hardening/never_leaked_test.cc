// "Never leaked": a representative set of CLI invocations (every format, to
// stdout and to --output files, scan and lint, stdin, git modes, errors,
// timeouts) on trees with planted secrets; no planted value may appear in
// stdout, stderr or any file written, unless --show-secrets was given.
//
// The planted values are generated per run (random, with valid checksums
// where a rule checks one), so they exist nowhere else: not in the rules'
// examples, not in the fixtures.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scanner/match/validators.h"
#include "tests/cli/cli_util.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::string Random(std::mt19937_64& rng, size_t n, std::string_view alphabet = kBase62) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

std::string Base62Pad6(uint32_t n) {
  std::string s;
  while (n) {
    s.insert(s.begin(), kBase62[n % 62]);
    n /= 62;
  }
  while (s.size() < 6) s.insert(s.begin(), '0');
  return s;
}

std::string Base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += std::string{k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += std::string{k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

struct Planted {
  std::string name;
  std::string value;
};

class NeverLeaked : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    std::string body = Random(rng, 30);
    github_ = "ghp_" + body + Base62Pad6(Crc32(body));
    ASSERT_TRUE(ValidTokenChecksum(github_, "ghp_"));
    std::string pg_password = "Pg" + Random(rng, 18) + "9x";
    std::string aws_secret = Random(rng, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+");
    std::string k8s_password = "Kp7" + Random(rng, 21) + "!q";
    std::string pem_line = Random(rng, 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    std::string generic = "Gq4" + Random(rng, 20) + "7z";
    planted_ = {{"github", github_},
                {"postgres-password", pg_password},
                {"aws-secret", aws_secret},
                {"k8s-password", k8s_password},
                {"k8s-password-base64", Base64(k8s_password)},
                {"pem-body", pem_line},
                {"generic-password", generic}};

    tree_.Write("app/config.env", "GITHUB_TOKEN=" + github_ + "\nDATABASE_URL=postgres://app:" +
                                      pg_password + "@db.internal:5432/orders\n");
    tree_.Write("app/aws.ini", "[default]\naws_access_key_id = AKIA" + Random(rng, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") +
                                   "\naws_secret_access_key = " + aws_secret + "\n");
    tree_.Write("clusters/prod/secret.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\ndata:\n"
                "  password: " + Base64(k8s_password) + "\n");
    std::string pem = "-----BEGIN RSA PRIVATE KEY-----\n";
    pem += "MIIEowIBAAKCAQEA" + Random(rng, 48, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "\n";
    for (int i = 0; i < 8; ++i) pem += (i == 3 ? pem_line : Random(rng, 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")) + "\n";
    pem += "-----END RSA PRIVATE KEY-----\n";
    tree_.Write("keys/deploy.pem", pem);
    tree_.Write("clusters/prod/values.yaml", "db:\n  password: \"" + generic + "\"\n");
    // A manifest that does not parse, with a secret on the broken line: the
    // error message must not quote it.
    tree_.Write("clusters/prod/broken.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: broken\nstringData:\n  password: \"" + generic +
                    "\n   - [\n");
    out_dir_ = tree_.path() + "-outputs";
    fs::create_directories(out_dir_);
  }
  void TearDown() override { fs::remove_all(out_dir_); }

  // Every planted value absent from `text` (or, with show, the GitHub token
  // present: the check is not vacuous).
  void CheckText(const std::string& what, const std::string& text, bool show = false) {
    for (const auto& p : planted_) {
      if (show) continue;
      EXPECT_EQ(text.find(p.value), std::string::npos)
          << what << " leaks " << p.name << ":\n" << text.substr(0, 4000);
    }
    if (show) {
      EXPECT_NE(text.find(github_), std::string::npos) << what << " with --show-secrets lacks the token";
    }
  }

  // Runs vigil; checks stdout, stderr and every file left in the outputs dir.
  RunResult Check(const std::string& args, const std::string& stdin_text = "", bool show = false) {
    RunResult r = RunVigil(args, tree_.path(), stdin_text);
    EXPECT_TRUE(r.code >= 0 && r.code <= 2) << args << ": exit " << r.code << "\n" << r.err;
    std::string files;
    for (const auto& e : fs::recursive_directory_iterator(out_dir_)) {
      if (!e.is_regular_file()) continue;
      files += ReadFile(e.path());
    }
    if (show) {
      EXPECT_NE((r.out + files).find(github_), std::string::npos) << args;
    } else {
      CheckText(args + " [stdout]", r.out);
      CheckText(args + " [stderr]", r.err);
      CheckText(args + " [files]", files);
    }
    for (const auto& e : fs::directory_iterator(out_dir_)) fs::remove_all(e.path());
    ++runs_;
    return r;
  }

  TempTree tree_;
  std::string out_dir_;
  std::string github_;
  std::vector<Planted> planted_;
  int runs_ = 0;
};

const std::vector<std::string> kFormats = {"text", "json", "sarif", "github", "markdown"};

TEST_F(NeverLeaked, EveryFormatToStdoutAndFiles) {
  for (const auto& f : kFormats) {
    RunResult r = Check("scan . --format " + f);
    EXPECT_EQ(r.code, 1) << f << "\n" << r.out.substr(0, 2000) << r.err;
    Check("scan . --format " + f + " -o " + Quote(out_dir_ + "/report." + f));
    Check("scan . --format " + f + " --show-suppressed --color always");
    Check("scan app clusters keys -q --format " + f);
    Check("lint . --format " + f);
    Check("lint . --format " + f + " -o " + Quote(out_dir_ + "/lint." + f));
    Check("scan . --no-policies --format " + f);
  }
  // Notes on stderr (no -q) next to a report file.
  Check("scan . --format json -o " + Quote(out_dir_ + "/r.json"));
}

TEST_F(NeverLeaked, StdinAndSingleFiles) {
  std::string env = ReadFile(tree_.path() + "/app/config.env");
  for (const auto& f : kFormats) {
    Check("scan - --format " + f, env);
    Check("scan - --stdin-name app/config.env --format " + f, env);
    Check("scan app/config.env --format " + f);
    Check("scan clusters/prod/secret.yaml --format " + f);
  }
}

TEST_F(NeverLeaked, ErrorsAndPartialResults) {
  for (const auto& f : kFormats) {
    Check("scan . --timeout 0.0001 --format " + f);
    Check("scan . --max-file-size 10B --format " + f);
    Check("scan . no-such-dir --format " + f);
  }
  // A configuration that names a planted secret in an allowlist (the user's
  // own file) and one that is malformed around it.
  tree_.Write(".vigil.yaml", "version: 1\nallowlist:\n  stopwords: ['" + github_ + "']\n");
  Check("scan . --format json --show-suppressed");
  Check("scan . --format sarif --show-suppressed");
  tree_.Write(".vigil.yaml", "version: 1\nallowlist:\n  regexes: ['" + github_ + "(']\n");
  RunResult r = RunVigil("scan .", tree_.path());
  EXPECT_EQ(r.code, 2);
  // Echoing the user's own configuration back is acceptable for a config
  // error; but it must never echo a secret found in the scanned files.
  fs::remove(tree_.path() + "/.vigil.yaml");
  tree_.Write(".vigil.yaml", "version: 1\nunknown-key: [\n");
  Check("scan . --format json");
  fs::remove(tree_.path() + "/.vigil.yaml");
  // Usage errors.
  Check("scan . --format nope");
  Check("scan . --fail-on nope");
  Check("scan . --rules " + Quote(tree_.path() + "/app"));  // not rule files
  Check("scan . --baseline " + Quote(tree_.path() + "/app/config.env"));
}

TEST_F(NeverLeaked, GitModes) {
  auto sh = [&](const std::string& cmd) {
    std::string full = "cd " + Quote(tree_.path()) + " && export HOME=" + Quote(out_dir_ + "/../") +
                       " GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "
                       "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com && (" + cmd + ") >/dev/null 2>&1";
    return std::system(full.c_str());
  };
  ASSERT_EQ(sh("git init -q -b main . && git add -A && git commit -q -m add"), 0);
  tree_.Write("app/config.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n");
  ASSERT_EQ(sh("git commit -q -am 'remove token'"), 0);
  tree_.Write("staged.env", "TOKEN=" + github_ + "\n");
  ASSERT_EQ(sh("git add staged.env"), 0);
  for (const auto& f : kFormats) {
    Check("scan . --history --format " + f);
    Check("scan . --history --all-objects --format " + f + " -o " + Quote(out_dir_ + "/h." + f));
    Check("scan . --staged --format " + f);
    Check("scan . --range HEAD~1..HEAD --format " + f);
    Check("lint . --staged --format " + f);
  }
}

TEST_F(NeverLeaked, ShowSecretsDoesShowThem) {
  Check("scan . --format json --show-secrets", "", /*show=*/true);
  Check("scan . --format text --show-secrets", "", /*show=*/true);
  Check("scan . --format sarif --show-secrets -o " + Quote(out_dir_ + "/s.sarif"), "", true);
}

TEST_F(NeverLeaked, TheFindingsAreThere) {
  // The planted values are really found (else the leak checks would pass
  // vacuously): each rule family fires.
  RunResult r = RunVigil("scan . --format json -q", tree_.path());
  EXPECT_EQ(r.code, 1) << r.err;
  for (const std::string rule : {"github-pat-classic", "database-url-postgres", "aws-secret-access-key",
                                 "private-key-rsa"}) {
    EXPECT_NE(r.out.find("\"" + rule + "\""), std::string::npos) << rule << "\n" << r.out.substr(0, 3000);
  }
  EXPECT_NE(r.out.find("data.password"), std::string::npos) << "the decoded Secret value is not reported";
}

}  // namespace
}  // namespace vigil::testing
