//===- ReferenceSelfTest.cpp - hand-checked values for the f64 reference --===//
//
// The reference is what the compiler is judged against, so it is checked
// first on its own: every expected value below is worked out by hand from
// the format definitions or the op formulas (comments show the arithmetic).
// Prints one line per failed check and "reference self-test: N checks, 0
// failed"; exits 1 on any failure.
//
//===----------------------------------------------------------------------===//

#include "FloatFormats.h"
#include "Npy.h"
#include "Reference.h"

#include <cmath>
#include <cstdio>
#include <string>

using namespace rescale_ref;

static int gChecks = 0, gFailures = 0;

static void expectNear(double got, double want, double tol, const char *what,
                       int line) {
  ++gChecks;
  bool ok = std::isnan(want) ? std::isnan(got)
                             : (got == want || std::fabs(got - want) <= tol);
  if (!ok) {
    ++gFailures;
    std::printf("FAIL line %d: %s: got %.17g, want %.17g\n", line, what, got,
                want);
  }
}

#define EXPECT_EQ(got, want) expectNear((got), (want), 0.0, #got, __LINE__)
#define EXPECT_NEAR(got, want) expectNear((got), (want), 1e-12, #got, __LINE__)

static void testGrids() {
  // bf16 has 7 fraction bits: quantum 2^-7 on [1, 2).
  EXPECT_EQ(roundToBF16(1.0 + std::ldexp(1, -8)), 1.0); // tie -> even
  EXPECT_EQ(roundToBF16(1.0 + 3 * std::ldexp(1, -8)), 1.0 + std::ldexp(1, -6));
  EXPECT_EQ(roundToBF16(-3.0), -3.0);
  // f16: max 65504, max + half ulp (65520) is a tie that rounds to inf.
  EXPECT_EQ(roundToF16(65519.0), 65504.0);
  EXPECT_EQ(roundToF16(65520.0), INFINITY);
  EXPECT_EQ(roundToF16(std::ldexp(1, -25)), 0.0); // subnormal tie
  EXPECT_EQ(roundToF16(3 * std::ldexp(1, -25)), std::ldexp(1, -23));
  EXPECT_EQ(roundToF32(1.0 + std::ldexp(1, -24)), 1.0);
  // E4M3FN: 3 fraction bits, saturating at 448, subnormal quantum 2^-9.
  EXPECT_EQ(roundToE4M3(448.0), 448.0);
  EXPECT_EQ(roundToE4M3(464.0), 448.0); // would be 480: saturates
  EXPECT_EQ(roundToE4M3(-1000.0), -448.0);
  EXPECT_EQ(roundToE4M3(17.0), 16.0);   // 16 (m=0) vs 18 (m=1): tie -> 16
  EXPECT_EQ(roundToE4M3(19.0), 20.0);   // 18 (m=1) vs 20 (m=2): tie -> 20
  EXPECT_EQ(roundToE4M3(1.0625), 1.0);  // 1 vs 1.125
  EXPECT_EQ(roundToE4M3(1.1875), 1.25); // 1.125 vs 1.25
  EXPECT_EQ(roundToE4M3(3 * std::ldexp(1, -10)), std::ldexp(1, -8));
  EXPECT_EQ(roundToE4M3(std::ldexp(1, -10)), 0.0);
  EXPECT_EQ(roundToE4M3(0.3), 0.3125); // 0.3 / 2^-5 = 9.6 -> 10
  // E2M1 grid {0, 0.5, 1, 1.5, 2, 3, 4, 6}: ties to even mantissa.
  EXPECT_EQ(roundToE2M1(5.0), 4.0);
  EXPECT_EQ(roundToE2M1(0.25), 0.0);
  EXPECT_EQ(roundToE2M1(0.75), 1.0);
  EXPECT_EQ(roundToE2M1(1.25), 1.0);
  EXPECT_EQ(roundToE2M1(1.75), 2.0);
  EXPECT_EQ(roundToE2M1(2.5), 2.0);
  EXPECT_EQ(roundToE2M1(3.5), 4.0);
  EXPECT_EQ(roundToE2M1(-5.0), -4.0);
  EXPECT_EQ(roundToE2M1(7.0), 6.0);
  EXPECT_EQ(roundToE2M1(5.01), 6.0);
  EXPECT_EQ(roundToE2M1(0.26), 0.5);
  // Decoders.
  EXPECT_EQ(decodeE4M3(0x7E), 448.0);
  EXPECT_EQ(decodeE4M3(0x38), 1.0);
  EXPECT_EQ(decodeE4M3(0x01), std::ldexp(1, -9));
  EXPECT_EQ(decodeE4M3(0x08), std::ldexp(1, -6));
  EXPECT_EQ(decodeE4M3(0xB8), -1.0);
  EXPECT_EQ(decodeE2M1(0x7), 6.0);
  EXPECT_EQ(decodeE2M1(0x1), 0.5);
  EXPECT_EQ(decodeE2M1(0x5), 3.0);
  EXPECT_EQ(decodeE2M1(0xF), -6.0);
  EXPECT_EQ(decodeE8M0(127), 1.0);
  EXPECT_EQ(decodeE8M0(125), 0.25);
  // f16 encode/decode.
  for (double v : {1.0, -2.5, 65504.0, std::ldexp(1, -24), 0.1, 1e-5})
    EXPECT_EQ(decodeF16(encodeF16(v)), roundToF16(v));
  EXPECT_EQ(double(encodeF16(1.0)), double(0x3C00));
}

static void testNorms() {
  // x = [3, 4]: mean(x²) = 12.5, rms = sqrt(12.5); w = [1, 2].
  Tensor x({1, 2}, {3, 4}), w({2}, {1, 2});
  Tensor y = rmsNorm(x, w, 0.0);
  EXPECT_NEAR(y[0], 3 / std::sqrt(12.5));
  EXPECT_NEAR(y[1], 8 / std::sqrt(12.5));
  // ε enters under the root: mean 12.5 + 3.5 = 16 -> rms 4.
  Tensor ye = rmsNorm(x, w, 3.5);
  EXPECT_NEAR(ye[0], 0.75);
  EXPECT_NEAR(ye[1], 2.0);
  // PreAffine: u = [2, 0.5] ⊙ [3, 4] = [6, 2], mean(u²) = 20, + ε 5 -> rms 5.
  Tensor yp = preAffineRmsNorm(x, Tensor({2}, {2, 0.5}), w, 5.0);
  EXPECT_NEAR(yp[0], 6.0 / 5);
  EXPECT_NEAR(yp[1], 2.0 * 2 / 5);
  // add_rms_norm: sum = [1,2]+[2,2] = [3,4].
  auto [sum, ya] =
      addRmsNorm(Tensor({1, 2}, {1, 2}), Tensor({1, 2}, {2, 2}), w, 3.5);
  EXPECT_EQ(sum[0], 3.0);
  EXPECT_EQ(sum[1], 4.0);
  EXPECT_NEAR(ya[1], 2.0);
  // GatedNorm with w_down = 0: h = 0, swish(0) = 0, z = 0, so the gate is
  // act(0): 0.5 for sigmoid, 0 for tanh/silu/identity.
  Tensor wd({2, 3}, 0.0), wu({3, 2}, 1.0);
  Tensor g =
      gatedNorm(x, Tensor({2}, {1, 1}), wd, wu, 3.5, GateActivation::sigmoid);
  EXPECT_NEAR(g[0], 0.5 * 0.75);
  EXPECT_NEAR(g[1], 0.5 * 1.0);
  EXPECT_EQ(
      gatedNorm(x, Tensor({2}, {1, 1}), wd, wu, 3.5, GateActivation::tanh)[1],
      0.0);
  // r = 1, w_down = [[1],[0]]: h = y0 = 0.75; swish = 0.75·σ(0.75);
  // w_up = [[2, -1]]: z = [2, -1]·swish; identity gate g = z.
  Tensor wd1({2, 1}, {1, 0}), wu1({1, 2}, {2, -1});
  double sw = 0.75 / (1 + std::exp(-0.75));
  Tensor gi = gatedNorm(x, Tensor({2}, {1, 1}), wd1, wu1, 3.5,
                        GateActivation::identity);
  EXPECT_NEAR(gi[0], 2 * sw * 0.75);
  EXPECT_NEAR(gi[1], -sw * 1.0);
  Tensor gs =
      gatedNorm(x, Tensor({2}, {1, 1}), wd1, wu1, 3.5, GateActivation::silu);
  EXPECT_NEAR(gs[1], (-sw / (1 + std::exp(sw))) * 1.0);
  // Tensorwise gate: w_up [1, 1] = [[2]] broadcasts z = 2·swish over d.
  Tensor gt = gatedNorm(x, Tensor({2}, {1, 1}), wd1, Tensor({1, 1}, 2.0), 3.5,
                        GateActivation::tanh);
  EXPECT_NEAR(gt[0], std::tanh(2 * sw) * 0.75);
  EXPECT_NEAR(gt[1], std::tanh(2 * sw) * 1.0);
}

static void testAttention() {
  // One query, two keys, scale 1: s = [0, ln 2], exp(s) = [1, 2], v = [3, 6].
  double ln2 = std::log(2.0);
  Tensor q({1, 1, 1, 1}, 1.0), k({1, 1, 2, 1}, {0, ln2}),
      v({1, 1, 2, 1}, {3, 6});
  AttentionConfig c;
  c.scale = 1.0;
  EXPECT_NEAR(attention(q, k, v, nullptr, nullptr, c)[0],
              3 / 3.0 + 6 * 2 / 3.0);
  c.softmax = SoftmaxKind::off_by_one; // denominator 1 + 3
  EXPECT_NEAR(attention(q, k, v, nullptr, nullptr, c)[0], 3 / 4.0 + 12 / 4.0);
  c.softmax = SoftmaxKind::learned_sink; // denominator e^{ln 3} + 3 = 6
  Tensor sinks({1}, std::log(3.0));
  EXPECT_NEAR(attention(q, k, v, nullptr, &sinks, c)[0], 3 / 6.0 + 12 / 6.0);
  // Headwise gate 0: σ(0) = 1/2.
  c.softmax = SoftmaxKind::standard;
  c.gate = GateKind::headwise;
  Tensor gate({1, 1, 1}, 0.0);
  EXPECT_NEAR(attention(q, k, v, &gate, nullptr, c)[0], 2.5);
  // Default scale 1/sqrt(D) with D = 4: q·k = 4·ln2·... use q = k = [1,1,1,1]
  // against a zero key: s = [0, 4/2 = 2].
  c = AttentionConfig();
  Tensor q4({1, 1, 1, 4}, 1.0), k4({1, 1, 2, 4}, {0, 0, 0, 0, 1, 1, 1, 1});
  double e2 = std::exp(2.0);
  EXPECT_NEAR(attention(q4, k4, v, nullptr, nullptr, c)[0],
              (3 + 6 * e2) / (1 + e2));
  // Causal with S = 3 > T = 2: query i keeps j <= i - 1, so row 0 keeps
  // nothing (output 0), row 1 keeps key 0, row 2 keeps both.
  c.causal = true;
  c.scale = 1.0;
  Tensor q3({1, 1, 3, 1}, {1, 1, 1});
  Tensor o = attention(q3, k, v, nullptr, nullptr, c);
  EXPECT_EQ(o[0], 0.0);
  EXPECT_NEAR(o[1], 3.0);
  EXPECT_NEAR(o[2], 5.0);
  // Causal with S = 1 < T = 2: the single query sees every key.
  EXPECT_NEAR(attention(q, k, v, nullptr, nullptr, c)[0], 5.0);
  // GQA: Hq = 2 reading the single kv head; elementwise gate per channel.
  c = AttentionConfig();
  c.scale = 1.0;
  c.gate = GateKind::elementwise;
  Tensor q2({1, 2, 1, 1}, {1, 1}), eg({1, 2, 1, 1}, {0, 100});
  Tensor o2 = attention(q2, k, v, &eg, nullptr, c);
  EXPECT_NEAR(o2[0], 2.5);
  EXPECT_NEAR(o2[1], 5.0);
}

static void testLinearAndAblations() {
  Tensor x({1, 2}, {1, 2}), w({2, 2}, {3, 4, 5, 6}), b({2}, {1, -1});
  Tensor y = linear(x, w, &b);
  EXPECT_EQ(y[0], 12.0); // 1·3 + 2·4 + 1
  EXPECT_EQ(y[1], 16.0); // 1·5 + 2·6 - 1
  Tensor d = dyt(Tensor({1, 2}, {2, -2}), Tensor({}, 0.5), Tensor({2}, {2, 3}),
                 Tensor({2}, {1, 1}));
  EXPECT_NEAR(d[0], 2 * std::tanh(1.0) + 1);
  EXPECT_NEAR(d[1], -3 * std::tanh(1.0) + 1);
  Tensor c = clip(Tensor({3}, {-3, 0.5, 3}), 1.0);
  EXPECT_EQ(c[0], -1.0);
  EXPECT_EQ(c[1], 0.5);
  EXPECT_EQ(c[2], 1.0);
}

static QuantScheme scheme(const std::string &s) {
  std::string err;
  auto r = QuantScheme::parse(s, err);
  if (!r) {
    std::printf("FAIL: bad scheme %s: %s\n", s.c_str(), err.c_str());
    ++gFailures;
    return QuantScheme();
  }
  return *r;
}

static void testQuant() {
  // int8 per tensor: amax 63.5 -> s = 0.5, x/s = [127, 0.5, 1.5, -0.5, 2.5,
  // -3.5] rounds half to even: [127, 0, 2, -0, 2, -4].
  Tensor x({6}, {63.5, 0.25, 0.75, -0.25, 1.25, -1.75});
  Quantized q = quantize(x, scheme("int8,per_tensor"));
  double want[] = {127, 0, 2, 0, 2, -4};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(q.values[i], want[i]);
    EXPECT_EQ(q.dequantized[i], want[i] * 0.5);
  }
  EXPECT_EQ(q.scales[0], 0.5);
  // int4 per token: row [7, 3.5] -> s = 1, 3.5 -> 4; an all-zero row -> s = 1.
  Quantized q4 =
      quantize(Tensor({2, 2}, {7, 3.5, 0, 0}), scheme("int4,per_token"));
  EXPECT_EQ(q4.values[1], 4.0);
  EXPECT_EQ(q4.scales[1], 1.0);
  EXPECT_EQ(q4.values[3], 0.0);
  // Dequantize clamps nothing: q·s.
  Tensor dq =
      dequantize(Tensor({2, 2}, {-8, 7, 1, 2}), Tensor({2, 1}, {0.5, 2}),
                 nullptr, scheme("int4,per_token"));
  EXPECT_EQ(dq[0], -4.0);
  EXPECT_EQ(dq[3], 4.0);
  // fp8 per tensor with amax 448: s = 1, so x/s = x hits E4M3 ties.
  Quantized f8 =
      quantize(Tensor({4}, {448, 17, 19, 1.0625}), scheme("fp8,per_tensor"));
  EXPECT_EQ(f8.values[1], 16.0);
  EXPECT_EQ(f8.values[2], 20.0);
  EXPECT_EQ(f8.values[3], 1.0);
  // fp8 scale shapes.
  auto sh = scheme("fp8,per_block").scaleShape({256, 384});
  EXPECT_EQ(double(sh[0] * 10 + sh[1]), 23.0);
  auto sh2 = scheme("fp8,per_block,block=4x8").scaleShape({2, 8, 16});
  EXPECT_EQ(double(sh2[0] * 100 + sh2[1] * 10 + sh2[2]), 222.0);
  // NVFP4 per tensor: amax 2688 = 6·448 -> S = 1. Block 0 (amax 2688) has
  // s_b = e4m3(448) = 448; block 1 (amax 6) has s_b = 1, so its elements hit
  // the E2M1 ties directly: 5 -> 4, 0.25 -> 0, 0.75 -> 1.
  Tensor xn({32}, 0.0);
  xn[0] = 2688;
  xn[1] = 5 * 448; // 5 -> 4
  xn[16] = 6;
  xn[17] = 5;
  xn[18] = 0.25;
  xn[19] = -0.75;
  Quantized n = quantize(xn, scheme("nvfp4,per_tensor"));
  EXPECT_EQ(n.globalScale[0], 1.0);
  EXPECT_EQ(n.scales[0], 448.0);
  EXPECT_EQ(n.scales[1], 1.0);
  EXPECT_EQ(n.values[0], 6.0);
  EXPECT_EQ(n.values[1], 4.0);
  EXPECT_EQ(n.dequantized[1], 4 * 448.0);
  EXPECT_EQ(n.values[17], 4.0);
  EXPECT_EQ(n.values[18], 0.0);
  EXPECT_EQ(n.values[19], -1.0);
  // NVFP4 per token: the second-level scale has one value per row.
  Tensor xt({2, 16}, 0.0);
  xt[0] = 2688 * 2;
  xt[16] = 1;
  Quantized nt = quantize(xt, scheme("nvfp4,per_token"));
  EXPECT_EQ(nt.globalScale[0], 2.0);
  EXPECT_EQ(nt.globalScale[1], roundToF32(1.0 / 2688));
  EXPECT_EQ(nt.values[16], 6.0);
  // NVFP4 block whose scale underflows: amax_b/6/S = 1e-4/6 < 2^-10 rounds
  // to E4M3 0, and the block is zeros.
  Tensor xu({32}, 0.0);
  xu[0] = 2688;
  xu[16] = 1e-4;
  xu[17] = 0;
  Quantized nu = quantize(xu, scheme("nvfp4,per_tensor"));
  EXPECT_EQ(nu.scales[1], 0.0);
  EXPECT_EQ(nu.values[16], 0.0);
  EXPECT_EQ(nu.values[17], 0.0);
  EXPECT_EQ(nu.dequantized[16], 0.0);
  // NVFP4 of all zeros: S = 1, s_b = 1, values 0.
  Quantized nz = quantize(Tensor({16}, 0.0), scheme("nvfp4,per_tensor"));
  EXPECT_EQ(nz.globalScale[0], 1.0);
  EXPECT_EQ(nz.scales[0], 1.0);
  // MXFP4: amax 6 -> floor(log2 6) = 2 -> scale 1; 7 saturates to 6.
  Tensor xm({64}, 0.0);
  xm[0] = 6;
  xm[1] = 5;
  xm[2] = 0.25;
  xm[32] = 7;
  xm[33] = 0.75;
  xm[34] = 2.5;
  Quantized m = quantize(xm, scheme("mxfp4"));
  EXPECT_EQ(m.scales[0], 1.0);
  EXPECT_EQ(m.values[1], 4.0);
  EXPECT_EQ(m.values[2], 0.0);
  EXPECT_EQ(m.values[32], 6.0);
  EXPECT_EQ(m.values[33], 1.0);
  EXPECT_EQ(m.values[34], 2.0);
  // amax 0.1: floor(log2 0.1) = -4 -> scale 2^-6; 0.1·64 = 6.4 -> 6.
  Quantized m2 = quantize(Tensor({32}, 0.1), scheme("mxfp4"));
  EXPECT_EQ(m2.scales[0], std::ldexp(1, -6));
  EXPECT_EQ(m2.dequantized[0], 6 * std::ldexp(1, -6));
  EXPECT_EQ(scheme("int8,per_token").toMlir() ==
                "#rescale.quant<int8, per_token>",
            true);
}

static void testNpyRoundTrip() {
  std::string err;
  std::string path = "reference-selftest.npy";
  std::vector<double> v = {1.5, -2.0, 0.1};
  if (!writeNpy(path, "<f2", {3}, v, err)) {
    std::printf("FAIL: %s\n", err.c_str());
    ++gFailures;
    return;
  }
  NpyArray a;
  if (!readNpy(path, a, err)) {
    std::printf("FAIL: %s\n", err.c_str());
    ++gFailures;
    return;
  }
  EXPECT_EQ(double(a.shape.size()), 1.0);
  EXPECT_EQ(a.data[2], roundToF16(0.1));
  std::remove(path.c_str());
}

int main() {
  testGrids();
  testNorms();
  testAttention();
  testLinearAndAblations();
  testQuant();
  testNpyRoundTrip();
  std::printf("reference self-test: %d checks, %d failed\n", gChecks,
              gFailures);
  return gFailures ? 1 : 0;
}
