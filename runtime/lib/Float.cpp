//===- Float.cpp - Scalar conversions between f32 and small floats -------===//
#include "rescale/runtime/Float.h"

#include <cmath>
#include <cstring>

namespace rescale::runtime {

static uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
static float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t f32ToBf16(float value) {
  uint32_t u = bitsOf(value);
  if ((u & 0x7fffffffu) > 0x7f800000u) // NaN: keep sign, force quiet
    return static_cast<uint16_t>((u >> 16) | 0x0040u);
  // Round to nearest even on the 16 dropped bits. Overflow to infinity falls
  // out of the carry into the exponent.
  uint32_t lsb = (u >> 16) & 1u;
  u += 0x7fffu + lsb;
  return static_cast<uint16_t>(u >> 16);
}

float bf16ToF32(uint16_t bits) { return floatOf(uint32_t(bits) << 16); }

uint16_t f32ToF16(float value) {
  uint32_t u = bitsOf(value);
  uint32_t sign = (u >> 16) & 0x8000u;
  uint32_t absU = u & 0x7fffffffu;
  if (absU > 0x7f800000u) // NaN
    return static_cast<uint16_t>(sign | 0x7e00u | ((absU >> 13) & 0x3ffu));
  if (absU >= 0x477ff000u) // >= 65520 rounds to infinity (and inf itself)
    return static_cast<uint16_t>(sign | 0x7c00u);
  int32_t exp = int32_t(absU >> 23) - 127;
  if (exp >= -14) {
    // Normal half: 10 mantissa bits kept, 13 dropped, RNE.
    uint32_t mant = absU & 0x7fffffu;
    uint32_t h = (uint32_t(exp + 15) << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
      ++h; // a carry into the exponent is the correct rounding
    return static_cast<uint16_t>(sign | h);
  }
  if (exp < -25) // below half the smallest subnormal: +-0
    return static_cast<uint16_t>(sign);
  // Subnormal half: value = m * 2^-24 with m = full mantissa >> shift.
  uint32_t mant = (absU & 0x7fffffu) | 0x800000u;
  uint32_t shift = uint32_t(-exp - 14 + 13); // 14..24
  uint32_t h = mant >> shift;
  uint32_t rest = mant & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u)))
    ++h;
  return static_cast<uint16_t>(sign | h);
}

float f16ToF32(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1fu;
  uint32_t mant = bits & 0x3ffu;
  if (exp == 0x1f) // inf / NaN
    return floatOf(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) { // zero / subnormal: exact in f32
    float v = std::ldexp(float(mant), -24);
    return sign ? -v : v;
  }
  return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
}

float f8E4M3FNToF32(uint8_t bits) {
  float sign = (bits & 0x80) ? -1.0f : 1.0f;
  int exp = (bits >> 3) & 0xf;
  int mant = bits & 0x7;
  if (exp == 0xf && mant == 0x7)
    return std::nanf("");
  if (exp == 0)
    return sign * std::ldexp(float(mant), -9); // subnormal: m/8 * 2^-6
  return sign * std::ldexp(1.0f + float(mant) / 8.0f, exp - 7);
}

float f4E2M1FNToF32(uint8_t bits) {
  static const float kValues[8] = {0.0f, 0.5f, 1.0f, 1.5f,
                                   2.0f, 3.0f, 4.0f, 6.0f};
  float v = kValues[bits & 0x7];
  return (bits & 0x8) ? -v : v;
}

float f8E8M0FNUToF32(uint8_t bits) {
  if (bits == 0xff)
    return std::nanf("");
  return std::ldexp(1.0f, int(bits) - 127);
}

} // namespace rescale::runtime
