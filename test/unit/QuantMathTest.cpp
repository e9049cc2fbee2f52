//===- QuantMathTest.cpp - scalar rounding of the quantization formats ----===//
//
// Pins down QuantMath: round-half-even onto the E4M3FN and E2M1 grids
// (including ties, subnormals and saturation), the bit encodings, integer
// quantization, the scale formulas, and floorLog2 down to subnormals; and
// both grids against a brute-force nearest-value search written from the
// format definitions.
//
//===----------------------------------------------------------------------===//

#include "dialect/QuantMath.h"

#include "gtest/gtest.h"

#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

using namespace mlir::rescale::quant_math;

/// Equal as doubles and with the same sign (so -0 != +0).
static ::testing::AssertionResult sameValue(double expected, double actual) {
  if (expected == actual && std::signbit(expected) == std::signbit(actual))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << expected << ", got " << actual;
}

//===----------------------------------------------------------------------===//
// floorLog2
//===----------------------------------------------------------------------===//

namespace {

TEST(QuantMathFloorLog2, NormalNumbers) {
  EXPECT_EQ(floorLog2(1.0), 0);
  EXPECT_EQ(floorLog2(1.5), 0);
  EXPECT_EQ(floorLog2(1.9999999), 0);
  EXPECT_EQ(floorLog2(2.0), 1);
  EXPECT_EQ(floorLog2(0.75), -1);
  EXPECT_EQ(floorLog2(0.5), -1);
  EXPECT_EQ(floorLog2(448.0), 8);
  EXPECT_EQ(floorLog2(-4.0), 2); // the sign is ignored
  EXPECT_EQ(floorLog2(0.1), -4);
  EXPECT_EQ(floorLog2(FLT_MAX), 127);
  EXPECT_EQ(floorLog2(DBL_MAX), 1023);
}

TEST(QuantMathFloorLog2, F32Subnormals) {
  // f32 subnormals are normal doubles, but they are what f32 inputs produce.
  EXPECT_EQ(floorLog2(static_cast<double>(FLT_MIN)), -126);
  EXPECT_EQ(
      floorLog2(static_cast<double>(std::numeric_limits<float>::denorm_min())),
      -149);
  EXPECT_EQ(floorLog2(static_cast<double>(
                3 * std::numeric_limits<float>::denorm_min())),
            -148);
  EXPECT_EQ(floorLog2(static_cast<double>(
                FLT_MIN - std::numeric_limits<float>::denorm_min())),
            -127);
}

TEST(QuantMathFloorLog2, F64Subnormals) {
  EXPECT_EQ(floorLog2(DBL_MIN), -1022);
  EXPECT_EQ(floorLog2(std::numeric_limits<double>::denorm_min()), -1074);
  EXPECT_EQ(floorLog2(0x1.8p-1070), -1070);
  EXPECT_EQ(floorLog2(DBL_MIN - std::numeric_limits<double>::denorm_min()),
            -1023);
  EXPECT_EQ(floorLog2(-0x1p-1050), -1050);
}

//===----------------------------------------------------------------------===//
// E4M3FN
//===----------------------------------------------------------------------===//

TEST(QuantMathE4M3, GridValuesAreFixedPoints) {
  for (int bits = 0; bits < 256; ++bits) {
    if ((bits & 0x7f) == 0x7f)
      continue; // NaN
    double g = decodeE4M3(static_cast<uint8_t>(bits));
    EXPECT_TRUE(sameValue(g, roundToE4M3(g))) << "bits 0x" << std::hex << bits;
  }
}

TEST(QuantMathE4M3, RoundsHalfToEven) {
  // Spacing 0.125 in [1, 2): 1.0625 is halfway between 1.0 (even mantissa)
  // and 1.125 (odd).
  EXPECT_TRUE(sameValue(1.0, roundToE4M3(1.0625)));
  EXPECT_TRUE(sameValue(1.25, roundToE4M3(1.1875)));
  EXPECT_TRUE(sameValue(-1.0, roundToE4M3(-1.0625)));
  // Off the midpoint, to nearest.
  EXPECT_TRUE(sameValue(1.125, roundToE4M3(1.0626)));
  EXPECT_TRUE(sameValue(1.0, roundToE4M3(1.0624)));
  // Spacing 32 in [256, 448]: 272 is halfway between 256 (even) and 288.
  EXPECT_TRUE(sameValue(256.0, roundToE4M3(272.0)));
  EXPECT_TRUE(sameValue(320.0, roundToE4M3(304.0)));
  // Crossing a binade: 15.5 is halfway between 15 (odd) and 16 (even).
  EXPECT_TRUE(sameValue(16.0, roundToE4M3(15.5)));
}

TEST(QuantMathE4M3, Subnormals) {
  const double q = 0x1p-9; // the smallest subnormal and the subnormal spacing
  EXPECT_TRUE(sameValue(q, roundToE4M3(q)));
  EXPECT_TRUE(sameValue(0.0, roundToE4M3(0.5 * q)));   // tie to 0 (even)
  EXPECT_TRUE(sameValue(-0.0, roundToE4M3(-0.5 * q))); // keeps the sign
  EXPECT_TRUE(sameValue(q, roundToE4M3(0.75 * q)));
  EXPECT_TRUE(sameValue(2 * q, roundToE4M3(1.5 * q))); // tie to 2q (even)
  EXPECT_TRUE(sameValue(2 * q, roundToE4M3(2.5 * q))); // tie to 2q (even)
  EXPECT_TRUE(sameValue(0.0, roundToE4M3(0x1p-20)));
  // The largest subnormal 7q and the smallest normal 2^-6 = 8q.
  EXPECT_TRUE(sameValue(8 * q, roundToE4M3(7.5 * q)));
}

TEST(QuantMathE4M3, Saturates) {
  EXPECT_TRUE(sameValue(448.0, roundToE4M3(448.0)));
  EXPECT_TRUE(sameValue(448.0, roundToE4M3(463.99)));
  EXPECT_TRUE(sameValue(448.0, roundToE4M3(464.0))); // the tie with "480"
  EXPECT_TRUE(sameValue(448.0, roundToE4M3(1.0e6)));
  EXPECT_TRUE(sameValue(-448.0, roundToE4M3(-1.0e6)));
  EXPECT_TRUE(sameValue(448.0, roundToE4M3(INFINITY)));
  EXPECT_TRUE(sameValue(-448.0, roundToE4M3(-INFINITY)));
  EXPECT_TRUE(std::isnan(roundToE4M3(NAN)));
}

TEST(QuantMathE4M3, EncodeDecodeRoundTrip) {
  for (int bits = 0; bits < 256; ++bits) {
    if ((bits & 0x7f) == 0x7f) {
      EXPECT_TRUE(std::isnan(decodeE4M3(static_cast<uint8_t>(bits))));
      continue;
    }
    double g = decodeE4M3(static_cast<uint8_t>(bits));
    EXPECT_EQ(encodeE4M3(g), bits) << "value " << g;
  }
}

TEST(QuantMathE4M3, KnownEncodings) {
  EXPECT_EQ(encodeE4M3(0.0), 0x00);
  EXPECT_EQ(encodeE4M3(-0.0), 0x80);
  EXPECT_EQ(encodeE4M3(1.0), 0x38);
  EXPECT_EQ(encodeE4M3(-2.0), 0xC0);
  EXPECT_EQ(encodeE4M3(448.0), 0x7E);
  EXPECT_EQ(encodeE4M3(0x1p-9), 0x01);
  EXPECT_EQ(encodeE4M3(0x1p-6), 0x08);
  EXPECT_EQ(decodeE4M3(0x7E), 448.0);
  EXPECT_EQ(decodeE4M3(0x07), 7 * 0x1p-9);
}

//===----------------------------------------------------------------------===//
// E2M1
//===----------------------------------------------------------------------===//

TEST(QuantMathE2M1, GridValuesAreFixedPoints) {
  for (double g : {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0}) {
    EXPECT_TRUE(sameValue(g, roundToE2M1(g)));
    EXPECT_TRUE(sameValue(-g, roundToE2M1(-g)));
  }
}

TEST(QuantMathE2M1, RoundsHalfToEven) {
  // Ties go to the grid value whose code is even.
  EXPECT_TRUE(sameValue(0.0, roundToE2M1(0.25))); // 0 (0b000) vs 0.5 (0b001)
  EXPECT_TRUE(sameValue(1.0, roundToE2M1(0.75))); // 0.5 (001) vs 1 (010)
  EXPECT_TRUE(sameValue(1.0, roundToE2M1(1.25))); // 1 (010) vs 1.5 (011)
  EXPECT_TRUE(sameValue(2.0, roundToE2M1(1.75))); // 1.5 (011) vs 2 (100)
  EXPECT_TRUE(sameValue(2.0, roundToE2M1(2.5)));  // 2 (100) vs 3 (101)
  EXPECT_TRUE(sameValue(4.0, roundToE2M1(3.5)));  // 3 (101) vs 4 (110)
  EXPECT_TRUE(sameValue(4.0, roundToE2M1(5.0)));  // 4 (110) vs 6 (111)
  EXPECT_TRUE(sameValue(-4.0, roundToE2M1(-5.0)));
  EXPECT_TRUE(sameValue(-0.0, roundToE2M1(-0.25)));
  // Off the midpoint, to nearest.
  EXPECT_TRUE(sameValue(6.0, roundToE2M1(5.01)));
  EXPECT_TRUE(sameValue(0.5, roundToE2M1(0.26)));
  EXPECT_TRUE(sameValue(3.0, roundToE2M1(2.51)));
}

TEST(QuantMathE2M1, Saturates) {
  EXPECT_TRUE(sameValue(6.0, roundToE2M1(6.5)));
  EXPECT_TRUE(sameValue(6.0, roundToE2M1(7.0)));
  EXPECT_TRUE(sameValue(-6.0, roundToE2M1(-100.0)));
  EXPECT_TRUE(sameValue(6.0, roundToE2M1(INFINITY)));
  EXPECT_TRUE(std::isnan(roundToE2M1(NAN)));
}

TEST(QuantMathE2M1, EncodeDecodeRoundTrip) {
  const double values[16] = {0.0,  0.5,  1.0,  1.5,  2.0,  3.0,  4.0,  6.0,
                             -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0};
  for (int bits = 0; bits < 16; ++bits) {
    EXPECT_TRUE(sameValue(values[bits], decodeE2M1(static_cast<uint8_t>(bits))))
        << "bits " << bits;
    EXPECT_EQ(encodeE2M1(values[bits]), bits) << "value " << values[bits];
  }
  // Only the low four bits are read.
  EXPECT_EQ(decodeE2M1(0xF7), 6.0);
}

} // namespace

//===----------------------------------------------------------------------===//
// Both grids against a brute-force nearest-value search
//===----------------------------------------------------------------------===//

/// The nonnegative finite values of a minifloat with `mantissaBits` and
/// `exponentBits` and bias `bias`, indexed by code (the last one dropped when
/// `lastIsNaN`), written from the format definition alone.
static std::vector<double> gridOf(int mantissaBits, int exponentBits, int bias,
                                  bool lastIsNaN) {
  std::vector<double> grid;
  int codes = 1 << (mantissaBits + exponentBits);
  for (int code = 0; code < codes - (lastIsNaN ? 1 : 0); ++code) {
    int e = code >> mantissaBits, m = code & ((1 << mantissaBits) - 1);
    grid.push_back(
        e == 0 ? std::ldexp(m, 1 - bias - mantissaBits)
               : std::ldexp((1 << mantissaBits) + m, e - bias - mantissaBits));
  }
  return grid;
}

/// Round-half-even onto `grid`, saturating: the nearest value, on a tie the
/// one with an even code.
static double nearestOnGrid(const std::vector<double> &grid, double v) {
  double a = std::fabs(v);
  size_t best = 0;
  for (size_t i = 1; i < grid.size(); ++i) {
    double d = std::fabs(grid[i] - a), bestD = std::fabs(grid[best] - a);
    if (d < bestD || (d == bestD && i % 2 == 0))
      best = i;
  }
  return std::copysign(grid[best], v);
}

/// Random doubles over every binade the grids touch (and past both ends),
/// plus every grid value, every midpoint between neighbours and their
/// one-ulp neighbours: the cases where a rounding rule shows.
static std::vector<double> probes(const std::vector<double> &grid) {
  std::vector<double> out;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 200000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    double unit = static_cast<double>(state >> 11) * 0x1p-53;
    int exponent = static_cast<int>((state >> 3) % 30) - 20;
    out.push_back(std::ldexp(1.0 + unit, exponent) * ((state & 1) ? -1 : 1));
  }
  for (size_t i = 0; i < grid.size(); ++i) {
    out.push_back(grid[i]);
    if (i + 1 < grid.size()) {
      double mid = (grid[i] + grid[i + 1]) / 2;
      out.push_back(mid);
      out.push_back(std::nextafter(mid, 0.0));
      out.push_back(std::nextafter(mid, 1e9));
    }
  }
  return out;
}

namespace {

TEST(QuantMathE4M3, MatchesNearestGridValue) {
  std::vector<double> grid = gridOf(3, 4, 7, /*lastIsNaN=*/true);
  ASSERT_EQ(grid.back(), 448.0);
  for (double v : probes(grid)) {
    ASSERT_TRUE(sameValue(nearestOnGrid(grid, v), roundToE4M3(v))) << v;
    double g = roundToE4M3(v);
    ASSERT_TRUE(sameValue(g, decodeE4M3(encodeE4M3(g)))) << v;
  }
}

TEST(QuantMathE2M1, MatchesNearestGridValue) {
  std::vector<double> grid = gridOf(1, 2, 1, /*lastIsNaN=*/false);
  ASSERT_EQ(grid.back(), 6.0);
  for (double v : probes(grid)) {
    ASSERT_TRUE(sameValue(nearestOnGrid(grid, v), roundToE2M1(v))) << v;
    double g = roundToE2M1(v);
    ASSERT_TRUE(sameValue(g, decodeE2M1(encodeE2M1(g)))) << v;
  }
}

//===----------------------------------------------------------------------===//
// Integer quantization and scales
//===----------------------------------------------------------------------===//

TEST(QuantMathInt, RoundsHalfToEvenAndClamps) {
  EXPECT_EQ(quantizeInt(2.5, 1.0, 127), 2);
  EXPECT_EQ(quantizeInt(3.5, 1.0, 127), 4);
  EXPECT_EQ(quantizeInt(-2.5, 1.0, 127), -2);
  EXPECT_EQ(quantizeInt(-0.5, 1.0, 127), 0);
  EXPECT_EQ(quantizeInt(2.51, 1.0, 127), 3);
  EXPECT_EQ(quantizeInt(1.0, 0.4, 127), 2); // 2.5 -> 2
  EXPECT_EQ(quantizeInt(200.0, 1.0, 127), 127);
  EXPECT_EQ(quantizeInt(-200.0, 1.0, 127), -128);
  EXPECT_EQ(quantizeInt(-9.0, 1.0, 7), -8); // int4
  EXPECT_EQ(quantizeInt(7.6, 1.0, 7), 7);
}

TEST(QuantMathInt, AbsmaxScaleDividesInF64) {
  EXPECT_EQ(absmaxScale(0.0, 127.0), 1.0);
  EXPECT_EQ(absmaxScale(254.0, 127.0), 2.0);
  EXPECT_EQ(absmaxScale(1.0, 7.0), 1.0 / 7.0);
  EXPECT_EQ(absmaxScale(896.0, 448.0), 2.0);
  // The amax element lands exactly on qmax.
  double s = absmaxScale(0.3, 127.0);
  EXPECT_EQ(quantizeInt(0.3, s, 127), 127);
  EXPECT_EQ(quantizeInt(-0.3, s, 127), -127);
}

TEST(QuantMathNvfp4, TwoLevelScales) {
  EXPECT_EQ(nvfp4GlobalScale(0.0), 1.0);
  EXPECT_EQ(nvfp4GlobalScale(2688.0), 1.0); // 6 * 448
  double S = nvfp4GlobalScale(5376.0);      // 2.0
  EXPECT_EQ(S, 2.0);
  // The block holding the tensor's amax gets the largest E4M3 scale, 448.
  EXPECT_EQ(nvfp4BlockScale(5376.0, S), 448.0);
  EXPECT_EQ(nvfp4BlockScale(0.0, S), 1.0);
  // amax_b / 6 / S = 0.8125 is on the E4M3 grid ([0.5, 1) has spacing 1/16).
  EXPECT_EQ(nvfp4BlockScale(9.75, S), 0.8125);
  // 1.0625 is a tie between 1.0 and 1.125: to even, 1.0.
  EXPECT_EQ(nvfp4BlockScale(12.75, S), 1.0);
}

TEST(QuantMathNvfp4, Elements) {
  // S = 1: block amax 6 -> s_b = e4m3(1) = 1, elements on the E2M1 grid.
  EXPECT_TRUE(sameValue(3.0, quantizeNvfp4(2.5 + 0.01, 1.0, 1.0)));
  EXPECT_TRUE(sameValue(-6.0, quantizeNvfp4(-100.0, 1.0, 1.0)));
  // x / (s_b * S) in f64: 0.75 / (0.5 * 0.5) = 3.
  EXPECT_TRUE(sameValue(3.0, quantizeNvfp4(0.75, 0.5, 0.5)));
}

TEST(QuantMathNvfp4, BlockScaleUnderflowGivesZeros) {
  // A block of 1e-4 next to a tensor amax of 2688 (S = 1): 1e-4 / 6 is below
  // 2^-10, so s_b rounds to E4M3 zero and the block is zeros.
  double S = nvfp4GlobalScale(2688.0);
  double sb = nvfp4BlockScale(1e-4, S);
  EXPECT_TRUE(sameValue(0.0, sb));
  EXPECT_TRUE(sameValue(0.0, quantizeNvfp4(1e-4, sb, S)));
  EXPECT_TRUE(sameValue(0.0, quantizeNvfp4(-1e-4, sb, S)));
  // Just above half the smallest subnormal it rounds up to 2^-9 instead.
  EXPECT_EQ(nvfp4BlockScale(6.0 * 0x1.2p-10, S), 0x1p-9);
}

TEST(QuantMathMxfp4, Elements) {
  EXPECT_TRUE(sameValue(6.0, quantizeMxfp4(7.0, mxfp4BlockScale(7.0))));
  EXPECT_TRUE(sameValue(2.0, quantizeMxfp4(5.0, 2.0))); // 2.5 -> 2 (even)
  EXPECT_TRUE(sameValue(-0.5, quantizeMxfp4(-0.3, 1.0)));
}

TEST(QuantMathMxfp4, PowerOfTwoBlockScale) {
  EXPECT_EQ(mxfp4BlockScale(0.0), 1.0);
  EXPECT_EQ(mxfp4BlockScale(6.0), 1.0); // 2^(2 - 2)
  EXPECT_EQ(mxfp4BlockScale(7.99), 1.0);
  EXPECT_EQ(mxfp4BlockScale(8.0), 2.0); // 2^(3 - 2)
  EXPECT_EQ(mxfp4BlockScale(0.1), 0x1p-6);
  EXPECT_EQ(mxfp4BlockScale(-8.0), 2.0);
  // E8M0 covers 2^-127 .. 2^127.
  EXPECT_EQ(mxfp4BlockScale(
                static_cast<double>(std::numeric_limits<float>::denorm_min())),
            0x1p-127);
  EXPECT_EQ(mxfp4BlockScale(0x1p200), 0x1p127);
  // Elements x / scale then land in E2M1's range: amax / scale is in [4, 8).
  double scale = mxfp4BlockScale(7.0);
  EXPECT_TRUE(sameValue(6.0, roundToE2M1(7.0 / scale)));
}

} // namespace
