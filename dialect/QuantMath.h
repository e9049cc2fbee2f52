//===- QuantMath.h - scalar rounding of the quantization formats -*- C++
//-*-===//
//
// Scalar forms of the element formats and scale formulas of #rescale.quant,
// on llvm::APFloat's Float8E4M3FN and Float4E2M1FN (QuantMath.cpp).
// They follow the numerics contract of the linalg decomposition: quantization
// math is done in f64 in the formulas' literal operation order, rounding is
// round-half-even, and only the final value is converted to its storage type.
// Passes use these to quantize constant weights at compile time, and the unit
// tests pin them down, so folded constants and run-time quantization agree bit
// for bit. An f32 argument converts to double exactly.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_DIALECT_QUANTMATH_H
#define RESCALE_DIALECT_QUANTMATH_H

#include <cstdint>

namespace mlir::rescale::quant_math {

/// floor(log2(|v|)) for finite v != 0, exact (read off the exponent bits),
/// including subnormals (down to -1074).
int floorLog2(double v);

/// Round v to the saturating E4M3FN grid (max 448), to nearest-even. Keeps the
/// sign of v (so -0 stays -0); NaN stays NaN; ±inf saturates to ±448.
double roundToE4M3(double v);
/// Round v to the saturating E2M1 grid {0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6}, to
/// nearest-even.
double roundToE2M1(double v);

/// Bit patterns of values already on the grid (the results of roundTo*).
uint8_t encodeE4M3(double gridValue);
uint8_t encodeE2M1(double gridValue);
/// The value of a bit pattern. E4M3FN 0x7f/0xff are NaN; E2M1 uses the low
/// four bits.
double decodeE4M3(uint8_t bits);
double decodeE2M1(uint8_t bits);

/// Symmetric integer quantization with round-to-nearest-even:
/// clamp(roundeven(v / s), -qmax - 1, qmax).
int32_t quantizeInt(double v, double scale, int32_t qmax);

/// The per-group scale of an integer or fp8 scheme: amax / elementMax, or 1
/// when amax is 0.
double absmaxScale(double amax, double elementMax);

/// NVFP4's second-level scale S = amax / (6 * 448), or 1 when amax is 0.
double nvfp4GlobalScale(double amax);
/// NVFP4's block scale s_b = e4m3_rne(amax_b / 6 / S), or 1 when amax_b is 0.
/// It is 0 when amax_b / 6 / S is below half of E4M3's smallest subnormal
/// (2^-10): a block far smaller than the tensor's outlier.
double nvfp4BlockScale(double blockAmax, double globalScale);
/// An NVFP4 element: e2m1_rne_sat(x / (s_b * S)), and 0 in a block whose
/// scale s_b rounded to 0 (the whole block quantizes to zeros).
double quantizeNvfp4(double x, double blockScale, double globalScale);

/// MXFP4's E8M0 block scale: 2^(floor(log2 amax) - 2), or 1 when amax is 0;
/// the exponent is clamped to E8M0's range [-127, 127].
double mxfp4BlockScale(double amax);
/// An MXFP4 element: e2m1_rne_sat(x / scale).
double quantizeMxfp4(double x, double blockScale);

} // namespace mlir::rescale::quant_math

#endif // RESCALE_DIALECT_QUANTMATH_H
