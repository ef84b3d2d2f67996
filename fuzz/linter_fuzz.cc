// Fuzzes the manifest linter end to end: the input is one manifest file
// (fuzz/input.yaml) inspected by a worker, then Finish() runs every policy
// family (plain, sealed, sops, flux, gen, ...) over the resource index.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "policies/linter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const vigil::LintOptions options = [] {
    vigil::LintOptions lo;
    lo.environments["prod"] = {"prod", "production"};
    return lo;
  }();
  std::unique_ptr<vigil::Inspector> linter = vigil::NewManifestLinter(options);
  std::vector<vigil::Finding> findings;
  std::vector<vigil::ScanError> errors;
  {
    std::unique_ptr<vigil::InspectorWorker> worker = linter->NewWorker();
    vigil::BlobRef blob{"clusters/prod/input.yaml", text, false};
    worker->Inspect(blob, &findings, &errors);
  }
  linter->Finish(&findings, &errors);
  for (const auto& f : findings) {
    if (f.location.end_offset > size || f.location.offset > f.location.end_offset) __builtin_trap();
  }
  return 0;
}
