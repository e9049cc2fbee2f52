//===- QuantMath.cpp - scalar rounding of the quantization formats --------===//

#include "dialect/QuantMath.h"

#include <cmath>
#include <cstring>

namespace mlir::rescale::quant_math {

int floorLog2(double v) {
  double a = std::fabs(v);
  int bias = 0;
  // Subnormal f64: scale into the normal range first (exact).
  if (a < 0x1p-1022) {
    a *= 0x1p64;
    bias = 64;
  }
  uint64_t bits;
  std::memcpy(&bits, &a, sizeof(bits));
  return static_cast<int>((bits >> 52) & 0x7ff) - 1023 - bias;
}

namespace {
/// A small float format: `mantissaBits` explicit mantissa bits, exponent bias
/// `bias`, largest finite value `maxValue`. The minimum normal exponent is
/// 1 - bias; below it values are subnormal with the same quantum.
struct MiniFloat {
  int mantissaBits;
  int exponentBits;
  int bias;
  double maxValue;

  int minExp() const { return 1 - bias; }

  /// Round |v| onto the grid, saturating. The quantum at exponent e is
  /// 2^(max(e, minExp) - mantissaBits); dividing by a power of two, rounding
  /// to an integer and multiplying back are all exact in f64.
  double round(double v) const {
    if (std::isnan(v))
      return v;
    double a = std::fabs(v);
    if (a == 0.0)
      return v;
    if (a >= maxValue)
      return std::copysign(maxValue, v);
    int e = floorLog2(a);
    if (e < minExp())
      e = minExp();
    double quantum = std::ldexp(1.0, e - mantissaBits);
    double r = std::nearbyint(a / quantum) * quantum; // default mode: RNE
    if (r > maxValue)
      r = maxValue;
    return std::copysign(r, v);
  }

  uint8_t encode(double g) const {
    uint8_t sign = std::signbit(g) ? 1 : 0;
    double a = std::fabs(g);
    uint8_t code = 0;
    if (a != 0.0) {
      int e = floorLog2(a);
      if (e < minExp()) { // subnormal: the mantissa counts quanta
        code =
            static_cast<uint8_t>(a / std::ldexp(1.0, minExp() - mantissaBits));
      } else {
        int mant = static_cast<int>(a / std::ldexp(1.0, e - mantissaBits)) -
                   (1 << mantissaBits);
        code = static_cast<uint8_t>(((e + bias) << mantissaBits) | mant);
      }
    }
    return static_cast<uint8_t>((sign << (exponentBits + mantissaBits)) | code);
  }

  double decode(uint8_t bits) const {
    int sign = (bits >> (exponentBits + mantissaBits)) & 1;
    int e = (bits >> mantissaBits) & ((1 << exponentBits) - 1);
    int m = bits & ((1 << mantissaBits) - 1);
    double a = e == 0
                   ? std::ldexp(static_cast<double>(m), minExp() - mantissaBits)
                   : std::ldexp(static_cast<double>((1 << mantissaBits) | m),
                                e - bias - mantissaBits);
    return sign ? -a : a;
  }
};

constexpr MiniFloat kE4M3{/*mantissaBits=*/3, /*exponentBits=*/4, /*bias=*/7,
                          /*maxValue=*/448.0};
constexpr MiniFloat kE2M1{/*mantissaBits=*/1, /*exponentBits=*/2, /*bias=*/1,
                          /*maxValue=*/6.0};
} // namespace

double roundToE4M3(double v) { return kE4M3.round(v); }
double roundToE2M1(double v) { return kE2M1.round(v); }
uint8_t encodeE4M3(double g) { return kE4M3.encode(g); }
uint8_t encodeE2M1(double g) { return kE2M1.encode(g); }

double decodeE4M3(uint8_t bits) {
  if ((bits & 0x7f) == 0x7f)
    return NAN;
  return kE4M3.decode(bits);
}
double decodeE2M1(uint8_t bits) { return kE2M1.decode(bits & 0xf); }

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
