// The Kubernetes Secret decoder (see linter.h): base64 values under `data:`
// of Secret objects, decoded so the secret matcher can scan them, with the
// byte range of the encoded value in the blob.
#include <string>
#include <string_view>

#include "policies/linter.h"
#include "policies/policy.h"
#include "policies/secret_values.h"
#include "policies/yaml_tree.h"

namespace vigil {
namespace {

// Byte range [*begin, *end) of a scalar's text in the blob, from its mark.
void ValueRange(std::string_view blob, const YNode& v, uint64_t* begin, uint64_t* end) {
  size_t pos = static_cast<size_t>(v.offset);
  if (pos >= blob.size()) {
    *begin = *end = blob.size();
    return;
  }
  char c = blob[pos];
  if (c == '"' || c == '\'') {
    ++pos;
  } else if (c == '|' || c == '>') {
    size_t nl = blob.find('\n', pos);
    pos = nl == std::string_view::npos ? blob.size() : nl + 1;
  }
  while (pos < blob.size() && (blob[pos] == ' ' || blob[pos] == '\t' || blob[pos] == '\n' || blob[pos] == '\r'))
    ++pos;
  *begin = pos;
  // Consume as many non-space characters as the value holds.
  size_t want = 0;
  for (char ch : v.value) {
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') ++want;
  }
  size_t got = 0, p = pos;
  while (p < blob.size() && got < want) {
    char ch = blob[p];
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t') ++got;
    ++p;
  }
  *end = p;
}

bool MostlyText(std::string_view s) {
  size_t bad = 0;
  for (unsigned char c : s) {
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t')) ++bad;
  }
  return bad * 20 <= s.size();
}

bool MayHoldSecret(std::string_view data) {
  return data.find("Secret") != std::string_view::npos && data.find("data") != std::string_view::npos &&
         data.find("kind") != std::string_view::npos;
}

class KubernetesSecretDecoder : public Decoder {
 public:
  void Decode(const BlobRef& blob, std::vector<DecodedValue>* out) const override {
    if (!MayHoldSecret(blob.data) || blob.data.size() > (8u << 20)) return;
    std::vector<YDocument> docs;
    uint32_t line = 0;
    if (!ParseYaml(blob.data, &docs, &line).ok()) return;
    for (const auto& d : docs) {
      const YNode& root = d.root;
      if (!root.IsMap() || root.Get("sops") != nullptr) continue;
      std::vector<const YNode*> objects;
      const YNode* items = root.Get("items");
      if (items != nullptr && items->IsSeq()) {
        for (const auto& it : items->values) objects.push_back(&it);
      } else {
        objects.push_back(&root);
      }
      for (const YNode* obj : objects) {
        if (obj->Str("kind") != "Secret") continue;
        for (const auto& e : CollectSecretEntries(*obj)) {
          if (e.section != "data" || !e.valid || e.decoded.empty() || !MostlyText(e.decoded)) continue;
          DecodedValue v;
          v.key = "data." + e.key->value;
          v.text = e.key->value + ": " + e.decoded;
          v.value = e.decoded;
          ValueRange(blob.data, *e.value, &v.offset, &v.end_offset);
          v.how = "base64 (Secret data)";
          // The auth of each registry in a docker config is base64 too.
          if (e.key->value == ".dockerconfigjson" || e.key->value == ".dockercfg") {
            std::vector<YDocument> j;
            uint32_t jl = 0;
            if (ParseYaml(e.decoded, &j, &jl).ok() && !j.empty()) {
              const YNode* auths = j[0].root.Get("auths");
              if (auths == nullptr) auths = &j[0].root;
              if (auths->IsMap()) {
                for (size_t i = 0; i < auths->keys.size(); ++i) {
                  std::string auth = auths->values[i].Str("auth");
                  std::string plain;
                  if (!auth.empty() && DecodeBase64Strict(auth, &plain) && MostlyText(plain)) {
                    DecodedValue a = v;
                    a.key = v.key + ".auths." + auths->keys[i].value + ".auth";
                    a.text = "auth: " + plain;
                    a.value = plain;
                    a.how = "base64 (Secret data), base64 (docker auth)";
                    out->push_back(std::move(a));
                  }
                }
              }
            }
          }
          out->push_back(std::move(v));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Decoder> NewKubernetesSecretDecoder() {
  return std::make_unique<KubernetesSecretDecoder>();
}

}  // namespace vigil
