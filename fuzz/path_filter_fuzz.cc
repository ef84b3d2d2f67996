// Fuzzes the gitignore-style globs: every line but the last is a glob, the
// last line is the path matched against them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/pipeline/path_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::string path = lines.back();
  lines.pop_back();
  for (const auto& g : lines) (void)vigil::PathFilter::GlobToRegex(g);
  vigil::PathFilter f;
  (void)f.Add(lines);
  (void)f.Matches(path);
  (void)f.Matches("./" + path);
  (void)f.Matches("");
  return 0;
}
