//===- FloatFormats.cpp - float64 models of the narrow float formats ------===//

#include "FloatFormats.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace rescale_ref {

// binary32: 23 fraction bits, emin = -126, max = (2 - 2^-23) * 2^127.
const FloatGrid kF32Grid = {23, -126,
                            std::ldexp(2.0 - std::ldexp(1.0, -23), 127), false};
// binary16: 10 fraction bits, emin = -14, max = 65504.
const FloatGrid kF16Grid = {10, -14, 65504.0, false};
// bfloat16: 7 fraction bits, the f32 exponent range.
const FloatGrid kBF16Grid = {7, -126,
                             std::ldexp(2.0 - std::ldexp(1.0, -7), 127), false};
// E4M3FN: 3 fraction bits, bias 7 (emin = -6), no infinities, max 1.75 * 2^8.
const FloatGrid kE4M3Grid = {3, -6, 448.0, true};
// E2M1: 1 fraction bit, bias 1 (emin = 0): {0, 0.5, 1, 1.5, 2, 3, 4, 6}.
const FloatGrid kE2M1Grid = {1, 0, 6.0, true};

double roundToGrid(double v, const FloatGrid &grid) {
  if (std::isnan(v))
    return v;
  double a = std::fabs(v);
  if (a == 0.0)
    return v;
  double r;
  if (std::isinf(a)) {
    r = a;
  } else {
    // The quantum (spacing of the grid) at |v|: 2^(e - mantissaBits), where
    // e = floor(log2 |v|) but never below the smallest normal exponent.
    int e;
    std::frexp(a, &e); // a = f * 2^e with f in [0.5, 1)
    e -= 1;
    if (e < grid.minExponent)
      e = grid.minExponent;
    int qexp = e - grid.mantissaBits;
    r = std::ldexp(std::nearbyint(std::ldexp(a, -qexp)), qexp);
  }
  if (r > grid.maxFinite)
    r = grid.saturate ? grid.maxFinite
                      : std::numeric_limits<double>::infinity();
  return std::copysign(r, v);
}

double roundToF32(double v) { return roundToGrid(v, kF32Grid); }
double roundToF16(double v) { return roundToGrid(v, kF16Grid); }
double roundToBF16(double v) { return roundToGrid(v, kBF16Grid); }
double roundToE4M3(double v) { return roundToGrid(v, kE4M3Grid); }
double roundToE2M1(double v) { return roundToGrid(v, kE2M1Grid); }

namespace {
struct DTypeName {
  DType type;
  const char *name;
};
const DTypeName kNames[] = {
    {DType::f32, "f32"},
    {DType::f64, "f64"},
    {DType::f16, "f16"},
    {DType::bf16, "bf16"},
    {DType::i4, "i4"},
    {DType::i8, "i8"},
    {DType::i32, "i32"},
    {DType::i64, "i64"},
    {DType::f8E4M3FN, "f8E4M3FN"},
    {DType::f4E2M1FN, "f4E2M1FN"},
    {DType::f8E8M0FNU, "f8E8M0FNU"},
};
} // namespace

DType parseDType(const std::string &name, bool *ok) {
  for (const DTypeName &n : kNames)
    if (name == n.name) {
      if (ok)
        *ok = true;
      return n.type;
    }
  if (ok)
    *ok = false;
  return DType::f32;
}

const char *dtypeName(DType t) {
  for (const DTypeName &n : kNames)
    if (n.type == t)
      return n.name;
  return "?";
}

bool isIntegerDType(DType t) {
  return t == DType::i4 || t == DType::i8 || t == DType::i32 || t == DType::i64;
}

double roundTo(DType t, double v) {
  switch (t) {
  case DType::f32:
    return roundToF32(v);
  case DType::f16:
    return roundToF16(v);
  case DType::bf16:
    return roundToBF16(v);
  case DType::f8E4M3FN:
    return roundToE4M3(v);
  case DType::f4E2M1FN:
    return roundToE2M1(v);
  default:
    return v;
  }
}

double decodeE4M3(uint8_t bits) {
  int sign = bits >> 7, exp = (bits >> 3) & 0xF, man = bits & 0x7;
  if (exp == 0xF && man == 0x7)
    return std::numeric_limits<double>::quiet_NaN();
  double mag = exp == 0 ? std::ldexp(man, -9) // subnormal: m * 2^(1-7-3)
                        : std::ldexp(8 + man, exp - 7 - 3);
  return sign ? -mag : mag;
}

double decodeE2M1(uint8_t bits) {
  int sign = (bits >> 3) & 1, exp = (bits >> 1) & 0x3, man = bits & 1;
  double mag = exp == 0 ? 0.5 * man : std::ldexp(2 + man, exp - 1 - 1);
  return sign ? -mag : mag;
}

double decodeE8M0(uint8_t bits) {
  if (bits == 0xFF)
    return std::numeric_limits<double>::quiet_NaN();
  return std::ldexp(1.0, int(bits) - 127);
}

double decodeF16(uint16_t bits) {
  int sign = bits >> 15, exp = (bits >> 10) & 0x1F, man = bits & 0x3FF;
  double mag;
  if (exp == 0x1F)
    mag = man ? std::numeric_limits<double>::quiet_NaN()
              : std::numeric_limits<double>::infinity();
  else if (exp == 0)
    mag = std::ldexp(man, -24);
  else
    mag = std::ldexp(1024 + man, exp - 15 - 10);
  return sign ? -mag : mag;
}

uint16_t encodeF16(double v) {
  uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  if (std::isnan(v))
    return 0x7E00;
  double a = std::fabs(roundToF16(v));
  if (std::isinf(a))
    return sign | 0x7C00;
  if (a == 0.0)
    return sign;
  int e;
  std::frexp(a, &e);
  e -= 1;      // a = 1.f * 2^e
  if (e < -14) // subnormal: a = m * 2^-24
    return sign | uint16_t(std::ldexp(a, 24));
  uint16_t man = uint16_t(std::ldexp(a, 10 - e) - 1024);
  return sign | uint16_t((e + 15) << 10) | man;
}

} // namespace rescale_ref
