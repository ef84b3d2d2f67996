// Fuzzes the `.vigil.yaml` loader: ParseConfig on arbitrary text; a config
// that loads has its globs compiled as the pipeline does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanner/pipeline/config.h"
#include "scanner/pipeline/path_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = vigil::ParseConfig(text, ".vigil.yaml");
  if (!cfg.ok()) {
    if (cfg.status().message().find(".vigil.yaml") == std::string::npos) __builtin_trap();
    return 0;
  }
  vigil::PathFilter exclude;
  (void)exclude.Add(cfg->exclude);
  (void)exclude.Matches("deploy/prod/secret.yaml");
  vigil::PathFilter allow;
  (void)allow.Add(cfg->allowlist.paths);
  (void)allow.Matches("a/b/c.txt");
  return 0;
}
