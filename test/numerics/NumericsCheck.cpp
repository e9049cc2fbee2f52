//===- NumericsCheck.cpp - rescale-run against the float64 reference ------===//
//
// rescale-numerics-check: the numerics test driver of issue 3 §4.
//
//   rescale-numerics-check CASES.test [--work-dir DIR] [--rescale-run PATH]
//                          [--filter SUBSTR] [--inject-nan] [--emit-only]
//                          [--no-batch] [--sweep N [--sweep-seed S]]
//
// CASES.test holds one case per line, after a `CASE:` marker:
//
//   CASE: attn_causal_gqa op=attention B=1 Hq=4 Hkv=2 S=5 T=15 D=7 causal=1
//   dtype=bf16 seed=3
//
// For each case the driver
//   1. writes a func.func for the case into one module per file
//      (DIR/FILE.mlir), compiled once by rescale-compile (unless --no-batch or
//      that fails; then each case is a module of its own, compiled by
//      rescale-run),
//   2. runs `rescale-run DIR/FILE.so --entry NAME --output-dir DIR/NAME`
//      with `--random-inputs --seed N` (or with inputs the driver crafted,
//      `inputs=ties` / `inputs=zeros`, passed with --input),
//   3. reads back in*.npy (the inputs actually used; bf16/f16 inputs must hold
//      values of their type) and out*.npy,
//   4. evaluates the float64 reference (test/reference) on those inputs and
//      compares each output: bit-exact for quantization outputs, else
//      max|out - ref| / max|ref| against the tolerance of the result dtype.
// It prints one line per case and exits 1 if any case fails.
//
// Tolerances (relative to max|ref| of the output; the contract computes in
// f32 and rounds only the final result, so the error is the output rounding,
// at most half an ulp = 2^-p·max|ref| for a p-bit significand (p = 11 for
// f16, 8 for bf16), plus the f32 compute error):
//   f32  5e-5    f32 compute error, amplified by conditioning: in gated_norm
//                an absolute error ~eps32·Σ|y·w_down| ≈ 1e-5 in the gate logit
//                (d = 129, r = 32) is a relative ~1e-5 in the output (seen:
//                up to 4e-6); attention scores feeding exp likewise. Any
//                intermediate in f16/bf16 (>= 5e-4) or a formula slip is far
//                above it.
//   f16  1e-3    one f16 ulp (2^-10 = 9.8e-4): twice the output rounding.
//   bf16 7.9e-3  one bf16 ulp (2^-7 = 7.8e-3): twice the output rounding;
//                computing any intermediate in bf16 would exceed it.
// Quantized values, scales, dequantized and fake-quant results are compared
// bit for bit (numerics contract: f64 quantization math in literal order).
//
//===----------------------------------------------------------------------===//

#include "FloatFormats.h"
#include "Npy.h"
#include "Reference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace rescale_ref;

//===----------------------------------------------------------------------===//
// Tolerances
//===----------------------------------------------------------------------===//

/// Relative tolerance (against max|ref|) of a non-quantized result of type t.
static double toleranceFor(DType t) {
  switch (t) {
  case DType::f16:
    return 1e-3;
  case DType::bf16:
    return 7.9e-3;
  default:
    return 5e-5;
  }
}

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

[[noreturn]] static void fatal(const std::string &msg) {
  std::fprintf(stderr, "rescale-numerics-check: error: %s\n", msg.c_str());
  std::exit(2);
}

static std::vector<int64_t> parseShape(const std::string &s) {
  std::vector<int64_t> shape;
  if (s.empty() || s == "scalar")
    return shape;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, 'x')) {
    char *end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end || v <= 0)
      fatal("bad shape '" + s + "'");
    shape.push_back(v);
  }
  return shape;
}

static std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s.empty() ? "scalar" : s;
}

static std::string tensorType(const std::vector<int64_t> &shape,
                              const std::string &t) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += std::to_string(d) + "x";
  return s + t + ">";
}

static std::string tensorType(const std::vector<int64_t> &shape, DType t) {
  return tensorType(shape, std::string(dtypeName(t)));
}

/// An f32 attribute spelling `v` (already an f32 value: callers round with
/// roundToF32 and use that same value in the reference) exactly.
static std::string f32Attr(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9e : f32", v);
  return buf;
}

static std::string quote(const std::string &s) {
  std::string r = "'";
  for (char c : s)
    r += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

static void makeDirs(const std::string &p) {
  if (std::system(("mkdir -p " + quote(p)).c_str()) != 0)
    fatal("cannot create directory " + p);
}

static std::string readFile(const std::string &p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

namespace {

/// One line of a case file: `CASE: name key=value ...`.
struct CaseLine {
  std::string name;
  std::map<std::string, std::string> params;
  std::set<std::string> used;
  int line = 0;
  /// Draws the dims of `shape=random` and `random=1` cases from the seed.
  std::mt19937_64 shapeRng;

  int64_t draw(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(shapeRng);
  }
  /// `shape=AxB`, or `shape=random`: rank 1-3, leading dims 1-5, the last
  /// dim 1-140 (times `multiple`, for blocked quantization schemes).
  std::vector<int64_t> shape(int64_t multiple = 1) {
    std::string v = required("shape");
    if (v != "random")
      return parseShape(v);
    std::vector<int64_t> s(draw(1, 3));
    for (int64_t &d : s)
      d = draw(1, 5);
    s.back() = multiple == 1 ? draw(1, 140) : multiple * draw(1, 4);
    return s;
  }

  bool has(const std::string &k) const { return params.count(k); }
  std::string str(const std::string &k, const std::string &def) {
    used.insert(k);
    auto it = params.find(k);
    return it == params.end() ? def : it->second;
  }
  std::string required(const std::string &k) {
    used.insert(k);
    auto it = params.find(k);
    if (it == params.end())
      fatal("case '" + name + "' (line " + std::to_string(line) + ") needs '" +
            k + "='");
    return it->second;
  }
  int64_t integer(const std::string &k, int64_t def) {
    std::string v = str(k, std::to_string(def));
    char *end = nullptr;
    long long r = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end)
      fatal("case '" + name + "': '" + k + "' must be an integer, got '" + v +
            "'");
    return r;
  }
  double real(const std::string &k, double def) {
    std::string v = str(k, "");
    if (v.empty())
      return def;
    char *end = nullptr;
    double r = std::strtod(v.c_str(), &end);
    if (*end)
      fatal("case '" + name + "': '" + k + "' must be a number, got '" + v +
            "'");
    return r;
  }
  DType dtype(const std::string &k, DType def) {
    std::string v = str(k, dtypeName(def));
    bool ok;
    DType t = parseDType(v, &ok);
    if (!ok || (t != DType::f32 && t != DType::f16 && t != DType::bf16))
      fatal("case '" + name + "': '" + k + "' must be f32, f16 or bf16, got '" +
            v + "'");
    return t;
  }
};

struct Operand {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};

struct Output {
  std::string label;
  DType dtype; // element type of the result (f8/f4/i8 for quantized values)
  std::vector<int64_t> shape;
  bool exact; // bit-exact comparison (quantization)
  /// When > 0: every element's |out - ref| / |ref| must be at most this,
  /// instead of the error relative to max|ref| (a function whose relative
  /// accuracy near 0 matters, such as tanh on inputs across magnitudes).
  double elementwiseRel = 0.0;
};

} // namespace

/// The tolerance `o` is checked against.
static double toleranceOf(const Output &o) {
  return o.elementwiseRel > 0 ? o.elementwiseRel : toleranceFor(o.dtype);
}

namespace {

/// What the driver needs to run and check one case.
struct CaseSpec {
  std::string op;
  std::vector<Operand> inputs;
  std::vector<Output> outputs;
  std::vector<std::string> body; // MLIR lines, results named %r0, %r1, ...
  /// f64 references of every output from the inputs actually used. Exact
  /// outputs must already be rounded to their dtype.
  std::function<std::vector<Tensor>(const std::vector<Tensor> &)> reference;
  /// For quantization: how many elements sit on a rounding tie (reported,
  /// so that a tie case shows it tested ties).
  std::function<int64_t(const std::vector<Tensor> &)> countTies;
  /// inputs=ties: a case whose inputs hit no tie fails (it would not test
  /// what it claims to).
  bool expectTies = false;
  /// Fills crafted inputs (inputs=ties / zeros); null: random inputs only.
  std::function<void(std::vector<Tensor> &, std::mt19937_64 &)> craft;
  std::string description;
};

} // namespace

static std::string funcText(const std::string &name, const CaseSpec &spec) {
  std::string results;
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    results += (i ? ", " : "") +
               tensorType(spec.outputs[i].shape, spec.outputs[i].dtype);
  std::ostringstream os;
  os << "func.func @" << name << "(";
  for (size_t i = 0; i < spec.inputs.size(); ++i)
    os << (i ? ", " : "") << "%" << spec.inputs[i].name << ": "
       << tensorType(spec.inputs[i].shape, spec.inputs[i].dtype);
  os << ") -> (" << results << ") {\n";
  for (const std::string &l : spec.body)
    os << "  " << l << "\n";
  os << "  return ";
  for (size_t i = 0; i < spec.outputs.size(); ++i)
    os << (i ? ", " : "") << "%r" << i;
  os << " : " << results << "\n}\n";
  return os.str();
}

/// "(T0, T1) -> T2" for an op's functional type.
static std::string functionalType(const std::vector<Operand> &ins,
                                  const std::vector<std::string> &outs) {
  std::string s = "(";
  for (size_t i = 0; i < ins.size(); ++i)
    s += (i ? ", " : "") + tensorType(ins[i].shape, ins[i].dtype);
  s += ") -> ";
  if (outs.size() == 1)
    return s + outs[0];
  s += "(";
  for (size_t i = 0; i < outs.size(); ++i)
    s += (i ? ", " : "") + outs[i];
  return s + ")";
}

static std::string operandList(const std::vector<Operand> &ins) {
  std::string s;
  for (size_t i = 0; i < ins.size(); ++i)
    s += (i ? ", %" : "%") + ins[i].name;
  return s;
}

//===----------------------------------------------------------------------===//
// Op builders: one per op, each reading its own keys from the case line
//===----------------------------------------------------------------------===//

static void buildNorm(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  DType wt = c.dtype("wdtype", t);
  std::vector<int64_t> shape = c.shape();
  int64_t d = shape.back();
  double eps = roundToF32(c.real("eps", 1e-6));
  std::string attrs = "{epsilon = " + f32Attr(eps) + "}";
  const std::string &op = spec.op;
  spec.inputs.push_back({"x", t, shape});
  if (op == "add_rms_norm")
    spec.inputs.push_back({"residual", t, shape});
  if (op == "preaffine_rms_norm")
    spec.inputs.push_back({"pre_scale", wt, {d}});
  spec.inputs.push_back({"weight", wt, {d}});
  std::string ty = tensorType(shape, t);
  std::string lhs = "%r0";
  if (op == "add_rms_norm") {
    spec.outputs.push_back({"sum", t, shape, false});
    lhs = "%r0, %r1";
  }
  spec.outputs.push_back({"y", t, shape, false});
  std::vector<std::string> outs(spec.outputs.size(), ty);
  spec.body.push_back(lhs + " = rescale." + op + " " +
                      operandList(spec.inputs) + " " + attrs + " : " +
                      functionalType(spec.inputs, outs));
  spec.reference = [op, eps](const std::vector<Tensor> &in) {
    if (op == "rms_norm")
      return std::vector<Tensor>{rmsNorm(in[0], in[1], eps)};
    if (op == "preaffine_rms_norm")
      return std::vector<Tensor>{preAffineRmsNorm(in[0], in[1], in[2], eps)};
    auto [sum, y] = addRmsNorm(in[0], in[1], in[2], eps);
    return std::vector<Tensor>{sum, y};
  };
  spec.description =
      shapeStr(shape) + " " + dtypeName(t) + " w:" + dtypeName(wt);
}

static void buildGatedNorm(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  DType wt = c.dtype("wdtype", t);
  std::vector<int64_t> shape = c.shape();
  int64_t d = shape.back();
  int64_t r = c.integer("r", 16);
  bool tensorwise = c.integer("tensorwise", 0);
  std::string actName = c.str("act", "sigmoid");
  auto act = parseGateActivation(actName);
  if (!act)
    fatal("case '" + c.name + "': unknown act '" + actName + "'");
  double eps = roundToF32(c.real("eps", 1e-6));
  spec.inputs = {{"x", t, shape},
                 {"weight", wt, {d}},
                 {"w_down", wt, {d, r}},
                 {"w_up", wt, {r, tensorwise ? 1 : d}}};
  spec.outputs.push_back({"y", t, shape, false});
  std::string attrs = "{epsilon = " + f32Attr(eps) +
                      ", gate_activation = #rescale.gate_activation<" +
                      actName + ">}";
  spec.body.push_back("%r0 = rescale.gated_norm " + operandList(spec.inputs) +
                      " " + attrs + " : " +
                      functionalType(spec.inputs, {tensorType(shape, t)}));
  GateActivation a = *act;
  spec.reference = [a, eps](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{gatedNorm(in[0], in[1], in[2], in[3], eps, a)};
  };
  spec.description = shapeStr(shape) + " " + dtypeName(t) +
                     " r=" + std::to_string(r) + " " + actName +
                     (tensorwise ? " tensorwise" : "");
}

static void buildAttention(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  DType wt = c.dtype("wdtype", t); // gate and sinks
  int64_t B, Hq, Hkv, S, T, D, Dv;
  if (c.integer("random", 0)) {
    // Dims from the seed: GQA groups, T = S, 3·S or unrelated, odd D.
    B = c.draw(1, 2);
    Hkv = c.draw(1, 3);
    Hq = Hkv * c.draw(1, 3);
    S = c.draw(1, 9);
    int64_t how = c.draw(0, 2);
    T = how == 0 ? S : how == 1 ? 3 * S : c.draw(1, 12);
    D = c.draw(1, 40);
    Dv = c.draw(0, 1) ? D : c.draw(1, 40);
  } else {
    B = c.integer("B", 1);
    Hq = c.integer("Hq", 2);
    Hkv = c.integer("Hkv", Hq);
    S = c.integer("S", 4);
    T = c.integer("T", S);
    D = c.integer("D", 8);
    Dv = c.integer("Dv", D);
  }
  AttentionConfig cfg;
  cfg.causal = c.integer("causal", 0);
  std::string sm = c.str("softmax", "standard"), gk = c.str("gate", "none");
  auto smk = parseSoftmaxKind(sm);
  auto gkk = parseGateKind(gk);
  if (!smk || !gkk)
    fatal("case '" + c.name + "': bad softmax or gate kind");
  cfg.softmax = *smk;
  cfg.gate = *gkk;
  std::string attrs;
  if (c.has("scale")) {
    cfg.scale = roundToF32(c.real("scale", 1.0));
    attrs += "scale = " + f32Attr(*cfg.scale);
  }
  if (cfg.causal)
    attrs += std::string(attrs.empty() ? "" : ", ") + "causal";
  if (cfg.gate != GateKind::none)
    attrs += std::string(attrs.empty() ? "" : ", ") +
             "gate_kind = #rescale.gate_kind<" + gk + ">";
  if (cfg.softmax != SoftmaxKind::standard)
    attrs += std::string(attrs.empty() ? "" : ", ") +
             "softmax = #rescale.softmax<" + sm + ">";
  spec.inputs = {{"q", t, {B, Hq, S, D}},
                 {"k", t, {B, Hkv, T, D}},
                 {"v", t, {B, Hkv, T, Dv}}};
  if (cfg.gate == GateKind::headwise)
    spec.inputs.push_back({"gate", wt, {B, Hq, S}});
  if (cfg.gate == GateKind::elementwise)
    spec.inputs.push_back({"gate", wt, {B, Hq, S, Dv}});
  if (cfg.softmax == SoftmaxKind::learned_sink)
    spec.inputs.push_back({"sinks", wt, {Hq}});
  std::vector<int64_t> outShape = {B, Hq, S, Dv};
  spec.outputs.push_back({"out", t, outShape, false});
  spec.body.push_back("%r0 = rescale.attention " + operandList(spec.inputs) +
                      (attrs.empty() ? "" : " {" + attrs + "}") + " : " +
                      functionalType(spec.inputs, {tensorType(outShape, t)}));
  bool hasGate = cfg.gate != GateKind::none;
  bool hasSinks = cfg.softmax == SoftmaxKind::learned_sink;
  spec.reference = [cfg, hasGate, hasSinks](const std::vector<Tensor> &in) {
    const Tensor *gate = hasGate ? &in[3] : nullptr;
    const Tensor *sinks = hasSinks ? &in[hasGate ? 4 : 3] : nullptr;
    return std::vector<Tensor>{
        attention(in[0], in[1], in[2], gate, sinks, cfg)};
  };
  std::ostringstream d;
  d << "B" << B << " Hq" << Hq << " Hkv" << Hkv << " S" << S << " T" << T
    << " D" << D << " Dv" << Dv << " " << dtypeName(t)
    << (cfg.causal ? " causal" : "") << " " << sm << " gate:" << gk;
  spec.description = d.str();
}

static void buildLinear(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  DType wt = c.dtype("wdtype", t);
  std::vector<int64_t> shape = c.shape();
  int64_t K = shape.back(), N = c.integer("N", 8);
  bool bias = c.integer("bias", 1);
  spec.inputs = {{"x", t, shape}, {"weight", wt, {N, K}}};
  if (bias)
    spec.inputs.push_back({"bias", wt, {N}});
  std::vector<int64_t> outShape = shape;
  outShape.back() = N;
  spec.outputs.push_back({"y", t, outShape, false});
  spec.body.push_back("%r0 = rescale.linear " + operandList(spec.inputs) +
                      " : " +
                      functionalType(spec.inputs, {tensorType(outShape, t)}));
  spec.reference = [bias](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{linear(in[0], in[1], bias ? &in[2] : nullptr)};
  };
  spec.description = shapeStr(shape) + " N=" + std::to_string(N) + " " +
                     dtypeName(t) + (bias ? " +bias" : "");
}

static void buildDyT(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  DType wt = c.dtype("wdtype", t);
  std::vector<int64_t> shape = c.shape();
  int64_t d = shape.back();
  std::vector<int64_t> alphaShape;
  if (c.integer("alpha_rank", 0))
    alphaShape = {1};
  spec.inputs = {{"x", t, shape},
                 {"alpha", wt, alphaShape},
                 {"weight", wt, {d}},
                 {"bias", wt, {d}}};
  spec.outputs.push_back({"y", t, shape, false});
  spec.body.push_back("%r0 = rescale.dyt " + operandList(spec.inputs) + " : " +
                      functionalType(spec.inputs, {tensorType(shape, t)}));
  spec.reference = [](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{dyt(in[0], in[1], in[2], in[3])};
  };
  spec.description = shapeStr(shape) + " " + dtypeName(t);
  // inputs=logspace: y = tanh(x) (alpha = 1, weight = 1, bias = 0) on |x|
  // evenly spaced in log10 from 1e-30 to 1e3, both signs, each element
  // checked for relative error: tanh(x) ~ x near 0 must keep x's relative
  // precision (a formula such as (1 - e^-2x) / (1 + e^-2x) cancels there).
  // Tolerance: 4 f32 ulp (2^-21) for f32 (libm's tanhf is within 2 ulp,
  // plus the output rounding); one ulp of f16/bf16 otherwise.
  std::string inputs = c.str("inputs", "random");
  if (inputs == "logspace") {
    spec.outputs.back().elementwiseRel =
        t == DType::f32 ? std::ldexp(1.0, -21) : toleranceFor(t);
    spec.craft = [t, wt](std::vector<Tensor> &in, std::mt19937_64 &) {
      int64_t n = in[0].numElements();
      for (int64_t i = 0; i < n; ++i) {
        double e =
            -30.0 + 33.0 * double(i) / double(std::max<int64_t>(1, n - 1));
        in[0][i] = roundTo(t, (i % 2 ? -1.0 : 1.0) * std::pow(10.0, e));
      }
      in[1][0] = roundTo(wt, 1.0);
      for (double &w : in[2].data)
        w = roundTo(wt, 1.0);
      for (double &b : in[3].data)
        b = 0.0;
    };
    spec.description += " inputs=logspace";
  } else if (inputs != "random") {
    fatal("case '" + c.name + "': dyt inputs must be random or logspace");
  }
}

static void buildClip(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  std::vector<int64_t> shape = c.shape();
  double th = roundToF32(c.real("threshold", 1.5));
  spec.inputs = {{"x", t, shape}};
  spec.outputs.push_back({"y", t, shape, false});
  spec.body.push_back(
      "%r0 = rescale.clip %x {threshold = " + f32Attr(th) +
      "} : " + functionalType(spec.inputs, {tensorType(shape, t)}));
  spec.reference = [th](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{clip(in[0], th)};
  };
  spec.description = shapeStr(shape) + " " + dtypeName(t);
}

//===----------------------------------------------------------------------===//
// Quantization cases and their crafted (tie) inputs
//===----------------------------------------------------------------------===//

/// Midpoints between neighbouring values of a float grid in [0, max): the
/// values that round-half-to-even decides.
static std::vector<double> gridTies(const FloatGrid &g) {
  std::vector<double> points;
  // Walk the grid: subnormal quantum first, then each binade.
  double q = std::ldexp(1.0, g.minExponent - g.mantissaBits);
  for (double v = 0.0; v < g.maxFinite;) {
    double next = v + q;
    // The spacing doubles once `next` reaches the next power of two.
    points.push_back((v + next) / 2);
    v = next;
    int e;
    std::frexp(v, &e);
    if (v >= std::ldexp(1.0, g.minExponent) && v == std::ldexp(1.0, e - 1))
      q = std::ldexp(1.0, (e - 1) - g.mantissaBits);
  }
  return points;
}

/// Crafted quantization inputs. Every scale group gets a power-of-two scale
/// p, so that x/s is exact, and a leading element at the group's max
/// (±emax·p); the other elements are exact rounding ties of the element
/// format times p (int: (m + 0.5)·p; fp8/fp4: midpoints of the grid), with
/// every fourth an off-tie value. With `zeros`, every third group is all
/// zero (the "s = 1 where the max is 0" rule), and for nvfp4 every other
/// second-level group too.
///
/// nvfp4: each second-level group (token or tensor) gets S = 2^k through its
/// first element 6·448·S; every other block gets s_b = e, a power of two,
/// through a first element 6·e·S, so s_b = e4m3(6·e·S/6/S) = e exactly.
/// With `underflow`, every third other block is scaled by 2^-24 so that
/// its s_b rounds to 0 in E4M3 (defined as a block of zeros).
static void craftQuantInput(Tensor &x, const QuantScheme &scheme, bool zeros,
                            bool underflow, std::mt19937_64 &rng) {
  std::vector<double> ties;
  double emax = scheme.elementMax();
  if (scheme.format == QuantFormat::int4 ||
      scheme.format == QuantFormat::int8) {
    for (double m = -emax; m < emax; m += 1)
      ties.push_back(m + 0.5);
  } else {
    const FloatGrid &g =
        scheme.format == QuantFormat::fp8 ? kE4M3Grid : kE2M1Grid;
    for (double t : gridTies(g)) {
      ties.push_back(t);
      ties.push_back(-t);
    }
  }
  std::uniform_int_distribution<int> pick(0, int(ties.size()) - 1);
  std::uniform_int_distribution<int> pow2(-3, 2);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);

  std::vector<int64_t> blockShape = scheme.scaleShape(x.shape);
  bool nv = scheme.hasGlobalScale();
  std::vector<int64_t> globalShape =
      nv ? scheme.globalScaleShape(x.shape) : blockShape;
  std::vector<int64_t> blockSeen(product(blockShape), 0);
  std::vector<int64_t> globalSeen(product(globalShape), 0);
  std::vector<double> blockPow(product(blockShape));
  std::vector<double> globalPow(product(globalShape));
  for (double &p : globalPow)
    p = std::ldexp(1.0, pow2(rng));
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t g = groupIndex(x.shape, blockShape, i);
    int64_t G = groupIndex(x.shape, globalShape, i);
    bool firstOfBlock = blockSeen[g]++ == 0;
    bool firstOfGlobal = globalSeen[G]++ == 0;
    bool leadsGlobal = false; // the block holding the second-level max
    if (firstOfBlock) {
      if (!nv)
        blockPow[g] = globalPow[G];
      else if (firstOfGlobal)
        blockPow[g] = 448.0 * globalPow[G];
      else
        blockPow[g] = std::ldexp(1.0, 2 * pow2(rng)) * globalPow[G];
    }
    leadsGlobal = nv && blockPow[g] == 448.0 * globalPow[G];
    double p = blockPow[g];
    if (underflow && nv && g % 3 == 2 && !leadsGlobal)
      p = std::ldexp(p, -24);
    bool zero = zeros && ((g % 3 == 1 && !leadsGlobal) || (nv && G % 2 == 1));
    double v;
    if (zero)
      v = 0.0;
    else if (firstOfBlock)
      v = (rng() & 1 ? emax : -emax) * p;
    else if (blockSeen[g] % 4 == 0)
      v = unit(rng) * emax * p; // off-tie; rounded to the dtype by the caller
    else
      v = ties[pick(rng)] * p;
    x[i] = v;
  }
}

/// The case's `scheme=` key, parsed; a fatal error naming the case when it
/// is missing or not a scheme.
static QuantScheme requiredScheme(CaseLine &c) {
  std::string err;
  auto scheme = QuantScheme::parse(c.required("scheme"), err);
  if (!scheme)
    fatal("case '" + c.name + "': " + err);
  return *scheme;
}

/// The case's shape for `scheme`; `shape=random` draws dims that the
/// scheme's block (16, 32, or 2-d for fp8 per_block) tiles.
static std::vector<int64_t> quantShape(CaseLine &c, const QuantScheme &scheme) {
  std::vector<int64_t> block = scheme.blockShape();
  std::vector<int64_t> shape = c.shape(block.empty() ? 1 : block.back());
  if (block.size() == 2 && c.str("shape", "") == "random") {
    if (shape.size() < 2)
      shape.insert(shape.begin(), 1);
    shape[shape.size() - 2] = block[0] * c.draw(1, 2);
  }
  return shape;
}

static void buildQuant(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  QuantScheme s = requiredScheme(c);
  std::vector<int64_t> shape = quantShape(c, s);
  spec.inputs = {{"x", t, shape}};
  std::string attrs = "{scheme = " + s.toMlir() + "}";
  std::string xt = tensorType(shape, t);
  if (spec.op == "fake_quant") {
    spec.outputs.push_back({"y", t, shape, true});
    spec.body.push_back("%r0 = rescale.fake_quant %x " + attrs + " : " +
                        functionalType(spec.inputs, {xt}));
    spec.reference = [s, t](const std::vector<Tensor> &in) {
      Tensor y = quantize(in[0], s).dequantized;
      for (double &v : y.data)
        v = roundTo(t, v);
      return std::vector<Tensor>{y};
    };
  } else {
    // quantize, then dequantize its results: checks both ops, bit for bit.
    bool dg = s.hasGlobalScale();
    bool ok;
    c.used.insert("storage");
    std::vector<int64_t> sShape = s.scaleShape(shape);
    std::vector<int64_t> gShape = s.globalScaleShape(shape);
    // int4 values may be stored as i4 (rescale-run writes them as i8).
    std::string valueType = s.valueType();
    if (s.format == QuantFormat::int4 && c.str("storage", "i8") == "i4")
      valueType = "i4";
    std::string vt = tensorType(shape, valueType);
    std::string st = tensorType(sShape, s.scaleType());
    std::string gt = tensorType(gShape, "f32");
    spec.outputs.push_back({"values", parseDType(valueType, &ok), shape, true});
    spec.outputs.push_back(
        {"scales", parseDType(s.scaleType(), &ok), sShape, true});
    if (dg)
      spec.outputs.push_back({"global_scale", DType::f32, gShape, true});
    spec.outputs.push_back({"dequantized", t, shape, true});
    std::vector<std::string> qouts = {vt, st};
    if (dg)
      qouts.push_back(gt);
    spec.body.push_back(std::string(dg ? "%r0, %r1, %r2" : "%r0, %r1") +
                        " = rescale.quantize %x " + attrs + " : " +
                        functionalType(spec.inputs, qouts));
    spec.body.push_back(std::string(dg ? "%r3" : "%r2") +
                        " = rescale.dequantize " +
                        (dg ? "%r0, %r1, %r2 " : "%r0, %r1 ") + attrs + " : (" +
                        vt + ", " + st + (dg ? ", " + gt : "") + ") -> " + xt);
    spec.reference = [s, t, dg](const std::vector<Tensor> &in) {
      Quantized q = quantize(in[0], s);
      // dequantize reads the stored scales (f32 / e4m3 / e8m0).
      Tensor y =
          dequantize(q.values, q.scales, dg ? &q.globalScale : nullptr, s);
      for (double &v : y.data)
        v = roundTo(t, v);
      std::vector<Tensor> r = {q.values, q.scales};
      if (dg)
        r.push_back(q.globalScale);
      r.push_back(y);
      return r;
    };
  }
  spec.countTies = [s](const std::vector<Tensor> &in) {
    Quantized q = quantize(in[0], s);
    int64_t n = 0;
    for (double v : q.scaled.data)
      n += isRoundingTie(v, s);
    return n;
  };
  std::string inputs = c.str("inputs", "random");
  if (inputs == "ties" || inputs == "zeros" || inputs == "underflow") {
    bool zeros = inputs == "zeros", underflow = inputs == "underflow";
    spec.expectTies = true;
    spec.craft = [s, zeros, underflow, t](std::vector<Tensor> &in,
                                          std::mt19937_64 &rng) {
      craftQuantInput(in[0], s, zeros, underflow, rng);
      for (double &v : in[0].data)
        v = roundTo(t, v);
    };
  } else if (inputs != "random") {
    fatal("case '" + c.name +
          "': inputs must be random, ties, zeros or underflow");
  }
  spec.description = shapeStr(shape) + " " + dtypeName(t) + " " + s.toMlir() +
                     (inputs == "random" ? "" : " inputs=" + inputs);
}

/// dequantize alone, on random quantized operands (rescale-run draws valid
/// encodings for i8/f8/f4 inputs and writes them decoded): values · scales
/// (· global_scale), rounded once to the result type, compared bit for bit.
static void buildDequantize(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  QuantScheme s = requiredScheme(c);
  std::vector<int64_t> shape = quantShape(c, s);
  bool ok;
  spec.inputs = {
      {"values", parseDType(s.valueType(), &ok), shape},
      {"scales", parseDType(s.scaleType(), &ok), s.scaleShape(shape)}};
  bool dg = s.hasGlobalScale();
  if (dg)
    spec.inputs.push_back(
        {"global_scale", DType::f32, s.globalScaleShape(shape)});
  spec.outputs.push_back({"y", t, shape, true});
  spec.body.push_back("%r0 = rescale.dequantize " + operandList(spec.inputs) +
                      " {scheme = " + s.toMlir() + "} : " +
                      functionalType(spec.inputs, {tensorType(shape, t)}));
  spec.reference = [s, t, dg](const std::vector<Tensor> &in) {
    Tensor y = dequantize(in[0], in[1], dg ? &in[2] : nullptr, s);
    for (double &v : y.data)
      v = roundTo(t, v);
    return std::vector<Tensor>{y};
  };
  spec.description = shapeStr(shape) + " -> " + dtypeName(t) + " " + s.toMlir();
}

/// A function that never writes its result (it returns tensor.empty), with
/// the identity as "reference": rescale-run must hand back its poison (NaN)
/// and the check must fail. Used by poison.test only.
static void buildUnwritten(CaseLine &c, CaseSpec &spec) {
  DType t = c.dtype("dtype", DType::f32);
  std::vector<int64_t> shape = c.shape();
  spec.inputs = {{"x", t, shape}};
  spec.outputs.push_back({"y", t, shape, false});
  spec.body.push_back("%r0 = tensor.empty() : " + tensorType(shape, t));
  spec.reference = [](const std::vector<Tensor> &in) {
    return std::vector<Tensor>{in[0]};
  };
  spec.description = shapeStr(shape) + " " + dtypeName(t);
}

static CaseSpec buildCase(CaseLine &c) {
  CaseSpec spec;
  c.shapeRng.seed(uint64_t(c.integer("seed", 1)) * 7919 + 17);
  spec.op = c.required("op");
  const std::string &op = spec.op;
  if (op == "rms_norm" || op == "preaffine_rms_norm" || op == "add_rms_norm")
    buildNorm(c, spec);
  else if (op == "gated_norm")
    buildGatedNorm(c, spec);
  else if (op == "attention")
    buildAttention(c, spec);
  else if (op == "linear")
    buildLinear(c, spec);
  else if (op == "dyt")
    buildDyT(c, spec);
  else if (op == "clip")
    buildClip(c, spec);
  else if (op == "quantize" || op == "fake_quant")
    buildQuant(c, spec);
  else if (op == "dequantize")
    buildDequantize(c, spec);
  else if (op == "unwritten")
    buildUnwritten(c, spec);
  else
    fatal("case '" + c.name + "': unknown op '" + op + "'");
  // xscale=K: the driver draws normal(0,1) inputs itself and multiplies the
  // first one (x or q) by K, e.g. to overflow f16 if x² were not taken in f32
  // or exp if the softmax did not subtract its max.
  double xscale = c.real("xscale", 0.0);
  if (xscale != 0.0) {
    auto previous = spec.craft;
    DType t0 = spec.inputs[0].dtype;
    spec.craft = [previous, xscale, t0](std::vector<Tensor> &in,
                                        std::mt19937_64 &rng) {
      if (previous)
        previous(in, rng);
      for (double &v : in[0].data)
        v = roundTo(t0, v * xscale);
    };
    spec.description += " x*" + c.str("xscale", "");
  }
  c.used.insert("seed");
  for (auto &[k, v] : c.params)
    if (!c.used.count(k))
      fatal("case '" + c.name + "' (line " + std::to_string(c.line) +
            "): unknown key '" + k + "' for op " + op);
  return spec;
}

//===----------------------------------------------------------------------===//
// Running and comparing
//===----------------------------------------------------------------------===//

namespace {

struct Options {
  std::vector<std::string> files;
  std::string workDir;
  std::string rescaleRun;
  std::string rescaleCompile; // "" with --no-batch
  std::string filter;
  bool injectNaN = false;
  bool emitOnly = false; // write the module(s) and stop
};

} // namespace

/// The npy dtype the driver writes for an input of type t (bf16 goes through
/// f32 at the boundary).
static std::string npyDescrFor(DType t) {
  switch (t) {
  case DType::f16:
    return "<f2";
  case DType::f64:
    return "<f8";
  default:
    return "<f4";
  }
}

/// Reads an output/input file as f64 values of MLIR type `t`. Narrow float
/// formats may come back as floats (converted by rescale-run) or as raw bytes.
static bool readAs(const std::string &path, DType t,
                   const std::vector<int64_t> &shape, Tensor &out,
                   std::string &error) {
  NpyArray a;
  if (!readNpy(path, a, error))
    return false;
  if (a.shape != shape) {
    error =
        path + ": shape " + shapeStr(a.shape) + ", expected " + shapeStr(shape);
    return false;
  }
  out = Tensor(shape, a.data);
  if (a.descr == "|u1" &&
      (t == DType::f8E4M3FN || t == DType::f4E2M1FN || t == DType::f8E8M0FNU)) {
    for (size_t i = 0; i < a.bytes.size(); ++i)
      out.data[i] = t == DType::f8E4M3FN   ? decodeE4M3(a.bytes[i])
                    : t == DType::f4E2M1FN ? decodeE2M1(a.bytes[i])
                                           : decodeE8M0(a.bytes[i]);
  }
  return true;
}

namespace {

struct Comparison {
  bool pass = true;
  double maxErr = 0.0; // relative (tolerance) or absolute (exact)
  double maxRef = 0.0;
  int64_t mismatches = 0; // exact: differing elements; else: NaN/inf ones
  int64_t worst = -1;
  std::string note;
};

} // namespace

static Comparison compare(const Tensor &got, const Tensor &ref,
                          const Output &o) {
  Comparison c;
  for (double v : ref.data)
    if (std::isfinite(v))
      c.maxRef = std::max(c.maxRef, std::fabs(v));
  double norm = c.maxRef > 0 ? c.maxRef : 1.0;
  double worstAbs = -1;
  for (int64_t i = 0; i < ref.numElements(); ++i) {
    double g = got[i], r = ref[i];
    bool bad;
    double abs = std::fabs(g - r);
    if (std::isnan(g) || std::isnan(r)) {
      bad = !(std::isnan(g) && std::isnan(r));
      abs = bad ? INFINITY : 0.0;
    } else if (o.exact) {
      bad = !(g == r && std::signbit(g) == std::signbit(r)) &&
            !(g == 0 && r == 0); // -0 and +0 compare equal
      if (g == r)
        abs = 0.0;
    } else {
      bad = !std::isfinite(g) && g != r;
      if (g == r)
        abs = 0.0;
    }
    if (bad)
      ++c.mismatches;
    if (abs > worstAbs) {
      worstAbs = abs;
      c.worst = i;
    }
  }
  if (o.exact) {
    c.maxErr = worstAbs;
    c.pass = c.mismatches == 0;
  } else if (o.elementwiseRel > 0) {
    c.maxErr = 0.0;
    for (int64_t i = 0; i < ref.numElements(); ++i) {
      double g = got[i], r = ref[i];
      if (g == r || std::isnan(g) || std::isnan(r))
        continue; // equal, or counted as a mismatch above
      double rel = r == 0 ? INFINITY : std::fabs(g - r) / std::fabs(r);
      if (rel > c.maxErr) {
        c.maxErr = rel;
        c.worst = i;
      }
    }
    c.pass = c.mismatches == 0 && c.maxErr <= o.elementwiseRel;
  } else {
    c.maxErr = worstAbs / norm;
    c.pass = c.mismatches == 0 && c.maxErr <= toleranceFor(o.dtype);
  }
  return c;
}

static std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

static std::string fmtFull(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// Runs one case; prints its line; returns true on pass.
static bool runCase(const Options &opts, std::string program,
                    const std::string &name, CaseSpec &spec, uint64_t seed) {
  std::string dir = opts.workDir + "/" + name;
  makeDirs(dir);
  bool alone = program.empty();
  if (alone) {
    // No batched module: a module of this case alone, compiled by rescale-run.
    program = dir + "/case.mlir";
    std::ofstream m(program);
    m << "module {\n" << funcText(name, spec) << "}\n";
    if (!m)
      fatal("cannot write " + program);
  }
  std::string cmd = quote(opts.rescaleRun) + " " + quote(program) +
                    " --entry " + name + " --output-dir " + quote(dir);
  std::vector<Tensor> inputs;
  if (spec.craft) {
    // Crafted inputs start from the driver's own normal(0,1) values.
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (const Operand &in : spec.inputs) {
      Tensor t(in.shape);
      for (double &v : t.data)
        v = roundTo(in.dtype, normal(rng));
      inputs.push_back(t);
    }
    spec.craft(inputs, rng);
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string path = dir + "/crafted" + std::to_string(i) + ".npy";
      std::string err;
      if (!writeNpy(path, npyDescrFor(spec.inputs[i].dtype), inputs[i].shape,
                    inputs[i].data, err))
        fatal(err);
      cmd += " --input " + quote(path);
    }
  } else {
    cmd += " --random-inputs --seed " + std::to_string(seed);
  }
  std::string log = dir + "/rescale-run.log";
  auto start = std::chrono::steady_clock::now();
  int status = std::system((cmd + " > " + quote(log) + " 2>&1").c_str());
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  auto failLine = [&](const std::string &why) {
    std::printf("FAIL %-34s %-10s %s: %s\n", name.c_str(), spec.op.c_str(),
                spec.description.c_str(), why.c_str());
    std::printf("  command: %s\n", cmd.c_str());
    return false;
  };
  if (rc != 0 && !alone) {
    // The batched module may fail as a whole (e.g. one function needs a
    // symbol the loader lacks): retry this case in a module of its own, so
    // that each failure is pinned on its case.
    return runCase(opts, "", name, spec, seed);
  }
  if (rc != 0) {
    std::string out = readFile(log);
    if (out.size() > 1500)
      out = "..." + out.substr(out.size() - 1500);
    failLine("rescale-run exited with status " + std::to_string(rc));
    std::printf("  output: %s\n", out.c_str());
    return false;
  }
  // The inputs actually used: what rescale-run wrote (random) or what we wrote.
  if (!spec.craft) {
    for (size_t i = 0; i < spec.inputs.size(); ++i) {
      const Operand &in = spec.inputs[i];
      Tensor t;
      std::string err;
      if (!readAs(dir + "/in" + std::to_string(i) + ".npy", in.dtype, in.shape,
                  t, err))
        return failLine(err);
      for (double v : t.data)
        if (roundTo(in.dtype, v) != v && !std::isnan(v))
          return failLine("input " + std::to_string(i) + " (" + in.name +
                          ") holds " + fmtFull(v) + ", not a " +
                          dtypeName(in.dtype) + " value");
      inputs.push_back(t);
    }
  }
  std::vector<Tensor> outs;
  for (size_t j = 0; j < spec.outputs.size(); ++j) {
    Tensor t;
    std::string err;
    if (!readAs(dir + "/out" + std::to_string(j) + ".npy",
                spec.outputs[j].dtype, spec.outputs[j].shape, t, err))
      return failLine(err);
    outs.push_back(t);
  }
  if (opts.injectNaN && !outs.empty() && outs[0].numElements())
    outs[0][outs[0].numElements() / 2] = NAN; // as if left poisoned
  std::vector<Tensor> refs = spec.reference(inputs);
  bool pass = true;
  std::string detail;
  for (size_t j = 0; j < spec.outputs.size(); ++j) {
    const Output &o = spec.outputs[j];
    Comparison c = compare(outs[j], refs[j], o);
    pass &= c.pass;
    detail += " " + o.label + ":";
    if (o.exact)
      detail += c.mismatches
                    ? std::to_string(c.mismatches) + "/" +
                          std::to_string(refs[j].numElements()) + " differ"
                    : "exact";
    else
      detail += fmt(c.maxErr) + (c.pass ? "<=" : ">") + fmt(toleranceOf(o)) +
                (o.elementwiseRel > 0 ? "(per element)" : "") +
                (c.mismatches ? "(" + std::to_string(c.mismatches) + " nan/inf)"
                              : "");
    if (!c.pass && c.worst >= 0) {
      std::ostringstream os;
      os << "\n    " << o.label << "[" << c.worst << "]: got "
         << fmtFull(outs[j][c.worst]) << ", expected "
         << fmtFull(refs[j][c.worst]);
      if (spec.inputs.size() == 1 &&
          inputs[0].numElements() == refs[j].numElements())
        os << " (x = " << fmtFull(inputs[0][c.worst]) << ")";
      os << "; max|ref| " << fmt(c.maxRef);
      detail += os.str();
    }
  }
  std::string ties;
  if (spec.countTies) {
    int64_t n = spec.countTies(inputs);
    ties = " ties:" + std::to_string(n) + "/" +
           std::to_string(inputs[0].numElements());
    if (spec.expectTies && n == 0) {
      pass = false;
      detail += " (crafted inputs hit no rounding tie)";
    }
  }
  std::printf("%s %-34s %-10s %s%s |%s (%.1fs)\n", pass ? "PASS" : "FAIL",
              name.c_str(), spec.op.c_str(), spec.description.c_str(),
              ties.c_str(), detail.c_str(), secs);
  if (!pass)
    std::printf("  command: %s\n", cmd.c_str());
  return pass;
}

static std::vector<CaseLine> readCases(const std::string &path) {
  std::ifstream f(path);
  if (!f)
    fatal("cannot open case file " + path);
  std::vector<CaseLine> cases;
  std::set<std::string> names;
  std::string line;
  int lineNo = 0;
  while (std::getline(f, line)) {
    ++lineNo;
    size_t p = line.find("CASE:");
    if (p == std::string::npos)
      continue;
    std::stringstream ss(line.substr(p + 5));
    CaseLine c;
    c.line = lineNo;
    ss >> c.name;
    if (c.name.empty() || !(std::isalpha(c.name[0]) || c.name[0] == '_'))
      fatal(path + ":" + std::to_string(lineNo) + ": a case needs a name");
    if (!names.insert(c.name).second)
      fatal(path + ":" + std::to_string(lineNo) + ": duplicate case '" +
            c.name + "'");
    std::string kv;
    while (ss >> kv) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos)
        fatal(path + ":" + std::to_string(lineNo) +
              ": expected key=value, got '" + kv + "'");
      c.params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    cases.push_back(c);
  }
  return cases;
}

/// `--sweep N`: N cases drawn from `sweepSeed`, cycling through every op,
/// dtype and variant with random shapes, written as a case file. For soak
/// runs beyond the lit suite (e.g. `--sweep 500`); a failing line can be
/// copied into a .test file as it is.
static std::string writeSweep(const std::string &dir, int64_t n,
                              uint64_t sweepSeed) {
  std::mt19937_64 rng(sweepSeed);
  auto pick = [&](const std::vector<std::string> &v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  const std::vector<std::string> ops = {
      "rms_norm",  "preaffine_rms_norm", "add_rms_norm", "gated_norm",
      "attention", "attention",          "linear",       "dyt",
      "clip",      "quantize",           "fake_quant",   "dequantize"};
  const std::vector<std::string> dtypes = {"f32", "f16", "bf16"};
  const std::vector<std::string> schemes = {
      "int4,per_tensor",         "int4,per_channel",
      "int4,per_token",          "int8,per_tensor",
      "int8,per_channel",        "int8,per_token",
      "fp8,per_tensor",          "fp8,per_token",
      "fp8,per_channel",         "fp8,per_block,block=2x16",
      "fp8,per_block,block=4x8", "nvfp4,per_tensor",
      "nvfp4,per_token",         "mxfp4"};
  std::ostringstream os;
  os << "// rescale-numerics-check --sweep " << n << " --sweep-seed "
     << sweepSeed << "\n";
  for (int64_t i = 0; i < n; ++i) {
    const std::string &op = ops[i % ops.size()];
    std::string dt = dtypes[(i / ops.size()) % dtypes.size()];
    os << "// CASE: sweep" << i << "_" << op << "_" << dt << " op=" << op
       << " dtype=" << dt << " seed=" << sweepSeed * 1000 + i;
    if (op == "attention") {
      os << " random=1 causal=" << pick({"0", "1"})
         << " softmax=" << pick({"standard", "off_by_one", "learned_sink"})
         << " gate=" << pick({"none", "headwise", "elementwise"});
      if (rng() % 4 == 0)
        os << " scale=" << pick({"0.05", "0.5", "2", "10"});
    } else {
      os << " shape=random";
    }
    if (op == "rms_norm" || op == "preaffine_rms_norm" ||
        op == "add_rms_norm" || op == "gated_norm")
      os << " eps=" << pick({"1e-6", "1e-5", "0.1"});
    if (op != "attention" && op != "clip" && op != "quantize" &&
        op != "fake_quant" && op != "dequantize")
      os << " wdtype=" << pick({dt, "f32"});
    if (op == "gated_norm")
      os << " r=" << pick({"1", "2", "3", "5", "16", "32"})
         << " act=" << pick({"sigmoid", "tanh", "silu", "identity"})
         << " tensorwise=" << pick({"0", "1"});
    if (op == "linear")
      os << " N=" << 1 + rng() % 20 << " bias=" << pick({"0", "1"});
    if (op == "dyt")
      os << " alpha_rank=" << pick({"0", "1"});
    if (op == "clip")
      os << " threshold=" << pick({"0.1", "0.5", "1.5", "3"});
    if (op == "quantize" || op == "fake_quant" || op == "dequantize")
      os << " scheme=" << pick(schemes);
    if (op == "quantize" || op == "fake_quant")
      os << " inputs=" << pick({"random", "random", "ties", "zeros"});
    os << "\n";
  }
  std::string path = dir + "/sweep.test";
  std::ofstream f(path);
  f << os.str();
  if (!f)
    fatal("cannot write " + path);
  return path;
}

/// A tool beside this executable (all live in build/bin), else on PATH.
static std::string findTool(const char *argv0, const std::string &tool) {
  std::string self = argv0;
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0)
    self = std::string(buf, n);
  size_t slash = self.rfind('/');
  if (slash != std::string::npos) {
    std::string cand = self.substr(0, slash) + "/" + tool;
    if (access(cand.c_str(), X_OK) == 0)
      return cand;
  }
  return tool;
}

/// Compiles the batched module once with rescale-compile, so that each case
/// only loads the .so. Returns "" (compile each case alone) when that fails,
/// e.g. because one op of the file does not lower yet: the per-case runs
/// then say which.
static std::string compileBatch(const Options &opts,
                                const std::string &modulePath) {
  if (opts.rescaleCompile.empty())
    return "";
  std::string so = modulePath.substr(0, modulePath.size() - 5) + ".so";
  std::string log = modulePath + ".compile.log";
  std::string cmd = quote(opts.rescaleCompile) + " " + quote(modulePath) +
                    " --target=cpu -o " + quote(so) + " > " + quote(log) +
                    " 2>&1";
  if (std::system(cmd.c_str()) == 0)
    return so;
  std::printf("note: rescale-compile failed on the batched module (%s); "
              "running each case alone\n",
              log.c_str());
  return "";
}

int main(int argc, char **argv) {
  Options opts;
  bool noBatch = false;
  int64_t sweep = 0;
  uint64_t sweepSeed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string &flag) -> std::string {
      if (a.rfind(flag + "=", 0) == 0)
        return a.substr(flag.size() + 1);
      if (i + 1 >= argc)
        fatal(flag + " needs a value");
      return argv[++i];
    };
    if (a == "--work-dir" || a.rfind("--work-dir=", 0) == 0)
      opts.workDir = value("--work-dir");
    else if (a == "--rescale-run" || a.rfind("--rescale-run=", 0) == 0)
      opts.rescaleRun = value("--rescale-run");
    else if (a == "--filter" || a.rfind("--filter=", 0) == 0)
      opts.filter = value("--filter");
    else if (a == "--inject-nan")
      opts.injectNaN = true;
    else if (a == "--emit-only")
      opts.emitOnly = true;
    else if (a == "--no-batch")
      noBatch = true;
    else if (a == "--sweep" || a.rfind("--sweep=", 0) == 0)
      sweep = std::strtoll(value("--sweep").c_str(), nullptr, 10);
    else if (a == "--sweep-seed" || a.rfind("--sweep-seed=", 0) == 0)
      sweepSeed = std::strtoull(value("--sweep-seed").c_str(), nullptr, 10);
    else if (a == "-h" || a == "--help") {
      std::printf("usage: rescale-numerics-check CASES... [--work-dir DIR] "
                  "[--rescale-run PATH] [--filter SUBSTR] [--inject-nan] "
                  "[--emit-only] [--no-batch] [--sweep N [--sweep-seed S]]\n");
      return 0;
    } else if (!a.empty() && a[0] == '-')
      fatal("unknown option " + a);
    else
      opts.files.push_back(a);
  }
  if (opts.workDir.empty())
    opts.workDir = "numerics-work";
  makeDirs(opts.workDir);
  if (sweep > 0)
    opts.files.push_back(writeSweep(opts.workDir, sweep, sweepSeed));
  if (opts.files.empty())
    fatal("no case file given (or --sweep N)");
  if (opts.rescaleRun.empty())
    opts.rescaleRun = findTool(argv[0], "rescale-run");
  if (!noBatch)
    opts.rescaleCompile = findTool(argv[0], "rescale-compile");

  int passed = 0, failed = 0;
  for (const std::string &file : opts.files) {
    std::vector<CaseLine> lines = readCases(file);
    std::vector<CaseSpec> specs;
    std::vector<std::string> names;
    std::vector<uint64_t> seeds;
    std::string module =
        "// Generated by rescale-numerics-check from " + file + "\nmodule {\n";
    for (CaseLine &c : lines) {
      if (!opts.filter.empty() && c.name.find(opts.filter) == std::string::npos)
        continue;
      CaseSpec spec = buildCase(c);
      seeds.push_back(uint64_t(c.integer("seed", 1)));
      module += funcText(c.name, spec) + "\n";
      specs.push_back(std::move(spec));
      names.push_back(c.name);
    }
    module += "}\n";
    if (specs.empty())
      continue;
    std::string stem = file.substr(file.rfind('/') + 1);
    std::string modulePath = opts.workDir + "/" + stem + ".mlir";
    {
      std::ofstream m(modulePath);
      m << module;
      if (!m)
        fatal("cannot write " + modulePath);
    }
    if (opts.emitOnly) {
      std::printf("wrote %s (%zu cases)\n", modulePath.c_str(), specs.size());
      continue;
    }
    std::string program = compileBatch(opts, modulePath);
    for (size_t i = 0; i < specs.size(); ++i) {
      if (runCase(opts, program, names[i], specs[i], seeds[i]))
        ++passed;
      else
        ++failed;
      std::fflush(stdout);
    }
  }
  std::printf(
      "numerics: %d cases, %d passed, %d failed (tolerance vs max|ref|: "
      "f32 %g, f16 %g, bf16 %g; quantization bit-exact)\n",
      passed + failed, passed, failed, toleranceFor(DType::f32),
      toleranceFor(DType::f16), toleranceFor(DType::bf16));
  return failed ? 1 : 0;
}
