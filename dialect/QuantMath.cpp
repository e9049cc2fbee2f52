//===- QuantMath.cpp - scalar rounding of the quantization formats --------===//
//
// The element formats are LLVM's own: llvm::APFloat has OCP FP8 E4M3FN
// (Float8E4M3FN) and MX FP4 E2M1 (Float4E2M1FN), with round-half-even
// conversions from f64, subnormals, and their bit encodings. Only what the
// schemes add on top is written here: saturation to the largest finite value
// (APFloat rounds an overflow to NaN in formats without infinities) and the
// scale formulas. The runtime (runtime/lib/Float.cpp) and the float64
// reference (test/reference/FloatFormats.h) keep independent code.
//
//===----------------------------------------------------------------------===//

#include "dialect/QuantMath.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <cmath>

namespace mlir::rescale::quant_math {

int floorLog2(double v) {
  // Exact for every finite nonzero double, subnormals included.
  return llvm::ilogb(llvm::APFloat(v));
}

/// `v` rounded to nearest-even onto `semantics`, saturating at `maxValue`
/// (keeping v's sign; NaN stays NaN), as an APFloat of that format.
static llvm::APFloat roundSaturating(const llvm::fltSemantics &semantics,
                                     double maxValue, double v) {
  if (!std::isnan(v) && std::fabs(v) >= maxValue)
    v = std::copysign(maxValue, v);
  llvm::APFloat r(v);
  bool losesInfo = false;
  r.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return r;
}

static double toDouble(llvm::APFloat r) {
  bool losesInfo = false;
  r.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo); // exact: every E4M3FN and E2M1 value is a double
  return r.convertToDouble();
}

namespace {

constexpr double kE4M3Max = 448.0;
constexpr double kE2M1Max = 6.0;

} // namespace

double roundToE4M3(double v) {
  return toDouble(roundSaturating(llvm::APFloat::Float8E4M3FN(), kE4M3Max, v));
}
double roundToE2M1(double v) {
  return toDouble(roundSaturating(llvm::APFloat::Float4E2M1FN(), kE2M1Max, v));
}
uint8_t encodeE4M3(double g) {
  return static_cast<uint8_t>(
      roundSaturating(llvm::APFloat::Float8E4M3FN(), kE4M3Max, g)
          .bitcastToAPInt()
          .getZExtValue());
}
uint8_t encodeE2M1(double g) {
  return static_cast<uint8_t>(
      roundSaturating(llvm::APFloat::Float4E2M1FN(), kE2M1Max, g)
          .bitcastToAPInt()
          .getZExtValue());
}

double decodeE4M3(uint8_t bits) {
  return toDouble(
      llvm::APFloat(llvm::APFloat::Float8E4M3FN(), llvm::APInt(8, bits)));
}
double decodeE2M1(uint8_t bits) {
  return toDouble(
      llvm::APFloat(llvm::APFloat::Float4E2M1FN(), llvm::APInt(4, bits & 0xf)));
}
int32_t quantizeInt(double v, double scale, int32_t qmax) {
  double r = std::nearbyint(v / scale);
  if (r > static_cast<double>(qmax))
    r = static_cast<double>(qmax);
  if (r < static_cast<double>(-qmax - 1))
    r = static_cast<double>(-qmax - 1);
  return static_cast<int32_t>(r);
}

double absmaxScale(double amax, double elementMax) {
  return amax == 0.0 ? 1.0 : amax / elementMax;
}

double nvfp4GlobalScale(double amax) {
  // S = amax / (6 * 448): the E2M1 max times the E4M3 max.
  return amax == 0.0 ? 1.0 : amax / (6.0 * 448.0);
}

double nvfp4BlockScale(double blockAmax, double globalScale) {
  if (blockAmax == 0.0)
    return 1.0;
  return roundToE4M3(blockAmax / 6.0 / globalScale);
}

double quantizeNvfp4(double x, double blockScale, double globalScale) {
  if (blockScale == 0.0)
    return 0.0; // x / (0 * S) means nothing: the block is zeros.
  return roundToE2M1(x / (blockScale * globalScale));
}

double mxfp4BlockScale(double amax) {
  if (amax == 0.0)
    return 1.0;
  int e = floorLog2(amax) - 2;
  if (e < -127)
    e = -127;
  if (e > 127)
    e = 127;
  return std::ldexp(1.0, e);
}

double quantizeMxfp4(double x, double blockScale) {
  return roundToE2M1(x / blockScale);
}

} // namespace mlir::rescale::quant_math
