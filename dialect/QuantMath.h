//===- QuantMath.h - scalar rounding of the quantization formats -*- C++ -*-===//
//
// Scalar forms of the element formats used by #rescale.quant, in the exact f32
// arithmetic that the linalg decomposition emits. Passes use them to quantize
// constant weights at compile time (storage=real), so folded constants and
// run-time quantization agree bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_DIALECT_QUANTMATH_H
#define RESCALE_DIALECT_QUANTMATH_H

#include <cstdint>

namespace mlir::rescale::quant_math {

/// floor(log2(|v|)) for finite v != 0, exact (read off the exponent bits).
int floorLog2(float v);

/// Round |v| to the saturating E4M3FN grid (max 448), to nearest-even.
/// Keeps the sign of v.
float roundToE4M3(float v);
/// Round v to the saturating E2M1 grid {0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6}.
float roundToE2M1(float v);
/// Bit patterns of already-rounded grid values.
uint8_t encodeE4M3(float gridValue);
uint8_t encodeE2M1(float gridValue);
float decodeE4M3(uint8_t bits);
float decodeE2M1(uint8_t bits);

/// Symmetric integer quantization with round-to-nearest-even:
/// clamp(roundeven(v / s), -qmax - 1, qmax).
int32_t quantizeInt(float v, float scale, int32_t qmax);

/// The per-group scale of an integer or fp8 scheme: amax / qmax, or 1 when
/// amax is 0.
float absmaxScale(float amax, float elementMax);

/// MXFP4's E8M0 block scale: 2^(floor(log2 amax) - 2), or 1 when amax is 0.
float mxfp4BlockScale(float amax);

} // namespace mlir::rescale::quant_math

#endif // RESCALE_DIALECT_QUANTMATH_H
