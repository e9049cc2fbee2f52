//===- FloatFormats.h - float64 models of the narrow float formats -*- C++
//-*-===//
//
// Part of the independent float64 reference (test/reference). Written from
// the format definitions (IEEE 754 binary16/bfloat16/binary32, OCP FP8
// E4M3FN, OCP MX E2M1 and E8M0); it shares no code with dialect/ or
// conversion/, so that a bug there cannot hide in both.
//
// Every rounding here is round-to-nearest, ties-to-even, done exactly in
// f64 arithmetic: dividing by a power of two is exact, and std::nearbyint in
// the default rounding mode rounds half to even.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TEST_REFERENCE_FLOATFORMATS_H
#define RESCALE_TEST_REFERENCE_FLOATFORMATS_H

#include <cstdint>
#include <string>

namespace rescale_ref {

/// A binary floating-point grid: `mantissaBits` explicit fraction bits,
/// smallest normal exponent `minExponent` (below it the grid is subnormal
/// with a fixed quantum), largest finite value `maxFinite`. `saturate`
/// clamps overflow to ±maxFinite (the FN formats, as the schemes specify);
/// otherwise overflow becomes ±inf (IEEE).
struct FloatGrid {
  int mantissaBits;
  int minExponent;
  double maxFinite;
  bool saturate;
};

extern const FloatGrid kF32Grid;
extern const FloatGrid kF16Grid;
extern const FloatGrid kBF16Grid;
extern const FloatGrid kE4M3Grid; // OCP FP8 E4M3FN, saturating, max 448
extern const FloatGrid kE2M1Grid; // OCP FP4 E2M1, saturating, max 6

/// Round `v` to the nearest value of `grid`, ties to even. NaN stays NaN.
double roundToGrid(double v, const FloatGrid &grid);

double roundToF32(double v);
double roundToF16(double v);
double roundToBF16(double v);
double roundToE4M3(double v);
double roundToE2M1(double v);

/// Element types the reference knows, named as in MLIR.
enum class DType {
  f32,
  f64,
  f16,
  bf16,
  i4,
  i8,
  i32,
  i64,
  f8E4M3FN,
  f4E2M1FN,
  f8E8M0FNU
};
DType parseDType(const std::string &name, bool *ok = nullptr);
const char *dtypeName(DType t);
/// Round a value to what an element of type `t` holds (integers: exact
/// integers are returned unchanged).
double roundTo(DType t, double v);
bool isIntegerDType(DType t);

/// Decoders for raw bytes of the narrow formats (one byte per element).
double decodeE4M3(uint8_t bits);
double decodeE2M1(uint8_t bits);
double decodeE8M0(uint8_t bits);
/// IEEE binary16 <-> f64 (encode rounds to nearest even).
double decodeF16(uint16_t bits);
uint16_t encodeF16(double v);

} // namespace rescale_ref

#endif // RESCALE_TEST_REFERENCE_FLOATFORMATS_H
