//===- TrainingToLinalg.cpp - reference decomposition of the training ops -===//
//
// embedding, embedding_grad, cross_entropy, cross_entropy_grad, rope and
// adamw (dialect/RescaleTrainingOps.td) as linalg-on-tensors, under the
// numerics contract of Common.h: f32 compute and accumulation, one rounding
// on store.
//
// Gathers are dense: the kernels the NVPTX path builds from this linalg read
// every operand at an affine function of the loop indices, so a row lookup
// `table[ids[n]]` is written as a one-hot reduction over the vocabulary
// (`select(ids[n] == v, table[v, d], acc)`, exact: one term matches) rather
// than a `tensor.extract` at a data-dependent index. It costs O(N·V·D); an
// out-of-range id matches no v and so reads as a zero row, by construction.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

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
using namespace mlir::rescale::tolinalg;

/// (d0, ..., d{n-1}) -> (d{dims[0]}, d{dims[1]}, ...).
static AffineMap selectDimsMap(MLIRContext *ctx, unsigned n,
                               ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(n, 0, exprs, ctx);
}

/// [first, first + count).
static SmallVector<unsigned> dimRange(unsigned first, unsigned count) {
  SmallVector<unsigned> dims;
  for (unsigned i = 0; i < count; ++i)
    dims.push_back(first + i);
  return dims;
}

/// i1: the integer `id` (i32 or i64) equals loop index `dim`.
static Value idEqualsIndex(OpBuilder &b, Location loc, Value id, unsigned dim) {
  Value index = linalg::IndexOp::create(b, loc, dim);
  Value index64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  Value id64 = castScalar(b, loc, id, b.getI64Type());
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, id64, index64);
}

/// i1: target `t` is counted by the loss: t != ignore_index and 0 <= t < V.
static Value isCountedTarget(OpBuilder &b, Location loc, Value t,
                             int64_t ignoreIndex, int64_t vocab) {
  Value t64 = castScalar(b, loc, t, b.getI64Type());
  Value ignore = arith::ConstantIntOp::create(b, loc, ignoreIndex, 64);
  Value notIgnored =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, t64, ignore);
  Value inRange = idInRange(b, loc, t64, vocab);
  return arith::AndIOp::create(b, loc, notIgnored, inRange);
}

namespace {

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

/// y[n..., d] = Σ_v [ids[n...] = v] · table[v, d], as a select chain over v
/// in the index space [n..., d, v].
struct EmbeddingToLinalg : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    unsigned r = tensorType(op.getIds()).getRank();
    int64_t vocab = tensorType(op.getTable()).getDimSize(0);
    SmallVector<int64_t> space(resultType.getShape());
    space.push_back(vocab);
    unsigned n = space.size();
    AffineMap idsMap = selectDimsMap(ctx, n, dimRange(0, r));
    AffineMap tableMap = selectDimsMap(ctx, n, {n - 1, n - 2});
    Value rows = buildLastDimReduction(
        rewriter, loc, space, {op.getIds(), op.getTable()}, {idsMap, tableMap},
        /*init=*/0.0, [&](OpBuilder &b, Location l, ValueRange a, Value acc) {
          Value hit = idEqualsIndex(b, l, a[0], n - 1);
          return arith::SelectOp::create(b, l, hit, a[1], acc).getResult();
        });
    Value y =
        convertElementType(rewriter, loc, rows, resultType.getElementType());
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// dtable[v, d] = Σ_n [ids[n] = v] · dy[n, d], in the index space
/// [v, d, n...] with the n loops reductions (in row-major order).
struct EmbeddingGradToLinalg : OpRewritePattern<EmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    RankedTensorType ids = tensorType(op.getIds());
    unsigned r = ids.getRank();
    unsigned n = r + 2;
    SmallVector<unsigned> dyDims = dimRange(2, r);
    dyDims.push_back(1);
    AffineMap idsMap = selectDimsMap(ctx, n, dimRange(2, r));
    AffineMap dyMap = selectDimsMap(ctx, n, dyDims);
    AffineMap outMap = selectDimsMap(ctx, n, {0, 1});
    SmallVector<utils::IteratorType> iterators(n,
                                               utils::IteratorType::reduction);
    iterators[0] = utils::IteratorType::parallel;
    iterators[1] = utils::IteratorType::parallel;
    Value zeros = filledTensor(rewriter, loc, resultType.getShape(),
                               rewriter.getF32Type(), 0.0);
    Value acc =
        buildGeneric(
            rewriter, loc, {op.getIds(), op.getDy()}, {idsMap, dyMap}, zeros,
            outMap, iterators, rewriter.getF32Type(),
            [&](OpBuilder &b, Location l, ValueRange a, ValueRange outs) {
              Value hit = idEqualsIndex(b, l, a[0], 0);
              Value sum = arith::AddFOp::create(b, l, outs[0], a[1]);
              Value next = arith::SelectOp::create(b, l, hit, sum, outs[0]);
              return SmallVector<Value>{next};
            })
            .front();
    Value dt =
        convertElementType(rewriter, loc, acc, resultType.getElementType());
    rewriter.replaceOp(op, dt);
    return success();
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

/// Per row of `logits [R..., V]`: lse[r] = m + log Σ_v exp(logits[r, v] − m)
/// with m the row maximum, as tensor<R... x f32>.
static Value buildRowLogSumExp(OpBuilder &b, Location loc, Value logits) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(logits);
  ArrayRef<int64_t> shape = type.getShape();
  unsigned rank = shape.size();
  Value rowMax = buildLastDimReduction(
      b, loc, shape, logits, identityMap(ctx, rank),
      -std::numeric_limits<double>::infinity(),
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::MaximumFOp::create(nb, l, acc, a[0]).getResult();
      });
  Value sumExp = buildLastDimReduction(
      b, loc, shape, {logits, rowMax},
      {identityMap(ctx, rank), dropLastDimMap(ctx, rank)}, 0.0,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        Value shifted = arith::SubFOp::create(nb, l, a[0], a[1]);
        Value e = math::ExpOp::create(nb, l, shifted);
        return arith::AddFOp::create(nb, l, acc, e).getResult();
      });
  auto rowType = RankedTensorType::get(shape.drop_back(), b.getF32Type());
  AffineMap rows = identityMap(ctx, rank - 1);
  return buildElementwise(
      b, loc, rowType, {rowMax, sumExp}, {rows, rows},
      [](OpBuilder &nb, Location l, ValueRange a) {
        Value logSum = math::LogOp::create(nb, l, a[1]);
        return arith::AddFOp::create(nb, l, a[0], logSum).getResult();
      });
}

/// Reduces the rows [R...] to two scalars (tensor<f32>): the sum of
/// `rowValue(ins...)` over counted rows and their count. `inputs` are read at
/// the identity map of the rows; the last one is the targets.
static std::pair<Value, Value>
buildCountedSum(OpBuilder &b, Location loc, ArrayRef<int64_t> rows,
                ValueRange inputs, int64_t ignoreIndex, int64_t vocab,
                ElementwiseFn rowValue) {
  MLIRContext *ctx = b.getContext();
  unsigned n = rows.size();
  Value sumInit = filledTensor(b, loc, {}, b.getF32Type(), 0.0);
  Value countInit = filledTensor(b, loc, {}, b.getF32Type(), 0.0);
  SmallVector<AffineMap> inMaps(inputs.size(), identityMap(ctx, n));
  SmallVector<AffineMap> outMaps(2, scalarMap(ctx, n));
  SmallVector<utils::IteratorType> iterators(n, utils::IteratorType::reduction);
  SmallVector<Value> results = buildGeneric(
      b, loc, inputs, inMaps, {sumInit, countInit}, outMaps, iterators,
      b.getF32Type(),
      [&](OpBuilder &nb, Location l, ValueRange a, ValueRange outs) {
        Value counted = isCountedTarget(nb, l, a.back(), ignoreIndex, vocab);
        Value value = rowValue(nb, l, a);
        Value sum = arith::AddFOp::create(nb, l, outs[0], value);
        Value one = f32Const(nb, l, 1.0);
        Value count = arith::AddFOp::create(nb, l, outs[1], one);
        Value newSum = arith::SelectOp::create(nb, l, counted, sum, outs[0]);
        Value newCount =
            arith::SelectOp::create(nb, l, counted, count, outs[1]);
        return SmallVector<Value>{newSum, newCount};
      });
  return {results[0], results[1]};
}

namespace {

/// loss = Σ_counted (lse − logits[target] + z·lse²) / |counted|, 0 when no
/// row is counted.
struct CrossEntropyToLinalg : OpRewritePattern<CrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value logits = op.getLogits();
    ArrayRef<int64_t> shape = tensorType(logits).getShape();
    unsigned rank = shape.size();
    int64_t vocab = shape.back();
    double z = op.getZLoss().convertToDouble();

    Value lse = buildRowLogSumExp(rewriter, loc, logits);
    // picked[r] = logits[r, targets[r]] (0 for a target out of range).
    Value picked = buildLastDimReduction(
        rewriter, loc, shape, {logits, op.getTargets()},
        {identityMap(ctx, rank), dropLastDimMap(ctx, rank)}, 0.0,
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) {
          Value hit = idEqualsIndex(b, l, a[1], rank - 1);
          return arith::SelectOp::create(b, l, hit, a[0], acc).getResult();
        });
    auto [sum, count] = buildCountedSum(
        rewriter, loc, shape.drop_back(), {lse, picked, op.getTargets()},
        op.getIgnoreIndex(), vocab,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value nll = arith::SubFOp::create(b, l, a[0], a[1]);
          if (z == 0.0)
            return nll;
          Value zc = f32Const(b, l, z);
          Value sq = arith::MulFOp::create(b, l, a[0], a[0]);
          Value zterm = arith::MulFOp::create(b, l, zc, sq);
          return arith::AddFOp::create(b, l, nll, zterm).getResult();
        });
    auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
    Value loss = buildElementwise(
        rewriter, loc, scalarType, {sum, count},
        {scalarMap(ctx, 0), scalarMap(ctx, 0)},
        [](OpBuilder &b, Location l, ValueRange a) {
          Value zero = f32Const(b, l, 0.0);
          Value any = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            a[1], zero);
          Value mean = arith::DivFOp::create(b, l, a[0], a[1]);
          return arith::SelectOp::create(b, l, any, mean, zero).getResult();
        });
    rewriter.replaceOp(op, loss);
    return success();
  }
};

/// dlogits[r, v] = dloss/N · (p − onehot + 2·z·lse·p) on counted rows, else 0.
struct CrossEntropyGradToLinalg : OpRewritePattern<CrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value logits = op.getLogits();
    RankedTensorType type = tensorType(logits);
    ArrayRef<int64_t> shape = type.getShape();
    unsigned rank = shape.size();
    int64_t vocab = shape.back();
    int64_t ignoreIndex = op.getIgnoreIndex();
    double z = op.getZLoss().convertToDouble();

    Value lse = buildRowLogSumExp(rewriter, loc, logits);
    auto counts = buildCountedSum(rewriter, loc, shape.drop_back(),
                                  {op.getTargets()}, ignoreIndex, vocab,
                                  [](OpBuilder &b, Location l, ValueRange) {
                                    return f32Const(b, l, 0.0);
                                  });
    Value count = counts.second;
    // scale = dloss / N, 0 when N = 0.
    auto scalarType = RankedTensorType::get({}, rewriter.getF32Type());
    Value scale = buildElementwise(
        rewriter, loc, scalarType, {op.getDloss(), count},
        {scalarMap(ctx, 0), scalarMap(ctx, 0)},
        [](OpBuilder &b, Location l, ValueRange a) {
          Value zero = f32Const(b, l, 0.0);
          Value any = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                            a[1], zero);
          Value s = arith::DivFOp::create(b, l, a[0], a[1]);
          return arith::SelectOp::create(b, l, any, s, zero).getResult();
        });
    Value dlogits = buildElementwise(
        rewriter, loc, type, {logits, lse, op.getTargets(), scale},
        {identityMap(ctx, rank), dropLastDimMap(ctx, rank),
         dropLastDimMap(ctx, rank), scalarMap(ctx, rank)},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value shifted = arith::SubFOp::create(b, l, a[0], a[1]);
          Value p = math::ExpOp::create(b, l, shifted);
          Value g = p;
          if (z != 0.0) {
            Value twoZ = f32Const(b, l, 2.0 * z);
            Value zl = arith::MulFOp::create(b, l, twoZ, a[1]);
            Value zp = arith::MulFOp::create(b, l, zl, p);
            g = arith::AddFOp::create(b, l, g, zp);
          }
          Value hit = idEqualsIndex(b, l, a[2], rank - 1);
          Value one = f32Const(b, l, 1.0);
          Value minusOne = arith::SubFOp::create(b, l, g, one);
          Value gt = arith::SelectOp::create(b, l, hit, minusOne, g);
          Value scaled = arith::MulFOp::create(b, l, gt, a[3]);
          Value counted = isCountedTarget(b, l, a[2], ignoreIndex, vocab);
          Value zero = f32Const(b, l, 0.0);
          return arith::SelectOp::create(b, l, counted, scaled, zero)
              .getResult();
        });
    rewriter.replaceOp(op, dlogits);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// RoPE
//===----------------------------------------------------------------------===//

/// x [B, H, S, D] is viewed as [B, H, S, 2, D/2] (its two halves); in that
/// index space (b, h, s, k, i):
///   k = 0: y = x0·cos − x1·sin        (x0 = x[..., i], x1 = x[..., D/2 + i])
///   k = 1: y = x1·cos + x0·sin
/// which is x·cos + rotate_half(x)·sin with the angle pos[s]·inv_freq[i]
/// (sin negated for `inverse`). The halves are read through constant
/// indexing-map results, so no slice or concat is materialized.
struct RoPEToLinalg : OpRewritePattern<RoPEOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RoPEOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType type = tensorType(op.getX());
    ArrayRef<int64_t> x = type.getShape();
    int64_t half = x[3] / 2;
    SmallVector<int64_t> split = {x[0], x[1], x[2], 2, half};
    SmallVector<ReassociationIndices> reassociation = {{0}, {1}, {2}, {3, 4}};
    auto splitType = RankedTensorType::get(split, type.getElementType());
    Value halves = tensor::ExpandShapeOp::create(rewriter, loc, splitType,
                                                 op.getX(), reassociation);

    // inv_freq[i] = theta^(−2i/D), in f64 then rounded to f32 (Hugging Face
    // computes it in f32 from the same formula).
    double theta = op.getTheta().convertToDouble();
    SmallVector<float> invFreq;
    for (int64_t i = 0; i < half; ++i)
      invFreq.push_back(
          static_cast<float>(std::pow(theta, -2.0 * double(i) / double(x[3]))));
    auto freqType = RankedTensorType::get({half}, rewriter.getF32Type());
    Value freqs = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(freqType, ArrayRef(invFreq)));

    AffineExpr b = getAffineDimExpr(0, ctx), h = getAffineDimExpr(1, ctx),
               s = getAffineDimExpr(2, ctx), i = getAffineDimExpr(4, ctx);
    AffineExpr c0 = getAffineConstantExpr(0, ctx);
    AffineExpr c1 = getAffineConstantExpr(1, ctx);
    SmallVector<Value> inputs = {halves, halves, freqs};
    SmallVector<AffineMap> maps = {AffineMap::get(5, 0, {b, h, s, c0, i}, ctx),
                                   AffineMap::get(5, 0, {b, h, s, c1, i}, ctx),
                                   AffineMap::get(5, 0, {i}, ctx)};
    if (Value positions = op.getPositions()) {
      inputs.push_back(positions);
      if (tensorType(positions).getRank() == 1)
        maps.push_back(AffineMap::get(5, 0, {s}, ctx));
      else
        maps.push_back(AffineMap::get(5, 0, {b, s}, ctx));
    }
    int64_t offset = op.getOffset();
    bool inverse = op.getInverse();
    auto rotated = RankedTensorType::get(split, type.getElementType());
    Value y = buildElementwise(
        rewriter, loc, rotated, inputs, maps,
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value pos;
          if (a.size() == 4) {
            pos = castScalar(nb, l, a[3], nb.getF32Type());
          } else {
            Value sIndex = linalg::IndexOp::create(nb, l, 2);
            Value s64 =
                arith::IndexCastOp::create(nb, l, nb.getI64Type(), sIndex);
            Value off = arith::ConstantIntOp::create(nb, l, offset, 64);
            Value p64 = arith::AddIOp::create(nb, l, s64, off);
            pos = castScalar(nb, l, p64, nb.getF32Type());
          }
          Value angle = arith::MulFOp::create(nb, l, pos, a[2]);
          Value cos = math::CosOp::create(nb, l, angle);
          Value sin = math::SinOp::create(nb, l, angle);
          if (inverse)
            sin = arith::NegFOp::create(nb, l, sin);
          Value x0c = arith::MulFOp::create(nb, l, a[0], cos);
          Value x1s = arith::MulFOp::create(nb, l, a[1], sin);
          Value first = arith::SubFOp::create(nb, l, x0c, x1s);
          Value x1c = arith::MulFOp::create(nb, l, a[1], cos);
          Value x0s = arith::MulFOp::create(nb, l, a[0], sin);
          Value second = arith::AddFOp::create(nb, l, x1c, x0s);
          Value k = linalg::IndexOp::create(nb, l, 3);
          Value zero = arith::ConstantIndexOp::create(nb, l, 0);
          Value isFirst =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, k, zero);
          return arith::SelectOp::create(nb, l, isFirst, first, second)
              .getResult();
        });
    Value result =
        tensor::CollapseShapeOp::create(rewriter, loc, type, y, reassociation);
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// AdamW
//===----------------------------------------------------------------------===//

/// torch.optim.AdamW's single-tensor step, one elementwise pass in f32.
struct AdamWToLinalg : OpRewritePattern<AdamWOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamWOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    RankedTensorType type = tensorType(op.getParam());
    unsigned rank = type.getRank();
    SmallVector<Value> inputs = {
        op.getParam(),       op.getGrad(),  op.getM(),     op.getV(),
        op.getLr(),          op.getBeta1(), op.getBeta2(), op.getEps(),
        op.getWeightDecay(), op.getStep()};
    SmallVector<AffineMap> maps(4, identityMap(ctx, rank));
    maps.append(6, scalarMap(ctx, rank));
    Value pInit =
        emptyTensor(rewriter, loc, type.getShape(), type.getElementType());
    Value mInit =
        emptyTensor(rewriter, loc, type.getShape(), type.getElementType());
    Value vInit =
        emptyTensor(rewriter, loc, type.getShape(), type.getElementType());
    SmallVector<AffineMap> outMaps(3, identityMap(ctx, rank));
    SmallVector<Value> results = buildGeneric(
        rewriter, loc, inputs, maps, {pInit, mInit, vInit}, outMaps,
        parallelIterators(rank), rewriter.getF32Type(),
        [](OpBuilder &b, Location l, ValueRange a, ValueRange) {
          Value p = a[0], g = a[1], m = a[2], v = a[3], lr = a[4], b1 = a[5],
                b2 = a[6], eps = a[7], wd = a[8], step = a[9];
          Value one = f32Const(b, l, 1.0);
          // p ← p·(1 − lr·wd)
          Value lrWd = arith::MulFOp::create(b, l, lr, wd);
          Value decay = arith::SubFOp::create(b, l, one, lrWd);
          Value pDecayed = arith::MulFOp::create(b, l, p, decay);
          // m' = β1·m + (1 − β1)·g
          Value b1m = arith::MulFOp::create(b, l, b1, m);
          Value oneMinusB1 = arith::SubFOp::create(b, l, one, b1);
          Value gTerm = arith::MulFOp::create(b, l, oneMinusB1, g);
          Value m1 = arith::AddFOp::create(b, l, b1m, gTerm);
          // v' = β2·v + (1 − β2)·g²
          Value b2v = arith::MulFOp::create(b, l, b2, v);
          Value oneMinusB2 = arith::SubFOp::create(b, l, one, b2);
          Value g2 = arith::MulFOp::create(b, l, g, g);
          Value g2Term = arith::MulFOp::create(b, l, oneMinusB2, g2);
          Value v1 = arith::AddFOp::create(b, l, b2v, g2Term);
          // Bias corrections, as torch: step_size = lr / (1 − β1^t),
          // denom = sqrt(v') / sqrt(1 − β2^t) + eps.
          Value b1t = math::PowFOp::create(b, l, b1, step);
          Value bc1 = arith::SubFOp::create(b, l, one, b1t);
          Value b2t = math::PowFOp::create(b, l, b2, step);
          Value bc2 = arith::SubFOp::create(b, l, one, b2t);
          Value stepSize = arith::DivFOp::create(b, l, lr, bc1);
          Value sqrtV = math::SqrtOp::create(b, l, v1);
          Value sqrtBc2 = math::SqrtOp::create(b, l, bc2);
          Value vHat = arith::DivFOp::create(b, l, sqrtV, sqrtBc2);
          Value denom = arith::AddFOp::create(b, l, vHat, eps);
          Value ratio = arith::DivFOp::create(b, l, m1, denom);
          Value update = arith::MulFOp::create(b, l, stepSize, ratio);
          Value p1 = arith::SubFOp::create(b, l, pDecayed, update);
          return SmallVector<Value>{p1, m1, v1};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::rescale::populateTrainingToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<EmbeddingToLinalg, EmbeddingGradToLinalg, CrossEntropyToLinalg,
               CrossEntropyGradToLinalg, RoPEToLinalg, AdamWToLinalg>(
      patterns.getContext());
}
