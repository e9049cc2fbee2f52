//===- AttentionGradToLinalg.cpp - attention_lse and attention_grad -------===//
//
// The reference decomposition of attention's backward
// (dialect/RescaleBackwardOps.td) as linalg on tensors: the one place where
// its math is written (the gradient rule, dialect/Autodiff/AttentionGrad.cpp,
// only emits the ops). Everything is computed in f32; each gradient is
// rounded once to its operand's type.
//
// Loops are named (b, h, g, i, j, c): kv head h, query head h·G + g of its
// group, query i, key j, and c the head dimension being contracted. With
// s = scale·q·kᵀ (masked keys at −inf):
//
//   attention_lse:  m = max(max_j s, base),  base = −inf | 0 | sink
//                   Z = Σ_j exp(s − m) + exp(base − m)   (no term for −inf)
//                   lse = m + log Z   (−inf when Z = 0: an empty row)
//   attention_grad: p = exp(s − lse) on kept keys, 0 elsewhere, then
//                   FlashAttention-2's backward (the op's description).
//   sigmoid:        no normalizer: lse = 0; p = σ(s − log T) (0 on masked
//                   keys), ds = scale · dp ⊙ p ⊙ (1 − p).
//
// Unlike FlashAttention this decomposition is not tiled: on the CPU path the
// S×T intermediates are tensors that fusion and bufferization may or may not
// remove; a tiled kernel is the GPU issue's work.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::rescale;
using tolinalg::convertElements;
using tolinalg::sumAs;
namespace ad = mlir::rescale::autodiff;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

} // namespace

static RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static Value f32c(OpBuilder &b, Location loc, double v) {
  return ad::floatConstant(b, loc, b.getF32Type(), v);
}

static Value mulBody(OpBuilder &b, Location l, ValueRange a) {
  return arith::MulFOp::create(b, l, a[0], a[1]);
}

/// Splits dim 1 (the query heads, Hq = Hkv·G) of `t` into (Hkv, G).
static Value splitHeads(OpBuilder &b, Location loc, Value t, int64_t hkv,
                        int64_t g) {
  RankedTensorType tt = tensorOf(t);
  SmallVector<int64_t> shape(tt.getShape());
  shape[1] = g;
  shape.insert(shape.begin() + 1, hkv);
  SmallVector<ReassociationIndices> re = {{0}, {1, 2}};
  for (int64_t d = 3; d < int64_t(shape.size()); ++d)
    re.push_back({d});
  return tensor::ExpandShapeOp::create(b, loc, tt.clone(shape), t, re);
}

/// The inverse of splitHeads, into `type`.
static Value mergeHeads(OpBuilder &b, Location loc, Value t,
                        RankedTensorType type) {
  unsigned rank = tensorOf(t).getRank();
  SmallVector<ReassociationIndices> re = {{0}, {1, 2}};
  for (int64_t d = 3; d < int64_t(rank); ++d)
    re.push_back({d});
  return tensor::CollapseShapeOp::create(b, loc, type, t, re);
}

/// sinks [Hq] as [Hkv, G].
static Value splitSinks(OpBuilder &b, Location loc, Value sinks, int64_t hkv,
                        int64_t g) {
  auto type = RankedTensorType::get({hkv, g}, tensorOf(sinks).getElementType());
  return tensor::ExpandShapeOp::create(
      b, loc, type, sinks, SmallVector<ReassociationIndices>{{0, 1}});
}

namespace {

/// The sizes both ops share.
struct AttentionDims {
  int64_t B, Hq, S, D, Hkv, T, G;
};

} // namespace

static AttentionDims dimsOf(Value q, Value k) {
  ArrayRef<int64_t> qs = tensorOf(q).getShape(), ks = tensorOf(k).getShape();
  return {qs[0], qs[1], qs[2], qs[3], ks[1], ks[2], qs[1] / ks[1]};
}

/// s[b,h,g,i,j] = scale · Σ_c q[b,h,g,i,c] k[b,h,j,c] in f32, with the keys a
/// causal mask drops (j > i + T − S) at −inf. `q5` is q split by splitHeads.
static Value buildScores(OpBuilder &b, Location loc, const AttentionDims &d,
                         Value q5, Value k, double scale, bool causal) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto m6 = [&](ArrayRef<unsigned> dims) { return ad::dimsMap(ctx, 6, dims); };
  Value dots = ad::buildSum(b, loc, {d.B, d.Hkv, d.G, d.S, d.T, d.D}, f32, f32,
                            {q5, k}, {m6({0, 1, 2, 3, 5}), m6({0, 1, 4, 5})},
                            m6({0, 1, 2, 3, 4}), mulBody);
  int64_t offset = d.T - d.S;
  return ad::buildMap(
      b, loc, {d.B, d.Hkv, d.G, d.S, d.T}, f32, f32, {dots},
      {ad::identityMap(ctx, 5)}, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value sc = f32c(nb, l, scale);
        Value s = arith::MulFOp::create(nb, l, a[0], sc);
        if (!causal)
          return s;
        Value i = linalg::IndexOp::create(nb, l, 3);
        Value j = linalg::IndexOp::create(nb, l, 4);
        Value off = arith::ConstantIndexOp::create(nb, l, offset);
        Value limit = arith::AddIOp::create(nb, l, i, off);
        Value keep =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle, j, limit);
        Value ninf = f32c(nb, l, kNegInf);
        return arith::SelectOp::create(nb, l, keep, s, ninf).getResult();
      });
}

namespace {

struct AttentionLSEToLinalg : OpRewritePattern<AttentionLSEOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionLSEOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    AttentionDims d = dimsOf(op.getQ(), op.getK());
    SoftmaxKind kind = op.getSoftmax();
    SmallVector<int64_t> rowShape = {d.B, d.Hkv, d.G, d.S};
    if (kind == SoftmaxKind::sigmoid) {
      // Nothing normalizes sigmoid attention: the backward recomputes p
      // from the scores alone, and the saved statistic is 0.
      rewriter.replaceOp(
          op,
          ad::filledTensor(b, loc, tensorOf(op.getLse()).getShape(), f32, 0.0));
      return success();
    }
    auto m5 = [&](ArrayRef<unsigned> dims) {
      return ad::dimsMap(ctx, 5, dims);
    };
    auto m4 = [&](ArrayRef<unsigned> dims) {
      return ad::dimsMap(ctx, 4, dims);
    };

    Value q5 = splitHeads(b, loc, op.getQ(), d.Hkv, d.G);
    Value scores = buildScores(b, loc, d, q5, op.getK(), op.getScaleValue(),
                               op.getCausal());
    Value init = ad::filledTensor(b, loc, rowShape, f32, kNegInf);
    SmallVector<utils::IteratorType> iters(5, utils::IteratorType::parallel);
    iters[4] = utils::IteratorType::reduction;
    auto maxGeneric = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()}, ValueRange{scores}, ValueRange{init},
        ArrayRef<AffineMap>{ad::identityMap(ctx, 5), m5({0, 1, 2, 3})}, iters,
        [](OpBuilder &nb, Location l, ValueRange a) {
          Value mx = arith::MaximumFOp::create(nb, l, a[0], a[1]);
          linalg::YieldOp::create(nb, l, mx);
        });
    Value rowMax = maxGeneric.getResult(0);

    // base: the logit of the denominator's extra term (none for standard).
    Value sinks2;
    if (Value sinks = op.getSinks())
      sinks2 = splitSinks(b, loc, sinks, d.Hkv, d.G);
    auto baseOf = [&](OpBuilder &nb, Location l, Value sink) -> Value {
      if (kind == SoftmaxKind::off_by_one)
        return f32c(nb, l, 0.0);
      if (kind == SoftmaxKind::learned_sink)
        return sink;
      return {};
    };
    SmallVector<Value> rowIns = {rowMax};
    SmallVector<AffineMap> rowMaps = {ad::identityMap(ctx, 4)};
    if (sinks2) {
      rowIns.push_back(sinks2);
      rowMaps.push_back(m4({1, 2}));
    }
    Value m = ad::buildMap(
        b, loc, rowShape, f32, f32, rowIns, rowMaps,
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value base = baseOf(nb, l, sinks2 ? a[1] : Value());
          if (!base)
            return a[0];
          return arith::MaximumFOp::create(nb, l, a[0], base).getResult();
        });
    // Σ_j exp(s − m) over kept keys (a −inf score, masked or with m = −inf
    // on an empty row, adds nothing: exp(−inf − (−inf)) would be NaN).
    Value sumE = ad::buildSum(
        b, loc, {d.B, d.Hkv, d.G, d.S, d.T}, f32, f32, {scores, m},
        {ad::identityMap(ctx, 5), m5({0, 1, 2, 3})}, m5({0, 1, 2, 3}),
        [](OpBuilder &nb, Location l, ValueRange a) {
          Value diff = arith::SubFOp::create(nb, l, a[0], a[1]);
          Value ex = math::ExpOp::create(nb, l, diff);
          Value ninf = f32c(nb, l, kNegInf);
          Value live = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                             a[0], ninf);
          Value zero = f32c(nb, l, 0.0);
          return arith::SelectOp::create(nb, l, live, ex, zero).getResult();
        });
    SmallVector<Value> lseIns = {sumE, m};
    SmallVector<AffineMap> lseMaps = {ad::identityMap(ctx, 4),
                                      ad::identityMap(ctx, 4)};
    if (sinks2) {
      lseIns.push_back(sinks2);
      lseMaps.push_back(m4({1, 2}));
    }
    Value lse5 = ad::buildMap(
        b, loc, rowShape, f32, f32, lseIns, lseMaps,
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value z = a[0];
          if (Value base = baseOf(nb, l, sinks2 ? a[2] : Value())) {
            Value diff = arith::SubFOp::create(nb, l, base, a[1]);
            Value extra = math::ExpOp::create(nb, l, diff);
            z = arith::AddFOp::create(nb, l, z, extra);
          }
          Value logZ = math::LogOp::create(nb, l, z);
          Value lse = arith::AddFOp::create(nb, l, a[1], logZ);
          Value zero = f32c(nb, l, 0.0);
          Value some =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, z, zero);
          Value ninf = f32c(nb, l, kNegInf);
          return arith::SelectOp::create(nb, l, some, lse, ninf).getResult();
        });
    Value lse = mergeHeads(b, loc, lse5, tensorOf(op.getLse()));
    rewriter.replaceOp(op, lse);
    return success();
  }
};

struct AttentionGradToLinalg : OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    AttentionDims d = dimsOf(op.getQ(), op.getK());
    int64_t Dv = tensorOf(op.getV()).getDimSize(3);
    double scale = op.getScaleValue();
    Value gate = op.getGate(), sinks = op.getSinks();
    auto m6 = [&](ArrayRef<unsigned> dims) {
      return ad::dimsMap(ctx, 6, dims);
    };
    auto m5 = [&](ArrayRef<unsigned> dims) {
      return ad::dimsMap(ctx, 5, dims);
    };
    auto m4 = [&](ArrayRef<unsigned> dims) {
      return ad::dimsMap(ctx, 4, dims);
    };
    AffineMap id4 = ad::identityMap(ctx, 4), id5 = ad::identityMap(ctx, 5);
    SmallVector<int64_t> rowShape = {d.B, d.Hkv, d.G, d.S};
    SmallVector<int64_t> scoreShape = {d.B, d.Hkv, d.G, d.S, d.T};
    SmallVector<int64_t> outShape5 = {d.B, d.Hkv, d.G, d.S, Dv};

    Value q5 = splitHeads(b, loc, op.getQ(), d.Hkv, d.G);
    Value dout5 = splitHeads(b, loc, op.getDout(), d.Hkv, d.G);
    Value lse5 = splitHeads(b, loc, op.getLse(), d.Hkv, d.G);
    Value scores = buildScores(b, loc, d, q5, op.getK(), scale, op.getCausal());
    bool sigmoidKind = op.getSoftmax() == SoftmaxKind::sigmoid;
    double bias = -std::log(double(d.T));
    // p = exp(s − lse) on kept keys; 0 on masked keys and on an empty row
    // (lse = −inf there, and every score is −inf too). Sigmoid: σ(s − log T).
    Value p = ad::buildMap(
        b, loc, scoreShape, f32, f32, {scores, lse5}, {id5, m5({0, 1, 2, 3})},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          if (sigmoidKind) {
            Value x = arith::AddFOp::create(nb, l, a[0], f32c(nb, l, bias));
            return buildSigmoid(nb, l, x);
          }
          Value diff = arith::SubFOp::create(nb, l, a[0], a[1]);
          Value ex = math::ExpOp::create(nb, l, diff);
          Value ninf = f32c(nb, l, kNegInf);
          Value live = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                             a[0], ninf);
          Value zero = f32c(nb, l, 0.0);
          return arith::SelectOp::create(nb, l, live, ex, zero).getResult();
        });

    SmallVector<Value> results;
    // The gate: do = dout ⊙ σ(gate); dgate from o = p·v.
    Value dout = dout5;
    Value dgate;
    if (gate) {
      Value gate5 = splitHeads(b, loc, gate, d.Hkv, d.G);
      AffineMap gateMap =
          op.getGateKind() == GateKind::headwise ? m5({0, 1, 2, 3}) : id5;
      Value o =
          ad::buildSum(b, loc, {d.B, d.Hkv, d.G, d.S, d.T, Dv}, f32, f32,
                       {p, op.getV()}, {m6({0, 1, 2, 3, 4}), m6({0, 1, 4, 5})},
                       m6({0, 1, 2, 3, 5}), mulBody);
      dout = ad::buildMap(
          b, loc, outShape5, f32, f32, {dout5, gate5}, {id5, gateMap},
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value sg = buildSigmoid(nb, l, a[1]);
            return arith::MulFOp::create(nb, l, a[0], sg).getResult();
          });
      auto dgateBody = [](OpBuilder &nb, Location l, ValueRange a) {
        Value sg = buildSigmoid(nb, l, a[2]);
        Value one = f32c(nb, l, 1.0);
        Value rest = arith::SubFOp::create(nb, l, one, sg);
        Value slope = arith::MulFOp::create(nb, l, sg, rest);
        Value go = arith::MulFOp::create(nb, l, a[0], a[1]);
        return arith::MulFOp::create(nb, l, go, slope).getResult();
      };
      Type gateElem = tensorOf(gate).getElementType();
      Value dgate5 =
          op.getGateKind() == GateKind::headwise
              ? sumAs(b, loc, outShape5, gateElem, f32, {dout5, o, gate5},
                      {id5, id5, gateMap}, m5({0, 1, 2, 3}), dgateBody)
              : convertElements(b, loc,
                                ad::buildMap(b, loc, outShape5, f32, f32,
                                             {dout5, o, gate5},
                                             {id5, id5, gateMap}, dgateBody),
                                gateElem);
      dgate = mergeHeads(b, loc, dgate5, tensorOf(gate));
    }

    // dv[b,h,j,c] = Σ_{g,i} p · do.
    Value dv = sumAs(b, loc, {d.B, d.Hkv, d.G, d.S, d.T, Dv},
                     tensorOf(op.getV()).getElementType(), f32, {p, dout},
                     {m6({0, 1, 2, 3, 4}), m6({0, 1, 2, 3, 5})},
                     m6({0, 1, 4, 5}), mulBody);
    // dp = do · vᵀ; δ = Σ_j p ⊙ dp; ds = scale · p ⊙ (dp − δ). Sigmoid:
    // each p is σ of its own score, ds = scale · dp ⊙ p ⊙ (1 − p).
    Value dp = ad::buildSum(
        b, loc, {d.B, d.Hkv, d.G, d.S, d.T, Dv}, f32, f32, {dout, op.getV()},
        {m6({0, 1, 2, 3, 5}), m6({0, 1, 4, 5})}, m6({0, 1, 2, 3, 4}), mulBody);
    Value ds, delta;
    if (sigmoidKind) {
      ds = ad::buildMap(
          b, loc, scoreShape, f32, f32, {p, dp}, {id5, id5},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value one = f32c(nb, l, 1.0);
            Value rest = arith::SubFOp::create(nb, l, one, a[0]);
            Value slope = arith::MulFOp::create(nb, l, a[0], rest);
            Value g = arith::MulFOp::create(nb, l, a[1], slope);
            return arith::MulFOp::create(nb, l, g, f32c(nb, l, scale))
                .getResult();
          });
    } else {
      delta = ad::buildSum(b, loc, scoreShape, f32, f32, {p, dp}, {id5, id5},
                           m5({0, 1, 2, 3}), mulBody);
      ds = ad::buildMap(
          b, loc, scoreShape, f32, f32, {p, dp, delta},
          {id5, id5, m5({0, 1, 2, 3})},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value diff = arith::SubFOp::create(nb, l, a[1], a[2]);
            Value pd = arith::MulFOp::create(nb, l, a[0], diff);
            Value sc = f32c(nb, l, scale);
            return arith::MulFOp::create(nb, l, pd, sc).getResult();
          });
    }
    RankedTensorType qt = tensorOf(op.getQ()), kt = tensorOf(op.getK());
    Value dq5 =
        sumAs(b, loc, {d.B, d.Hkv, d.G, d.S, d.T, d.D}, qt.getElementType(),
              f32, {ds, op.getK()}, {m6({0, 1, 2, 3, 4}), m6({0, 1, 4, 5})},
              m6({0, 1, 2, 3, 5}), mulBody);
    Value dq = mergeHeads(b, loc, dq5, qt);
    Value dk =
        sumAs(b, loc, {d.B, d.Hkv, d.G, d.S, d.T, d.D}, kt.getElementType(),
              f32, {ds, q5}, {m6({0, 1, 2, 3, 4}), m6({0, 1, 2, 3, 5})},
              m6({0, 1, 4, 5}), mulBody);
    results = {dq, dk, dv};
    if (dgate)
      results.push_back(dgate);
    if (sinks) {
      // dsinks[h,g] = −Σ_{b,i} exp(sink − lse) · δ.
      Value sinks2 = splitSinks(b, loc, sinks, d.Hkv, d.G);
      Value ds2 =
          sumAs(b, loc, rowShape, tensorOf(sinks).getElementType(), f32,
                {delta, lse5, sinks2}, {id4, id4, m4({1, 2})}, m4({1, 2}),
                [](OpBuilder &nb, Location l, ValueRange a) {
                  Value diff = arith::SubFOp::create(nb, l, a[2], a[1]);
                  Value ps = math::ExpOp::create(nb, l, diff);
                  Value t = arith::MulFOp::create(nb, l, ps, a[0]);
                  return arith::NegFOp::create(nb, l, t).getResult();
                });
      Value dsinks = tensor::CollapseShapeOp::create(
          b, loc, tensorOf(sinks), ds2,
          SmallVector<ReassociationIndices>{{0, 1}});
      results.push_back(dsinks);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::rescale::populateAttentionGradToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionLSEToLinalg, AttentionGradToLinalg>(
      patterns.getContext());
}
