// Fuzzes the Kubernetes Secret decoder (the base64 values under `data:` and
// `.dockerconfigjson`), checking every decoded range lies inside the blob.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "policies/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<vigil::Decoder> decoder = vigil::NewKubernetesSecretDecoder();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::DecodedValue> out;
  vigil::BlobRef blob{"secret.yaml", text, false};
  decoder->Decode(blob, &out);
  for (const auto& v : out) {
    if (v.end_offset > size || v.offset > v.end_offset) __builtin_trap();
  }
  return 0;
}
