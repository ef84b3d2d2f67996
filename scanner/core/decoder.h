// Decoder: finds encoded values inside a blob that hide clear text (the
// base64 values under a Kubernetes Secret's `data:`), so the secret matcher
// can scan the decoded bytes and point a finding at the YAML key.
//
// Thread safety: Decode() is const and must be safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scanner/core/inspector.h"

namespace vigil {

struct DecodedValue {
  std::string text;         // what to scan, e.g. "password: <decoded bytes>"
  std::string value;        // the decoded value alone
  uint64_t offset = 0;      // where the encoded value starts in the blob
  uint64_t end_offset = 0;  // one past its end
  std::string key;          // e.g. "data.password" (with the resource: "Secret/ns/name")
  std::string how;          // e.g. "base64 (Secret data)"
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual void Decode(const BlobRef& blob, std::vector<DecodedValue>* out) const = 0;
};

}  // namespace vigil
