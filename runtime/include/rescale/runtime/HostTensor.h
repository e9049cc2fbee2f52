//===- HostTensor.h - A dense row-major tensor in host memory ---*- C++ -*-===//
#ifndef RESCALE_RUNTIME_HOSTTENSOR_H
#define RESCALE_RUNTIME_HOSTTENSOR_H

#include "rescale/runtime/DType.h"
#include "rescale/runtime/Export.h"
#include "rescale/runtime/Status.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace rescale::runtime {

/// Number of elements of `shape`; error on a negative dimension or overflow
/// past 2^62 elements (so that untrusted headers cannot wrap sizes around).
RESCALE_RUNTIME_API Expected<int64_t>
checkedNumElements(const std::vector<int64_t> &shape);

/// "[2,3,4]" for messages and tools.
RESCALE_RUNTIME_API std::string formatShape(const std::vector<int64_t> &shape);

/// A dense, contiguous, row-major tensor. The buffer is 64-byte aligned (so
/// compiled code may use aligned vector loads) and owned by the tensor.
class HostTensor {
public:
  HostTensor() = default;

  /// Zero-filled tensor. Fails if the shape is invalid or too large.
  RESCALE_RUNTIME_API static Expected<HostTensor>
  create(DType dtype, std::vector<int64_t> shape);
  /// Copies `size` bytes from `data`; size must equal numBytes of the shape.
  RESCALE_RUNTIME_API static Expected<HostTensor>
  fromBytes(DType dtype, std::vector<int64_t> shape, const void *data,
            size_t size);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return numElements_; }
  size_t numBytes() const { return numBytes_; }

  uint8_t *data() { return data_.get(); }
  const uint8_t *data() const { return data_.get(); }
  template <typename T> T *dataAs() { return reinterpret_cast<T *>(data()); }
  template <typename T> const T *dataAs() const {
    return reinterpret_cast<const T *>(data());
  }

  /// Fill with a poison pattern (NaN for floats, 0xA5 bytes otherwise) so
  /// that an output the module forgot to write is visible.
  RESCALE_RUNTIME_API void poison();

  RESCALE_RUNTIME_API HostTensor clone() const;

  /// "f32[2,3]".
  RESCALE_RUNTIME_API std::string typeString() const;

private:
  struct Free {
    // Called from HostTensor's implicit (inline) destructor in the caller.
    RESCALE_RUNTIME_API void operator()(uint8_t *p) const;
  };
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  size_t numBytes_ = 0;
  std::unique_ptr<uint8_t[], Free> data_;
};

/// Element-type conversions used at the file boundary: bf16 tensors are read
/// from and written to f32 files (round-to-nearest-even on the way in).
/// Supported: any of f32/f64/f16/bf16 to any other, and identity.
RESCALE_RUNTIME_API Expected<HostTensor> convertTensor(const HostTensor &src,
                                                       DType to);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_HOSTTENSOR_H
