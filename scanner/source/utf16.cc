// Utf16Decoder (utf16.h) over glibc's iconv.
#include "scanner/source/utf16.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil {

namespace {

const iconv_t kNoConverter = reinterpret_cast<iconv_t>(-1);  // iconv_open's failure

}  // namespace

Utf16Decoder::~Utf16Decoder() {
  for (void* cd : cd_)
    if (cd) iconv_close(static_cast<iconv_t>(cd));
}

bool Utf16Decoder::Decode(std::string_view data, std::string* out) {
  if (data.size() < 2) return false;
  if (!std::memchr(data.data(), '\0', std::min<size_t>(data.size(), 8192))) return false;
  auto b0 = static_cast<unsigned char>(data[0]), b1 = static_cast<unsigned char>(data[1]);
  int which;
  if (b0 == 0xFF && b1 == 0xFE) {
    which = 0;
  } else if (b0 == 0xFE && b1 == 0xFF) {
    which = 1;
  } else {
    return false;
  }
  if (!cd_[which]) {
    iconv_t opened = iconv_open("UTF-8", which == 0 ? "UTF-16LE" : "UTF-16BE");
    if (opened == kNoConverter) return false;  // no converter: scanned as bytes
    cd_[which] = opened;
  }
  auto cd = static_cast<iconv_t>(cd_[which]);
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial state
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  // Each 2-byte unit gives at most 3 bytes (a replaced one too); a
  // surrogate pair gives 4 from 4.
  out->resize((data.size() - 2) / 2 * 3 + kReplacement.size() + 16);
  char* in = const_cast<char*>(data.data()) + 2;  // iconv's API is not const
  size_t in_left = data.size() - 2;
  char* dst = out->data();
  size_t dst_left = out->size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &dst_left) != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {  // not expected with the bound above; grow anyway
      size_t used = out->size() - dst_left;
      out->resize(out->size() * 2 + 64);
      dst = out->data() + used;
      dst_left = out->size() - used;
      continue;
    }
    // EILSEQ (invalid unit) or EINVAL (truncated at the end): replace one
    // unit, or the odd trailing byte, and go on.
    if (dst_left < kReplacement.size()) {
      size_t used = out->size() - dst_left;
      out->resize(out->size() + 64);
      dst = out->data() + used;
      dst_left = out->size() - used;
    }
    std::memcpy(dst, kReplacement.data(), kReplacement.size());
    dst += kReplacement.size();
    dst_left -= kReplacement.size();
    size_t skip = std::min<size_t>(in_left, 2);
    in += skip;
    in_left -= skip;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out->resize(out->size() - dst_left);
  return true;
}

}  // namespace vigil
