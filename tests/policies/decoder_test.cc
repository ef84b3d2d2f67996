// NewKubernetesSecretDecoder: base64 values under `data:` of Secrets, with
// the byte range of the encoded value in the blob.
#include <gtest/gtest.h>

#include <string>

#include "policies/linter.h"
#include "scanner/core/lines.h"

namespace vigil {
namespace {

std::vector<DecodedValue> Decode(const std::string& text) {
  auto d = NewKubernetesSecretDecoder();
  BlobRef blob;
  blob.path = "secret.yaml";
  blob.data = text;
  std::vector<DecodedValue> out;
  d->Decode(blob, &out);
  return out;
}

TEST(SecretDecoder, DecodesDataValuesWithOffsets) {
  std::string text =
      "# comment\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n"
      "  password: aHVudGVyMi1QcjBk\n  user: \"YWRtaW4=\"\nstringData:\n  plain: text\n";
  auto out = Decode(text);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].key, "data.password");
  EXPECT_EQ(out[0].value, "hunter2-Pr0d");
  EXPECT_EQ(out[0].text, "password: hunter2-Pr0d");
  EXPECT_EQ(out[0].how, "base64 (Secret data)");
  EXPECT_EQ(text.substr(out[0].offset, out[0].end_offset - out[0].offset), "aHVudGVyMi1QcjBk");
  LineIndex lines(text);
  EXPECT_EQ(lines.Position(out[0].offset).first, 7u);
  EXPECT_EQ(lines.Position(out[0].offset).second, 13u);
  EXPECT_EQ(out[1].key, "data.user");
  EXPECT_EQ(text.substr(out[1].offset, out[1].end_offset - out[1].offset), "YWRtaW4=");
  EXPECT_EQ(lines.Position(out[1].offset).first, 8u);
}

TEST(SecretDecoder, MultiDocumentListsAndFoldedValues) {
  std::string text =
      "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: aGVsbG8=\n---\n"
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  data:\n"
      "    key: |\n      c2Vj\n      cmV0\n";
  auto out = Decode(text);
  ASSERT_EQ(out.size(), 1u);  // the ConfigMap is not a Secret
  EXPECT_EQ(out[0].value, "secret");
  EXPECT_EQ(text.substr(out[0].offset, out[0].end_offset - out[0].offset), "c2Vj\n      cmV0");
}

TEST(SecretDecoder, DockerConfigAuthIsDecodedToo) {
  std::string text =
      "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n"
      "  .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJkWE5sY2pwd1lYTnpkMjl5WkE9PSJ9fX0=\n";
  auto out = Decode(text);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "auth: user:password");
  EXPECT_EQ(out[0].key, "data..dockerconfigjson.auths.ghcr.io.auth");
  EXPECT_EQ(out[1].key, "data..dockerconfigjson");
}

TEST(SecretDecoder, SkipsNonSecretsSopsAndBadBase64) {
  EXPECT_TRUE(Decode("kind: ConfigMap\ndata:\n  a: aGVsbG8=\n").empty());
  EXPECT_TRUE(Decode("kind: Secret\ndata:\n  a: not base64!\n").empty());
  EXPECT_TRUE(Decode("kind: Secret\ndata:\n  a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: x\n").empty());
  EXPECT_TRUE(Decode("{{ template }}\nkind: Secret\ndata: [").empty());
}

}  // namespace
}  // namespace vigil
