//===- NormsGradToLinalg.cpp - reference decomposition of the norm backward
//===//
//
// rms_norm_grad, preaffine_rms_norm_grad, add_rms_norm_grad and
// gated_norm_grad (dialect/RescaleBackwardOps.td) as linalg on tensors. This
// is the one place where their math is written: the gradient rules
// (dialect/Autodiff/RescaleOpsGrad.cpp) only emit the ops. Everything is
// computed in f32 (the forward's reference decomposition recomputed where
// needed: the row statistic, GatedNorm's y, h, s and z) and each gradient is
// rounded once to its operand's type.
//
// Notation: u [..., d] the f32 rows the RMS statistic is taken over, g the
// incoming adjoint, inv = rsqrt(mean(u²) + ε) per row.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/GateActivation.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using tolinalg::convertElements;
using tolinalg::sumAs;
namespace ad = mlir::rescale::autodiff;

static RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static Value f32c(OpBuilder &b, Location loc, double v) {
  return ad::floatConstant(b, loc, b.getF32Type(), v);
}

static Value mulBody(OpBuilder &b, Location l, ValueRange a) {
  return arith::MulFOp::create(b, l, a[0], a[1]);
}

/// inv[rows] = rsqrt(Σ_k u_k² / d + ε), f32, for the f32 rows u [..., d].
static Value rowInvRms(OpBuilder &b, Location loc, Value u, double eps) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  ArrayRef<int64_t> shape = tensorOf(u).getShape();
  unsigned rank = shape.size();
  double d = double(shape.back());
  Value sumSq =
      sumAs(b, loc, shape, f32, f32, {u}, {ad::identityMap(ctx, rank)},
            ad::dropLastDimMap(ctx, rank),
            [](OpBuilder &nb, Location l, ValueRange a) {
              return arith::MulFOp::create(nb, l, a[0], a[0]).getResult();
            });
  return ad::buildMap(b, loc, shape.drop_back(), f32, f32, {sumSq},
                      {ad::identityMap(ctx, rank - 1)},
                      [&](OpBuilder &nb, Location l, ValueRange a) {
                        Value dc = f32c(nb, l, d);
                        Value mean = arith::DivFOp::create(nb, l, a[0], dc);
                        Value epsc = f32c(nb, l, eps);
                        Value var = arith::AddFOp::create(nb, l, mean, epsc);
                        return math::RsqrtOp::create(nb, l, var).getResult();
                      });
}

/// The RMSNorm vector-Jacobian product for the f32 rows u [..., d] and their
/// `inv` (rowInvRms):
///   y  = w ⊙ u · inv
///   du = g ⊙ w · inv − u · inv³ · (Σ_k g_k w_k u_k) / d        (f32)
///   dw = Σ_rows g ⊙ u · inv                                    (w's type)
static std::pair<Value, Value> rmsNormVjp(OpBuilder &b, Location loc, Value u,
                                          Value inv, Value w, Value g) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  ArrayRef<int64_t> shape = tensorOf(u).getShape();
  unsigned rank = shape.size();
  double d = double(shape.back());
  AffineMap id = ad::identityMap(ctx, rank), last = ad::lastDimMap(ctx, rank),
            rows = ad::dropLastDimMap(ctx, rank);
  Value dot = sumAs(b, loc, shape, f32, f32, {g, w, u}, {id, last, id}, rows,
                    [](OpBuilder &nb, Location l, ValueRange a) {
                      Value gw = arith::MulFOp::create(nb, l, a[0], a[1]);
                      return arith::MulFOp::create(nb, l, gw, a[2]).getResult();
                    });
  Value du = ad::buildMap(
      b, loc, shape, f32, f32, {g, w, u, inv, dot}, {id, last, id, rows, rows},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value gw = arith::MulFOp::create(nb, l, a[0], a[1]);
        Value direct = arith::MulFOp::create(nb, l, gw, a[3]);
        Value inv2 = arith::MulFOp::create(nb, l, a[3], a[3]);
        Value inv3 = arith::MulFOp::create(nb, l, inv2, a[3]);
        Value dc = f32c(nb, l, d);
        Value coef = arith::DivFOp::create(nb, l, a[4], dc);
        Value uc = arith::MulFOp::create(nb, l, a[2], coef);
        Value through = arith::MulFOp::create(nb, l, uc, inv3);
        return arith::SubFOp::create(nb, l, direct, through).getResult();
      });
  Value dw =
      sumAs(b, loc, shape, tensorOf(w).getElementType(), f32, {g, u, inv},
            {id, id, rows}, last, [](OpBuilder &nb, Location l, ValueRange a) {
              Value gu = arith::MulFOp::create(nb, l, a[0], a[1]);
              return arith::MulFOp::create(nb, l, gu, a[2]).getResult();
            });
  return {du, dw};
}

namespace {

struct RMSNormGradToLinalg : OpRewritePattern<RMSNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RMSNormGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    Value u = convertElements(rewriter, loc, op.getX(), rewriter.getF32Type());
    Value inv = rowInvRms(rewriter, loc, u, op.getEpsilon().convertToDouble());
    auto [du, dw] =
        rmsNormVjp(rewriter, loc, u, inv, op.getWeight(), op.getDy());
    Value dx = convertElements(rewriter, loc, du,
                               tensorOf(op.getX()).getElementType());
    rewriter.replaceOp(op, {dx, dw});
    return success();
  }
};

/// PreAffine RMSNorm (arXiv 2601.22966 §3.3): u = s ⊙ x; y = rms_norm(u, w).
///   dx = du ⊙ s,  ds = Σ_rows du ⊙ x,  dw from the RMSNorm product.
struct PreAffineRMSNormGradToLinalg : OpRewritePattern<PreAffineRMSNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PreAffineRMSNormGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = rewriter.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    unsigned rank = xt.getRank();
    AffineMap id = ad::identityMap(ctx, rank), last = ad::lastDimMap(ctx, rank);
    Value u = ad::buildMap(
        rewriter, loc, xt.getShape(), f32, f32, {op.getX(), op.getPreScale()},
        {id, last}, [](OpBuilder &nb, Location l, ValueRange a) {
          return arith::MulFOp::create(nb, l, a[1], a[0]).getResult();
        });
    Value inv = rowInvRms(rewriter, loc, u, op.getEpsilon().convertToDouble());
    auto [du, dw] =
        rmsNormVjp(rewriter, loc, u, inv, op.getWeight(), op.getDy());
    Value dx = ad::buildMap(rewriter, loc, xt.getShape(), xt.getElementType(),
                            f32, {du, op.getPreScale()}, {id, last}, mulBody);
    Value ds = sumAs(rewriter, loc, xt.getShape(),
                     tensorOf(op.getPreScale()).getElementType(), f32,
                     {du, op.getX()}, {id, id}, last, mulBody);
    rewriter.replaceOp(op, {dx, ds, dw});
    return success();
  }
};

/// sum = x + residual (read in f32, as the forward's norm reads it);
/// y = rms_norm(sum, w):  dx = dresidual = dsum + du.
struct AddRMSNormGradToLinalg : OpRewritePattern<AddRMSNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddRMSNormGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = rewriter.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    AffineMap id = ad::identityMap(ctx, xt.getRank());
    auto add = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::AddFOp::create(nb, l, a[0], a[1]).getResult();
    };
    Value u = ad::buildMap(rewriter, loc, xt.getShape(), f32, f32,
                           {op.getX(), op.getResidual()}, {id, id}, add);
    Value inv = rowInvRms(rewriter, loc, u, op.getEpsilon().convertToDouble());
    auto [du, dw] =
        rmsNormVjp(rewriter, loc, u, inv, op.getWeight(), op.getDy());
    Value dsum = ad::buildMap(rewriter, loc, xt.getShape(), xt.getElementType(),
                              f32, {op.getDsum(), du}, {id, id}, add);
    rewriter.replaceOp(op, {dsum, dsum, dw});
    return success();
  }
};

} // namespace

/// swish'(z) = silu'(z) = σ(z) · (1 + z · (1 − σ(z))).
static Value siluSlope(OpBuilder &b, Location l, Value z) {
  Value sig = buildSigmoid(b, l, z);
  Value one = f32c(b, l, 1.0);
  Value rest = arith::SubFOp::create(b, l, one, sig);
  Value zr = arith::MulFOp::create(b, l, z, rest);
  Value onePlus = arith::AddFOp::create(b, l, one, zr);
  return arith::MulFOp::create(b, l, sig, onePlus);
}

/// act'(z).
static Value gateSlope(OpBuilder &b, Location l, Value z, GateActivation act) {
  switch (act) {
  case GateActivation::identity:
    return f32c(b, l, 1.0);
  case GateActivation::tanh: {
    Value t = math::TanhOp::create(b, l, z);
    Value t2 = arith::MulFOp::create(b, l, t, t);
    Value one = f32c(b, l, 1.0);
    return arith::SubFOp::create(b, l, one, t2);
  }
  case GateActivation::sigmoid: {
    Value sig = buildSigmoid(b, l, z);
    Value one = f32c(b, l, 1.0);
    Value rest = arith::SubFOp::create(b, l, one, sig);
    return arith::MulFOp::create(b, l, sig, rest);
  }
  case GateActivation::silu:
    return siluSlope(b, l, z);
  }
  return z;
}

namespace {

/// GatedNorm (arXiv 2601.22966 §3.4), the forward recomputed in f32:
///   y = rms_norm(x, w); h = y·W_down; s = swish(h); z = s·W_up;
///   gate = act(z); out = gate ⊙ y.
/// Backward (g the adjoint of out):
///   dz = (g ⊙ y) ⊙ act'(z)        (tensorwise: Σ_k g_k y_k per row)
///   dW_up = Σ_rows sᵀ dz;  dh = (dz · W_upᵀ) ⊙ swish'(h)
///   dW_down = Σ_rows yᵀ dh;  dy = g ⊙ gate + dh · W_downᵀ
///   dx, dw = the RMSNorm product of dy.
struct GatedNormGradToLinalg : OpRewritePattern<GatedNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatedNormGradOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(tolinalg::requireStaticShapes(rewriter, op)))
      return failure();
    OpBuilder &b = rewriter;
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    RankedTensorType wdt = tensorOf(op.getWDown());
    RankedTensorType wut = tensorOf(op.getWUp());
    ArrayRef<int64_t> xs = xt.getShape();
    unsigned rank = xt.getRank();
    int64_t r = wdt.getDimSize(1);
    bool tensorwise = wut.getDimSize(1) == 1 && xs.back() != 1;
    GateActivation act = op.getGateActivation();
    AffineMap id = ad::identityMap(ctx, rank);
    AffineMap last = ad::lastDimMap(ctx, rank);
    AffineMap rows = ad::dropLastDimMap(ctx, rank);

    // Loops (lead..., a, c) over [..., d, r] or [..., r, d]: the lead dims
    // followed by the two named ones.
    SmallVector<unsigned> lead;
    for (unsigned i = 0; i + 1 < rank; ++i)
      lead.push_back(i);
    auto with = [&](std::initializer_list<unsigned> tail) {
      SmallVector<unsigned> dims(lead);
      dims.append(tail);
      return ad::dimsMap(ctx, rank + 1, dims);
    };
    unsigned a = rank - 1, c = rank;
    SmallVector<int64_t> dr(xs); // [..., d, r]
    dr.push_back(r);
    SmallVector<int64_t> hShape(xs.drop_back()); // [..., r]
    hShape.push_back(r);
    SmallVector<int64_t> rd(hShape); // [..., r, d]
    rd.push_back(xs.back());
    AffineMap hId = ad::identityMap(ctx, rank);

    // The forward, in f32.
    Value xf = convertElements(b, loc, op.getX(), f32);
    Value inv = rowInvRms(b, loc, xf, op.getEpsilon().convertToDouble());
    Value y = ad::buildMap(
        b, loc, xs, f32, f32, {xf, op.getWeight(), inv}, {id, last, rows},
        [](OpBuilder &nb, Location l, ValueRange v) {
          Value xw = arith::MulFOp::create(nb, l, v[0], v[1]);
          return arith::MulFOp::create(nb, l, xw, v[2]).getResult();
        });
    // h[..., j] = Σ_k y[..., k] W_down[k, j]: loops (lead..., k, j).
    Value h = sumAs(b, loc, dr, f32, f32, {y, op.getWDown()},
                    {with({a}), ad::dimsMap(ctx, rank + 1, {a, c})}, with({c}),
                    mulBody);
    Value s = ad::buildMap(b, loc, hShape, f32, f32, {h}, {hId},
                           [](OpBuilder &nb, Location l, ValueRange v) {
                             return buildSwish(nb, l, v[0]);
                           });
    auto dzBody = [&](OpBuilder &nb, Location l, ValueRange v) {
      Value slope = gateSlope(nb, l, v[1], act);
      return arith::MulFOp::create(nb, l, v[0], slope).getResult();
    };

    Value z, dz, dwUp, ds;
    if (tensorwise) {
      // W_up [r, 1]: one gate per row, z[...] = Σ_j s[..., j] W_up[j].
      auto vecType = RankedTensorType::get({r}, wut.getElementType());
      Value wu = tensor::CollapseShapeOp::create(
          b, loc, vecType, op.getWUp(),
          SmallVector<ReassociationIndices>{{0, 1}});
      z = sumAs(b, loc, hShape, f32, f32, {s, wu}, {hId, last}, rows, mulBody);
      Value dgate = sumAs(b, loc, xs, f32, f32, {op.getDout(), y}, {id, id},
                          rows, mulBody);
      dz = ad::buildMap(
          b, loc, xs.drop_back(), f32, f32, {dgate, z},
          {ad::identityMap(ctx, rank - 1), ad::identityMap(ctx, rank - 1)},
          dzBody);
      Value dwVec = sumAs(b, loc, hShape, wut.getElementType(), f32, {s, dz},
                          {hId, rows}, last, mulBody);
      dwUp = tensor::ExpandShapeOp::create(
          b, loc, wut, dwVec, SmallVector<ReassociationIndices>{{0, 1}});
      ds = ad::buildMap(b, loc, hShape, f32, f32, {dz, wu}, {rows, last},
                        mulBody);
    } else {
      // z[..., k] = Σ_j s[..., j] W_up[j, k]: loops (lead..., j, k).
      AffineMap sMap = with({a}), wMap = ad::dimsMap(ctx, rank + 1, {a, c}),
                zMap = with({c});
      z = sumAs(b, loc, rd, f32, f32, {s, op.getWUp()}, {sMap, wMap}, zMap,
                mulBody);
      dz = ad::buildMap(
          b, loc, xs, f32, f32, {op.getDout(), y, z}, {id, id, id},
          [&](OpBuilder &nb, Location l, ValueRange v) {
            Value gy = arith::MulFOp::create(nb, l, v[0], v[1]);
            Value slope = gateSlope(nb, l, v[2], act);
            return arith::MulFOp::create(nb, l, gy, slope).getResult();
          });
      dwUp = sumAs(b, loc, rd, wut.getElementType(), f32, {s, dz}, {sMap, zMap},
                   wMap, mulBody);
      ds = sumAs(b, loc, rd, f32, f32, {dz, op.getWUp()}, {zMap, wMap}, sMap,
                 mulBody);
    }
    Value dh = ad::buildMap(
        b, loc, hShape, f32, f32, {ds, h}, {hId, hId},
        [](OpBuilder &nb, Location l, ValueRange v) {
          Value slope = siluSlope(nb, l, v[1]);
          return arith::MulFOp::create(nb, l, v[0], slope).getResult();
        });
    // Loops (lead..., k, j) again: y and dy at k, h and dh at j.
    AffineMap yMap = with({a}), dhMap = with({c}),
              wdMap = ad::dimsMap(ctx, rank + 1, {a, c});
    Value dwDown = sumAs(b, loc, dr, wdt.getElementType(), f32, {y, dh},
                         {yMap, dhMap}, wdMap, mulBody);
    Value back = sumAs(b, loc, dr, f32, f32, {dh, op.getWDown()},
                       {dhMap, wdMap}, yMap, mulBody);
    AffineMap zRead = tensorwise ? rows : id;
    Value dy = ad::buildMap(
        b, loc, xs, f32, f32, {op.getDout(), z, back}, {id, zRead, id},
        [&](OpBuilder &nb, Location l, ValueRange v) {
          Value gate = buildGateActivation(nb, l, act, v[1]);
          Value direct = arith::MulFOp::create(nb, l, v[0], gate);
          return arith::AddFOp::create(nb, l, direct, v[2]).getResult();
        });
    auto [du, dw] = rmsNormVjp(b, loc, xf, inv, op.getWeight(), dy);
    Value dx = convertElements(b, loc, du, xt.getElementType());
    rewriter.replaceOp(op, {dx, dw, dwDown, dwUp});
    return success();
  }
};

} // namespace

void mlir::rescale::populateNormsGradToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<RMSNormGradToLinalg, PreAffineRMSNormGradToLinalg,
               AddRMSNormGradToLinalg, GatedNormGradToLinalg>(
      patterns.getContext());
}
