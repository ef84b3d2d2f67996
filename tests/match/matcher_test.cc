#include "scanner/match/matcher.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <filesystem>

#include "scanner/match/filters.h"
#include "scanner/match/rules_check.h"
#include "scanner/match/validators.h"

namespace vigil {
namespace {

std::shared_ptr<const RuleDatabase> Builtin() {
  static std::shared_ptr<const RuleDatabase> db = [] {
    std::vector<Rule> rules;
    EXPECT_TRUE(LoadBuiltinRules(&rules).ok());
    EXPECT_TRUE(ValidateRules(rules).ok());
    CompileOptions co;
    co.use_cache = false;
    auto r = RuleDatabase::Build(std::move(rules), co);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.value();
  }();
  return db;
}

std::vector<std::string> SecretsFound(std::string_view text, std::string_view rule_id) {
  Matcher m(Builtin());
  std::vector<RawMatch> out;
  EXPECT_TRUE(m.Scan(text, &out).ok());
  std::vector<std::string> secrets;
  for (const auto& r : out) {
    if (rule_id.empty() || m.db().rules()[r.rule].id == rule_id)
      secrets.emplace_back(text.substr(r.secret_start, r.secret_end - r.secret_start));
  }
  return secrets;
}

TEST(BuiltinRules, EveryExampleAndNegativeExamplePasses) {
  RuleCheckReport rep = CheckRules(Builtin());
  for (const auto& f : rep.failures) ADD_FAILURE() << f;
  EXPECT_GT(rep.examples, 0u);
  EXPECT_GE(rep.negative_examples, rep.rules);
}

TEST(BuiltinRules, AtLeast150RulesWithUniqueIds) { EXPECT_GE(Builtin()->rules().size(), 150u); }

TEST(Matcher, ExtractsSecretAndExactSpan) {
  std::string text =
      "line one\nexport GITHUB_TOKEN=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 # ci\n";
  Matcher m(Builtin());
  std::vector<RawMatch> out;
  ASSERT_TRUE(m.Scan(text, &out).ok());
  bool found = false;
  for (const auto& r : out) {
    if (m.db().rules()[r.rule].id != "github-pat-classic") continue;
    found = true;
    EXPECT_EQ(r.secret_start, text.find("ghp_"));
    EXPECT_EQ(r.secret_end - r.secret_start, 40u);
    EXPECT_EQ(r.validation, "github-checksum: valid");
  }
  EXPECT_TRUE(found);
}

TEST(Matcher, ChecksumFailureIsDropped) {
  EXPECT_TRUE(
      SecretsFound("ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM", "github-pat-classic").empty());
}

TEST(Matcher, FindsManyTokensInOneBlob) {
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += "t" + std::to_string(i) + ": 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\n";
  EXPECT_EQ(SecretsFound(text, "github-pat-classic").size(), 50u);
}

TEST(Matcher, EmptyAndBinaryLikeInputIsFine) {
  EXPECT_TRUE(SecretsFound("", "").empty());
  std::string junk(4096, '\xff');
  EXPECT_TRUE(SecretsFound(junk, "").empty());
}

TEST(RuleLoading, BadPatternNamesRuleAndFile) {
  std::vector<Rule> rules;
  ASSERT_TRUE(ParseRulesYaml("provider: X\nrules:\n  - id: bad-rule\n    pattern: 'abc(?=def)'\n",
                             "custom/bad.yaml", &rules)
                  .ok());
  CompileOptions co;
  co.use_cache = false;
  auto r = RuleDatabase::Build(rules, co);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad-rule"), std::string::npos);
  EXPECT_NE(r.status().message().find("custom/bad.yaml"), std::string::npos);
}

TEST(RuleLoading, HyperscanOnlyRejectionIsReported) {
  // RE2 accepts \C-free syntax that Hyperscan rejects: an empty-matching pattern.
  std::vector<Rule> rules;
  ASSERT_TRUE(
      ParseRulesYaml("rules:\n  - id: empty-rule\n    pattern: 'a*'\n", "x.yaml", &rules).ok());
  CompileOptions co;
  co.use_cache = false;
  auto r = RuleDatabase::Build(rules, co);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty-rule"), std::string::npos);
  EXPECT_NE(r.status().message().find("Hyperscan"), std::string::npos);
}

TEST(RuleLoading, UnknownKeyAndMalformedYamlAreErrorsWithLine) {
  std::vector<Rule> rules;
  Status s = ParseRulesYaml("rules:\n  - id: a-b\n    patern: 'x'\n", "r.yaml", &rules);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("r.yaml:3"), std::string::npos) << s.message();
  s = ParseRulesYaml("rules: [\n", "broken.yaml", &rules);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("broken.yaml"), std::string::npos);
}

TEST(RuleLoading, ValidateRejectsDuplicateAndNonKebabIds) {
  std::vector<Rule> rules;
  ASSERT_TRUE(ParseRulesYaml(
                  "rules:\n  - {id: dup-id, pattern: 'abcd'}\n  - {id: dup-id, pattern: 'efgh'}\n",
                  "d.yaml", &rules)
                  .ok());
  EXPECT_FALSE(ValidateRules(rules).ok());
  rules.clear();
  ASSERT_TRUE(ParseRulesYaml("rules:\n  - {id: Bad_Id, pattern: 'abcd'}\n", "d.yaml", &rules).ok());
  EXPECT_FALSE(ValidateRules(rules).ok());
}

TEST(RuleLoading, RulesDirOverridesBuiltinById) {
  auto dir = std::filesystem::temp_directory_path() / "vigil-rules-override";
  std::filesystem::create_directories(dir);
  {
    FILE* f = fopen((dir / "mine.yaml").c_str(), "w");
    fputs(
        "provider: Mine\nrules:\n  - id: github-pat-classic\n    pattern: '(ghp_[A-Z]{4})'\n"
        "  - id: acme-token\n    pattern: '(acme_[a-z0-9]{12})'\n",
        f);
    fclose(f);
  }
  std::vector<Rule> rules;
  ASSERT_TRUE(LoadBuiltinRules(&rules).ok());
  size_t before = rules.size();
  ASSERT_TRUE(LoadRulesDir(dir.string(), &rules).ok());
  EXPECT_EQ(rules.size(), before + 1);
  for (const auto& r : rules) {
    if (r.id == "github-pat-classic") {
      EXPECT_EQ(r.provider, "Mine");
    }
  }
  std::filesystem::remove_all(dir);
}

// A rule with a prefilter must find exactly what the same rule without one
// finds: the matcher checks the pattern's tail anchored at each prefilter end
// before the window search, and that shortcut must never drop a match.
std::vector<std::string> FoundWith(const std::string& pattern, const std::string& prefilter,
                                   std::string_view text) {
  Rule r;
  r.id = "test-rule";
  r.pattern = pattern;
  r.prefilter = prefilter;
  r.window = 128;
  r.placeholder_check = false;
  CompileOptions co;
  co.use_cache = false;
  auto db = RuleDatabase::Build({r}, co);
  EXPECT_TRUE(db.ok()) << db.status().message();
  if (!db.ok()) return {};
  Matcher m(db.value());
  std::vector<RawMatch> out;
  EXPECT_TRUE(m.Scan(text, &out).ok());
  std::vector<std::string> found;
  for (const auto& x : out)
    found.emplace_back(text.substr(x.secret_start, x.secret_end - x.secret_start));
  return found;
}

TEST(Matcher, PrefilterTailCheckFindsWhatTheFullPatternFinds) {
  struct Case {
    std::string pattern, prefilter;
  };
  const std::vector<Case> cases = {
      // The pattern is the prefilter plus a tail: the tail check applies.
      {R"re((?i:pass(?:word)?)[ \t]{0,4}(?::=|=>|[:=])[ \t]{0,4}"([A-Za-z0-9!]{8,40})")re",
       R"re((?i:pass(?:word)?)[ \t]{0,4}(?::=|=>|[:=]))re"},
      // The tail starts with \b, which needs the text before the candidate.
      {R"re(token[:=]\b([a-z0-9]{10,20})\b)re", R"re(token[:=])re"},
      // A top-level alternation: no tail check, the window search decides.
      {R"re(key=([A-Z]{10})|secret=([A-Z]{10}))re", R"re(key=)re"},
      // Not a prefix of the pattern: no tail check.
      {R"re((?:^|\s)pwd=([a-z]{6,}))re", R"re(pwd=)re"},
      // Bounded repeats in the tail: the tail check drops their upper
      // bounds (a superset), the full pattern still enforces them.
      {R"re((?i:token)[ \t]{0,4}[:=][ \t]{0,4}([a-z0-9]{0,10}[0-9][a-z0-9]{0,10})(?:\r?\n|$))re",
       R"re((?i:token)[ \t]{0,4}[:=])re"},
  };
  const std::vector<std::string> texts = {
      "password := \"Sup3rS3cretValue!\"\n",
      "PASS=>\"abcdEFGH1234\" and password: \"${VAR}\" then pass= \"x\"\n",
      "pass=\"short\" password  =  \"AnotherLongOne99\"",
      "token:abcdef123456 xtoken=zz token=abc token=0123456789abcdef0123456789",
      "key=ABCDEFGHIJ secret=KLMNOPQRST key=abc",
      "a pwd=hunter pwd=x\npwd=longenough",
      std::string(200, 'a') + "password: \"Fa11Back!Value\"" + std::string(300, ' '),
      "TOKEN = abc1def\ntoken=abcdefghijklmnopqrstuvwxyz0123456789\ntoken:  "
      "9\ntoken=abcdefghij1klmnopqrst",
  };
  for (const auto& c : cases) {
    for (const auto& t : texts) {
      EXPECT_EQ(FoundWith(c.pattern, c.prefilter, t), FoundWith(c.pattern, "", t))
          << "pattern " << c.pattern << " on " << t;
    }
  }
  // And the shortcut does find things (the comparison above is not vacuous).
  EXPECT_EQ(FoundWith(cases[0].pattern, cases[0].prefilter, texts[0]),
            std::vector<std::string>{"Sup3rS3cretValue!"});
  EXPECT_EQ(FoundWith(cases[1].pattern, cases[1].prefilter, texts[3]).size(), 1u);
  EXPECT_EQ(FoundWith(cases[4].pattern, cases[4].prefilter, texts.back()),
            (std::vector<std::string>{"abc1def", "9", "abcdefghij1klmnopqrst"}));
}

// The confirmation searches with a relaxed copy of the pattern (upper bounds
// of counted repetitions dropped: a small RE2 program) and lets the pattern
// as written confirm that span; where it does not (a value over a bound),
// the exact pattern searches by itself. The secrets found must be what the
// exact pattern finds, left to right, whichever path was taken.
std::vector<std::string> ExactRe2Finds(const std::string& pattern, std::string_view text) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  RE2 re(pattern, o);
  EXPECT_TRUE(re.ok()) << pattern;
  std::vector<std::string> found;
  re2::StringPiece g[2];
  size_t pos = 0;
  while (pos <= text.size() && re.Match(text, pos, text.size(), RE2::UNANCHORED, g, 2)) {
    found.emplace_back(g[1].data(), g[1].size());
    size_t end = g[0].data() - text.data() + g[0].size();
    pos = end > pos ? end : pos + 1;
  }
  return found;
}

TEST(Matcher, RelaxedSearchFindsWhatTheExactPatternFinds) {
  struct Case {
    std::string pattern, prefilter;
  };
  const std::vector<Case> cases = {
      {R"re(key=([a-z0-9]{0,12}[0-9])(?:;|$))re", ""},
      {R"re(key=([a-z0-9]{0,12}[0-9])(?:;|$))re", "key="},
      {R"re(token:[ \t]{0,3}"([^"\n]{4,20})")re", ""},
      {R"re((?i:secret)[ \t]{0,4}=[ \t]{0,4}([A-Za-z0-9]{0,30}[0-9](?:[A-Za-z0-9]{0,30}[A-Za-z])?)[ \t]{0,8}(?:\r?\n|$))re",
       R"re((?i:secret)[ \t]{0,4}=)re"},
  };
  const std::vector<std::string> texts = {
      // Over the bound first, then a value that fits: the relaxed copy
      // finds the first, the exact pattern rejects it and finds the second.
      "key=abcdefghijklmnop1; key=abc1;",
      "key=abc1;key=9;key=abcdefghijklm2;",
      "token: \"" + std::string(30, 'x') + "\" token:\"abcdefgh\" token:\"abc\"",
      "SECRET = abcdefghij0123456789abcdefghij0123456789z\nsecret=abc1def\n",
      "secret = 0\nSecret=" + std::string(70, 'a') + "1\nsecret=ab12cd\n",
  };
  size_t nonempty = 0;
  for (const auto& c : cases) {
    for (const auto& t : texts) {
      std::vector<std::string> want = ExactRe2Finds(c.pattern, t);
      nonempty += !want.empty();
      EXPECT_EQ(FoundWith(c.pattern, c.prefilter, t), want)
          << "pattern " << c.pattern << " on " << t;
    }
  }
  EXPECT_GE(nonempty, 6u);  // the comparison is not vacuous
  EXPECT_EQ(FoundWith(cases[0].pattern, "", texts[0]), std::vector<std::string>{"abc1"});
}

// A match that reaches the end of the confirmation window is followed past
// it: the secret is the whole value, not the part that fit in the window.
TEST(Matcher, MatchRunningPastTheWindowIsNotCut) {
  Rule r;
  r.id = "test-long";
  r.pattern = R"re(key=([a-z]{4,3000}))re";
  r.placeholder_check = false;
  CompileOptions co;
  co.use_cache = false;
  auto db = RuleDatabase::Build({r}, co);
  ASSERT_TRUE(db.ok()) << db.status().message();
  Matcher m(db.value());
  for (size_t len : {10u, 600u, 1500u, 2999u, 3000u, 4000u}) {
    std::string text = "x key=" + std::string(len, 'q') + " y key=abcd\n";
    std::vector<RawMatch> out;
    ASSERT_TRUE(m.Scan(text, &out).ok());
    ASSERT_EQ(out.size(), 2u) << len;
    EXPECT_EQ(out[0].secret_start, 6u);
    // (RE2's copy of a bound above 128 is open-ended, docs/rules.md: the
    // whole run of letters is the secret, even past 3,000.)
    EXPECT_EQ(out[0].secret_end - out[0].secret_start, len) << len;
    EXPECT_EQ(text.substr(out[1].secret_start, out[1].secret_end - out[1].secret_start), "abcd");
  }
}

// Keywords that all end with the same non-letter (`server=`, `uid=`) are
// looked for backwards from each occurrence of that byte; the result must be
// what the general search gives: case-insensitive, within 128 bytes before
// the match or inside it.
TEST(Matcher, KeywordsSharingALastByteAreFoundCaseInsensitively) {
  auto found = [](std::vector<std::string> keywords, std::string_view text) {
    Rule r;
    r.id = "test-conn";
    r.pattern = R"re(pwd=([a-z0-9]{8}))re";
    r.keywords = std::move(keywords);
    r.placeholder_check = false;
    CompileOptions co;
    co.use_cache = false;
    auto db = RuleDatabase::Build({r}, co);
    EXPECT_TRUE(db.ok());
    Matcher m(db.value());
    std::vector<RawMatch> out;
    EXPECT_TRUE(m.Scan(text, &out).ok());
    return out.size();
  };
  const std::vector<std::string> shared = {"server=", "user id="};  // both end with '='
  const std::vector<std::string> mixed = {"server=", "user id"};    // general search
  const std::vector<std::string> texts = {
      "SERVER=db;pwd=abcd1234",
      "User ID=app;pwd=abcd1234",
      "pwd=abcd1234",
      "server db;pwd=abcd1234",
      "user id=" + std::string(300, ' ') + "pwd=abcd1234",
      "=;pwd=abcd1234;Server=",
      "er=pwd=abcd1234",
  };
  const std::vector<size_t> expected = {1, 1, 0, 0,
                                        0, 0, 0};  // a keyword after the match does not count
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(found(shared, texts[i]), expected[i]) << texts[i];
    if (texts[i].find("User ID=") == std::string::npos) {
      EXPECT_EQ(found(mixed, texts[i]), expected[i]) << texts[i];
    }
  }
}

TEST(DatabaseCache, SecondBuildLoadsFromCache) {
  auto dir = std::filesystem::temp_directory_path() / "vigil-cache-test";
  std::filesystem::remove_all(dir);
  std::vector<Rule> rules;
  ASSERT_TRUE(LoadBuiltinRules(&rules).ok());
  CompileOptions co;
  co.cache_dir = dir.string();
  auto a = RuleDatabase::Build(rules, co);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a.value()->loaded_from_cache());
  auto b = RuleDatabase::Build(rules, co);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.value()->loaded_from_cache());
  // The cached database finds the same things.
  Matcher m(b.value());
  std::vector<RawMatch> out;
  ASSERT_TRUE(m.Scan("x 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", &out).ok());
  EXPECT_FALSE(out.empty());
  // A corrupt cache file is ignored and rebuilt.
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    FILE* f = fopen(e.path().c_str(), "w");
    fputs("garbage", f);
    fclose(f);
  }
  auto c = RuleDatabase::Build(rules, co);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.value()->loaded_from_cache());
  std::filesystem::remove_all(dir);
}

TEST(Filters, Placeholders) {
  for (const char* p : {"${DB_PASSWORD}", "{{ .Values.password }}", "<your-token>", "changeme",
                        "op://vault/item/password", "$API_KEY", "xxxxxxxxxxxx", "REPLACE_ME"}) {
    EXPECT_TRUE(IsPlaceholder(p)) << p;
  }
  for (const char* p : {"q8Vz3LkP0wR7", "Tr0ub4dor&3x9", "hJ7#kL2$mN9pQ4"}) {
    EXPECT_FALSE(IsPlaceholder(p)) << p;
  }
}

TEST(Filters, IdentifiersAreNotValues) {
  // Names of fields, constants and messages: what real code assigns to a
  // `password` or `token` key when it is not a credential.
  for (const char* p :
       {"challengePassword", "CLOUDSDK_PROXY_PASSWORD", "master.passwd", "show_password",
        "android.app.action.SET_NEW_PASSWORD", "StreamDescription.NextMarker", "args.password,",
        "self.token)", "HEADER.SIGNATURE", "DB_PASS_FILE", "keyfile-password"}) {
    EXPECT_TRUE(LooksLikeIdentifier(p)) << p;
    EXPECT_TRUE(IsPlaceholder(p)) << p;
  }
  // A digit or a symbol makes it a value; letters alone without a
  // credential word, a constant's shape or a dot stay values too.
  for (const char* p : {"Password01", "CorrectHorseBatteryStaple", "s3cret.Value", "hunter_2",
                        "Tr0ub4dor&3", "abc", "ab.c", "_LEADING", "TRAILING_", "a..b.c"}) {
    EXPECT_FALSE(LooksLikeIdentifier(p)) << p;
  }
  EXPECT_FALSE(IsPlaceholder("CorrectHorseBatteryStaple"));
  EXPECT_TRUE(IsPlaceholder("{ENCODED_PASSWORD}"));
  EXPECT_FALSE(IsPlaceholder("{x7#Kq}"));
}

TEST(Filters, DocumentedExamplesAndReservedHosts) {
  EXPECT_TRUE(IsDocumentedExample("2YotnFZFEjr1zCsicMWpAA"));
  EXPECT_TRUE(IsDocumentedExample("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(IsDocumentedExample("2YotnFZFEjr1zCsicMWpAB"));
  for (const char* a : {"@example.com", "@EXAMPLE.org:8080/x", "@api.example.net/", "@db.test",
                        "@host.example", "@x.invalid.", "@example"}) {
    EXPECT_TRUE(IsReservedExampleHost(a)) << a;
  }
  for (const char* a : {"", "example.com", "@notexample.com", "@example.com.evil.io",
                        "@pypi.company.com", "@localhost:5432", "@testing.io"}) {
    EXPECT_FALSE(IsReservedExampleHost(a)) << a;
  }
}

TEST(Filters, PaginationTokens) {
  for (const char* b :
       {"next", "  nextPage", "\"output_", "    Next page ", "X-CSRF-", "first line\nnext_"}) {
    EXPECT_TRUE(IsPaginationToken(b)) << b;
  }
  // Only the words right before the keyword count: a `next_token` on an
  // earlier line or earlier in the line does not excuse this one.
  for (const char* b :
       {"", "  ", "access_", "next_token: null\n", "{\"next\": 1, \"", "auth_", "pagent"}) {
    EXPECT_FALSE(IsPaginationToken(b)) << b;
  }
}

TEST(Matcher, ContextFiltersKeepRealSecretsBesideLookAlikes) {
  // The token after a pagination field on the line before is still found;
  // the page token itself is not.
  std::string text =
      "next_token: Zr8Kq2VbN5xW7mT4pL9cA3sD\n"
      "token: Hq5Lm8Xc2Vb7Nz4Kw9Pt3Rs6\n";
  auto found = SecretsFound(text, "generic-token-unquoted");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], "Hq5Lm8Xc2Vb7Nz4Kw9Pt3Rs6");
  // A URL password for a reserved documentation host is dropped, the same
  // password for a real host is not.
  EXPECT_TRUE(
      SecretsFound("u = 'https://ci:kq7Vt2LmX9pR@charts.example.com/x'", "url-basic-auth").empty());
  EXPECT_EQ(
      SecretsFound("u = 'https://ci:kq7Vt2LmX9pR@charts.internal.dev/x'", "url-basic-auth").size(),
      1u);
}

TEST(Validators, BasicAuthNeedsUserColonPassword) {
  // ci-bot:aHnXlNqWuEsXakunou7Ijwes
  EXPECT_EQ(RunValidator("basic-auth", "Y2ktYm90OmFIblhsTnFXdUVzWGFrdW5vdTdJandlcw=="),
            Verdict::kUnknown);
  EXPECT_EQ(RunValidator("basic-auth", "dXNlcm5hbWU6cGFzc3dvcmQ="),
            Verdict::kInvalid);  // username:password
  EXPECT_EQ(RunValidator("basic-auth", "Zm9vYmFyYmF6cXV4eHl6enk="), Verdict::kInvalid);  // no colon
  EXPECT_EQ(RunValidator("basic-auth", "dXNlcjo="), Verdict::kInvalid);                  // user:
  EXPECT_EQ(RunValidator("basic-auth", "not base64!"), Verdict::kInvalid);
  EXPECT_TRUE(IsKnownValidator("basic-auth"));
}

TEST(Filters, EncryptedValuesAndDigests) {
  EXPECT_TRUE(IsEncryptedOrDigest("ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]"));
  EXPECT_TRUE(IsEncryptedOrDigest(
      "sha256:0d5c4a1e2f8b9c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"));
  EXPECT_TRUE(IsEncryptedOrDigest("sha512-abcdef"));
  // SealedSecret ciphertext: 2-byte length 0x0200 (512) then 512+ bytes.
  std::string raw;
  raw.push_back('\x02');
  raw.push_back('\x00');
  for (int i = 0; i < 600; ++i) raw.push_back(static_cast<char>((i * 37 + 11) & 0xff));
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i + 2 < raw.size(); i += 3) {
    uint32_t v = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8) | uint8_t(raw[i + 2]);
    for (int k = 3; k >= 0; --k) b64.push_back(kAlpha[(v >> (6 * k)) & 63]);
  }
  EXPECT_EQ(b64.substr(0, 2), "Ag");
  EXPECT_TRUE(IsEncryptedOrDigest(b64));
  EXPECT_FALSE(IsEncryptedOrDigest("plainpassword123"));
}

TEST(Filters, Entropy) {
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("abcd"), 2.0);
  EXPECT_GT(ShannonEntropy("q8Vz3LkP0wR7mN2x"), 3.5);
}

TEST(Validators, GithubChecksumAndCrc) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_TRUE(ValidTokenChecksum("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", "ghp_"));
  EXPECT_FALSE(ValidTokenChecksum("ghp_Ky9Pf34qY6Nb3wWD25RQ4F5ZR3qa7y3gm1IM", "ghp_"));
  EXPECT_EQ(RunValidator("npm-checksum", "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"),
            Verdict::kValid);
  EXPECT_EQ(RunValidator("no-such-validator", "x"), Verdict::kUnknown);
}

TEST(Validators, JwtStructure) {
  // {"alg":"HS256","typ":"JWT"}.{"sub":"1234"}.sig
  EXPECT_EQ(
      RunValidator("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"),
      Verdict::kValid);
  EXPECT_EQ(RunValidator("jwt", "eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxMjM0In0.c2ln"),
            Verdict::kInvalid);
}

}  // namespace
}  // namespace vigil
