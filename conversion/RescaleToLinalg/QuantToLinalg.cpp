//===- QuantToLinalg.cpp - reference decomposition of quantization --------===//
//
// rescale.quantize, rescale.dequantize and rescale.fake_quant for every
// scheme of #rescale.quant, as linalg-on-tensors.
//
// Numerics contract: the quantization math is done in f64 in the literal
// operation order of the formulas, and only the final value is converted, so
// that the result is bit-exact against a float64 reference:
//
//   int4/int8 (qmax = 7, 127):  s = amax/qmax;  q = clamp(roundeven(x/s),
//   -qmax-1, qmax) fp8 (E4M3FN):               s = amax/448;   q = e4m3(x/s)
//   nvfp4:  S = amax/(6*448) per tensor or per token (the f32 global scale),
//           s_b = e4m3(amax_b/6/S) per block of 16 (an E4M3 scale),
//           q = e2m1(x/(s_b*S));  dequant = q*s_b*S  (left to right)
//   mxfp4:  scale = 2^(floor(log2 amax_b) - 2) per block of 32, clamped to
//           E8M0's [2^-127, 2^127];  q = e2m1(x/scale)
//
// with every scale equal to 1 where the max it comes from is 0. `e4m3` and
// `e2m1` round to nearest-even onto the format's grid and saturate (448, 6).
// Dequantization is `q*s` in f64, rounded once (to nearest-even) to the
// result type.
//
// Where the scales come from:
//   * quantize returns the scales rounded to their storage type (f32, or the
//     exact E4M3/E8M0 codes); the values were computed with the f64 scales.
//   * dequantize reads the stored scales (f32 -> f64 is exact).
//   * fake_quant keeps the f64 scales throughout and rounds only its result.
//     So for f32-scaled schemes fake_quant(x) can differ from
//     dequantize(quantize(x)) in the last bit of the result: the latter
//     rounds s to f32 in between.
//
// Corner cases (defined, not errors): an nvfp4 block whose scale s_b rounds
// to 0 in E4M3 (amax_b/6/S < 2^-10) is all zeros, since x/(0*S) has no
// meaning; its stored scale is the E4M3 code of 0. A NaN anywhere in a group
// makes its scale NaN and its values NaN where the format has one (E4M3
// 0x7f); E2M1 and integers have no NaN and get unspecified codes.
//
// Float grids are rounded exactly with integer arithmetic on the f64 bits:
// the exponent e = floor(log2 |y|) is read off the bits, the grid spacing at
// |y| is 2^(max(e, emin) - mantissa_bits), and roundeven(|y|/spacing)*spacing
// is exact in f64 (a division and a multiplication by a power of two). The
// stored codes are built as integers and `arith.bitcast` to the builtin
// f8E4M3FN / f4E2M1FN / f8E8M0FNU types; the LLVM lowering maps those types
// to integers of the same width.
//
// Groups: a scale covers a rectangular group of elements. A tensor of shape
// [d0, ..., dn-1] with group extents [b0, ..., bn-1] is viewed (by
// tensor.expand_shape, no copy) as [d0/b0, b0, ..., dn-1/bn-1, bn-1]; scales
// are indexed by the even dimensions of the view and reductions run over the
// odd ones, so every indexing map is a projected permutation.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

//===----------------------------------------------------------------------===//
// Scalar f64 quantization math (inside linalg.generic bodies)
//===----------------------------------------------------------------------===//

/// A float grid with an implicit leading one, subnormals, and saturation.
struct GridFormat {
  int mantissaBits;
  int exponentBits;
  int bias;
  double maxValue;
  /// The all-ones magnitude code is NaN (E4M3FN); E2M1 has no NaN.
  bool hasNaN;
  int minExp() const { return 1 - bias; }
};
constexpr GridFormat kE4M3{3, 4, 7, 448.0, true};
constexpr GridFormat kE2M1{1, 2, 1, 6.0, false};

/// E8M0 (the MX scale type): 2^(code - 127), code 255 is NaN.
constexpr int kE8M0Bias = 127;

/// Builds the scalar f64 formulas of the schemes. Every helper is exact
/// except where it says it rounds.
class QuantScalarBuilder {
public:
  QuantScalarBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value f64(double v) { return floatConst(b, loc, v, b.getF64Type()); }
  /// Exact int <-> f64 conversion, or a rounding f64 -> float store.
  Value convert(Value v, Type to) { return castScalar(b, loc, v, to); }
  Type f64Type() { return b.getF64Type(); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }

  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value isZero(Value x) {
    Value zero = f64(0.0);
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, zero);
  }

  /// The f64 bits as an i64.
  Value bits(Value x) {
    return arith::BitcastOp::create(b, loc, b.getI64Type(), x);
  }
  /// 2^e for an i64 e in f64's normal exponent range, built from the bits.
  Value pow2(Value e) {
    Value bias = i64(1023);
    Value biased = arith::AddIOp::create(b, loc, e, bias);
    Value mantissaBits = i64(52);
    Value shifted = arith::ShLIOp::create(b, loc, biased, mantissaBits);
    return arith::BitcastOp::create(b, loc, b.getF64Type(), shifted);
  }
  /// floor(log2 a) for a finite, normal, non-negative f64 a (the unbiased
  /// exponent field; -1023 for 0, which callers clamp).
  Value floorLog2(Value a) {
    Value aBits = bits(a);
    Value mantissaBits = i64(52);
    Value field = arith::ShRUIOp::create(b, loc, aBits, mantissaBits);
    Value bias = i64(1023);
    return arith::SubIOp::create(b, loc, field, bias);
  }

  /// The per-group scale `amax / elementMax`, or 1 when amax is 0 (rounds
  /// once, in f64).
  Value absmaxScale(Value amax, double elementMax) {
    Value zero = isZero(amax);
    Value one = f64(1.0);
    Value scale = div(amax, f64(elementMax));
    return select(zero, one, scale);
  }

  /// Integer quantization: clamp(roundeven(y), -qmax-1, qmax), as an f64.
  Value roundToInt(Value y, double qmax) {
    Value r = math::RoundEvenOp::create(b, loc, y);
    r = arith::MinimumFOp::create(b, loc, r, f64(qmax));
    return arith::MaximumFOp::create(b, loc, r, f64(-qmax - 1.0));
  }

  /// Saturating round-to-nearest-even of y onto `fmt`'s grid, as an f64.
  /// The spacing of the grid at |y| is 2^(max(floor(log2|y|), emin) - m).
  Value roundToGrid(Value y, const GridFormat &fmt) {
    Value a = math::AbsFOp::create(b, loc, y);
    Value exponent = floorLog2(a);
    Value minExp = i64(fmt.minExp());
    Value e = arith::MaxSIOp::create(b, loc, exponent, minExp);
    Value spacing =
        pow2(arith::SubIOp::create(b, loc, e, i64(fmt.mantissaBits)));
    Value r = mul(math::RoundEvenOp::create(b, loc, div(a, spacing)), spacing);
    r = arith::MinimumFOp::create(b, loc, r, f64(fmt.maxValue));
    return math::CopySignOp::create(b, loc, r, y);
  }

  /// The code (sign | exponent | mantissa) of a value already on `fmt`'s
  /// grid, as an integer of `width` bits.
  Value encodeGrid(Value r, const GridFormat &fmt, unsigned width) {
    int m = fmt.mantissaBits;
    Value rBits = bits(r);
    Value sign = arith::ShRUIOp::create(b, loc, rBits, i64(63));
    Value aBits = arith::AndIOp::create(b, loc, rBits, i64(INT64_MAX));
    Value a = arith::BitcastOp::create(b, loc, b.getF64Type(), aBits);
    Value field = arith::ShRUIOp::create(b, loc, aBits, i64(52));
    Value e = arith::SubIOp::create(b, loc, field, i64(1023));
    // Normal: biased exponent, then the top m bits of f64's mantissa.
    Value biased = arith::AddIOp::create(b, loc, e, i64(fmt.bias));
    Value expField = arith::ShLIOp::create(b, loc, biased, i64(m));
    Value topBits = arith::ShRUIOp::create(b, loc, aBits, i64(52 - m));
    Value mant = arith::AndIOp::create(b, loc, topBits, i64((1 << m) - 1));
    Value normal = arith::OrIOp::create(b, loc, expField, mant);
    // Subnormal (and zero): a / 2^(emin - m), an integer below 2^m.
    Value subnormal = arith::FPToSIOp::create(
        b, loc, b.getI64Type(), mul(a, f64(std::ldexp(1.0, m - fmt.minExp()))));
    Value isSub = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, e,
                                        i64(fmt.minExp()));
    Value code = select(isSub, subnormal, normal);
    Value signBit =
        arith::ShLIOp::create(b, loc, sign, i64(fmt.exponentBits + m));
    code = arith::OrIOp::create(b, loc, code, signBit);
    if (fmt.hasNaN) {
      Value nan =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, r, r);
      int64_t nanCode = (int64_t(1) << (fmt.exponentBits + m)) - 1;
      Value nanValue = i64(nanCode);
      code = select(nan, nanValue, code);
    }
    return arith::TruncIOp::create(b, loc, b.getIntegerType(width), code);
  }

  /// The f64 value of a grid code (an integer of the format's width).
  Value decodeGrid(Value code, const GridFormat &fmt) {
    int m = fmt.mantissaBits, eb = fmt.exponentBits;
    Value c = arith::ExtUIOp::create(b, loc, b.getI64Type(), code);
    Value signField = arith::ShRUIOp::create(b, loc, c, i64(eb + m));
    Value sign = arith::AndIOp::create(b, loc, signField, i64(1));
    Value shifted = arith::ShRUIOp::create(b, loc, c, i64(m));
    Value expField = arith::AndIOp::create(b, loc, shifted, i64((1 << eb) - 1));
    Value mant = arith::AndIOp::create(b, loc, c, i64((1 << m) - 1));
    // Subnormal: mant * 2^(emin - m).
    Value mantF64 = convert(mant, b.getF64Type());
    Value sub = mul(mantF64, f64(std::ldexp(1.0, fmt.minExp() - m)));
    // Normal: (2^m + mant) * 2^(expField - bias - m).
    Value implicitOne = arith::OrIOp::create(b, loc, mant, i64(1 << m));
    Value significand = convert(implicitOne, b.getF64Type());
    Value normal =
        mul(significand,
            pow2(arith::SubIOp::create(b, loc, expField, i64(fmt.bias + m))));
    Value isSub = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        expField, i64(0));
    Value a = select(isSub, sub, normal);
    Value neg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, sign, i64(0));
    Value v = select(neg, arith::NegFOp::create(b, loc, a), a);
    if (fmt.hasNaN) {
      int64_t magMask = (int64_t(1) << (eb + m)) - 1;
      Value magnitude = arith::AndIOp::create(b, loc, c, i64(magMask));
      Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          magnitude, i64(magMask));
      Value nan = f64(std::nan(""));
      v = select(isNaN, nan, v);
    }
    return v;
  }

  /// MXFP4 block scale 2^(floor(log2 amax) - 2), clamped to E8M0's range;
  /// 1 when amax is 0. Returns the exponent (i64).
  Value mxScaleExponent(Value amax) {
    Value exponent = floorLog2(amax);
    Value e = arith::SubIOp::create(b, loc, exponent, i64(2));
    e = arith::MaxSIOp::create(b, loc, e, i64(-kE8M0Bias));
    e = arith::MinSIOp::create(b, loc, e, i64(kE8M0Bias));
    Value zero = isZero(amax);
    Value zeroExponent = i64(0);
    return select(zero, zeroExponent, e);
  }
  /// The E8M0 code (i8) of a power-of-two scale.
  Value encodeE8M0(Value scale) {
    Value exponent = floorLog2(scale);
    Value code = arith::AddIOp::create(b, loc, exponent, i64(kE8M0Bias));
    return arith::TruncIOp::create(b, loc, b.getI8Type(), code);
  }
  Value decodeE8M0(Value code) {
    Value c = arith::ExtUIOp::create(b, loc, b.getI64Type(), code);
    Value v = pow2(arith::SubIOp::create(b, loc, c, i64(kE8M0Bias)));
    Value isNaN =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, c, i64(255));
    Value nan = f64(std::nan(""));
    return select(isNaN, nan, v);
  }

  /// Rounds an f64 once, to nearest-even, to the float type `to`. A direct
  /// f64 -> bf16/f16 truncation would become a libgcc/compiler-rt call
  /// (__truncdfbf2 is missing from libgcc 12) and f64 -> f32 -> bf16 would
  /// round twice, so this rounds to f32 *to odd* first (truncate toward zero,
  /// then set the last bit if anything was dropped): f32 keeps more than two
  /// extra bits over bf16/f16, so the second rounding is then the correct
  /// single rounding of the f64.
  Value roundToFloat(Value v, Type to) {
    Type f32 = b.getF32Type();
    if (to.isF64() || to.isF32())
      return convert(v, to);
    Value t = arith::TruncFOp::create(b, loc, f32, v);
    Value back = arith::ExtFOp::create(b, loc, b.getF64Type(), t);
    Value inexact =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, back, v);
    Value absBack = math::AbsFOp::create(b, loc, back);
    Value absV = math::AbsFOp::create(b, loc, v);
    Value awayFromZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, absBack, absV);
    Type i32 = b.getI32Type();
    Value bitsT = arith::BitcastOp::create(b, loc, i32, t);
    Value one = arith::ConstantIntOp::create(b, loc, 1, 32);
    // Sign-magnitude: one step toward zero is the magnitude minus one.
    Value toward =
        select(awayFromZero, arith::SubIOp::create(b, loc, bitsT, one), bitsT);
    Value odd =
        select(inexact, arith::OrIOp::create(b, loc, toward, one), toward);
    Value f = arith::BitcastOp::create(b, loc, f32, odd);
    return arith::TruncFOp::create(b, loc, to, f);
  }

  /// Reinterprets an integer code as the same-width float storage type.
  Value toStorage(Value code, Type storage) {
    return arith::BitcastOp::create(b, loc, storage, code);
  }
  /// The integer code of a float storage value.
  Value fromStorage(Value v) {
    unsigned width = cast<FloatType>(v.getType()).getWidth();
    return arith::BitcastOp::create(b, loc, b.getIntegerType(width), v);
  }

private:
  OpBuilder &b;
  Location loc;
};

//===----------------------------------------------------------------------===//
// Scale groups
//===----------------------------------------------------------------------===//

/// The elements that share one scale: along each dimension i, groups of
/// `block[i]` consecutive indices (1: each index its own group; shape[i]: the
/// whole dimension is one group).
struct Grouping {
  SmallVector<int64_t> shape;
  SmallVector<int64_t> block;

  unsigned rank() const { return shape.size(); }
  bool isTrivial() const {
    return llvm::all_of(block, [](int64_t b) { return b == 1; });
  }
  /// Groups along a dimension of size `d` in blocks of `b`. A block that
  /// spans a zero-size dimension (b == d == 0: per-tensor or per-row
  /// groups) is one empty group, with amax 0 and so scale 1, which is the
  /// scale shape the scheme gives (getScaleShape keeps a 1 there).
  static int64_t groupCount(int64_t d, int64_t b) { return b == 0 ? 1 : d / b; }
  /// The shape of the tensor holding one value per group.
  SmallVector<int64_t> groupShape() const {
    SmallVector<int64_t> g;
    for (auto [d, b] : llvm::zip(shape, block))
      g.push_back(groupCount(d, b));
    return g;
  }
  /// [d0/b0, b0, d1/b1, b1, ...].
  SmallVector<int64_t> expandedShape() const {
    SmallVector<int64_t> e;
    for (auto [d, b] : llvm::zip(shape, block)) {
      e.push_back(groupCount(d, b));
      e.push_back(b);
    }
    return e;
  }
  SmallVector<ReassociationIndices> reassociation() const {
    SmallVector<ReassociationIndices> r;
    for (unsigned i = 0; i < rank(); ++i)
      r.push_back({2 * i, 2 * i + 1});
    return r;
  }
  /// Maps the expanded index space to the group tensor: (d0, ..., d2n-1) ->
  /// (d0, d2, ...).
  AffineMap groupMap(MLIRContext *ctx) const {
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < rank(); ++i)
      exprs.push_back(getAffineDimExpr(2 * i, ctx));
    return AffineMap::get(2 * rank(), 0, exprs, ctx);
  }
  /// Group index dims are parallel, within-group dims are reductions.
  SmallVector<utils::IteratorType> reductionIterators() const {
    SmallVector<utils::IteratorType> it;
    for (unsigned i = 0; i < rank(); ++i) {
      it.push_back(utils::IteratorType::parallel);
      it.push_back(utils::IteratorType::reduction);
    }
    return it;
  }
};

} // namespace

/// The first-level groups of `scheme` on a tensor of `shape`: blocks tile the
/// trailing dimensions; unblocked schemes are per tensor or per row.
static Grouping elementGrouping(QuantSchemeAttr scheme,
                                ArrayRef<int64_t> shape) {
  Grouping g{SmallVector<int64_t>(shape),
             SmallVector<int64_t>(shape.size(), 1)};
  SmallVector<int64_t> blockShape = scheme.getBlockShape();
  if (!blockShape.empty()) {
    for (size_t i = 0; i < blockShape.size(); ++i)
      g.block[shape.size() - blockShape.size() + i] = blockShape[i];
  } else if (scheme.getGranularity() == QuantGranularity::per_tensor) {
    g.block = g.shape;
  } else { // per_channel, per_token: one scale per row.
    g.block.back() = shape.back();
  }
  return g;
}

/// nvfp4's second-level groups, on the tensor of block scales: the whole
/// tensor (per_tensor) or each row (per_token).
static Grouping globalGrouping(QuantSchemeAttr scheme,
                               ArrayRef<int64_t> blockShape) {
  Grouping g{SmallVector<int64_t>(blockShape),
             SmallVector<int64_t>(blockShape.size(), 1)};
  if (scheme.getGranularity() == QuantGranularity::per_token)
    g.block.back() = blockShape.back();
  else
    g.block = g.shape;
  return g;
}

static Value expand(OpBuilder &b, Location loc, Value t, const Grouping &g) {
  auto type =
      RankedTensorType::get(g.expandedShape(), tensorType(t).getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, t, g.reassociation());
}

static Value collapse(OpBuilder &b, Location loc, Value t, const Grouping &g) {
  auto type = RankedTensorType::get(g.shape, tensorType(t).getElementType());
  return tensor::CollapseShapeOp::create(b, loc, type, t, g.reassociation());
}

/// max |x| over each group, exactly, as an f64 tensor of the group shape.
static Value groupAbsMax(OpBuilder &b, Location loc, Value x,
                         const Grouping &g) {
  MLIRContext *ctx = b.getContext();
  Value init = filledTensor(b, loc, g.groupShape(), b.getF64Type(), 0.0);
  return buildGeneric(
             b, loc, expand(b, loc, x, g), identityMap(ctx, 2 * g.rank()), init,
             g.groupMap(ctx), g.reductionIterators(), b.getF64Type(),
             [](OpBuilder &nb, Location l, ValueRange ins, ValueRange outs) {
               Value a = math::AbsFOp::create(nb, l, ins[0]);
               // maximumf propagates NaN: a NaN makes the group's scale NaN.
               return SmallVector<Value>{
                   arith::MaximumFOp::create(nb, l, outs[0], a)};
             })
      .front();
}

/// Elementwise over `x` with one value of each `perGroup` tensor (group
/// shape) broadcast over its group: `body(x element, group values...)` in
/// `computeType`, stored as `resultTypes` (tensors of x's shape).
static SmallVector<Value> mapGroups(OpBuilder &b, Location loc, Value x,
                                    const Grouping &g, ValueRange perGroup,
                                    TypeRange resultElementTypes,
                                    Type computeType, GenericBodyFn body) {
  MLIRContext *ctx = b.getContext();
  bool trivial = g.isTrivial();
  SmallVector<int64_t> space = trivial ? g.shape : g.expandedShape();
  AffineMap all = identityMap(ctx, space.size());
  AffineMap group = trivial ? all : g.groupMap(ctx);
  SmallVector<Value> inputs{trivial ? x : expand(b, loc, x, g)};
  SmallVector<AffineMap> inputMaps{all};
  for (Value v : perGroup) {
    inputs.push_back(v);
    inputMaps.push_back(group);
  }
  SmallVector<Value> inits;
  for (Type et : resultElementTypes)
    inits.push_back(emptyTensor(b, loc, space, et));
  SmallVector<Value> results =
      buildGeneric(b, loc, inputs, inputMaps, inits,
                   SmallVector<AffineMap>(inits.size(), all),
                   parallelIterators(space.size()), computeType, body);
  if (!trivial)
    for (Value &r : results)
      r = collapse(b, loc, r, g);
  return results;
}

/// An elementwise f64 map over tensors of one shape.
static Value
mapF64(OpBuilder &b, Location loc, ValueRange inputs, Type resultElement,
       Type computeType,
       function_ref<Value(QuantScalarBuilder &, ValueRange)> body) {
  RankedTensorType t = tensorType(inputs.front());
  Grouping trivial{SmallVector<int64_t>(t.getShape()),
                   SmallVector<int64_t>(t.getRank(), 1)};
  return mapGroups(b, loc, inputs.front(), trivial, inputs.drop_front(),
                   resultElement, computeType,
                   [&](OpBuilder &nb, Location l, ValueRange ins, ValueRange) {
                     QuantScalarBuilder q(nb, l);
                     return SmallVector<Value>{body(q, ins)};
                   })
      .front();
}

namespace {

//===----------------------------------------------------------------------===//
// The schemes
//===----------------------------------------------------------------------===//

/// One scheme applied to tensors of one shape: the scale computation, the
/// element formulas, and the storage encodings.
class SchemeLowering {
public:
  SchemeLowering(QuantSchemeAttr scheme, ArrayRef<int64_t> shape)
      : scheme(scheme), format(scheme.getFormat()),
        elements(elementGrouping(scheme, shape)),
        global(globalGrouping(scheme, elements.groupShape())) {}

  /// The f64 scales computed from x (per group of `elements`), and for nvfp4
  /// the f64 second-level scale (per group of `global`).
  struct Scales {
    Value first;
    Value second;
  };

  Scales computeScales(OpBuilder &b, Location loc, Value x) const {
    Type f64 = b.getF64Type();
    Value amax = groupAbsMax(b, loc, x, elements);
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
    case QuantFormat::fp8: {
      double emax = scheme.getElementMax();
      return {mapF64(b, loc, amax, f64, f64,
                     [&](QuantScalarBuilder &q, ValueRange a) {
                       return q.absmaxScale(a[0], emax);
                     }),
              {}};
    }
    case QuantFormat::mxfp4:
      return {mapF64(b, loc, amax, f64, f64,
                     [&](QuantScalarBuilder &q, ValueRange a) {
                       return q.pow2(q.mxScaleExponent(a[0]));
                     }),
              {}};
    case QuantFormat::nvfp4: {
      // S = amax/(6*448) over the tensor or the row (max of the block maxes,
      // exact), then s_b = e4m3(amax_b/6/S).
      Value amaxG = groupAbsMax(b, loc, amax, global);
      Value S = mapF64(b, loc, amaxG, f64, f64,
                       [&](QuantScalarBuilder &q, ValueRange a) {
                         return q.absmaxScale(a[0], 6.0 * 448.0);
                       });
      Value sb =
          mapGroups(b, loc, amax, global, S, f64, f64,
                    [&](OpBuilder &nb, Location l, ValueRange a, ValueRange) {
                      QuantScalarBuilder q(nb, l);
                      Value t = q.div(q.div(a[0], q.f64(6.0)), a[1]);
                      Value zero = q.isZero(a[0]);
                      Value one = q.f64(1.0);
                      Value rounded = q.roundToGrid(t, kE4M3);
                      Value sbv = q.select(zero, one, rounded);
                      return SmallVector<Value>{sbv};
                    })
              .front();
      return {sb, S};
    }
    }
    llvm_unreachable("unknown quantization format");
  }

  /// The per-group operands of the element formulas, each a tensor of the
  /// block-scale shape: {s}, or {s_b, S} for nvfp4 (S broadcast to blocks).
  SmallVector<Value> elementOperands(OpBuilder &b, Location loc,
                                     const Scales &s) const {
    if (format != QuantFormat::nvfp4)
      return {s.first};
    Value Sb = mapGroups(b, loc, s.first, global, s.second, b.getF64Type(),
                         b.getF64Type(),
                         [](OpBuilder &, Location, ValueRange a, ValueRange) {
                           return SmallVector<Value>{a[1]};
                         })
                   .front();
    return {s.first, Sb};
  }

  /// The quantized value of y (f64) as an f64 on the element grid (an
  /// integer for int4/int8). `s` holds the elementOperands values.
  Value quantizeElement(QuantScalarBuilder &q, Value x, ValueRange s) const {
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      return q.roundToInt(q.div(x, s[0]), scheme.getElementMax());
    case QuantFormat::fp8:
      return q.roundToGrid(q.div(x, s[0]), kE4M3);
    case QuantFormat::mxfp4:
      return q.roundToGrid(q.div(x, s[0]), kE2M1);
    case QuantFormat::nvfp4: {
      // A block whose scale rounded to 0 is all zeros (see the header).
      Value t = q.mul(s[0], s[1]);
      Value zero = q.isZero(t);
      Value zeroCode = q.f64(0.0);
      Value code = q.roundToGrid(q.div(x, t), kE2M1);
      return q.select(zero, zeroCode, code);
    }
    }
    llvm_unreachable("unknown quantization format");
  }

  /// q * s, or (q * s_b) * S for nvfp4, in f64.
  Value dequantizeElement(QuantScalarBuilder &q, Value v, ValueRange s) const {
    Value r = q.mul(v, s[0]);
    if (format == QuantFormat::nvfp4)
      r = q.mul(r, s[1]);
    return r;
  }

  /// The storage value of a quantized f64 (`storage` is the values' element
  /// type: i8/i4, f8E4M3FN or f4E2M1FN).
  Value encodeElement(QuantScalarBuilder &q, Value v, Type storage) const {
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      return q.convert(v, storage); // exact: v is an integer in range
    case QuantFormat::fp8:
      return q.toStorage(q.encodeGrid(v, kE4M3, 8), storage);
    case QuantFormat::nvfp4:
    case QuantFormat::mxfp4:
      return q.toStorage(q.encodeGrid(v, kE2M1, 4), storage);
    }
    llvm_unreachable("unknown quantization format");
  }

  Value decodeElement(QuantScalarBuilder &q, Value v) const {
    switch (format) {
    case QuantFormat::int4:
    case QuantFormat::int8:
      return q.convert(v, q.f64Type());
    case QuantFormat::fp8:
      return q.decodeGrid(q.fromStorage(v), kE4M3);
    case QuantFormat::nvfp4:
    case QuantFormat::mxfp4:
      return q.decodeGrid(q.fromStorage(v), kE2M1);
    }
    llvm_unreachable("unknown quantization format");
  }

  /// The first-level scales in their storage type (f32 rounds once; the
  /// E4M3 and E8M0 scales are on their grids already, so their codes are
  /// exact).
  Value encodeScales(OpBuilder &b, Location loc, Value s, Type storage) const {
    return mapF64(b, loc, s, storage, b.getF64Type(),
                  [&](QuantScalarBuilder &q, ValueRange a) -> Value {
                    switch (format) {
                    case QuantFormat::nvfp4:
                      return q.toStorage(q.encodeGrid(a[0], kE4M3, 8), storage);
                    case QuantFormat::mxfp4:
                      return q.toStorage(q.encodeE8M0(a[0]), storage);
                    default:
                      return a[0]; // f32, rounded by the store
                    }
                  });
  }

  /// The stored first-level scales as f64. The body sees the storage values
  /// unconverted (computeType is their own type) so it can decode the bits.
  Value decodeScales(OpBuilder &b, Location loc, Value s) const {
    Type storage = tensorType(s).getElementType();
    return mapF64(b, loc, s, b.getF64Type(),
                  storage.isF32() ? b.getF64Type() : storage,
                  [&](QuantScalarBuilder &q, ValueRange a) -> Value {
                    switch (format) {
                    case QuantFormat::nvfp4:
                      return q.decodeGrid(q.fromStorage(a[0]), kE4M3);
                    case QuantFormat::mxfp4:
                      return q.decodeE8M0(q.fromStorage(a[0]));
                    default:
                      return a[0]; // f32 -> f64, exact
                    }
                  });
  }

  /// Every element of `x` quantized in f64 with `scales` (from
  /// computeScales), then `finish(q, v, s)` turns the quantized value `v`
  /// (with `s` the elementOperands values) into the result element of type
  /// `resultElement`. quantize encodes v; fake_quant dequantizes it.
  Value
  mapQuantized(OpBuilder &b, Location loc, Value x, const Scales &scales,
               Type resultElement,
               function_ref<Value(QuantScalarBuilder &, Value, ValueRange)>
                   finish) const {
    SmallVector<Value> operands = elementOperands(b, loc, scales);
    return mapGroups(b, loc, x, elements, operands, resultElement,
                     b.getF64Type(),
                     [&](OpBuilder &nb, Location l, ValueRange a, ValueRange) {
                       QuantScalarBuilder q(nb, l);
                       Value v = quantizeElement(q, a[0], a.drop_front());
                       return SmallVector<Value>{finish(q, v, a.drop_front())};
                     })
        .front();
  }

  QuantSchemeAttr scheme;
  QuantFormat format;
  /// Groups of x sharing a first-level scale.
  Grouping elements;
  /// nvfp4: groups of block scales sharing the second-level scale.
  Grouping global;
};

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// quantize: scales from x, then each element quantized with the f64 scales
/// and encoded; the scales are returned in their storage types.
struct QuantizeToLinalg : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value x = op.getX();
    SchemeLowering scheme(op.getScheme(), tensorType(x).getShape());
    auto scales = scheme.computeScales(rewriter, loc, x);
    Type storage = tensorType(op.getValues()).getElementType();
    Value values =
        scheme.mapQuantized(rewriter, loc, x, scales, storage,
                            [&](QuantScalarBuilder &q, Value v, ValueRange) {
                              return scheme.encodeElement(q, v, storage);
                            });
    SmallVector<Value> results{
        values,
        scheme.encodeScales(rewriter, loc, scales.first,
                            tensorType(op.getScales()).getElementType())};
    if (Value g = op.getGlobalScale())
      results.push_back(convertElementType(rewriter, loc, scales.second,
                                           tensorType(g).getElementType()));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// dequantize: decode the stored values and scales, then q * s in f64.
struct DequantizeToLinalg : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Type f64 = rewriter.getF64Type();
    RankedTensorType resultType = tensorType(op.getResult());
    SchemeLowering scheme(op.getScheme(), resultType.getShape());

    // Storage values are read unconverted (computeType is their own type).
    Type storage = tensorType(op.getValues()).getElementType();
    Value q = mapF64(rewriter, loc, op.getValues(), f64,
                     isa<FloatType>(storage) ? storage : f64,
                     [&](QuantScalarBuilder &qb, ValueRange a) {
                       return scheme.decodeElement(qb, a[0]);
                     });
    SchemeLowering::Scales scales{
        scheme.decodeScales(rewriter, loc, op.getScales()), {}};
    if (Value g = op.getGlobalScale())
      scales.second = convertElementType(rewriter, loc, g, f64);
    SmallVector<Value> operands = scheme.elementOperands(rewriter, loc, scales);

    Value result =
        mapGroups(rewriter, loc, q, scheme.elements, operands,
                  resultType.getElementType(), f64,
                  [&](OpBuilder &b, Location l, ValueRange a, ValueRange) {
                    QuantScalarBuilder qb(b, l);
                    Value v =
                        scheme.dequantizeElement(qb, a[0], a.drop_front());
                    return SmallVector<Value>{
                        qb.roundToFloat(v, resultType.getElementType())};
                  })
            .front();
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// fake_quant: quantize and dequantize each element with the f64 scales,
/// rounding once to x's type.
struct FakeQuantToLinalg : OpRewritePattern<FakeQuantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FakeQuantOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value x = op.getX();
    SchemeLowering scheme(op.getScheme(), tensorType(x).getShape());
    auto scales = scheme.computeScales(rewriter, loc, x);
    Type resultType = tensorType(op.getResult()).getElementType();
    Value result = scheme.mapQuantized(
        rewriter, loc, x, scales, resultType,
        [&](QuantScalarBuilder &q, Value v, ValueRange s) {
          return q.roundToFloat(scheme.dequantizeElement(q, v, s), resultType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::rescale::populateQuantToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizeToLinalg, DequantizeToLinalg, FakeQuantToLinalg>(
      patterns.getContext());
}
