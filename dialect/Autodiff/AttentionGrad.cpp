//===- AttentionGrad.cpp - gradient rule of rescale.attention -------------===//
//
// The backward of softmax attention with every softmax kind, output gate,
// GQA, causal masks with S != T and an explicit scale. Like FlashAttention's
// backward it recomputes the probabilities from q and k instead of keeping
// the forward's (the forward op never materializes them); unlike
// FlashAttention-2 it does so untiled, as linalg on tensors, until the fused
// `rescale.attention_grad` op replaces this decomposition.
//
// Loops are named (b, h, g, i, j, c): kv head h, query head h·G + g of the
// group, query i, key j, and c the head dimension being contracted. With
// s = scale·q·kᵀ, m the row max (including the sink logit), e = exp(s − m)
// on kept keys, Z = Σ_j e + extra (extra = 0, exp(−m) for off_by_one,
// exp(sink − m) for learned_sink) and p = e / Z (0 for an empty row):
//
//   o   = p·v;   out = o ⊙ σ(gate)        (or out = o without a gate)
//   do  = g ⊙ σ(gate);  dgate = g ⊙ o ⊙ σ(1 − σ)   (Σ_c for headwise)
//   dv  = Σ_{g,i} p · do
//   dp  = do · vᵀ;  δ = Σ_j p ⊙ dp;  ds = p ⊙ (dp − δ)
//   dq  = scale · ds · k;  dk = scale · Σ_{g,i} dsᵀ · q
//   dsink[h] = −Σ_{b,i} p_sink · δ,  p_sink = exp(sink − m) / Z
//
// (The softmax Jacobian has the same form for every kind: the extra term of
// the denominator does not depend on s.)
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

RankedTensorType tensorOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value f32c(OpBuilder &b, Location loc, double v) {
  return floatConstant(b, loc, b.getF32Type(), v);
}

Value sigmoidOf(OpBuilder &b, Location l, Value z) {
  Value nz = arith::NegFOp::create(b, l, z);
  Value e = math::ExpOp::create(b, l, nz);
  Value one = f32c(b, l, 1.0);
  Value den = arith::AddFOp::create(b, l, one, e);
  return arith::DivFOp::create(b, l, one, den);
}

/// Splits dim 1 (the query heads, Hq = Hkv·G) of `t` into (Hkv, G).
Value splitHeads(OpBuilder &b, Location loc, Value t, int64_t hkv, int64_t g) {
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
Value mergeHeads(OpBuilder &b, Location loc, Value t, RankedTensorType type) {
  unsigned rank = tensorOf(t).getRank();
  SmallVector<ReassociationIndices> re = {{0}, {1, 2}};
  for (int64_t d = 3; d < int64_t(rank); ++d)
    re.push_back({d});
  return tensor::CollapseShapeOp::create(b, loc, type, t, re);
}

struct AttentionGrad
    : AutodiffOpInterface::ExternalModel<AttentionGrad, AttentionOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads,
                             ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<AttentionOp>(raw);
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    RankedTensorType qt = tensorOf(op.getQ()), kt = tensorOf(op.getK()),
                     vt = tensorOf(op.getV());
    if (!qt.hasStaticShape() || !kt.hasStaticShape() || !vt.hasStaticShape())
      return op.emitOpError() << "is differentiated on static shapes only";
    int64_t B = qt.getDimSize(0), Hq = qt.getDimSize(1), S = qt.getDimSize(2),
            D = qt.getDimSize(3), Hkv = kt.getDimSize(1), T = kt.getDimSize(2),
            Dv = vt.getDimSize(3), G = Hq / Hkv;
    double scale = op.getScaleValue();
    bool causal = op.isCausal();
    SoftmaxKind kind = op.getSoftmax();
    GateKind gateKind = op.getGateKind();
    Value gate = op.getGate(), sinks = op.getSinks();
    int64_t offset = T - S; // key j is kept for query i iff j <= i + offset

    // Maps over the loops (b, h, g, i, j) [5] and (b, h, g, i, j, c) [6].
    auto m5 = [&](ArrayRef<unsigned> dims) { return dimsMap(ctx, 5, dims); };
    auto m6 = [&](ArrayRef<unsigned> dims) { return dimsMap(ctx, 6, dims); };
    auto m4 = [&](ArrayRef<unsigned> dims) { return dimsMap(ctx, 4, dims); };
    SmallVector<int64_t> rowShape = {B, Hkv, G, S};
    SmallVector<int64_t> scoreShape = {B, Hkv, G, S, T};
    auto mul = [](OpBuilder &nb, Location l, ValueRange a) {
      return arith::MulFOp::create(nb, l, a[0], a[1]).getResult();
    };

    Value q5 = splitHeads(b, loc, op.getQ(), Hkv, G);
    Value g5 = splitHeads(b, loc, resultGrads[0], Hkv, G);

    // s[b,h,g,i,j] = scale · Σ_c q[b,h,g,i,c] k[b,h,j,c], with masked keys
    // at -inf.
    Value dots = buildSum(b, loc, {B, Hkv, G, S, T, D}, f32, f32,
                          {q5, op.getK()}, {m6({0, 1, 2, 3, 5}), m6({0, 1, 4, 5})},
                          m6({0, 1, 2, 3, 4}), mul);
    double negInf = -std::numeric_limits<double>::infinity();
    auto kept = [&](OpBuilder &nb, Location l) -> Value {
      if (!causal)
        return {};
      Value i = linalg::IndexOp::create(nb, l, 3);
      Value j = linalg::IndexOp::create(nb, l, 4);
      Value off = arith::ConstantIndexOp::create(nb, l, offset);
      Value limit = arith::AddIOp::create(nb, l, i, off);
      return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle, j, limit);
    };
    Value scores = buildMap(
        b, loc, scoreShape, f32, f32, {dots}, {identityMap(ctx, 5)},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value sc = f32c(nb, l, scale);
          Value s = arith::MulFOp::create(nb, l, a[0], sc);
          Value keep = kept(nb, l);
          if (!keep)
            return s;
          Value ninf = f32c(nb, l, negInf);
          return arith::SelectOp::create(nb, l, keep, s, ninf).getResult();
        });
    // m[b,h,g,i] = max(max_j s, base): base = -inf, 0 or the sink logit.
    Value rowMax;
    {
      Value init = filledTensor(b, loc, rowShape, f32, negInf);
      SmallVector<utils::IteratorType> iters(5, utils::IteratorType::parallel);
      iters[4] = utils::IteratorType::reduction;
      rowMax = linalg::GenericOp::create(
                   b, loc, TypeRange{init.getType()}, ValueRange{scores},
                   ValueRange{init},
                   ArrayRef<AffineMap>{identityMap(ctx, 5), m5({0, 1, 2, 3})},
                   iters,
                   [](OpBuilder &nb, Location l, ValueRange a) {
                     Value mx = arith::MaximumFOp::create(nb, l, a[0], a[1]);
                     linalg::YieldOp::create(nb, l, mx);
                   })
                   .getResult(0);
    }
    Value sinks2;
    if (sinks) {
      auto type = RankedTensorType::get({Hkv, G}, tensorOf(sinks).getElementType());
      sinks2 = tensor::ExpandShapeOp::create(
          b, loc, type, sinks, SmallVector<ReassociationIndices>{{0, 1}});
    }
    // m' = max(m, base) and the extra denominator term exp(base − m').
    auto baseOf = [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
      if (kind == SoftmaxKind::off_by_one)
        return f32c(nb, l, 0.0);
      if (kind == SoftmaxKind::learned_sink)
        return a[1];
      return {};
    };
    SmallVector<Value> rowIns = {rowMax};
    SmallVector<AffineMap> rowMaps = {identityMap(ctx, 4)};
    if (sinks2) {
      rowIns.push_back(sinks2);
      rowMaps.push_back(m4({1, 2}));
    }
    Value m = buildMap(b, loc, rowShape, f32, f32, rowIns, rowMaps,
                       [&](OpBuilder &nb, Location l, ValueRange a) {
                         Value base = baseOf(nb, l, a);
                         if (!base)
                           return a[0];
                         return arith::MaximumFOp::create(nb, l, a[0], base)
                             .getResult();
                       });
    // e = exp(s − m') on kept keys (0 elsewhere, and on an empty row).
    Value e = buildMap(
        b, loc, scoreShape, f32, f32, {scores, m},
        {identityMap(ctx, 5), m5({0, 1, 2, 3})},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value diff = arith::SubFOp::create(nb, l, a[0], a[1]);
          Value ex = math::ExpOp::create(nb, l, diff);
          Value ninf = f32c(nb, l, negInf);
          Value live = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                             a[0], ninf);
          Value zero = f32c(nb, l, 0.0);
          return arith::SelectOp::create(nb, l, live, ex, zero).getResult();
        });
    Value sumE = buildSum(b, loc, scoreShape, f32, f32, {e},
                          {identityMap(ctx, 5)}, m5({0, 1, 2, 3}),
                          [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    // Z = Σ e + exp(base − m').
    SmallVector<Value> zIns = {sumE, m};
    SmallVector<AffineMap> zMaps = {identityMap(ctx, 4), identityMap(ctx, 4)};
    if (sinks2) {
      zIns.push_back(sinks2);
      zMaps.push_back(m4({1, 2}));
    }
    auto extraOf = [&](OpBuilder &nb, Location l, Value mv,
                       Value sinkv) -> Value {
      Value base = kind == SoftmaxKind::learned_sink ? sinkv : f32c(nb, l, 0.0);
      Value diff = arith::SubFOp::create(nb, l, base, mv);
      return math::ExpOp::create(nb, l, diff);
    };
    Value z = buildMap(b, loc, rowShape, f32, f32, zIns, zMaps,
                       [&](OpBuilder &nb, Location l, ValueRange a) {
                         if (kind == SoftmaxKind::standard)
                           return a[0];
                         Value extra =
                             extraOf(nb, l, a[1], sinks2 ? a[2] : Value());
                         return arith::AddFOp::create(nb, l, a[0], extra)
                             .getResult();
                       });
    // p = e / Z (0 when Z = 0: a standard row with no key).
    Value p = buildMap(
        b, loc, scoreShape, f32, f32, {e, z},
        {identityMap(ctx, 5), m5({0, 1, 2, 3})},
        [](OpBuilder &nb, Location l, ValueRange a) {
          Value zero = f32c(nb, l, 0.0);
          Value pos = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT,
                                            a[1], zero);
          Value q = arith::DivFOp::create(nb, l, a[0], a[1]);
          return arith::SelectOp::create(nb, l, pos, q, zero).getResult();
        });

    // The output gate: do = g ⊙ σ(gate), dgate from o = p·v.
    SmallVector<int64_t> outShape5 = {B, Hkv, G, S, Dv};
    AffineMap id5 = identityMap(ctx, 5);
    Value dout = g5;
    if (gate) {
      Value gate5 = splitHeads(b, loc, gate, Hkv, G);
      AffineMap gateMap =
          gateKind == GateKind::headwise ? m5({0, 1, 2, 3}) : id5;
      Value o = buildSum(b, loc, {B, Hkv, G, S, T, Dv}, f32, f32,
                         {p, op.getV()}, {m6({0, 1, 2, 3, 4}), m6({0, 1, 4, 5})},
                         m6({0, 1, 2, 3, 5}), mul);
      dout = buildMap(b, loc, outShape5, f32, f32, {g5, gate5}, {id5, gateMap},
                      [](OpBuilder &nb, Location l, ValueRange a) {
                        Value sg = sigmoidOf(nb, l, a[1]);
                        return arith::MulFOp::create(nb, l, a[0], sg)
                            .getResult();
                      });
      if (want[3]) {
        auto body = [](OpBuilder &nb, Location l, ValueRange a) {
          Value sg = sigmoidOf(nb, l, a[2]);
          Value one = f32c(nb, l, 1.0);
          Value rest = arith::SubFOp::create(nb, l, one, sg);
          Value slope = arith::MulFOp::create(nb, l, sg, rest);
          Value go = arith::MulFOp::create(nb, l, a[0], a[1]);
          return arith::MulFOp::create(nb, l, go, slope).getResult();
        };
        Type gateElem = tensorOf(gate).getElementType();
        Value dgate5 =
            gateKind == GateKind::headwise
                ? buildSum(b, loc, outShape5, gateElem, f32, {g5, o, gate5},
                           {id5, id5, gateMap}, m5({0, 1, 2, 3}), body)
                : buildMap(b, loc, outShape5, gateElem, f32, {g5, o, gate5},
                           {id5, id5, gateMap}, body);
        grads[3] = mergeHeads(b, loc, dgate5, tensorOf(gate));
      }
    }

    // dv[b,h,j,c] = Σ_{g,i} p · do.
    if (want[2])
      grads[2] = buildSum(b, loc, {B, Hkv, G, S, T, Dv}, vt.getElementType(),
                          f32, {p, dout},
                          {m6({0, 1, 2, 3, 4}), m6({0, 1, 2, 3, 5})},
                          m6({0, 1, 4, 5}), mul);
    bool wantScores = want[0] || want[1] || (sinks && want.back());
    if (!wantScores)
      return success();
    // dp = do · vᵀ; δ = Σ_j p ⊙ dp; ds = p ⊙ (dp − δ).
    Value dp = buildSum(b, loc, {B, Hkv, G, S, T, Dv}, f32, f32, {dout, op.getV()},
                        {m6({0, 1, 2, 3, 5}), m6({0, 1, 4, 5})},
                        m6({0, 1, 2, 3, 4}), mul);
    Value delta = buildSum(b, loc, scoreShape, f32, f32, {p, dp}, {id5, id5},
                           m5({0, 1, 2, 3}), mul);
    Value ds = buildMap(b, loc, scoreShape, f32, f32, {p, dp, delta},
                        {id5, id5, m5({0, 1, 2, 3})},
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          Value d = arith::SubFOp::create(nb, l, a[1], a[2]);
                          Value pd = arith::MulFOp::create(nb, l, a[0], d);
                          Value sc = f32c(nb, l, scale);
                          return arith::MulFOp::create(nb, l, pd, sc)
                              .getResult();
                        });
    if (want[0]) {
      Value dq5 = buildSum(b, loc, {B, Hkv, G, S, T, D}, qt.getElementType(),
                           f32, {ds, op.getK()},
                           {m6({0, 1, 2, 3, 4}), m6({0, 1, 4, 5})},
                           m6({0, 1, 2, 3, 5}), mul);
      grads[0] = mergeHeads(b, loc, dq5, qt);
    }
    if (want[1])
      grads[1] = buildSum(b, loc, {B, Hkv, G, S, T, D}, kt.getElementType(),
                          f32, {ds, q5},
                          {m6({0, 1, 2, 3, 4}), m6({0, 1, 2, 3, 5})},
                          m6({0, 1, 4, 5}), mul);
    if (sinks && want.back()) {
      // dsink[h,g] = −Σ_{b,i} exp(sink − m')/Z · δ.
      Value ds2 = buildSum(
          b, loc, rowShape, tensorOf(sinks).getElementType(), f32,
          {delta, m, z, sinks2},
          {identityMap(ctx, 4), identityMap(ctx, 4), identityMap(ctx, 4),
           m4({1, 2})},
          m4({1, 2}), [&](OpBuilder &nb, Location l, ValueRange a) {
            Value extra = extraOf(nb, l, a[1], a[3]);
            Value ps = arith::DivFOp::create(nb, l, extra, a[2]);
            Value t = arith::MulFOp::create(nb, l, ps, a[0]);
            return arith::NegFOp::create(nb, l, t).getResult();
          });
      grads.back() = tensor::CollapseShapeOp::create(
          b, loc, tensorOf(sinks), ds2,
          SmallVector<ReassociationIndices>{{0, 1}});
    }
    return success();
  }
};

} // namespace

void mlir::rescale::autodiff::attachAttentionGradRule(MLIRContext *ctx) {
  AttentionOp::attachInterface<AttentionGrad>(*ctx);
}
