//===- RescaleOpsGrad.cpp - gradient rules of the rescale ops -------------===//
//
// One rule per op, next to the op's definition (the dialect attaches them
// when it is loaded, see RescaleDialect::initialize). Every rule computes in
// f32, like the forward's reference decomposition, and rounds each gradient
// once to its operand's type. The backward math is written out here as
// linalg on tensors (GradBuilders.cpp); the fused backward ops
// (`rescale.rms_norm_grad`, `rescale.attention_grad`, ...) of issue 10 do
// not exist yet, so these rules are the decomposition they will replace.
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

namespace {

RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value f32c(OpBuilder &b, Location loc, double v) {
  return floatConstant(b, loc, b.getF32Type(), v);
}

/// The RMSNorm vector-Jacobian product for the f32 row vectors u [..., d]:
///   y  = w ⊙ u · inv,   inv = rsqrt(Σ_k u_k² / d + ε)
///   du = g ⊙ w · inv − u · inv³ · (Σ_k g_k w_k u_k) / d        (f32)
///   dw = Σ_rows g ⊙ u · inv                  (w's type; null unless wanted)
std::pair<Value, Value> rmsNormVjp(OpBuilder &b, Location loc, Value u,
                                   Value w, Value g, double eps, bool wantW) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  ArrayRef<int64_t> shape = tensorOf(u).getShape();
  unsigned rank = shape.size();
  double d = double(shape.back());
  AffineMap id = identityMap(ctx, rank), last = lastDimMap(ctx, rank),
            rows = dropLastDimMap(ctx, rank);
  Value sumSq = buildSum(b, loc, shape, f32, f32, {u}, {id}, rows,
                         [](OpBuilder &nb, Location l, ValueRange a) {
                           return arith::MulFOp::create(nb, l, a[0], a[0])
                               .getResult();
                         });
  Value inv = buildMap(
      b, loc, shape.drop_back(), f32, f32, {sumSq},
      {identityMap(ctx, rank - 1)},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value dc = f32c(nb, l, d);
        Value mean = arith::DivFOp::create(nb, l, a[0], dc);
        Value epsc = f32c(nb, l, eps);
        Value var = arith::AddFOp::create(nb, l, mean, epsc);
        return math::RsqrtOp::create(nb, l, var).getResult();
      });
  Value dot = buildSum(b, loc, shape, f32, f32, {g, w, u}, {id, last, id},
                       rows, [](OpBuilder &nb, Location l, ValueRange a) {
                         Value gw = arith::MulFOp::create(nb, l, a[0], a[1]);
                         return arith::MulFOp::create(nb, l, gw, a[2])
                             .getResult();
                       });
  Value du = buildMap(
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
  Value dw;
  if (wantW)
    dw = buildSum(b, loc, shape, tensorOf(w).getElementType(), f32,
                  {g, u, inv}, {id, id, rows}, last,
                  [](OpBuilder &nb, Location l, ValueRange a) {
                    Value gu = arith::MulFOp::create(nb, l, a[0], a[1]);
                    return arith::MulFOp::create(nb, l, gu, a[2]).getResult();
                  });
  return {du, dw};
}

/// The ops created at `b`'s insertion point since `marker` (the op before
/// it, or null for the block's start), in order.
Operation *insertionMarker(OpBuilder &b) {
  Block::iterator ip = b.getInsertionPoint();
  return ip == b.getInsertionBlock()->begin() ? nullptr : &*std::prev(ip);
}
SmallVector<Operation *> opsSince(OpBuilder &b, Operation *marker) {
  Block *block = b.getInsertionBlock();
  Block::iterator it = marker ? std::next(marker->getIterator()) : block->begin();
  SmallVector<Operation *> ops;
  for (; it != b.getInsertionPoint(); ++it)
    ops.push_back(&*it);
  return ops;
}

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

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

struct RMSNormGrad : RescaleGrad<RMSNormGrad, RMSNormOp> {
  static LogicalResult rule(RMSNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want, SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    Value u = castElements(b, loc, op.getX(), b.getF32Type());
    auto [du, dw] = rmsNormVjp(b, loc, u, op.getWeight(), g[0],
                               op.getEpsilon().convertToDouble(), want[1]);
    grads[0] = castElements(b, loc, du, tensorOf(op.getX()).getElementType());
    grads[1] = dw;
    return success();
  }
};

/// PreAffine RMSNorm (§3.3): u = s ⊙ x; y = rms_norm(u, w).
///   dx = du ⊙ s,  ds = Σ_rows du ⊙ x,  dw from the RMSNorm product.
struct PreAffineRMSNormGrad
    : RescaleGrad<PreAffineRMSNormGrad, PreAffineRMSNormOp> {
  static LogicalResult rule(PreAffineRMSNormOp op, OpBuilder &b,
                            ArrayRef<Value> g, ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    unsigned rank = xt.getRank();
    AffineMap id = identityMap(ctx, rank), last = lastDimMap(ctx, rank);
    Value u = buildMap(b, loc, xt.getShape(), f32, f32,
                       {op.getX(), op.getPreScale()}, {id, last},
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         return arith::MulFOp::create(nb, l, a[1], a[0])
                             .getResult();
                       });
    auto [du, dw] = rmsNormVjp(b, loc, u, op.getWeight(), g[0],
                               op.getEpsilon().convertToDouble(), want[2]);
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };
    if (want[0])
      grads[0] = buildMap(b, loc, xt.getShape(), xt.getElementType(), f32,
                          {du, op.getPreScale()}, {id, last}, mul);
    if (want[1])
      grads[1] = buildSum(b, loc, xt.getShape(),
                          tensorOf(op.getPreScale()).getElementType(), f32,
                          {du, op.getX()}, {id, id}, last, mul);
    grads[2] = dw;
    return success();
  }
};

/// sum = x + residual; y = rms_norm(sum, w):
///   dsum = g_sum + du,  dx = dresidual = dsum.
struct AddRMSNormGrad : RescaleGrad<AddRMSNormGrad, AddRMSNormOp> {
  static LogicalResult rule(AddRMSNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = tensorOf(op.getX());
    AffineMap id = identityMap(ctx, xt.getRank());
    auto add = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::AddFOp::create(nb, l, a[0], a[1]).getResult();
    };
    // The norm reads the f32 sum (the forward rounds only its results).
    Value u = buildMap(b, loc, xt.getShape(), f32, f32,
                       {op.getX(), op.getResidual()}, {id, id}, add);
    auto [du, dw] = rmsNormVjp(b, loc, u, op.getWeight(), g[1],
                               op.getEpsilon().convertToDouble(), want[2]);
    Value dsum = buildMap(b, loc, xt.getShape(), xt.getElementType(), f32,
                          {g[0], du}, {id, id}, add);
    grads[0] = dsum;
    grads[1] = dsum;
    grads[2] = dw;
    return success();
  }
};

/// GatedNorm (§3.4) as its composition, differentiated by reverse mode over
/// the ops it emits (rms_norm's rule above, the linalg and arith rules):
///   y = rms_norm(x, w); h = y·W_down; s = swish(h) = h / (1 + e^-h);
///   g = act(s·W_up); out = g ⊙ y.
/// Forward pieces are recomputed in f32.
struct GatedNormGrad : RescaleGrad<GatedNormGrad, GatedNormOp> {
  static Value activation(OpBuilder &b, Location l, Value z,
                          GateActivation act) {
    switch (act) {
    case GateActivation::identity:
      return z;
    case GateActivation::tanh:
      return math::TanhOp::create(b, l, z);
    case GateActivation::sigmoid:
    case GateActivation::silu: {
      Value nz = arith::NegFOp::create(b, l, z);
      Value e = math::ExpOp::create(b, l, nz);
      Value one = f32c(b, l, 1.0);
      Value den = arith::AddFOp::create(b, l, one, e);
      Value num = act == GateActivation::silu ? z : one;
      return arith::DivFOp::create(b, l, num, den);
    }
    }
    return z;
  }

  static LogicalResult rule(GatedNormOp op, OpBuilder &b, ArrayRef<Value> g,
                            ArrayRef<bool> want,
                            SmallVectorImpl<Value> &grads) {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType xt = op.xType();
    ArrayRef<int64_t> xs = xt.getShape();
    unsigned rank = xt.getRank();
    int64_t r = op.getRank();
    bool tensorwise = op.isTensorwise();

    Operation *marker = insertionMarker(b);
    Value xf = castElements(b, loc, op.getX(), f32);
    Value wf = castElements(b, loc, op.getWeight(), f32);
    Value wdf = castElements(b, loc, op.getWDown(), f32);
    Value wuf = castElements(b, loc, op.getWUp(), f32);
    Value gf = castElements(b, loc, g[0], f32);
    Value y = RMSNormOp::create(b, loc, xf.getType(), xf, wf,
                                op.getEpsilonAttr());
    // h[..., j] = Σ_k y[..., k] W_down[k, j]: loops (lead..., k, j).
    SmallVector<int64_t> hLoops(xs);
    hLoops.push_back(r);
    SmallVector<unsigned> lead;
    for (unsigned i = 0; i + 1 < rank; ++i)
      lead.push_back(i);
    auto with = [&](std::initializer_list<unsigned> tail) {
      SmallVector<unsigned> dims(lead);
      dims.append(tail);
      return dims;
    };
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };
    Value h = buildSum(b, loc, hLoops, f32, f32, {y, wdf},
                       {dimsMap(ctx, rank + 1, with({rank - 1})),
                        dimsMap(ctx, rank + 1, {rank - 1, rank})},
                       dimsMap(ctx, rank + 1, with({rank})), mul);
    SmallVector<int64_t> hShape(xs.drop_back());
    hShape.push_back(r);
    Value s = buildMap(b, loc, hShape, f32, f32, {h}, {identityMap(ctx, rank)},
                       [](OpBuilder &nb, Location l, ValueRange a) {
                         return activation(nb, l, a[0],
                                           GateActivation::silu);
                       });
    Value gate;
    GateActivation act = op.getGateActivation();
    if (tensorwise) {
      // W_up [r, 1]: one gate per row. z[...] = Σ_j s[..., j] W_up[j].
      auto vecType = RankedTensorType::get({r}, f32);
      Value wu = tensor::CollapseShapeOp::create(
          b, loc, vecType, wuf, SmallVector<ReassociationIndices>{{0, 1}});
      Value z = buildSum(b, loc, hShape, f32, f32, {s, wu},
                         {identityMap(ctx, rank), lastDimMap(ctx, rank)},
                         dropLastDimMap(ctx, rank), mul);
      gate = buildMap(b, loc, xs.drop_back(), f32, f32, {z},
                      {identityMap(ctx, rank - 1)},
                      [&](OpBuilder &nb, Location l, ValueRange a) {
                        return activation(nb, l, a[0], act);
                      });
    } else {
      // z[..., k] = Σ_j s[..., j] W_up[j, k]: loops (lead..., j, k).
      SmallVector<int64_t> zLoops(hShape);
      zLoops.push_back(xs.back());
      Value z = buildSum(b, loc, zLoops, f32, f32, {s, wuf},
                         {dimsMap(ctx, rank + 1, with({rank - 1})),
                          dimsMap(ctx, rank + 1, {rank - 1, rank})},
                         dimsMap(ctx, rank + 1, with({rank})), mul);
      gate = buildMap(b, loc, xs, f32, f32, {z}, {identityMap(ctx, rank)},
                      [&](OpBuilder &nb, Location l, ValueRange a) {
                        return activation(nb, l, a[0], act);
                      });
    }
    AffineMap gateMap =
        tensorwise ? dropLastDimMap(ctx, rank) : identityMap(ctx, rank);
    Value out = buildMap(b, loc, xs, f32, f32, {gate, y},
                         {gateMap, identityMap(ctx, rank)}, mul);
    SmallVector<Operation *> forward = opsSince(b, marker);

    ReverseMode reverse(b);
    Value operands[] = {op.getX(), op.getWeight(), op.getWDown(), op.getWUp()};
    for (auto [i, v] : llvm::enumerate(operands))
      if (want[i])
        reverse.markVaried(v);
    reverse.addAdjoint(out, gf);
    if (failed(reverse.run(forward)))
      return failure();
    for (auto [i, v] : llvm::enumerate(operands))
      if (want[i])
        grads[i] = reverse.getAdjoint(v);
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
      grads[2] = buildSum(b, loc, tensorOf(g[0]).getShape(),
                          tensorOf(bias).getElementType(), f32, {g[0]},
                          {identityMap(ctx, rank)}, lastDimMap(ctx, rank),
                          [](OpBuilder &, Location, ValueRange a) {
                            return a[0];
                          });
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
    Value dt = buildMap(b, loc, xs, f32, f32,
                        {g[0], op.getWeight(), op.getAlpha(), op.getX()},
                        {id, last, alphaMap, id},
                        [](OpBuilder &nb, Location l, ValueRange a) {
                          Value ax = arith::MulFOp::create(nb, l, a[2], a[3]);
                          Value t = math::TanhOp::create(nb, l, ax);
                          Value t2 = arith::MulFOp::create(nb, l, t, t);
                          Value one = f32c(nb, l, 1.0);
                          Value slope = arith::SubFOp::create(nb, l, one, t2);
                          Value gw = arith::MulFOp::create(nb, l, a[0], a[1]);
                          return arith::MulFOp::create(nb, l, gw, slope)
                              .getResult();
                        });
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };
    if (want[0])
      grads[0] = buildMap(b, loc, xs, xt.getElementType(), f32,
                          {dt, op.getAlpha()}, {id, alphaMap}, mul);
    if (want[1]) {
      Value da = buildSum(b, loc, xs, at.getElementType(), f32,
                          {dt, op.getX()}, {id, id}, all, mul);
      if (at.getRank() == 1)
        da = tensor::ExpandShapeOp::create(b, loc, at, da,
                                           SmallVector<ReassociationIndices>{});
      grads[1] = da;
    }
    if (want[2])
      grads[2] = buildSum(b, loc, xs, tensorOf(op.getWeight()).getElementType(),
                          f32, {g[0], op.getAlpha(), op.getX()},
                          {id, alphaMap, id}, last,
                          [](OpBuilder &nb, Location l, ValueRange a) {
                            Value ax = arith::MulFOp::create(nb, l, a[1], a[2]);
                            Value t = math::TanhOp::create(nb, l, ax);
                            return arith::MulFOp::create(nb, l, a[0], t)
                                .getResult();
                          });
    if (want[3])
      grads[3] = buildSum(b, loc, xs, tensorOf(op.getBias()).getElementType(),
                          f32, {g[0]}, {id}, last,
                          [](OpBuilder &, Location, ValueRange a) {
                            return a[0];
                          });
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
          Value inside = arith::CmpFOp::create(
              nb, l, arith::CmpFPredicate::OLE, mag, tc);
          Value zero = f32c(nb, l, 0.0);
          return arith::SelectOp::create(nb, l, inside, a[0], zero)
              .getResult();
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
  attachTrainingGradRules(ctx);
}
