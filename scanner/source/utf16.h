// UTF-16 text with a byte-order mark, decoded to UTF-8 for the inspectors.
// Every source that hands bytes to the pipeline (the working tree and stdin
// in working_tree.cc, git blobs in git_repo.cc's BlobReader for history,
// range and staged scans) decodes through this one class, so a UTF-16 file
// is scanned the same way wherever it comes from (docs/hardening.md, Limits).
//
// Thread safety: not thread-safe; one decoder per reader, and a reader is
// used by one thread. Uses glibc's iconv (no iconv type in this header).
#pragma once

#include <string>
#include <string_view>

namespace vigil {

class Utf16Decoder {
 public:
  Utf16Decoder() = default;
  Utf16Decoder(const Utf16Decoder&) = delete;
  Utf16Decoder& operator=(const Utf16Decoder&) = delete;
  ~Utf16Decoder();

  // If `data` starts with a UTF-16 BOM (FF FE little-endian, FE FF
  // big-endian) and has a NUL byte in its first 8 KiB (so it would otherwise
  // be skipped as binary; UTF-16 of any ASCII text, secrets included, has
  // them), writes it to *out as UTF-8 without the BOM and returns true.
  // Invalid input (an unpaired surrogate, an odd trailing byte) becomes
  // U+FFFD and decoding goes on. Returns false (out untouched) otherwise: a
  // text that merely starts with FF FE is scanned as the bytes it is.
  bool Decode(std::string_view data, std::string* out);

 private:
  // iconv_t converters (UTF-16LE, UTF-16BE to UTF-8), opened on first use;
  // nullptr: not opened yet.
  void* cd_[2] = {nullptr, nullptr};
};

}  // namespace vigil
