// Fuzzes the secret matcher on arbitrary bytes with the full built-in rule
// database (compiled once), through the SecretInspector with the Kubernetes
// Secret decoder as the scan runs it. Checks every span is inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "policies/linter.h"
#include "scanner/match/matcher.h"
#include "scanner/match/rule.h"
#include "scanner/match/secret_inspector.h"

namespace {

struct State {
  std::shared_ptr<const vigil::RuleDatabase> db;
  std::unique_ptr<vigil::Matcher> matcher;
  std::unique_ptr<vigil::Decoder> decoder;
  std::unique_ptr<vigil::SecretInspector> inspector;
  std::unique_ptr<vigil::InspectorWorker> worker;
};

State* Init() {
  auto* s = new State;
  std::vector<vigil::Rule> rules;
  if (!vigil::LoadBuiltinRules(&rules).ok()) std::abort();
  vigil::CompileOptions co;
  co.use_cache = false;
  auto db = vigil::RuleDatabase::Build(std::move(rules), co);
  if (!db.ok()) std::abort();
  s->db = db.value();
  s->matcher = std::make_unique<vigil::Matcher>(s->db);
  s->decoder = vigil::NewKubernetesSecretDecoder();
  s->inspector = std::make_unique<vigil::SecretInspector>(s->db, s->decoder.get());
  s->worker = s->inspector->NewWorker();
  return s;
}

State* state = nullptr;

}  // namespace

// The database is compiled here, outside the per-input timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  state = Init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<vigil::RawMatch> out;
  (void)state->matcher->Scan(text, &out);
  for (const auto& r : out) {
    if (r.rule >= state->db->rules().size() || r.end > size || r.start > r.end ||
        r.secret_end > size || r.secret_start > r.secret_end)
      __builtin_trap();
  }
  std::vector<vigil::Finding> findings;
  std::vector<vigil::ScanError> errors;
  vigil::BlobRef blob{"fuzz/input.yaml", text, false};
  state->worker->Inspect(blob, &findings, &errors);
  for (const auto& f : findings) {
    if (f.location.end_offset > size || f.location.offset > f.location.end_offset) __builtin_trap();
    if (f.location.line == 0) __builtin_trap();
  }
  return 0;
}
