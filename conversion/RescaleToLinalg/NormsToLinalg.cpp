//===- NormsToLinalg.cpp - reference decomposition of the norm ops --------===//
//
// rms_norm, preaffine_rms_norm, gated_norm, add_rms_norm, and the paper's
// norm ablations dyt and clip, as linalg-on-tensors.
//
// Numerics: every operand is read as f32, each formula is evaluated in f32
// (the sum of squares accumulates in f32) and only the final result is
// rounded to the result element type. Normalization is over the last
// dimension; x may have any rank >= 1 (leading dimensions are independent
// rows), so every generic below iterates over x's full index space with the
// [d] parameters read through `lastDimMap` and per-row statistics through
// `dropLastDimMap`.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

/// Computes, per row of the index space `shape` (the shape of x), the inverse
/// RMS statistic `rsqrt(mean(u²) + ε)` of the row vector
/// `u = rowValue(inputs...)`, as a `tensor<shape[:-1] x f32>`. `rowValue`
/// receives the f32 elements of `inputs` (read through `maps`).
///
///   sumsq[i] = Σ_k u[i,k]²                (f32 accumulation)
///   inv[i]   = rsqrt(sumsq[i] / d + ε)
static Value buildInverseRms(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, ValueRange inputs,
                             ArrayRef<AffineMap> maps, ElementwiseFn rowValue,
                             const APFloat &epsilon) {
  Value sumSq = buildLastDimReduction(
      b, loc, shape, inputs, maps, /*init=*/0.0,
      [&](OpBuilder &nb, Location nloc, ValueRange args, Value acc) {
        Value u = rowValue(nb, nloc, args);
        Value u2 = arith::MulFOp::create(nb, nloc, u, u);
        return arith::AddFOp::create(nb, nloc, acc, u2).getResult();
      });
  auto rowType = RankedTensorType::get(shape.drop_back(), b.getF32Type());
  int64_t d = shape.back();
  double eps = epsilon.convertToDouble();
  return buildElementwise(
      b, loc, rowType, sumSq, identityMap(b.getContext(), rowType.getRank()),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value mean = arith::DivFOp::create(nb, nloc, args[0],
                                           f32Const(nb, nloc, double(d)));
        Value var =
            arith::AddFOp::create(nb, nloc, mean, f32Const(nb, nloc, eps));
        return math::RsqrtOp::create(nb, nloc, var).getResult();
      });
}

/// The row vector of rms_norm: x itself (the first input).
static Value firstArg(OpBuilder &, Location, ValueRange args) {
  return args[0];
}

/// The RMS-normalized, weighted row vector u = rowValue(inputs...), stored
/// as `resultType` (x's shape; the op's result element type, or f32 for an
/// intermediate that must not be rounded). `maps` read `inputs` in x's index
/// space.
///   inv[i]   = rsqrt(mean_k(u[i,k]²) + ε)
///   y[i,k]   = weight[k] · (u[i,k] · inv[i])
static Value buildWeightedRMSNorm(OpBuilder &b, Location loc,
                                  RankedTensorType resultType,
                                  ValueRange inputs, ArrayRef<AffineMap> maps,
                                  ElementwiseFn rowValue, Value weight,
                                  const APFloat &epsilon) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = resultType.getRank();
  Value inv = buildInverseRms(b, loc, resultType.getShape(), inputs, maps,
                              rowValue, epsilon);
  SmallVector<Value> allInputs(inputs);
  allInputs.append({weight, inv});
  SmallVector<AffineMap> allMaps(maps);
  allMaps.append({lastDimMap(ctx, rank), dropLastDimMap(ctx, rank)});
  size_t n = inputs.size();
  return buildElementwise(
      b, loc, resultType, allInputs, allMaps,
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value u = rowValue(nb, l, a.take_front(n));
        Value un = arith::MulFOp::create(nb, l, u, a[n + 1]);
        return arith::MulFOp::create(nb, l, a[n], un).getResult();
      });
}

/// rms_norm(x, weight) stored as `resultType`: the row vector is x itself.
static Value buildRMSNorm(OpBuilder &b, Location loc, Value x, Value weight,
                          const APFloat &epsilon, RankedTensorType resultType) {
  return buildWeightedRMSNorm(b, loc, resultType, x,
                              identityMap(b.getContext(), resultType.getRank()),
                              firstArg, weight, epsilon);
}

namespace {

//===----------------------------------------------------------------------===//
// rms_norm: y = weight ⊙ x / sqrt(mean(x²) + ε)
//===----------------------------------------------------------------------===//

struct RMSNormToLinalg : OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    rewriter.replaceOp(op, buildRMSNorm(rewriter, op.getLoc(), op.getX(),
                                        op.getWeight(), op.getEpsilon(),
                                        tensorType(op.getResult())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// preaffine_rms_norm (§3.3): u = pre_scale ⊙ x; y = weight ⊙ u / rms(u)
//===----------------------------------------------------------------------===//

struct PreAffineRMSNormToLinalg : OpRewritePattern<PreAffineRMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PreAffineRMSNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType xType = tensorType(op.getX());
    unsigned rank = xType.getRank();

    // PreAffine RMSNorm, arXiv 2601.22966 §3.3: λ₁ (pre_scale) multiplies x
    // *before* the statistic, so it enters the RMS.
    //   u[i,k] = pre_scale[k] · x[i,k]    (recomputed in f32, never rounded)
    auto preAffine = [](OpBuilder &b, Location l, ValueRange a) {
      return arith::MulFOp::create(b, l, a[1], a[0]).getResult();
    };
    // y[i,k] = weight[k] · u[i,k] / sqrt(mean_k(u[i,k]²) + ε)
    Value y =
        buildWeightedRMSNorm(rewriter, loc, tensorType(op.getResult()),
                             {op.getX(), op.getPreScale()},
                             {identityMap(ctx, rank), lastDimMap(ctx, rank)},
                             preAffine, op.getWeight(), op.getEpsilon());
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// add_rms_norm: sum = x + residual; y = weight ⊙ sum / rms(sum)
//===----------------------------------------------------------------------===//

struct AddRMSNormToLinalg : OpRewritePattern<AddRMSNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddRMSNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType xType = tensorType(op.getX());
    unsigned rank = xType.getRank();

    // s[i,k] = x[i,k] + residual[i,k], in f32. The norm reads this f32 sum,
    // not the sum rounded to the element type: only results are rounded.
    auto residualAdd = [](OpBuilder &b, Location l, ValueRange a) {
      return arith::AddFOp::create(b, l, a[0], a[1]).getResult();
    };
    // inv[i] = rsqrt(mean_k(s[i,k]²) + ε)
    Value inv = buildInverseRms(
        rewriter, loc, xType.getShape(), {op.getX(), op.getResidual()},
        {identityMap(ctx, rank), identityMap(ctx, rank)}, residualAdd,
        op.getEpsilon());
    // One generic writes both results:
    //   sum[i,k] = s[i,k]
    //   y[i,k]   = weight[k] · s[i,k] · inv[i]
    RankedTensorType sumType = tensorType(op.getSum());
    RankedTensorType yType = tensorType(op.getResult());
    SmallVector<Value> inits;
    for (RankedTensorType t : {sumType, yType})
      inits.push_back(
          emptyTensor(rewriter, loc, t.getShape(), t.getElementType()));
    SmallVector<Value> results = buildGeneric(
        rewriter, loc, {op.getX(), op.getResidual(), op.getWeight(), inv},
        {identityMap(ctx, rank), identityMap(ctx, rank), lastDimMap(ctx, rank),
         dropLastDimMap(ctx, rank)},
        inits, {identityMap(ctx, rank), identityMap(ctx, rank)},
        parallelIterators(rank), rewriter.getF32Type(),
        [&](OpBuilder &b, Location l, ValueRange a, ValueRange) {
          Value s = residualAdd(b, l, a);
          Value sn = arith::MulFOp::create(b, l, s, a[3]);
          Value y = arith::MulFOp::create(b, l, a[2], sn);
          return SmallVector<Value>{s, y};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// gated_norm (§3.4)
//===----------------------------------------------------------------------===//

struct GatedNormToLinalg : OpRewritePattern<GatedNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedNormOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType xType = tensorType(op.getX());
    unsigned rank = xType.getRank();
    Type f32 = rewriter.getF32Type();
    int64_t r = op.w_downType().getDimSize(1);
    // The gate width: d for the paper's per-channel gate, 1 for a tensorwise
    // w_up of shape [r, 1] (one gate value per token, broadcast over d).
    int64_t gateWidth = op.w_upType().getDimSize(1);

    // GatedNorm, arXiv 2601.22966 §3.4. The gate is computed from the
    // normalized output itself.
    //
    // (1) y = rms_norm(x, weight), kept in f32 (it feeds both the gate and
    //     the output, and is never rounded to the element type):
    //       inv[i]   = rsqrt(mean_k(x[i,k]²) + ε)
    //       y[i,k]   = weight[k] · x[i,k] · inv[i]
    Value y = buildRMSNorm(rewriter, loc, op.getX(), op.getWeight(),
                           op.getEpsilon(), xType.clone(f32));

    // (2) h = y · w_down, the down projection to rank r:
    //       h[i,j] = Σ_k y[i,k] · w_down[k,j]
    Value h = buildRowTimesMatrix(rewriter, loc, y, op.getWDown(), r,
                                  /*transposed=*/false);

    // (3) swish(h) = h · σ(h)
    RankedTensorType hType = tensorType(h);
    Value swish =
        buildElementwise(rewriter, loc, hType, h, identityMap(ctx, rank),
                         [](OpBuilder &b, Location l, ValueRange a) {
                           return buildSwish(b, l, a[0]);
                         });

    // (4) the up projection back to d (or 1):
    //       z[i,k] = Σ_j swish(h)[i,j] · w_up[j,k]
    Value z = buildRowTimesMatrix(rewriter, loc, swish, op.getWUp(), gateWidth,
                                  /*transposed=*/false);

    // (5) g = act(z), out = g ⊙ y; a tensorwise z [.., 1] is read at column 0
    //     for every k, i.e. broadcast over d.
    AffineMap zMap = identityMap(ctx, rank);
    if (gateWidth != xType.getShape().back()) {
      SmallVector<AffineExpr> exprs(dropLastDimMap(ctx, rank).getResults());
      exprs.push_back(getAffineConstantExpr(0, ctx));
      zMap = AffineMap::get(rank, 0, exprs, ctx);
    }
    GateActivation act = op.getGateActivation();
    Value out = buildElementwise(
        rewriter, loc, tensorType(op.getResult()), {z, y},
        {zMap, identityMap(ctx, rank)},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value g = buildGateActivation(b, l, act, a[0]);
          return arith::MulFOp::create(b, l, g, a[1]).getResult();
        });
    rewriter.replaceOp(op, out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// dyt: y = weight ⊙ tanh(alpha · x) + bias (the norm-free ablation)
//===----------------------------------------------------------------------===//

struct DyTToLinalg : OpRewritePattern<DyTOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DyTOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    unsigned rank = tensorType(op.getX()).getRank();
    // alpha is one scalar, of shape [] or [1].
    AffineMap alphaMap =
        tensorType(op.getAlpha()).getRank() == 0
            ? scalarMap(ctx, rank)
            : AffineMap::get(rank, 0, getAffineConstantExpr(0, ctx));
    // y[i,k] = weight[k] · tanh(alpha · x[i,k]) + bias[k]
    Value y = buildElementwise(
        rewriter, loc, tensorType(op.getResult()),
        {op.getX(), op.getAlpha(), op.getWeight(), op.getBias()},
        {identityMap(ctx, rank), alphaMap, lastDimMap(ctx, rank),
         lastDimMap(ctx, rank)},
        [](OpBuilder &b, Location l, ValueRange a) {
          Value ax = arith::MulFOp::create(b, l, a[1], a[0]);
          Value t = math::TanhOp::create(b, l, ax);
          Value wt = arith::MulFOp::create(b, l, a[2], t);
          return arith::AddFOp::create(b, l, wt, a[3]).getResult();
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// clip: y = min(max(x, -threshold), threshold) (the clipping ablation)
//===----------------------------------------------------------------------===//

struct ClipToLinalg : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    unsigned rank = tensorType(op.getX()).getRank();
    double t = op.getThreshold().convertToDouble();
    // maximumf/minimumf propagate NaN, like torch.clamp.
    Value y = buildElementwise(
        rewriter, op.getLoc(), tensorType(op.getResult()), op.getX(),
        identityMap(op.getContext(), rank),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value lo = arith::MaximumFOp::create(b, l, a[0], f32Const(b, l, -t));
          return arith::MinimumFOp::create(b, l, lo, f32Const(b, l, t))
              .getResult();
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::rescale::populateNormsToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RMSNormToLinalg, PreAffineRMSNormToLinalg, AddRMSNormToLinalg,
               GatedNormToLinalg, DyTToLinalg, ClipToLinalg>(
      patterns.getContext());
}
