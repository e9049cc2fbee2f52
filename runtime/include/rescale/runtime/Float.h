//===- Float.h - Scalar conversions between f32 and 16-bit floats -*- C++
//-*-===//
//
// Bit-level conversions, independent of the host compiler's _Float16/__bf16
// support. f32 -> 16-bit rounds to nearest, ties to even; NaN stays NaN
// (quiet, sign kept); overflow goes to infinity as IEEE requires.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_RUNTIME_FLOAT_H
#define RESCALE_RUNTIME_FLOAT_H

#include "rescale/runtime/Export.h"

#include <cstdint>

namespace rescale::runtime {

RESCALE_RUNTIME_API uint16_t f32ToBf16(float value);
RESCALE_RUNTIME_API float bf16ToF32(uint16_t bits);
RESCALE_RUNTIME_API uint16_t f32ToF16(float value);
RESCALE_RUNTIME_API float f16ToF32(uint16_t bits);

/// OCP FP8 E4M3FN (no infinities, max 448, NaN = S.1111.111): decode only;
/// the quantizing encode lives in the compiler (dialect/QuantMath).
RESCALE_RUNTIME_API float f8E4M3FNToF32(uint8_t bits);
/// OCP FP4 E2M1 (values 0, 0.5, 1, 1.5, 2, 3, 4, 6 with sign): decode only.
RESCALE_RUNTIME_API float f4E2M1FNToF32(uint8_t bits);
/// OCP E8M0 scale (2^(bits-127), 0xFF = NaN): decode only.
RESCALE_RUNTIME_API float f8E8M0FNUToF32(uint8_t bits);

} // namespace rescale::runtime

#endif // RESCALE_RUNTIME_FLOAT_H
