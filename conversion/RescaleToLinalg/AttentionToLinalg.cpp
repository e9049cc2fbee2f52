//===- AttentionToLinalg.cpp - reference decomposition of attention -------===//
//
// rescale.attention as linalg-on-tensors: scaled scores, the causal mask, a
// max-subtracted softmax with the paper's normalizers, p·v and the output
// gate (arXiv 2601.22966 §3.2).
//
// Numerics: q, k, v, gate and sinks are read as f32, every step is computed
// in f32 (the q·k and p·v sums accumulate in f32) and only the output is
// rounded to the result element type.
//
// The softmax is written in the stable form. With the extra logit z of the
// normalizer (none for `standard`, 0 for `off_by_one`, sinks[h] for
// `learned_sink`) and m = max(z, max_j s_j):
//
//   p_j = exp(s_j - m) / (exp(z - m) + Σ_j exp(s_j - m))
//
// which equals exp(s_j) / (exp(z) + Σ exp(s)) exactly in real arithmetic, and
// every exponent is <= 0 so nothing overflows. Including z in the max is what
// keeps off_by_one and learned_sink stable when all scores are very negative.
//
// Sigmoid attention (`softmax = sigmoid`, no normalization over the keys):
// p_j = σ(s_j − log T) on its own, and out = Σ_j p_j v_j · σ(gate).
//
// Masked keys (causal, j > i + (T - S)) get the score -inf and contribute
// exp(-inf) = 0. A query row with no key left (causal with S > T, rows
// i < S - T) has m = -inf under `standard`; it is given the output 0 (the
// empty sum over no keys) instead of 0/0. Under off_by_one and learned_sink
// the denominator is exp(z - m) > 0 and the output is 0 as well.
//
// Steps, each one linalg.generic:
//   dot[b,h,i,j]  = Σ_d q[b,h,i,d] · k[b,h/G,j,d]        (G = Hq/Hkv, GQA)
//   s[b,h,i,j]    = keep(i,j) ? scale · dot : -inf
//   m[b,h,i]      = max(z, max_j s)                      (0 if that is -inf)
//   e[b,h,i,j]    = exp(s - m)
//   l[b,h,i]      = Σ_j e
//   acc[b,h,i,c]  = Σ_j e · v[b,h/G,j,c]
//   out[b,h,i,c]  = acc / (exp(z - m) + l) · σ(gate)      (0 if the denominator
//   is 0)
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

} // namespace

/// A 4-d or 5-d map of dims (by position) with the kv-head dim divided by
/// the GQA group size: `kvHeadMap(ctx, 5, {0, 1, 3, 4}, 1, G)` is
/// (d0, d1, d2, d3, d4) -> (d0, d1 floordiv G, d3, d4).
static AffineMap kvHeadMap(MLIRContext *ctx, unsigned numDims,
                           ArrayRef<unsigned> dims, unsigned headPos,
                           int64_t group) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  exprs[headPos] = exprs[headPos].floorDiv(group);
  return AffineMap::get(numDims, 0, exprs, ctx);
}

/// A batched contraction over the last of 5 loops (b, h, i, x, r):
///   out[b,h,i,x] = Σ_r lhs[b,h,i,r] · rhs[rhsMap(b,h,i,x,r)]
/// accumulated in f32 from 0. Both q·kᵀ (x = j, r = d) and p·v (x = c,
/// r = j) have this form; `rhsMap` reads the kv head h/G.
static Value buildHeadContraction(OpBuilder &b, Location loc, Value lhs,
                                  Value rhs, AffineMap rhsMap,
                                  ArrayRef<int64_t> outShape) {
  MLIRContext *ctx = b.getContext();
  auto dims = [&](ArrayRef<unsigned> ds) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : ds)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(5, 0, exprs, ctx);
  };
  Type f32 = b.getF32Type();
  return buildGeneric(
             b, loc, {lhs, rhs}, {dims({0, 1, 2, 4}), rhsMap},
             filledTensor(b, loc, outShape, f32, 0.0), dims({0, 1, 2, 3}),
             lastDimReductionIterators(5), f32,
             [](OpBuilder &nb, Location l, ValueRange ins, ValueRange outs) {
               Value p = arith::MulFOp::create(nb, l, ins[0], ins[1]);
               return SmallVector<Value>{
                   arith::AddFOp::create(nb, l, outs[0], p)};
             })
      .front();
}

/// (d0, ..., d{numDims-1}) -> (d1): reads sinks[h].
static AffineMap headMap(MLIRContext *ctx, unsigned numDims) {
  return AffineMap::get(numDims, 0, getAffineDimExpr(1, ctx));
}

/// The normalizer's extra logit z (see the header), from a body's arguments
/// (`sink` is sinks[h] for learned_sink); null for the standard softmax.
static Value extraLogit(OpBuilder &nb, Location l, SoftmaxKind softmax,
                        Value sink) {
  switch (softmax) {
  case SoftmaxKind::standard:
    return {};
  case SoftmaxKind::off_by_one:
    return f32Const(nb, l, 0.0);
  case SoftmaxKind::learned_sink:
    return sink;
  case SoftmaxKind::sigmoid:
    return {};
  }
  llvm_unreachable("unknown softmax kind");
}

/// One softmax probability from a body's arguments: numer / (exp(z - m) +
/// rowSum), with z the extra logit of `softmax` (`sink` as in `extraLogit`;
/// `maxLogit` is read only when there is a z), and 0 for a row without keys
/// (a zero normalizer). rescale.attention and
/// rescale.attention_first_token_share normalize through this one formula.
static Value softmaxProbability(OpBuilder &nb, Location l, SoftmaxKind softmax,
                                Value numer, Value rowSum, Value maxLogit,
                                Value sink) {
  if (softmax == SoftmaxKind::sigmoid)
    return numer; // σ(s + b) already: nothing normalizes over the keys
  Value denom = rowSum;
  if (Value z = extraLogit(nb, l, softmax, sink)) {
    Value zTerm =
        math::ExpOp::create(nb, l, arith::SubFOp::create(nb, l, z, maxLogit));
    denom = arith::AddFOp::create(nb, l, zTerm, denom);
  }
  Value zero = f32Const(nb, l, 0.0);
  Value noKeys =
      arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, denom, zero);
  return arith::SelectOp::create(nb, l, noKeys, zero,
                                 arith::DivFOp::create(nb, l, numer, denom));
}

namespace {

/// The pieces of the softmax that rescale.attention and
/// rescale.attention_first_token_share share: p = numer / (exp(z - m) +
/// rowSum).
struct SoftmaxParts {
  Value maxLogit; ///< m[b,h,i]
  Value numer;    ///< e[b,h,i,j] = exp(s - m)
  Value rowSum;   ///< l[b,h,i] = Σ_j e
};

} // namespace

static SoftmaxParts buildSoftmax(OpBuilder &b, Location loc, Value q, Value k,
                                 Value sinks, bool causal, double scale,
                                 SoftmaxKind softmax) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  ArrayRef<int64_t> qShape = tensorType(q).getShape();
  ArrayRef<int64_t> kShape = tensorType(k).getShape();
  int64_t B = qShape[0], Hq = qShape[1], S = qShape[2];
  int64_t T = kShape[2];
  int64_t group = Hq / kShape[1];
  SmallVector<int64_t> scoreShape{B, Hq, S, T};
  SmallVector<int64_t> rowShape{B, Hq, S};
  auto scoreType = RankedTensorType::get(scoreShape, f32);
  auto rowType = RankedTensorType::get(rowShape, f32);
  AffineMap id4 = identityMap(ctx, 4), id3 = identityMap(ctx, 3);
  AffineMap row4 = dropLastDimMap(ctx, 4);

  // dot[b,h,i,j] = Σ_d q[b,h,i,d] · k[b,h/G,j,d], over (b, h, i, j, d).
  Value dot = buildHeadContraction(
      b, loc, q, k, kvHeadMap(ctx, 5, {0, 1, 3, 4}, 1, group), scoreShape);

  // s[b,h,i,j] = keep(i,j) ? scale · dot : -inf, where causal attention
  // keeps key j for query i iff j <= i + (T - S) (the queries are the last
  // S positions of the T keys).
  Value scores = buildElementwise(
      b, loc, scoreType, dot, id4,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value s = arith::MulFOp::create(nb, l, f32Const(nb, l, scale), a[0]);
        if (!causal)
          return s;
        Value i = linalg::IndexOp::create(nb, l, 2);
        Value j = linalg::IndexOp::create(nb, l, 3);
        Value last = arith::AddIOp::create(
            nb, l, i, arith::ConstantIndexOp::create(nb, l, T - S));
        Value keep =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle, j, last);
        return arith::SelectOp::create(nb, l, keep, s,
                                       f32Const(nb, l, kNegInf));
      });

  // Sigmoid attention: e = σ(s + b) with b = −log(T), each score on its
  // own (σ(−inf) = 0 for masked keys); m and l are not used (0).
  if (softmax == SoftmaxKind::sigmoid) {
    double bias = -std::log(double(T));
    Value numer = buildElementwise(
        b, loc, scoreType, scores, id4,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value x = arith::AddFOp::create(nb, l, a[0], f32Const(nb, l, bias));
          return buildSigmoid(nb, l, x);
        });
    Value zeros = filledTensor(b, loc, rowShape, f32, 0.0);
    return {zeros, numer, zeros};
  }

  // m[b,h,i] = max(z, max_j s[b,h,i,j]); a row with every key masked under
  // the standard softmax has m = -inf and uses 0 instead, so that
  // exp(s - m) = exp(-inf) = 0 rather than NaN.
  Value rowMax = buildLastDimReduction(
      b, loc, scoreShape, scores, id4, kNegInf,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::MaximumFOp::create(nb, l, acc, a[0]).getResult();
      });
  SmallVector<Value> rowInputs{rowMax};
  SmallVector<AffineMap> rowMaps{id3};
  if (sinks) {
    rowInputs.push_back(sinks);
    rowMaps.push_back(headMap(ctx, 3));
  }
  Value maxLogit = buildElementwise(
      b, loc, rowType, rowInputs, rowMaps,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value m = a[0];
        if (Value z = extraLogit(nb, l, softmax, sinks ? a[1] : Value()))
          m = arith::MaximumFOp::create(nb, l, m, z);
        Value empty = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, m,
                                            f32Const(nb, l, kNegInf));
        return arith::SelectOp::create(nb, l, empty, f32Const(nb, l, 0.0), m);
      });

  // e[b,h,i,j] = exp(s - m), the unnormalized probabilities.
  Value numer =
      buildElementwise(b, loc, scoreType, {scores, maxLogit}, {id4, row4},
                       [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                         Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
                         return math::ExpOp::create(nb, l, d);
                       });

  // l[b,h,i] = Σ_j e[b,h,i,j].
  Value rowSum = buildLastDimReduction(
      b, loc, scoreShape, numer, id4, 0.0,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::AddFOp::create(nb, l, acc, a[0]).getResult();
      });

  return {maxLogit, numer, rowSum};
}

namespace {

struct AttentionToLinalg : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;

    ArrayRef<int64_t> qShape = tensorType(op.getQ()).getShape();
    ArrayRef<int64_t> kShape = tensorType(op.getK()).getShape();
    int64_t B = qShape[0], Hq = qShape[1], S = qShape[2];
    int64_t Dv = tensorType(op.getV()).getShape()[3];
    // Grouped-query attention: query head h reads kv head floor(h / G).
    int64_t group = Hq / kShape[1];
    AffineMap id4 = identityMap(ctx, 4);
    AffineMap row4 = dropLastDimMap(ctx, 4);

    SoftmaxKind softmax = op.getSoftmax();
    Value sinks = op.getSinks();
    auto [maxLogit, numer, rowSum] =
        buildSoftmax(b, loc, op.getQ(), op.getK(), sinks, op.getCausal(),
                     op.getScaleValue(), softmax);
    // acc[b,h,i,c] = Σ_j e[b,h,i,j] · v[b,h/G,j,c], over (b, h, i, c, j).
    SmallVector<int64_t> outShape{B, Hq, S, Dv};
    Value acc = buildHeadContraction(b, loc, numer, op.getV(),
                                     kvHeadMap(ctx, 5, {0, 1, 4, 3}, 1, group),
                                     outShape);

    // out[b,h,i,c] = acc / (exp(z - m) + l) · σ(gate), rounded to the result
    // type. The gated attention of §3.2 multiplies the attention output by
    // σ(gate), per head ([B,Hq,S]) or per element ([B,Hq,S,Dv]).
    SmallVector<Value> outInputs{acc, rowSum};
    SmallVector<AffineMap> outMaps{id4, row4};
    int maxArg = -1, sinkArg = -1, gateArg = -1;
    if (softmax != SoftmaxKind::standard) {
      maxArg = outInputs.size();
      outInputs.push_back(maxLogit);
      outMaps.push_back(row4);
    }
    if (sinks) {
      sinkArg = outInputs.size();
      outInputs.push_back(sinks);
      outMaps.push_back(headMap(ctx, 4));
    }
    if (Value gate = op.getGate()) {
      gateArg = outInputs.size();
      outInputs.push_back(gate);
      outMaps.push_back(op.getGateKind() == GateKind::headwise ? row4 : id4);
    }
    Value out = buildElementwise(
        b, loc, tensorType(op.getResult()), outInputs, outMaps,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value o = softmaxProbability(nb, l, softmax, a[0], a[1],
                                       maxArg >= 0 ? a[maxArg] : Value(),
                                       sinkArg >= 0 ? a[sinkArg] : Value());
          if (gateArg >= 0)
            o = arith::MulFOp::create(nb, l, o,
                                      buildSigmoid(nb, l, a[gateArg]));
          return o;
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

} // namespace

/// out[b,h] = (1/S) Σ_i rows[b,h,i], as `resultType` ([B, Hq] f32): the sink
/// probes' mean over the queries.
static Value meanOverQueries(OpBuilder &b, Location loc, Value rows,
                             RankedTensorType resultType) {
  ArrayRef<int64_t> rowShape = tensorType(rows).getShape();
  int64_t S = rowShape[2];
  MLIRContext *ctx = b.getContext();
  Value sum = buildLastDimReduction(
      b, loc, rowShape, rows, identityMap(ctx, 3), 0.0,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::AddFOp::create(nb, l, acc, a[0]).getResult();
      });
  return buildElementwise(
      b, loc, resultType, sum, identityMap(ctx, 2),
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        return arith::DivFOp::create(nb, l, a[0], f32Const(nb, l, double(S)));
      });
}

namespace {

/// share[b,h] = (1/S) Σ_i p[b,h,i,0], with p the attention softmax above
/// (the sink statistic of arXiv 2601.22966 §2).
struct AttentionFirstTokenShareToLinalg
    : OpRewritePattern<AttentionFirstTokenShareOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionFirstTokenShareOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    ArrayRef<int64_t> qShape = tensorType(op.getQ()).getShape();
    int64_t B = qShape[0], Hq = qShape[1], S = qShape[2];
    SmallVector<int64_t> rowShape{B, Hq, S};
    auto rowType = RankedTensorType::get(rowShape, b.getF32Type());
    AffineMap id3 = identityMap(ctx, 3);
    SoftmaxKind softmax = op.getSoftmax();
    Value sinks = op.getSinks();
    auto [maxLogit, numer, rowSum] =
        buildSoftmax(b, loc, op.getQ(), op.getK(), sinks, op.getCausal(),
                     op.getScaleValue(), softmax);

    // p[b,h,i,0] = e[b,h,i,0] / (exp(z - m) + l), 0 for a row without keys.
    AffineMap firstKey = AffineMap::get(
        3, 0,
        {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx),
         getAffineDimExpr(2, ctx), getAffineConstantExpr(0, ctx)},
        ctx);
    SmallVector<Value> inputs{numer, rowSum, maxLogit};
    SmallVector<AffineMap> maps{firstKey, id3, id3};
    if (sinks) {
      inputs.push_back(sinks);
      maps.push_back(headMap(ctx, 3));
    }
    Value p0 = buildElementwise(
        b, loc, rowType, inputs, maps,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return softmaxProbability(nb, l, softmax, a[0], a[1], a[2],
                                    sinks ? a[3] : Value());
        });
    Value share = meanOverQueries(b, loc, p0, tensorType(op.getResult()));
    rewriter.replaceOp(op, share);
    return success();
  }
};

/// share[b,h] = (1/S) Σ_i |t_i| / (|t_i| + |o_i - t_i|), with o_i = Σ_j p_ij
/// v_j the ungated attention output and t_i = p_i0 v_0 its first-key term
/// (norms over the value dimension; 0 where both are 0).
struct AttentionFirstTokenOutputShareToLinalg
    : OpRewritePattern<AttentionFirstTokenOutputShareOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionFirstTokenOutputShareOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    OpBuilder &b = rewriter;
    ArrayRef<int64_t> qShape = tensorType(op.getQ()).getShape();
    ArrayRef<int64_t> kShape = tensorType(op.getK()).getShape();
    int64_t B = qShape[0], Hq = qShape[1], S = qShape[2], T = kShape[2];
    int64_t Dv = tensorType(op.getV()).getShape()[3];
    int64_t group = Hq / kShape[1];
    Type f32 = b.getF32Type();
    SmallVector<int64_t> scoreShape{B, Hq, S, T}, outShape{B, Hq, S, Dv},
        rowShape{B, Hq, S};
    AffineMap id4 = identityMap(ctx, 4), id3 = identityMap(ctx, 3);
    AffineMap row4 = dropLastDimMap(ctx, 4);
    SoftmaxKind softmax = op.getSoftmax();
    Value sinks = op.getSinks();
    auto [maxLogit, numer, rowSum] =
        buildSoftmax(b, loc, op.getQ(), op.getK(), sinks, op.getCausal(),
                     op.getScaleValue(), softmax);

    // p[b,h,i,j], normalized as in rescale.attention.
    SmallVector<Value> pInputs{numer, rowSum, maxLogit};
    SmallVector<AffineMap> pMaps{id4, row4, row4};
    if (sinks) {
      pInputs.push_back(sinks);
      pMaps.push_back(headMap(ctx, 4));
    }
    Value p = buildElementwise(
        b, loc, RankedTensorType::get(scoreShape, f32), pInputs, pMaps,
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return softmaxProbability(nb, l, softmax, a[0], a[1], a[2],
                                    sinks ? a[3] : Value());
        });
    // o[b,h,i,c] = Σ_j p[b,h,i,j] · v[b,h/G,j,c].
    Value out = buildHeadContraction(b, loc, p, op.getV(),
                                     kvHeadMap(ctx, 5, {0, 1, 4, 3}, 1, group),
                                     outShape);
    // t[b,h,i,c] = p[b,h,i,0] · v[b,h/G,0,c].
    AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx),
               d2 = getAffineDimExpr(2, ctx), d3 = getAffineDimExpr(3, ctx);
    AffineExpr zero = getAffineConstantExpr(0, ctx);
    AffineMap firstP = AffineMap::get(4, 0, {d0, d1, d2, zero}, ctx);
    AffineMap firstV =
        AffineMap::get(4, 0, {d0, d1.floorDiv(group), zero, d3}, ctx);
    Value first = buildElementwise(
        b, loc, RankedTensorType::get(outShape, f32), {p, op.getV()},
        {firstP, firstV}, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return arith::MulFOp::create(nb, l, a[0], a[1]);
        });
    // |t|² and |o - t|² over c.
    Value firstSq = buildLastDimReduction(
        b, loc, outShape, first, id4, 0.0,
        [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
          Value sq = arith::MulFOp::create(nb, l, a[0], a[0]);
          return arith::AddFOp::create(nb, l, acc, sq).getResult();
        });
    Value restSq = buildLastDimReduction(
        b, loc, outShape, {out, first}, {id4, id4}, 0.0,
        [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
          Value r = arith::SubFOp::create(nb, l, a[0], a[1]);
          Value sq = arith::MulFOp::create(nb, l, r, r);
          return arith::AddFOp::create(nb, l, acc, sq).getResult();
        });
    Value ratio = buildElementwise(
        b, loc, RankedTensorType::get(rowShape, f32), {firstSq, restSq},
        {id3, id3}, [](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value t = math::SqrtOp::create(nb, l, a[0]);
          Value r = math::SqrtOp::create(nb, l, a[1]);
          Value den = arith::AddFOp::create(nb, l, t, r);
          Value zero = f32Const(nb, l, 0.0);
          Value none = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ,
                                             den, zero);
          return arith::SelectOp::create(nb, l, none, zero,
                                         arith::DivFOp::create(nb, l, t, den));
        });
    Value share = meanOverQueries(b, loc, ratio, tensorType(op.getResult()));
    rewriter.replaceOp(op, share);
    return success();
  }
};

} // namespace

void mlir::rescale::populateAttentionToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionToLinalg, AttentionFirstTokenShareToLinalg,
               AttentionFirstTokenOutputShareToLinalg>(patterns.getContext());
}
