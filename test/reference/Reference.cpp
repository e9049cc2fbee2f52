//===- Reference.cpp - float64 reference of every rescale op --------------===//
//
// Straight loops in f64, one function per op, following the formulas in
// Reference.h. Nothing here is clever on purpose: it is the thing the
// compiler is checked against.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"
#include "FloatFormats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <sstream>

namespace rescale_ref {

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor::Tensor(std::vector<int64_t> s, double fill)
    : shape(std::move(s)), data(product(shape), fill) {}

int64_t Tensor::numElements() const { return product(shape); }

int64_t groupIndex(const std::vector<int64_t> &shape,
                   const std::vector<int64_t> &groupShape, int64_t i) {
  int64_t g = 0, gStride = 1;
  for (int64_t dim = int64_t(shape.size()) - 1; dim >= 0; --dim) {
    int64_t idx = i % shape[dim];
    i /= shape[dim];
    int64_t perGroup = shape[dim] / groupShape[dim];
    g += (idx / perGroup) * gStride;
    gStride *= groupShape[dim];
  }
  return g;
}

static double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

/// 1 / sqrt(mean(u²) + ε) of one row of length d.
static double inverseRms(const double *u, int64_t d, double epsilon) {
  double sumSq = 0.0;
  for (int64_t j = 0; j < d; ++j)
    sumSq += u[j] * u[j];
  return 1.0 / std::sqrt(sumSq / double(d) + epsilon);
}

/// max |x| over each group of `groupShape`.
static Tensor groupAbsMax(const Tensor &x,
                          const std::vector<int64_t> &groupShape) {
  Tensor amax(groupShape, 0.0);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    double &m = amax[groupIndex(x.shape, groupShape, i)];
    m = std::max(m, std::fabs(x[i]));
  }
  return amax;
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

Tensor rmsNorm(const Tensor &x, const Tensor &weight, double epsilon) {
  Tensor ones({x.lastDim()}, 1.0);
  return preAffineRmsNorm(x, ones, weight, epsilon);
}

Tensor preAffineRmsNorm(const Tensor &x, const Tensor &preScale,
                        const Tensor &weight, double epsilon) {
  int64_t d = x.lastDim(), rows = x.numElements() / d;
  assert(preScale.numElements() == d && weight.numElements() == d);
  Tensor y(x.shape);
  std::vector<double> u(d);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < d; ++j)
      u[j] = preScale[j] * x[r * d + j];
    double inv = inverseRms(u.data(), d, epsilon);
    for (int64_t j = 0; j < d; ++j)
      y[r * d + j] = weight[j] * u[j] * inv;
  }
  return y;
}

std::optional<GateActivation> parseGateActivation(const std::string &s) {
  if (s == "sigmoid")
    return GateActivation::sigmoid;
  if (s == "tanh")
    return GateActivation::tanh;
  if (s == "silu")
    return GateActivation::silu;
  if (s == "identity")
    return GateActivation::identity;
  return std::nullopt;
}

Tensor gatedNorm(const Tensor &x, const Tensor &weight, const Tensor &wDown,
                 const Tensor &wUp, double epsilon, GateActivation act) {
  int64_t d = x.lastDim(), rows = x.numElements() / d;
  int64_t r = wDown.shape.at(1);
  int64_t upCols = wUp.shape.at(1); // d, or 1 for a tensorwise gate
  assert(wDown.shape[0] == d && wUp.shape[0] == r &&
         (upCols == d || upCols == 1));
  Tensor y = rmsNorm(x, weight, epsilon);
  Tensor out(x.shape);
  std::vector<double> swish(r);
  for (int64_t row = 0; row < rows; ++row) {
    const double *yr = y.data.data() + (row * d);
    for (int64_t k = 0; k < r; ++k) {
      double h = 0.0;
      for (int64_t j = 0; j < d; ++j)
        h += yr[j] * wDown[j * r + k];
      swish[k] = h * sigmoid(h);
    }
    for (int64_t j = 0; j < d; ++j) {
      int64_t col = upCols == 1 ? 0 : j;
      double z = 0.0;
      for (int64_t k = 0; k < r; ++k)
        z += swish[k] * wUp[k * upCols + col];
      double g = 0.0;
      switch (act) {
      case GateActivation::sigmoid:
        g = sigmoid(z);
        break;
      case GateActivation::tanh:
        g = std::tanh(z);
        break;
      case GateActivation::silu:
        g = z * sigmoid(z);
        break;
      case GateActivation::identity:
        g = z;
        break;
      }
      out[row * d + j] = g * yr[j];
    }
  }
  return out;
}

std::pair<Tensor, Tensor> addRmsNorm(const Tensor &x, const Tensor &residual,
                                     const Tensor &weight, double epsilon) {
  Tensor sum(x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i)
    sum[i] = x[i] + residual[i];
  return {sum, rmsNorm(sum, weight, epsilon)};
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

std::optional<SoftmaxKind> parseSoftmaxKind(const std::string &s) {
  if (s == "standard")
    return SoftmaxKind::standard;
  if (s == "off_by_one")
    return SoftmaxKind::off_by_one;
  if (s == "learned_sink")
    return SoftmaxKind::learned_sink;
  if (s == "sigmoid")
    return SoftmaxKind::sigmoid;
  return std::nullopt;
}

std::optional<GateKind> parseGateKind(const std::string &s) {
  if (s == "none")
    return GateKind::none;
  if (s == "headwise")
    return GateKind::headwise;
  if (s == "elementwise")
    return GateKind::elementwise;
  return std::nullopt;
}

Tensor attention(const Tensor &q, const Tensor &k, const Tensor &v,
                 const Tensor *gate, const Tensor *sinks,
                 const AttentionConfig &config) {
  int64_t B = q.shape[0], Hq = q.shape[1], S = q.shape[2], D = q.shape[3];
  int64_t Hkv = k.shape[1], T = k.shape[2], Dv = v.shape[3];
  assert(Hq % Hkv == 0);
  int64_t group = Hq / Hkv;
  // D = 0: the scores are empty sums (0) and the default scale is 1.
  double scale = config.scale ? *config.scale
                 : D == 0     ? 1.0
                              : 1.0 / std::sqrt(double(D));
  Tensor out({B, Hq, S, Dv}, 0.0);
  // Rows are addressed as data() + offset, not &data[offset]: with D = 0 or
  // Dv = 0 a tensor is empty, and indexing an empty vector is undefined
  // (UBSan found it in numerics/attention.test's D = 0 case).
  std::vector<double> s(T);
  std::vector<bool> kept(T);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t h = 0; h < Hq; ++h) {
      int64_t kvh = h / group; // GQA: query head h reads kv head h / (Hq/Hkv)
      for (int64_t i = 0; i < S; ++i) {
        const double *qi = q.data.data() + (((b * Hq + h) * S + i) * D);
        // Scores, and the running max for a stable exp (the max cancels in
        // the ratio, including against the sink's exp(0) or exp(sinks[h])).
        double m = -INFINITY;
        bool any = false;
        for (int64_t j = 0; j < T; ++j) {
          kept[j] = !config.causal || j <= i + (T - S);
          if (!kept[j])
            continue;
          const double *kj = k.data.data() + (((b * Hkv + kvh) * T + j) * D);
          double dot = 0.0;
          for (int64_t c = 0; c < D; ++c)
            dot += qi[c] * kj[c];
          s[j] = scale * dot;
          m = std::max(m, s[j]);
          any = true;
        }
        double *o = out.data.data() + (((b * Hq + h) * S + i) * Dv);
        if (!any)
          continue; // fully masked row: 0 for every softmax kind
        if (config.softmax == SoftmaxKind::sigmoid) {
          // Sigmoid attention: each kept key on its own, σ(s − log T).
          for (int64_t j = 0; j < T; ++j) {
            if (!kept[j])
              continue;
            double p = sigmoid(s[j] - std::log(double(T)));
            const double *vj = v.data.data() + (((b * Hkv + kvh) * T + j) * Dv);
            for (int64_t c = 0; c < Dv; ++c)
              o[c] += p * vj[c];
          }
        }
        double sinkLogit = 0.0;
        bool hasSink = config.softmax != SoftmaxKind::standard &&
                       config.softmax != SoftmaxKind::sigmoid;
        if (config.softmax == SoftmaxKind::learned_sink)
          sinkLogit = (*sinks)[h];
        if (hasSink)
          m = std::max(m, sinkLogit);
        double denom = hasSink ? std::exp(sinkLogit - m) : 0.0;
        for (int64_t j = 0; j < T; ++j)
          if (kept[j])
            denom += std::exp(s[j] - m);
        for (int64_t j = 0; j < T; ++j) {
          if (!kept[j] || config.softmax == SoftmaxKind::sigmoid)
            continue;
          double p = std::exp(s[j] - m) / denom;
          const double *vj = v.data.data() + (((b * Hkv + kvh) * T + j) * Dv);
          for (int64_t c = 0; c < Dv; ++c)
            o[c] += p * vj[c];
        }
        if (config.gate == GateKind::headwise) {
          double g = sigmoid((*gate)[(b * Hq + h) * S + i]);
          for (int64_t c = 0; c < Dv; ++c)
            o[c] *= g;
        } else if (config.gate == GateKind::elementwise) {
          const double *gi = gate->data.data() + (((b * Hq + h) * S + i) * Dv);
          for (int64_t c = 0; c < Dv; ++c)
            o[c] *= sigmoid(gi[c]);
        }
      }
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Linear and ablations
//===----------------------------------------------------------------------===//

Tensor linear(const Tensor &x, const Tensor &weight, const Tensor *bias) {
  int64_t K = x.lastDim(), rows = x.numElements() / K;
  int64_t N = weight.shape.at(0);
  assert(weight.shape.at(1) == K);
  std::vector<int64_t> shape = x.shape;
  shape.back() = N;
  Tensor y(shape);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t n = 0; n < N; ++n) {
      double acc = 0.0;
      for (int64_t c = 0; c < K; ++c)
        acc += x[r * K + c] * weight[n * K + c];
      y[r * N + n] = acc + (bias ? (*bias)[n] : 0.0);
    }
  return y;
}

Tensor dyt(const Tensor &x, const Tensor &alpha, const Tensor &weight,
           const Tensor &bias) {
  int64_t d = x.lastDim();
  double a = alpha[0];
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i)
    y[i] = weight[i % d] * std::tanh(a * x[i]) + bias[i % d];
  return y;
}

Tensor clip(const Tensor &x, double threshold) {
  Tensor y(x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i)
    y[i] = std::min(std::max(x[i], -threshold), threshold);
  return y;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

static std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty())
      parts.push_back(item);
  return parts;
}

std::optional<QuantScheme> QuantScheme::parse(const std::string &text,
                                              std::string &error) {
  std::vector<std::string> parts = split(text, ',');
  if (parts.empty()) {
    error = "empty quantization scheme";
    return std::nullopt;
  }
  QuantScheme s;
  const std::string &f = parts[0];
  if (f == "int4")
    s.format = QuantFormat::int4;
  else if (f == "int8")
    s.format = QuantFormat::int8;
  else if (f == "fp8")
    s.format = QuantFormat::fp8;
  else if (f == "nvfp4")
    s.format = QuantFormat::nvfp4;
  else if (f == "mxfp4")
    s.format = QuantFormat::mxfp4;
  else {
    error = "unknown quantization format '" + f + "'";
    return std::nullopt;
  }
  s.granularity = s.format == QuantFormat::mxfp4 ? QuantGranularity::per_block
                                                 : QuantGranularity::per_tensor;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string &p = parts[i];
    if (p == "per_tensor")
      s.granularity = QuantGranularity::per_tensor;
    else if (p == "per_channel")
      s.granularity = QuantGranularity::per_channel;
    else if (p == "per_token")
      s.granularity = QuantGranularity::per_token;
    else if (p == "per_block")
      s.granularity = QuantGranularity::per_block;
    else if (p.rfind("block=", 0) == 0) {
      for (const std::string &b : split(p.substr(6), 'x'))
        s.block.push_back(std::stoll(b));
    } else {
      error = "unknown scheme part '" + p + "'";
      return std::nullopt;
    }
  }
  return s;
}

std::string QuantScheme::toMlir() const {
  static const char *formats[] = {"int4", "int8", "fp8", "nvfp4", "mxfp4"};
  static const char *grans[] = {"per_tensor", "per_channel", "per_token",
                                "per_block"};
  std::ostringstream os;
  os << "#rescale.quant<" << formats[int(format)] << ", "
     << grans[int(granularity)];
  if (!block.empty()) {
    os << ", block = [";
    for (size_t i = 0; i < block.size(); ++i)
      os << (i ? ", " : "") << block[i];
    os << "]";
  }
  os << ">";
  return os.str();
}

double QuantScheme::elementMax() const {
  switch (format) {
  case QuantFormat::int4:
    return 7.0; // 2^(4-1) - 1
  case QuantFormat::int8:
    return 127.0; // 2^(8-1) - 1
  case QuantFormat::fp8:
    return 448.0;
  case QuantFormat::nvfp4:
  case QuantFormat::mxfp4:
    return 6.0;
  }
  return 1.0;
}

std::vector<int64_t> QuantScheme::blockShape() const {
  switch (format) {
  case QuantFormat::nvfp4:
    return {16};
  case QuantFormat::mxfp4:
    return {32};
  case QuantFormat::fp8:
    if (granularity != QuantGranularity::per_block)
      return {};
    return block.empty() ? std::vector<int64_t>{128, 128} : block;
  default:
    return {};
  }
}

std::vector<int64_t>
QuantScheme::scaleShape(const std::vector<int64_t> &shape) const {
  std::vector<int64_t> s = shape;
  std::vector<int64_t> b = blockShape();
  if (!b.empty()) {
    for (size_t i = 0; i < b.size(); ++i)
      s[s.size() - 1 - i] /= b[b.size() - 1 - i];
    return s;
  }
  if (granularity == QuantGranularity::per_tensor)
    std::fill(s.begin(), s.end(), 1);
  else
    s.back() = 1;
  return s;
}

std::vector<int64_t>
QuantScheme::globalScaleShape(const std::vector<int64_t> &shape) const {
  std::vector<int64_t> s = shape;
  if (granularity == QuantGranularity::per_token)
    s.back() = 1;
  else
    std::fill(s.begin(), s.end(), 1);
  return s;
}

std::string QuantScheme::valueType() const {
  switch (format) {
  case QuantFormat::int4:
  case QuantFormat::int8:
    return "i8";
  case QuantFormat::fp8:
    return "f8E4M3FN";
  default:
    return "f4E2M1FN";
  }
}

std::string QuantScheme::scaleType() const {
  switch (format) {
  case QuantFormat::nvfp4:
    return "f8E4M3FN";
  case QuantFormat::mxfp4:
    return "f8E8M0FNU";
  default:
    return "f32";
  }
}

Quantized quantize(const Tensor &x, const QuantScheme &scheme) {
  Quantized r;
  r.values = Tensor(x.shape);
  r.dequantized = Tensor(x.shape);
  r.scaled = Tensor(x.shape);
  std::vector<int64_t> scaleShape = scheme.scaleShape(x.shape);
  Tensor amax = groupAbsMax(x, scaleShape);
  Tensor scale(scaleShape); // f64 scale of each group
  r.scales = Tensor(scaleShape);

  switch (scheme.format) {
  case QuantFormat::int4:
  case QuantFormat::int8:
  case QuantFormat::fp8: {
    // s = amax / qmax (1 where amax == 0); the stored scale is f32(s).
    double qmax = scheme.elementMax();
    for (int64_t g = 0; g < scale.numElements(); ++g) {
      scale[g] = amax[g] == 0.0 ? 1.0 : amax[g] / qmax;
      r.scales[g] = roundToF32(scale[g]);
    }
    for (int64_t i = 0; i < x.numElements(); ++i) {
      double s = scale[groupIndex(x.shape, scaleShape, i)];
      double q;
      r.scaled[i] = x[i] / s;
      if (scheme.format == QuantFormat::fp8)
        q = roundToE4M3(x[i] / s);
      else
        q = std::min(std::max(std::nearbyint(x[i] / s), -qmax - 1.0), qmax);
      r.values[i] = q;
      r.dequantized[i] = q * s;
    }
    break;
  }
  case QuantFormat::nvfp4: {
    // Second level S = amax / (6 * 448) per tensor or per token (1 where
    // amax == 0); block scale s_b = e4m3(amax_b / 6 / S) (1 where amax_b == 0);
    // element e2m1(x / (s_b * S)); dequant q * s_b * S.
    std::vector<int64_t> gShape = scheme.globalScaleShape(x.shape);
    Tensor gAmax = groupAbsMax(x, gShape);
    Tensor S(gShape);
    r.globalScale = Tensor(gShape);
    for (int64_t g = 0; g < S.numElements(); ++g) {
      S[g] = gAmax[g] == 0.0 ? 1.0 : gAmax[g] / (6.0 * 448.0);
      r.globalScale[g] = roundToF32(S[g]);
    }
    // Each block lies in one second-level group: take S from its first
    // element.
    std::vector<double> blockS(scale.numElements());
    for (int64_t i = 0; i < x.numElements(); ++i)
      blockS[groupIndex(x.shape, scaleShape, i)] =
          S[groupIndex(x.shape, gShape, i)];
    for (int64_t b = 0; b < scale.numElements(); ++b) {
      scale[b] = amax[b] == 0.0 ? 1.0 : roundToE4M3(amax[b] / 6.0 / blockS[b]);
      r.scales[b] = scale[b];
    }
    for (int64_t i = 0; i < x.numElements(); ++i) {
      int64_t b = groupIndex(x.shape, scaleShape, i);
      if (scale[b] == 0.0) {
        // amax_b/6/S below E4M3's smallest subnormal: s_b rounds to 0 and
        // x/(0·S) means nothing. Defined (docs, QuantToLinalg) as a block of
        // zeros.
        r.scaled[i] = 0.0;
        r.values[i] = 0.0;
        r.dequantized[i] = 0.0;
        continue;
      }
      r.scaled[i] = x[i] / (scale[b] * blockS[b]);
      double q = roundToE2M1(x[i] / (scale[b] * blockS[b]));
      r.values[i] = q;
      r.dequantized[i] = q * scale[b] * blockS[b];
    }
    break;
  }
  case QuantFormat::mxfp4: {
    // E8M0 scale 2^(floor(log2 amax_b) - 2) (1 where amax_b == 0).
    for (int64_t b = 0; b < scale.numElements(); ++b) {
      if (amax[b] == 0.0) {
        scale[b] = 1.0;
      } else {
        int e;
        std::frexp(amax[b], &e); // amax = f * 2^e, f in [0.5, 1)
        scale[b] = std::ldexp(1.0, (e - 1) - 2);
      }
      r.scales[b] = scale[b];
    }
    for (int64_t i = 0; i < x.numElements(); ++i) {
      double s = scale[groupIndex(x.shape, scaleShape, i)];
      r.scaled[i] = x[i] / s;
      double q = roundToE2M1(x[i] / s);
      r.values[i] = q;
      r.dequantized[i] = q * s;
    }
    break;
  }
  }
  return r;
}

bool isRoundingTie(double v, const QuantScheme &scheme) {
  auto round = [&](double u) {
    switch (scheme.format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      return std::nearbyint(u); // clamping aside: ties are inside the range
    case QuantFormat::fp8:
      return roundToE4M3(u);
    default:
      return roundToE2M1(u);
    }
  };
  return round(std::nextafter(v, INFINITY)) !=
         round(std::nextafter(v, -INFINITY));
}

Tensor dequantize(const Tensor &values, const Tensor &scales,
                  const Tensor *globalScale, const QuantScheme &scheme) {
  Tensor y(values.shape);
  for (int64_t i = 0; i < values.numElements(); ++i) {
    double v = values[i] * scales[groupIndex(values.shape, scales.shape, i)];
    if (scheme.hasGlobalScale())
      v *= (*globalScale)[groupIndex(values.shape, globalScale->shape, i)];
    y[i] = v;
  }
  return y;
}

} // namespace rescale_ref
