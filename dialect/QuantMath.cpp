//===- QuantMath.cpp - scalar rounding of the quantization formats --------===//

#include "dialect/QuantMath.h"

#include <cmath>
#include <cstring>

namespace mlir::rescale::quant_math {

int floorLog2(float v) {
  float a = std::fabs(v);
  int bias = 0;
  // Subnormal f32: scale into the normal range first (exact).
  if (a < 0x1p-126f) {
    a *= 0x1p64f;
    bias = 64;
  }
  uint32_t bits;
  std::memcpy(&bits, &a, sizeof(bits));
  return static_cast<int>((bits >> 23) & 0xff) - 127 - bias;
}

// Round |v| onto a float grid with `mantissaBits` explicit mantissa bits and
// minimum normal exponent `minExp`, saturating at `maxValue`. The quantum at
// exponent e is 2^(max(e, minExp) - mantissaBits); dividing by a power of two,
// rounding to an integer and multiplying back are all exact in f32.
static float roundToGrid(float v, int mantissaBits, int minExp,
                         float maxValue) {
  if (std::isnan(v))
    return v;
  float a = std::fabs(v);
  if (a == 0.0f)
    return v;
  if (a >= maxValue)
    return std::copysign(maxValue, v);
  int e = floorLog2(a);
  if (e < minExp)
    e = minExp;
  float quantum = std::ldexp(1.0f, e - mantissaBits);
  float r = std::nearbyint(a / quantum) * quantum; // default mode: RNE
  if (r > maxValue)
    r = maxValue;
  return std::copysign(r, v);
}

float roundToE4M3(float v) { return roundToGrid(v, 3, -6, 448.0f); }
float roundToE2M1(float v) { return roundToGrid(v, 1, 0, 6.0f); }

static uint8_t encodeGrid(float g, int mantissaBits, int bias, int minExp) {
  uint8_t sign = std::signbit(g) ? 1 : 0;
  float a = std::fabs(g);
  int expBits = mantissaBits == 3 ? 4 : 2;
  uint8_t code;
  if (a == 0.0f) {
    code = 0;
  } else {
    int e = floorLog2(a);
    if (e < minExp) { // subnormal
      code = static_cast<uint8_t>(a / std::ldexp(1.0f, minExp - mantissaBits));
    } else {
      int mant = static_cast<int>(a / std::ldexp(1.0f, e - mantissaBits)) -
                 (1 << mantissaBits);
      code = static_cast<uint8_t>(((e + bias) << mantissaBits) | mant);
    }
  }
  return static_cast<uint8_t>((sign << (expBits + mantissaBits)) | code);
}

static float decodeGrid(uint8_t bits, int mantissaBits, int expBits,
                        int bias) {
  int sign = (bits >> (expBits + mantissaBits)) & 1;
  int e = (bits >> mantissaBits) & ((1 << expBits) - 1);
  int m = bits & ((1 << mantissaBits) - 1);
  float a = e == 0 ? std::ldexp(static_cast<float>(m), 1 - bias - mantissaBits)
                   : std::ldexp(static_cast<float>((1 << mantissaBits) | m),
                                e - bias - mantissaBits);
  return sign ? -a : a;
}

uint8_t encodeE4M3(float g) { return encodeGrid(g, 3, 7, -6); }
uint8_t encodeE2M1(float g) { return encodeGrid(g, 1, 1, 0); }
float decodeE4M3(uint8_t bits) {
  if ((bits & 0x7f) == 0x7f)
    return NAN;
  return decodeGrid(bits, 3, 4, 7);
}
float decodeE2M1(uint8_t bits) { return decodeGrid(bits & 0xf, 1, 2, 1); }

int32_t quantizeInt(float v, float scale, int32_t qmax) {
  float r = std::nearbyint(v / scale);
  if (r > static_cast<float>(qmax))
    r = static_cast<float>(qmax);
  if (r < static_cast<float>(-qmax - 1))
    r = static_cast<float>(-qmax - 1);
  return static_cast<int32_t>(r);
}

float absmaxScale(float amax, float elementMax) {
  return amax == 0.0f ? 1.0f : amax / elementMax;
}

float mxfp4BlockScale(float amax) {
  if (amax == 0.0f)
    return 1.0f;
  int e = floorLog2(amax) - 2;
  if (e < -127)
    e = -127;
  if (e > 127)
    e = 127;
  return std::ldexp(1.0f, e);
}

} // namespace mlir::rescale::quant_math
