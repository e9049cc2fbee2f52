//===- act_reference_sim.cpp - the `_act` rows' reference, two divisions --===//
//
// Why did the `_act` rows of the 2026-11-28 benchmark run (W4A4, FP8, NVFP4
// with the activation quantized on the GPU) miss torch by 1.2e-2 to 4.3e-2
// while the same GEMMs on ready-made codes passed? bench.py's reference
// computed the scales as `amax / qmax` on CUDA tensors, and torch divides a
// CUDA tensor by a Python number as `amax * (1 / qmax)`
// (aten/src/ATen/native/cuda/BinaryDivTrueKernel.cu), one bit off the
// correctly rounded division the formulas (and our kernels) use. An element
// on a rounding tie (int4: x = amax/2, x/s = 3.5) can then round the other
// way. This program draws bench.py's inputs (bf16 normal x, its random
// weights), quantizes x per token both ways and prints
// max|y_exact - y_reciprocal| / max|y|: with no GPU and no torch, it gives
// the figures the benchmark measured (int4 ~2e-2, fp8 ~1.5e-2, nvfp4 ~4e-2,
// int8 ~1e-3 which passed, mxfp4 0: its scales are powers of two).
//
//   c++ -O2 -o /tmp/act-sim docs/investigations/act_reference_sim.cpp
//   for f in int8 int4 fp8 nvfp4 mxfp4; do /tmp/act-sim $f 256 4096 2048 32;
//   done
//
// Arguments: FORMAT M K N REF_ROWS (max|y| is taken over the first REF_ROWS
// rows, the difference over all M).
//
//===----------------------------------------------------------------------===//
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

/// f64 rounded once to bf16, nearest-even.
double bf16(double v) {
  int64_t b;
  std::memcpy(&b, &v, 8);
  b = (b + ((int64_t(1) << 44) - 1) + ((b >> 45) & 1)) &
      ~((int64_t(1) << 45) - 1);
  std::memcpy(&v, &b, 8);
  return v;
}
double f32(double v) { return static_cast<float>(v); }
int floorLog2(double a) {
  int e;
  std::frexp(a, &e);
  return e - 1;
}
/// Saturating round-to-nearest-even onto a float grid.
double roundToGrid(double y, int mantissaBits, int minExp, double maxValue) {
  double a = std::fabs(y);
  if (a == 0)
    return y;
  double spacing =
      std::ldexp(1.0, std::max(floorLog2(a), minExp) - mantissaBits);
  return std::copysign(
      std::min(std::nearbyint(a / spacing) * spacing, maxValue), y);
}
double e4m3(double y) { return roundToGrid(y, 3, -6, 448); }
double e2m1(double y) { return roundToGrid(y, 1, 0, 6); }
double decodeE4M3(int c) {
  double sign = (c & 0x80) ? -1 : 1;
  int e = (c >> 3) & 15, m = c & 7;
  return e == 0 ? sign * m * std::ldexp(1.0, -9)
                : sign * (1 + m / 8.0) * std::ldexp(1.0, e - 7);
}
double decodeE2M1(int c) {
  double sign = (c & 8) ? -1 : 1;
  int e = (c >> 1) & 3, m = c & 1;
  return e == 0 ? sign * m * 0.5
                : sign * (1 + m / 2.0) * std::ldexp(1.0, e - 1);
}

/// a / b by a number b: correctly rounded, or as torch does on CUDA.
double divide(double a, double b, bool reciprocal) {
  return reciprocal ? a * (1.0 / b) : a / b;
}

/// dequantize(quantize(row)) per token, as bench.py's QuantRef.fake_quantize.
void fakeQuantize(const std::vector<double> &x, const std::string &fmt,
                  bool reciprocal, std::vector<double> &out) {
  size_t k = x.size();
  double amax = 0;
  for (double v : x)
    amax = std::max(amax, std::fabs(v));
  if (fmt == "int8" || fmt == "int4") {
    double qmax = fmt == "int8" ? 127 : 7;
    double s = amax == 0 ? 1 : divide(amax, qmax, reciprocal);
    for (size_t i = 0; i < k; ++i)
      out[i] = std::min(std::max(std::nearbyint(x[i] / s), -qmax - 1), qmax) *
               f32(s);
  } else if (fmt == "fp8") {
    double s = amax == 0 ? 1 : divide(amax, 448, reciprocal);
    for (size_t i = 0; i < k; ++i)
      out[i] = e4m3(x[i] / s) * f32(s);
  } else if (fmt == "nvfp4") {
    double big = amax == 0 ? 1 : divide(amax, 6 * 448, reciprocal);
    for (size_t b = 0; b < k; b += 16) {
      double blockMax = 0;
      for (size_t i = b; i < b + 16; ++i)
        blockMax = std::max(blockMax, std::fabs(x[i]));
      double sb =
          blockMax == 0 ? 1 : e4m3(divide(blockMax, 6, reciprocal) / big);
      for (size_t i = b; i < b + 16; ++i)
        out[i] = sb == 0 ? 0 : e2m1(x[i] / (sb * big)) * sb * f32(big);
    }
  } else { // mxfp4: power-of-two scales, no division by a number
    for (size_t b = 0; b < k; b += 32) {
      double blockMax = 0;
      for (size_t i = b; i < b + 32; ++i)
        blockMax = std::max(blockMax, std::fabs(x[i]));
      double s = blockMax == 0 ? 1 : std::ldexp(1.0, floorLog2(blockMax) - 2);
      for (size_t i = b; i < b + 32; ++i)
        out[i] = e2m1(x[i] / s) * s;
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr,
                 "usage: act-sim int8|int4|fp8|nvfp4|mxfp4 M K N REF_ROWS\n");
    return 2;
  }
  std::string fmt = argv[1];
  int m = std::atoi(argv[2]), k = std::atoi(argv[3]), n = std::atoi(argv[4]),
      refRows = std::atoi(argv[5]);
  if ((fmt != "int8" && fmt != "int4" && fmt != "fp8" && fmt != "nvfp4" &&
       fmt != "mxfp4") ||
      m <= 0 || k <= 0 || k % 128 || n <= 0 || refRows < 0) {
    std::fprintf(stderr,
                 "act-sim: bad arguments (K must be a multiple of 128)\n");
    return 2;
  }
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  auto code = [&](int count) { return static_cast<int>(rng() % count); };
  // The weights as bench.py's quant_inputs draws them, dequantized to bf16.
  std::vector<float> w(static_cast<size_t>(n) * k);
  double intMax = fmt == "int8" ? 127 : 7;
  double global = f32((uniform(rng) + 0.5) / (6 * 448));
  std::vector<double> blockScale((n / 128 + 1) * (k / 128));
  for (double &s : blockScale)
    s = f32((uniform(rng) + 0.5) / 448);
  for (int j = 0; j < n; ++j) {
    double channel = f32((uniform(rng) + 0.5) / intMax), scale = 0;
    for (int i = 0; i < k; ++i) {
      double v;
      if (fmt == "int8" || fmt == "int4") {
        v = (fmt == "int8" ? code(256) - 128 : code(16) - 8) * channel;
      } else if (fmt == "fp8") {
        int c = code(256);
        if ((c & 0x7F) == 0x7F)
          c ^= 1;
        v = decodeE4M3(c) * blockScale[(j / 128) * (k / 128) + i / 128];
      } else if (fmt == "nvfp4") {
        if (i % 16 == 0)
          scale = decodeE4M3(0x38 + code(0x7F - 0x38));
        v = decodeE2M1(code(16)) * scale * global;
      } else {
        if (i % 32 == 0)
          scale = std::ldexp(1.0, code(9) - 4);
        v = decodeE2M1(code(16)) * scale;
      }
      w[static_cast<size_t>(j) * k + i] = static_cast<float>(bf16(v));
    }
  }
  std::vector<double> x(k), exact(k), recip(k);
  double maxRef = 0, maxDiff = 0;
  long differing = 0;
  for (int r = 0; r < m; ++r) {
    for (double &v : x)
      v = bf16(static_cast<float>(normal(rng)));
    fakeQuantize(x, fmt, false, exact);
    fakeQuantize(x, fmt, true, recip);
    std::vector<std::pair<int, double>> delta;
    for (int i = 0; i < k; ++i)
      if (exact[i] != recip[i])
        delta.push_back({i, bf16(exact[i]) - bf16(recip[i])});
    differing += delta.size();
    for (int j = 0; j < n && !delta.empty(); ++j) {
      double d = 0;
      for (auto &[i, dx] : delta)
        d += dx * w[static_cast<size_t>(j) * k + i];
      maxDiff = std::max(maxDiff, std::fabs(d));
    }
    for (int j = 0; r < refRows && j < n; ++j) {
      const float *wj = &w[static_cast<size_t>(j) * k];
      double y = 0;
      for (int i = 0; i < k; ++i)
        y += bf16(recip[i]) * wj[i];
      maxRef = std::max(maxRef, std::fabs(y));
    }
  }
  std::printf("%s %dx%dx%d: %ld activation elements differ (%.2f per row); "
              "max|dy| %.3g, max|y| %.4g (first %d rows), rel %.2e\n",
              fmt.c_str(), m, k, n, differing, double(differing) / m, maxDiff,
              maxRef, refRows, maxRef > 0 ? maxDiff / maxRef : 0.0);
}
