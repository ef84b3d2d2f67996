// Test helper: text as UTF-16 bytes after a byte-order mark, for the tests of
// the UTF-16 decoding in the working-tree and git sources.
#pragma once
#include <string>

namespace vigil::testing {

// UTF-16 code units as bytes, little- or big-endian, after a byte-order mark.
inline std::string Utf16WithBom(const std::u16string& text, bool big_endian) {
  std::string s = big_endian ? "\xfe\xff" : "\xff\xfe";
  for (char16_t u : text) {
    char lo = static_cast<char>(u & 0xff), hi = static_cast<char>(u >> 8);
    s += big_endian ? hi : lo;
    s += big_endian ? lo : hi;
  }
  return s;
}

}  // namespace vigil::testing
