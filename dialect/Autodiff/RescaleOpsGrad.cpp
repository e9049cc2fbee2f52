//===- RescaleOpsGrad.cpp - gradient rules of the rescale ops -------------===//
//
// One rule per op, next to the op's definition (the dialect attaches them
// when it is loaded, see RescaleDialect::initialize). Every rule computes in
// f32, like the forward's reference decomposition, and rounds each gradient
// once to its operand's type. The norms' rules emit one fused backward op each
// (`rescale.rms_norm_grad`, `preaffine_rms_norm_grad`, `add_rms_norm_grad`,
// `gated_norm_grad`; dialect/RescaleBackwardOps.td), whose math is written
// once, in their reference decomposition
// (conversion/RescaleToLinalg/NormsGradToLinalg.cpp). The other rules write the
// backward out here as linalg on tensors (GradBuilders.cpp).
//
// Notation: x [..., d] with rows over the leading dims, g the adjoint of the
// result, inv = rsqrt(mean(u²) + ε) per row.
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

static RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static Value f32c(OpBuilder &b, Location loc, double v) {
  return floatConstant(b, loc, b.getF32Type(), v);
}

namespace {

template <typename Derived, typename OpTy>
struct RescaleGrad : AutodiffOpInterface::ExternalModel<Derived, OpTy> {
  LogicalResult buildAdjoint(Operation *op, OpBuilder &b,
                             ArrayRef<Value> resultGrads,
                             ArrayRef<bool> wantGrads,
                             SmallVectorImpl<Value> &operandGrads) const {
    return Derived::rule(cast<OpTy>(op), b, resultGrads, wantGrads,
                         operandGrads);
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

/// Each gradient whose operand wants one; the others stay null.
static void setWanted(ValueRange results, ArrayRef<bool> want,
                      SmallVectorImpl<Value> &grads) {
  for (auto [i, v] : llvm::enumerate(results))
    if (want[i])
      grads[i] = v;
}

namespace {

/// y = w ⊙ x · inv, inv = rsqrt(mean(x²) + ε):
///   dx = g ⊙ w · inv − x · inv³ · (Σ_k g_k w_k x_k) / d,
///   dw = Σ_rows g ⊙ x · inv.
/// One fused op, rescale.rms_norm_grad (its decomposition:
/// conversion/RescaleToLinalg/NormsGradToLinalg.cpp).
struct RMSNormGrad : RescaleGrad<RMSNormGrad, RMSNormOp> {
  static LogicalResult rule(RMSNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    auto grad = RMSNormGradOp::create(
        b, op.getLoc(), op.getX().getType(), op.getWeight().getType(),
        op.getX(), op.getWeight(), g[0], op.getEpsilonAttr());
    setWanted(grad->getResults(), want, grads);
    return success();
  }
};

/// PreAffine RMSNorm (§3.3): u = s ⊙ x; y = rms_norm(u, w).
///   dx = du ⊙ s,  ds = Σ_rows du ⊙ x,  dw from the RMSNorm product:
/// rescale.preaffine_rms_norm_grad.
struct PreAffineRMSNormGrad
    : RescaleGrad<PreAffineRMSNormGrad, PreAffineRMSNormOp> {
  static LogicalResult rule(PreAffineRMSNormOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    auto grad = PreAffineRMSNormGradOp::create(
        b, op.getLoc(), op.getX().getType(), op.getPreScale().getType(),
        op.getWeight().getType(), op.getX(), op.getPreScale(), op.getWeight(),
        g[0], op.getEpsilonAttr());
    setWanted(grad->getResults(), want, grads);
    return success();
  }
};

/// sum = x + residual; y = rms_norm(sum, w):
///   dsum' = g_sum + du,  dx = dresidual = dsum':
/// rescale.add_rms_norm_grad, with the adjoints of both results.
struct AddRMSNormGrad : RescaleGrad<AddRMSNormGrad, AddRMSNormOp> {
  static LogicalResult rule(AddRMSNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    auto grad = AddRMSNormGradOp::create(
        b, op.getLoc(), op.getX().getType(), op.getResidual().getType(),
        op.getWeight().getType(), op.getX(), op.getResidual(), op.getWeight(),
        g[0], g[1], op.getEpsilonAttr());
    setWanted(grad->getResults(), want, grads);
    return success();
  }
};

/// GatedNorm (§3.4): y = rms_norm(x, w); h = y·W_down; s = swish(h);
/// g = act(s·W_up); out = g ⊙ y. The whole product (the forward pieces
/// recomputed in f32, every gate activation, the tensorwise gate) is
/// rescale.gated_norm_grad.
struct GatedNormGrad : RescaleGrad<GatedNormGrad, GatedNormOp> {
  static LogicalResult rule(GatedNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    auto grad = GatedNormGradOp::create(
        b, op.getLoc(), op.getX().getType(), op.getWeight().getType(),
        op.getWDown().getType(), op.getWUp().getType(), op.getX(),
        op.getWeight(), op.getWDown(), op.getWUp(), g[0], op.getEpsilonAttr(),
        op.getGateActivationAttr());
    setWanted(grad->getResults(), want, grads);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Linear and ablations
//===----------------------------------------------------------------------===//

/// y = x·Wᵀ + b, x [..., K], W [N, K]:
///   dx = g·W,  dW = Σ_rows gᵀ x,  db = Σ_rows g.
struct LinearGrad : RescaleGrad<LinearGrad, LinearOp> {
  static LogicalResult rule(LinearOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    RankedTensorType wt = tensorOf(op.getWeight());
    unsigned rank = xt.getRank();
    int64_t N = wt.getDimSize(0);
    // Loops (lead..., n, k).
    SmallVector<int64_t> loops(xt.getShape().drop_back());
    loops.push_back(N);
    loops.push_back(xt.getShape().back());
    SmallVector<unsigned> lead;
    for (unsigned i = 0; i + 1 < rank; ++i)
      lead.push_back(i);
    auto with = [&](std::initializer_list<unsigned> tail) {
      SmallVector<unsigned> dims(lead);
      dims.append(tail);
      return dims;
    };
    unsigned n = rank - 1, k = rank;
    AffineMap gMap = dimsMap(ctx, rank + 1, with({n}));
    AffineMap xMap = dimsMap(ctx, rank + 1, with({k}));
    AffineMap wMap = dimsMap(ctx, rank + 1, {n, k});
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };
    if (want[0])
      grads[0] = buildSum(b, loc, loops, xt.getElementType(), f32,
                          {g[0], op.getWeight()}, {gMap, wMap}, xMap, mul);
    if (want[1])
      grads[1] = buildSum(b, loc, loops, wt.getElementType(), f32,
                          {g[0], op.getX()}, {gMap, xMap}, wMap, mul);
    if (Value bias = op.getBias(); bias && want[2])
      grads[2] = buildSum(
          b, loc, tensorOf(g[0]).getShape(), tensorOf(bias).getElementType(),
          f32, {g[0]}, {identityMap(ctx, rank)}, lastDimMap(ctx, rank),
          [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    return success();
  }
};

/// DyT: y = w ⊙ tanh(α x) + b. With t = tanh(α x), dt = g ⊙ w ⊙ (1 − t²):
///   dx = α dt,  dα = Σ dt ⊙ x,  dw = Σ_rows g ⊙ t,  db = Σ_rows g.
struct DyTGrad : RescaleGrad<DyTGrad, DyTOp> {
  static LogicalResult rule(DyTOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    RankedTensorType at = tensorOf(op.getAlpha());
    unsigned rank = xt.getRank();
    ArrayRef<int64_t> xs = xt.getShape();
    AffineMap id = identityMap(ctx, rank), last = lastDimMap(ctx, rank);
    AffineMap alphaMap =
        at.getRank() == 0
            ? AffineMap::get(rank, 0, {}, ctx)
            : AffineMap::get(rank, 0, {getAffineConstantExpr(0, ctx)}, ctx);
    AffineMap all = AffineMap::get(rank, 0, {}, ctx);
    // dt = g · w · (1 − tanh(αx)²), in f32.
    Value dt = buildMap(
        b, loc, xs, f32, f32, {g[0], op.getWeight(), op.getAlpha(), op.getX()},
        {id, last, alphaMap, id}, [](OpBuilder &nb, Location l, ValueRange a) {
          Value ax = arith::MulFOp::create(nb, l, a[2], a[3]);
          Value t = math::TanhOp::create(nb, l, ax);
          Value t2 = arith::MulFOp::create(nb, l, t, t);
          Value one = f32c(nb, l, 1.0);
          Value slope = arith::SubFOp::create(nb, l, one, t2);
          Value gw = arith::MulFOp::create(nb, l, a[0], a[1]);
          return arith::MulFOp::create(nb, l, gw, slope).getResult();
        });
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };
    if (want[0])
      grads[0] = buildMap(b, loc, xs, xt.getElementType(), f32,
                          {dt, op.getAlpha()}, {id, alphaMap}, mul);
    if (want[1]) {
      Value da = buildSum(b, loc, xs, at.getElementType(), f32, {dt, op.getX()},
                          {id, id}, all, mul);
      if (at.getRank() == 1)
        da = tensor::ExpandShapeOp::create(b, loc, at, da,
                                           SmallVector<ReassociationIndices>{});
      grads[1] = da;
    }
    if (want[2])
      grads[2] =
          buildSum(b, loc, xs, tensorOf(op.getWeight()).getElementType(), f32,
                   {g[0], op.getAlpha(), op.getX()}, {id, alphaMap, id}, last,
                   [](OpBuilder &nb, Location l, ValueRange a) {
                     Value ax = arith::MulFOp::create(nb, l, a[1], a[2]);
                     Value t = math::TanhOp::create(nb, l, ax);
                     return arith::MulFOp::create(nb, l, a[0], t).getResult();
                   });
    if (want[3])
      grads[3] = buildSum(
          b, loc, xs, tensorOf(op.getBias()).getElementType(), f32, {g[0]},
          {id}, last, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    return success();
  }
};

/// clip: the adjoint passes where −threshold <= x <= threshold (the
/// threshold itself included) and is zero where x was clipped.
struct ClipGrad : RescaleGrad<ClipGrad, ClipOp> {
  static LogicalResult rule(ClipOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    RankedTensorType xt = tensorOf(op.getX());
    AffineMap id = identityMap(b.getContext(), xt.getRank());
    double t = op.getThreshold().convertToDouble();
    grads[0] = buildMap(
        b, loc, xt.getShape(), xt.getElementType(), b.getF32Type(),
        {g[0], op.getX()}, {id, id},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value mag = math::AbsFOp::create(nb, l, a[1]);
          Value tc = f32c(nb, l, t);
          Value inside =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE, mag, tc);
          Value zero = f32c(nb, l, 0.0);
          return arith::SelectOp::create(nb, l, inside, a[0], zero).getResult();
        });
    return success();
  }
};

/// fake_quant: the straight-through estimator, dx = g (rounding's
/// derivative is zero almost everywhere; quantization-aware training
/// passes the adjoint through unchanged).
struct FakeQuantGrad : RescaleGrad<FakeQuantGrad, FakeQuantOp> {
  static LogicalResult rule(FakeQuantOp, OpBuilder &, ArrayRef<Value> g,
                            ArrayRef<bool>, SmallVectorImpl<Value> &grads) {
    grads[0] = g[0];
    return success();
  }
};

} // namespace

void mlir::rescale::autodiff::attachRescaleOpGradRules(MLIRContext *ctx) {
  RMSNormOp::attachInterface<RMSNormGrad>(*ctx);
  PreAffineRMSNormOp::attachInterface<PreAffineRMSNormGrad>(*ctx);
  AddRMSNormOp::attachInterface<AddRMSNormGrad>(*ctx);
  GatedNormOp::attachInterface<GatedNormGrad>(*ctx);
  LinearOp::attachInterface<LinearGrad>(*ctx);
  DyTOp::attachInterface<DyTGrad>(*ctx);
  ClipOp::attachInterface<ClipGrad>(*ctx);
  FakeQuantOp::attachInterface<FakeQuantGrad>(*ctx);
  attachAttentionGradRule(ctx);
  attachGatedDeltaRuleGradRule(ctx);
  attachTrainingGradRules(ctx);
}
