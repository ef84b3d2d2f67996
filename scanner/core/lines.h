// LineIndex: maps byte offsets of a blob to 1-based line and column numbers.
// Built lazily, only for blobs that produced a finding. Not thread-safe;
// cheap to build (one memchr pass).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

class LineIndex {
 public:
  explicit LineIndex(std::string_view data);
  // 1-based (line, column) of a byte offset; column counts bytes.
  std::pair<uint32_t, uint32_t> Position(uint64_t offset) const;
  // The text of the 1-based line, without its newline (and without '\r').
  std::string_view Line(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }
  uint64_t LineStart(uint32_t line) const { return starts_[line - 1]; }

 private:
  std::string_view data_;
  std::vector<uint64_t> starts_;
};

}  // namespace vigil
