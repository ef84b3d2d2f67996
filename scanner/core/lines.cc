#include "scanner/core/lines.h"

#include <algorithm>
#include <cstring>

namespace vigil {

LineIndex::LineIndex(std::string_view data) : data_(data) {
  starts_.push_back(0);
  const char* base = data.data();
  const char* p = base;
  const char* end = base + data.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', end - p);
    if (!nl) break;
    p = static_cast<const char*>(nl) + 1;
    starts_.push_back(static_cast<uint64_t>(p - base));
  }
}

std::pair<uint32_t, uint32_t> LineIndex::Position(uint64_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t line = static_cast<size_t>(it - starts_.begin());  // 1-based
  uint64_t col = offset - starts_[line - 1] + 1;
  return {static_cast<uint32_t>(line), static_cast<uint32_t>(col)};
}

std::string_view LineIndex::Line(uint32_t line) const {
  if (line == 0 || line > starts_.size()) return {};
  uint64_t b = starts_[line - 1];
  uint64_t e = line < starts_.size() ? starts_[line] : data_.size();
  std::string_view s = data_.substr(b, e - b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace vigil
