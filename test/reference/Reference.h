//===- Reference.h - float64 reference of every rescale op -------*- C++
//-*-===//
//
// An independent float64 model of the rescale dialect, written straight from
// the formulas of the foundation issue (docs/overview.md, arXiv 2601.22966)
// and the numerics contract of the quantization schemes. It shares no code
// with dialect/ or conversion/: the numerics tests compare `rescale-run`
// (which runs the linalg decomposition) against it.
//
// Every function takes tensors of f64 values (the inputs exactly as the
// compiled function saw them, i.e. already rounded to their element type)
// and returns unrounded f64 results; the caller rounds to the result type
// where the comparison is bit-exact.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TEST_REFERENCE_REFERENCE_H
#define RESCALE_TEST_REFERENCE_REFERENCE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rescale_ref {

/// A dense row-major tensor of f64.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> s, double fill = 0.0);
  Tensor(std::vector<int64_t> s, std::vector<double> d)
      : shape(std::move(s)), data(std::move(d)) {}
  int64_t numElements() const;
  /// The last dimension (1 for a rank-0 tensor).
  int64_t lastDim() const { return shape.empty() ? 1 : shape.back(); }
  double &operator[](int64_t i) { return data[i]; }
  double operator[](int64_t i) const { return data[i]; }
};

int64_t product(const std::vector<int64_t> &shape);

/// For the element at flat index `i` of `shape`, the flat index of the
/// keepdims group (scale) it belongs to in `groupShape`: same rank, each dim
/// of groupShape divides the matching dim of shape.
int64_t groupIndex(const std::vector<int64_t> &shape,
                   const std::vector<int64_t> &groupShape, int64_t i);

//===----------------------------------------------------------------------===//
// Norms (normalization over the last dimension d)
//===----------------------------------------------------------------------===//

/// y = weight ⊙ x / sqrt(mean(x²) + ε).
Tensor rmsNorm(const Tensor &x, const Tensor &weight, double epsilon);
/// u = pre_scale ⊙ x; y = weight ⊙ u / sqrt(mean(u²) + ε)   (paper §3.3).
Tensor preAffineRmsNorm(const Tensor &x, const Tensor &preScale,
                        const Tensor &weight, double epsilon);

enum class GateActivation { sigmoid, tanh, silu, identity };
std::optional<GateActivation> parseGateActivation(const std::string &s);

/// GatedNorm (paper §3.4): y = rms_norm(x, weight); h = y·w_down [d,r];
/// g = act(swish(h)·w_up) with w_up [r,d] or [r,1] (tensorwise);
/// out = g ⊙ y.
Tensor gatedNorm(const Tensor &x, const Tensor &weight, const Tensor &wDown,
                 const Tensor &wUp, double epsilon, GateActivation act);

/// sum = x + residual; y = rms_norm(sum, weight). Returns {sum, y}.
std::pair<Tensor, Tensor> addRmsNorm(const Tensor &x, const Tensor &residual,
                                     const Tensor &weight, double epsilon);

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// sigmoid: no normalization, p = σ(s − log T) per key (sigmoid attention).
enum class SoftmaxKind { standard, off_by_one, learned_sink, sigmoid };
enum class GateKind { none, headwise, elementwise };
std::optional<SoftmaxKind> parseSoftmaxKind(const std::string &s);
std::optional<GateKind> parseGateKind(const std::string &s);

struct AttentionConfig {
  bool causal = false;
  std::optional<double> scale; // default 1/sqrt(D)
  SoftmaxKind softmax = SoftmaxKind::standard;
  GateKind gate = GateKind::none;
};

/// q [B,Hq,S,D], k [B,Hkv,T,D], v [B,Hkv,T,Dv] -> [B,Hq,S,Dv].
/// gate: [B,Hq,S] (headwise) or [B,Hq,S,Dv] (elementwise), sinks: [Hq].
/// Causal keeps key j for query i iff j <= i + (T - S); a query row with no
/// kept key gives 0 (every softmax kind).
Tensor attention(const Tensor &q, const Tensor &k, const Tensor &v,
                 const Tensor *gate, const Tensor *sinks,
                 const AttentionConfig &config);

//===----------------------------------------------------------------------===//
// Linear and ablations
//===----------------------------------------------------------------------===//

/// y = x · weightᵀ + bias with weight [N, K].
Tensor linear(const Tensor &x, const Tensor &weight, const Tensor *bias);
/// weight ⊙ tanh(alpha · x) + bias, alpha a scalar ([] or [1]).
Tensor dyt(const Tensor &x, const Tensor &alpha, const Tensor &weight,
           const Tensor &bias);
/// clamp(x, -threshold, threshold).
Tensor clip(const Tensor &x, double threshold);

//===----------------------------------------------------------------------===//
// Quantization (numerics contract: f64 math in the formulas' literal order)
//===----------------------------------------------------------------------===//

enum class QuantFormat { int4, int8, fp8, nvfp4, mxfp4 };
enum class QuantGranularity { per_tensor, per_channel, per_token, per_block };

struct QuantScheme {
  QuantFormat format = QuantFormat::int8;
  QuantGranularity granularity = QuantGranularity::per_tensor;
  /// Block over the trailing dims (fp8 per_block; nvfp4 {16}; mxfp4 {32}).
  std::vector<int64_t> block;

  /// Parses "int8,per_token", "fp8,per_block,block=4x8", "nvfp4,per_token",
  /// "mxfp4". Returns nullopt and sets `error` on nonsense.
  static std::optional<QuantScheme> parse(const std::string &text,
                                          std::string &error);
  /// The `#rescale.quant<...>` spelling.
  std::string toMlir() const;
  /// Largest element magnitude: 7, 127, 448 or 6.
  double elementMax() const;
  /// The block over trailing dims, with the format's default filled in.
  std::vector<int64_t> blockShape() const;
  /// Shape of the first-level scales for x of `shape` (keepdims).
  std::vector<int64_t> scaleShape(const std::vector<int64_t> &shape) const;
  /// Shape of nvfp4's second-level scale (per tensor or per token).
  std::vector<int64_t>
  globalScaleShape(const std::vector<int64_t> &shape) const;
  bool hasGlobalScale() const { return format == QuantFormat::nvfp4; }
  /// MLIR element types of values and scales ("i8", "f8E4M3FN", ...).
  std::string valueType() const;
  std::string scaleType() const;
};

struct Quantized {
  Tensor values;      // exact grid values / integers
  Tensor scales;      // as stored: f32-rounded (int, fp8), E4M3 (nvfp4), E8M0
  Tensor globalScale; // nvfp4 only: f32-rounded S
  /// fake_quant before the final conversion: q * s with the f64 scales.
  Tensor dequantized;
  /// The value each element rounds: x / s (x / (s_b · S) for nvfp4).
  Tensor scaled;
};

/// True when `scaled` sits exactly on a rounding tie of the scheme's element
/// format (values on either side round differently), i.e. where
/// round-half-to-even decides.
bool isRoundingTie(double scaled, const QuantScheme &scheme);

/// quantize(x) under `scheme`, and the f64 fake-quant value of every element.
Quantized quantize(const Tensor &x, const QuantScheme &scheme);
/// dequantize(values, scales[, global]) in f64: q * s (· S).
Tensor dequantize(const Tensor &values, const Tensor &scales,
                  const Tensor *globalScale, const QuantScheme &scheme);

} // namespace rescale_ref

#endif // RESCALE_TEST_REFERENCE_REFERENCE_H
