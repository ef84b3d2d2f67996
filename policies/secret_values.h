// The data/stringData entries of a Kubernetes Secret object, base64-decoded,
// shared by the PLAIN policies and the Secret decoder. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "policies/index.h"
#include "policies/yaml_tree.h"

namespace vigil {

struct SecretEntry {
  std::string section;          // "data" or "stringData"
  const YNode* key = nullptr;   // the key node
  const YNode* value = nullptr; // the value node (scalar)
  std::string decoded;          // base64-decoded for data, the text for stringData
  bool valid = false;           // data: valid base64; stringData: always
};

// Entries of a Secret object node (data and stringData, scalar values only).
std::vector<SecretEntry> CollectSecretEntries(const YNode& secret);
inline std::vector<SecretEntry> CollectSecretEntries(const Resource& r) {
  return CollectSecretEntries(*r.node);
}

}  // namespace vigil
