//===- Sha256.h - SHA-256 digests -------------------------------*- C++ -*-===//
//
// The manifest records the SHA-256 of the module file it was written for
// ("module_sha256"), and Module::load refuses a module that does not match
// (docs/runtime.md).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_SHA256_H
#define RESCALE_RUNTIME_SHA256_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rescale::runtime {

/// Incremental SHA-256.
class Sha256 {
public:
  RESCALE_RUNTIME_API Sha256();
  RESCALE_RUNTIME_API void update(const uint8_t *data, size_t size);
  /// 64 lowercase hex digits; ends the computation.
  RESCALE_RUNTIME_API std::string hexDigest();

private:
  void block(const uint8_t *p);
  uint32_t state_[8];
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

/// SHA-256 of a byte string, as 64 lowercase hex digits.
RESCALE_RUNTIME_API std::string sha256Hex(const uint8_t *data, size_t size);
/// SHA-256 of a file's bytes, or "cannot open 'p': ...".
RESCALE_RUNTIME_API Expected<std::string> fileSha256(const std::string &path);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_SHA256_H
