// CollectSecretEntries (see secret_values.h).
#include "policies/secret_values.h"

#include "policies/policy.h"

namespace vigil {

std::vector<SecretEntry> CollectSecretEntries(const YNode& secret) {
  std::vector<SecretEntry> out;
  for (const char* section : {"data", "stringData"}) {
    const YNode* m = secret.Get(section);
    if (m == nullptr || !m->IsMap()) continue;
    for (size_t i = 0; i < m->keys.size() && i < m->values.size(); ++i) {
      const YNode& v = m->values[i];
      if (!v.IsScalar()) continue;
      SecretEntry e;
      e.section = section;
      e.key = &m->keys[i];
      e.value = &v;
      if (e.section == "data") {
        e.valid = DecodeBase64Strict(v.value, &e.decoded);
      } else {
        e.decoded = v.value;
        e.valid = true;
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace vigil
