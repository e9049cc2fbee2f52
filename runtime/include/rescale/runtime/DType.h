//===- DType.h - Element types known to the runtime -------------*- C++ -*-===//
//
// The element types of the compiled-module ABI (docs/runtime.md). Names match
// MLIR's spelling of the type ("f32", "bf16", "f8E4M3FN", ...) because the
// manifest is written by the compiler from the MLIR types.
//
// Sub-byte floats (f4E2M1FN) and i1/i4 take one byte per element in host
// tensors and module buffers; only safetensors "U8 (packed FP4)" packs two
// FP4 values per byte (see Fp4Packing in Safetensors.h).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_DTYPE_H
#define RESCALE_RUNTIME_DTYPE_H

#include "rescale/runtime/Export.h"
#include "rescale/runtime/Status.h"

#include <cstddef>
#include <string_view>

namespace rescale::runtime {

enum class DType {
  F32,
  F64,
  F16,
  BF16,
  I1,
  I4,
  I8,
  I32,
  I64,
  U8,
  U16,
  F8E4M3FN,
  F8E8M0FNU,
  F4E2M1FN,
};

/// Bytes per element in host memory and in module buffers.
RESCALE_RUNTIME_API size_t dtypeByteSize(DType dtype);

/// The MLIR spelling: "f32", "bf16", "f8E4M3FN", "u8" (MLIR's ui8), ...
RESCALE_RUNTIME_API std::string_view dtypeName(DType dtype);

/// Inverse of dtypeName; also accepts "ui8"/"ui16" for u8/u16. Unknown -> error
/// naming it.
RESCALE_RUNTIME_API Expected<DType> parseDType(std::string_view name);

RESCALE_RUNTIME_API bool isFloatDType(DType dtype);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_DTYPE_H
