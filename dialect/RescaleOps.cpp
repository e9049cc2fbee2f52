//===- RescaleOps.cpp - rescale operations and their verifiers ------------===//
//
// Verifiers name the offending operand and say what was expected against
// what was found, e.g. "'weight' must have shape [128] (the last dimension of
// 'x'), but has shape [64]".
//
//===----------------------------------------------------------------------===//

#include "dialect/RescaleOps.h"
#include "dialect/VerifierHelpers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::verifier;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Checks that a parameter's element type is the compute type (that of
/// `refName`) or f32: f32 master weights with bf16/f16 activations are the
/// usual mixed precision.
static LogicalResult expectParamElementType(Operation *op, Value param,
                                            StringRef name, Type computeType,
                                            StringRef refName = "x") {
  Type et = tensorOf(param).getElementType();
  if (et == computeType || et.isF32())
    return success();
  auto diag = op->emitOpError() << "'" << name << "' must have element type ";
  if (computeType.isF32())
    diag << "f32 (like '" << refName << "')";
  else
    diag << computeType << " (like '" << refName << "') or f32";
  return diag << ", but has " << et;
}

/// The result must have x's type exactly.
static LogicalResult expectSameType(Operation *op, Value result,
                                    StringRef resultName, Value like,
                                    StringRef likeName) {
  if (result.getType() == like.getType())
    return success();
  if (failed(expectElementTypeLike(op, result, resultName, like, likeName)))
    return failure();
  RankedTensorType r = tensorOf(result), l = tensorOf(like);
  if (!shapesMatch(r.getShape(), l.getShape()))
    return op->emitOpError()
           << "'" << resultName << "' must have shape "
           << formatShape(l.getShape()) << " like '" << likeName
           << "', but has shape " << formatShape(r.getShape());
  return success();
}

static LogicalResult expectRankAtLeast(Operation *op, Value v, StringRef name,
                                       int64_t rank) {
  int64_t actual = tensorOf(v).getRank();
  if (actual >= rank)
    return success();
  return op->emitOpError() << "'" << name << "' must have rank >= " << rank
                           << ", but has rank " << actual;
}

static LogicalResult verifyEpsilon(Operation *op, const APFloat &eps) {
  double e = eps.convertToDouble();
  if (std::isfinite(e) && e >= 0.0)
    return success();
  return op->emitOpError() << "'epsilon' must be finite and non-negative, "
                              "but is "
                           << e;
}

/// Shared checks for the norms: x has rank >= 1, each `[d]` parameter has
/// the last dimension of x, the result has x's type.
static LogicalResult
verifyNormCommon(Operation *op, Value x,
                 ArrayRef<std::pair<Value, StringRef>> vectors, Value result,
                 const APFloat &eps, StringRef resultName = "result") {
  if (failed(expectFloatElements(op, x, "x")) ||
      failed(expectRankAtLeast(op, x, "x", 1)))
    return failure();
  RankedTensorType xt = tensorOf(x);
  int64_t d = xt.getShape().back();
  for (auto [v, name] : vectors) {
    if (failed(expectShape(op, v, name, {d}, "the last dimension of 'x'")) ||
        failed(expectParamElementType(op, v, name, xt.getElementType())))
      return failure();
  }
  if (failed(expectSameType(op, result, resultName, x, "x")))
    return failure();
  return verifyEpsilon(op, eps);
}

/// GatedNorm's low-rank gate: w_down [d, r] with r >= 1, w_up [r, d] or
/// [r, 1], both of x's element type or f32. Shared by gated_norm and
/// gated_norm_grad.
static LogicalResult verifyGateWeights(Operation *op, RankedTensorType xType,
                                       Value wDown, Value wUp) {
  Type et = xType.getElementType();
  int64_t d = xType.getShape().back();
  if (failed(expectRank(op, wDown, "w_down", 2, "[d, r]")) ||
      failed(expectRank(op, wUp, "w_up", 2, "[r, d] or [r, 1]")) ||
      failed(expectParamElementType(op, wDown, "w_down", et)) ||
      failed(expectParamElementType(op, wUp, "w_up", et)))
    return failure();
  ArrayRef<int64_t> down = tensorOf(wDown).getShape();
  int64_t r = down[1];
  // r = 0 leaves no gate (act(0) for every token), and no GPU schedule
  // handles an empty low-rank projection: reject it here, once.
  if (r == 0)
    return op->emitOpError() << "'w_down' must have a gate rank r >= 1 (shape "
                                "[d, r]), but has shape "
                             << formatShape(down);
  if (!dimsMatch(down[0], d))
    return op->emitOpError()
           << "'w_down' must have shape " << formatShape({d, r})
           << " ([d, r] with d the last dimension of 'x'), "
              "but has shape "
           << formatShape(down);
  ArrayRef<int64_t> up = tensorOf(wUp).getShape();
  if (!dimsMatch(up[0], r) || !(dimsMatch(up[1], d) || up[1] == 1))
    return op->emitOpError()
           << "'w_up' must have shape " << formatShape({r, d}) << " or "
           << formatShape({r, 1})
           << " for a tensorwise gate ([r, d] with r = " << r
           << " from 'w_down'), but has shape " << formatShape(up);
  return success();
}

/// The backward ops: the incoming adjoint `dy` has x's type and each
/// operand's gradient has that operand's type.
static LogicalResult verifyGradients(
    Operation *op, ArrayRef<std::pair<Value, StringRef>> adjoints, Value x,
    ArrayRef<std::tuple<Value, StringRef, Value, StringRef>> grads) {
  for (auto [adjoint, name] : adjoints)
    if (failed(expectSameType(op, adjoint, name, x, "x")))
      return failure();
  for (auto [grad, gradName, operand, operandName] : grads)
    if (failed(expectSameType(op, grad, gradName, operand, operandName)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  return verifyNormCommon(*this, getX(), {{getWeight(), "weight"}}, getResult(),
                          getEpsilon());
}

LogicalResult PreAffineRMSNormOp::verify() {
  return verifyNormCommon(
      *this, getX(), {{getPreScale(), "pre_scale"}, {getWeight(), "weight"}},
      getResult(), getEpsilon());
}

LogicalResult AddRMSNormOp::verify() {
  if (failed(verifyNormCommon(*this, getX(), {{getWeight(), "weight"}},
                              getResult(), getEpsilon())))
    return failure();
  if (failed(expectSameType(*this, getResidual(), "residual", getX(), "x")) ||
      failed(expectSameType(*this, getSum(), "sum", getX(), "x")))
    return failure();
  return success();
}

LogicalResult GatedNormOp::verify() {
  if (failed(verifyNormCommon(*this, getX(), {{getWeight(), "weight"}},
                              getResult(), getEpsilon())))
    return failure();
  return verifyGateWeights(*this, xType(), getWDown(), getWUp());
}

//===----------------------------------------------------------------------===//
// Backward ops of the norms (RescaleBackwardOps.td)
//===----------------------------------------------------------------------===//

LogicalResult RMSNormGradOp::verify() {
  if (failed(verifyNormCommon(*this, getX(), {{getWeight(), "weight"}}, getDx(),
                              getEpsilon(), "dx")))
    return failure();
  return verifyGradients(*this, {{getDy(), "dy"}}, getX(),
                         {{getDweight(), "dweight", getWeight(), "weight"}});
}

LogicalResult PreAffineRMSNormGradOp::verify() {
  if (failed(verifyNormCommon(
          *this, getX(),
          {{getPreScale(), "pre_scale"}, {getWeight(), "weight"}}, getDx(),
          getEpsilon(), "dx")))
    return failure();
  return verifyGradients(
      *this, {{getDy(), "dy"}}, getX(),
      {{getDpreScale(), "dpre_scale", getPreScale(), "pre_scale"},
       {getDweight(), "dweight", getWeight(), "weight"}});
}

LogicalResult AddRMSNormGradOp::verify() {
  if (failed(verifyNormCommon(*this, getX(), {{getWeight(), "weight"}}, getDx(),
                              getEpsilon(), "dx")))
    return failure();
  return verifyGradients(
      *this,
      {{getResidual(), "residual"}, {getDsum(), "dsum"}, {getDy(), "dy"}},
      getX(),
      {{getDresidual(), "dresidual", getX(), "x"},
       {getDweight(), "dweight", getWeight(), "weight"}});
}

LogicalResult GatedNormGradOp::verify() {
  if (failed(verifyNormCommon(*this, getX(), {{getWeight(), "weight"}}, getDx(),
                              getEpsilon(), "dx")) ||
      failed(verifyGateWeights(*this, tensorOf(getX()), getWDown(), getWUp())))
    return failure();
  return verifyGradients(*this, {{getDout(), "dout"}}, getX(),
                         {{getDweight(), "dweight", getWeight(), "weight"},
                          {getDwDown(), "dw_down", getWDown(), "w_down"},
                          {getDwUp(), "dw_up", getWUp(), "w_up"}});
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

Value AttentionOp::getGate() {
  if (getGateKind() == GateKind::none || getGateAndSinks().empty())
    return {};
  return getGateAndSinks().front();
}

Value AttentionOp::getSinks() {
  if (getSoftmax() != SoftmaxKind::learned_sink || getGateAndSinks().empty())
    return {};
  return getGateAndSinks().back();
}

/// The attention ops' score scale: `scale`, or 1/sqrt(D) for q [..., D].
/// With D = 0 every score q·k is an empty sum, 0, whatever the scale: the
/// default is 1 there (1/sqrt(0) = inf would make the scores inf·0 = NaN).
static double scaleValue(FloatAttr scale, Value q) {
  if (scale)
    return scale.getValueAsDouble();
  int64_t d = tensorOf(q).getShape().back();
  if (d == 0)
    return 1.0;
  return 1.0 / std::sqrt(static_cast<double>(d));
}

double AttentionOp::getScaleValue() {
  return scaleValue(getScaleAttr(), getQ());
}

unsigned AttentionOp::getNumExpectedExtraOperands() {
  return (getGateKind() != GateKind::none ? 1u : 0u) +
         (getSoftmax() == SoftmaxKind::learned_sink ? 1u : 0u);
}

/// Grouped-query attention: each kv head serves a whole group of query
/// heads (checked when both counts are static).
static LogicalResult verifyQueryHeadGroups(Operation *op, int64_t Hq,
                                           int64_t Hkv) {
  if (!ShapedType::isDynamic(Hq) && !ShapedType::isDynamic(Hkv) &&
      (Hkv == 0 || Hq % Hkv != 0))
    return op->emitOpError()
           << "grouped-query attention needs the query heads (" << Hq
           << ") to be a multiple of the kv heads (" << Hkv << ")";
  return success();
}

/// What rescale.attention and rescale.attention_grad share: q, k, v, the
/// gate and sinks the attributes call for, GQA and the scale.
template <typename AttentionLikeOp>
static LogicalResult verifyAttentionOperands(AttentionLikeOp op) {
  if (failed(expectFloatElements(op, op.getQ(), "q")) ||
      failed(expectRank(op, op.getQ(), "q", 4, "[B, Hq, S, D]")) ||
      failed(expectRank(op, op.getK(), "k", 4, "[B, Hkv, T, D]")) ||
      failed(expectRank(op, op.getV(), "v", 4, "[B, Hkv, T, Dv]")))
    return failure();

  // The gate and sinks operands are positional: the attributes say which are
  // present, so the operand list must agree with them.
  unsigned expected = op.getNumExpectedExtraOperands();
  unsigned actual = op.getGateAndSinks().size();
  unsigned fixed = op->getNumOperands() - actual; // q, k, v (, lse, dout)
  if (actual != expected) {
    auto diag = op.emitOpError()
                << "expects " << fixed + expected << " operands (q, k, v"
                << (fixed > 3 ? ", lse, dout" : "");
    if (op.getGateKind() != GateKind::none)
      diag << ", gate";
    if (op.getSoftmax() == SoftmaxKind::learned_sink)
      diag << ", sinks";
    diag << ") for gate_kind = " << stringifyGateKind(op.getGateKind())
         << " and softmax = " << stringifySoftmaxKind(op.getSoftmax())
         << ", but has " << fixed + actual;
    if (actual > expected && op.getSoftmax() != SoftmaxKind::learned_sink)
      diag << "; a 'sinks' operand needs softmax = learned_sink";
    if (actual < expected && op.getSoftmax() == SoftmaxKind::learned_sink)
      diag << "; softmax = learned_sink needs a 'sinks' operand of shape [Hq]";
    return diag;
  }

  RankedTensorType qt = tensorOf(op.getQ()), kt = tensorOf(op.getK()),
                   vt = tensorOf(op.getV());
  ArrayRef<int64_t> q = qt.getShape(), k = kt.getShape(), v = vt.getShape();
  int64_t B = q[0], Hq = q[1], S = q[2], D = q[3];
  int64_t Hkv = k[1], T = k[2], Dv = v[3];

  if (kt.getElementType() != qt.getElementType() ||
      vt.getElementType() != qt.getElementType())
    return op.emitOpError()
           << "'q', 'k' and 'v' must share an element type, but have "
           << qt.getElementType() << ", " << kt.getElementType() << " and "
           << vt.getElementType();
  if (failed(expectShape(op, op.getK(), "k", {B, Hkv, T, D},
                         "batch and head dim of 'q'")))
    return failure();
  if (failed(expectShape(op, op.getV(), "v", {B, Hkv, T, Dv},
                         "batch, kv heads and length of 'k'")))
    return failure();
  if (failed(verifyQueryHeadGroups(op, Hq, Hkv)))
    return failure();

  if (Value gate = op.getGate()) {
    if (op.getGateKind() == GateKind::headwise) {
      if (failed(expectShape(op, gate, "gate", {B, Hq, S},
                             "[B, Hq, S] for a headwise gate")))
        return failure();
    } else if (failed(expectShape(op, gate, "gate", {B, Hq, S, Dv},
                                  "[B, Hq, S, Dv] for an elementwise gate"))) {
      return failure();
    }
    if (failed(
            expectParamElementType(op, gate, "gate", qt.getElementType(), "q")))
      return failure();
  }
  if (Value sinks = op.getSinks()) {
    if (failed(expectShape(op, sinks, "sinks", {Hq},
                           "one learned sink logit per query head")) ||
        failed(expectParamElementType(op, sinks, "sinks", qt.getElementType(),
                                      "q")))
      return failure();
  }
  if (auto s = op.getScaleAttr()) {
    double sv = s.getValueAsDouble();
    if (!std::isfinite(sv))
      return op.emitOpError() << "'scale' must be finite, but is " << sv;
  }
  return success();
}

/// `value` is an f32 tensor of `shape` (the attention ops' lse).
static LogicalResult expectLseShape(Operation *op, Value value, StringRef name,
                                    ArrayRef<int64_t> shape) {
  if (!tensorOf(value).getElementType().isF32())
    return op->emitOpError()
           << "'" << name << "' must have element type f32, but has "
           << tensorOf(value).getElementType();
  return expectShape(op, value, name, shape, "[B, Hq, S]");
}

LogicalResult AttentionOp::verify() {
  if (failed(verifyAttentionOperands(*this)))
    return failure();
  RankedTensorType qt = tensorOf(getQ());
  ArrayRef<int64_t> q = qt.getShape();
  int64_t Dv = tensorOf(getV()).getShape()[3];
  if (failed(expectElementTypeLike(*this, getResult(), "result", getQ(), "q")))
    return failure();
  return expectShape(*this, getResult(), "result", {q[0], q[1], q[2], Dv},
                     "[B, Hq, S, Dv]");
}

//===----------------------------------------------------------------------===//
// Attention's backward (RescaleBackwardOps.td)
//===----------------------------------------------------------------------===//

double AttentionLSEOp::getScaleValue() {
  return scaleValue(getScaleAttr(), getQ());
}

/// The checks of the ops that recompute attention's scores from q and k
/// alone (attention_lse, attention_first_token_share): q and k of one float
/// type, k's batch and head dim those of q, query heads a multiple of kv
/// heads, sinks exactly with softmax = learned_sink, a finite scale.
template <typename OpT> static LogicalResult verifyScoreOperands(OpT op) {
  if (failed(expectFloatElements(op, op.getQ(), "q")) ||
      failed(expectRank(op, op.getQ(), "q", 4, "[B, Hq, S, D]")) ||
      failed(expectRank(op, op.getK(), "k", 4, "[B, Hkv, T, D]")))
    return failure();
  RankedTensorType qt = tensorOf(op.getQ()), kt = tensorOf(op.getK());
  ArrayRef<int64_t> q = qt.getShape(), k = kt.getShape();
  if (kt.getElementType() != qt.getElementType())
    return op.emitOpError()
           << "'q' and 'k' must share an element type, but have "
           << qt.getElementType() << " and " << kt.getElementType();
  if (failed(expectShape(op, op.getK(), "k", {q[0], k[1], k[2], q[3]},
                         "batch and head dim of 'q'")) ||
      failed(verifyQueryHeadGroups(op, q[1], k[1])))
    return failure();
  bool wantsSinks = op.getSoftmax() == SoftmaxKind::learned_sink;
  if (wantsSinks != bool(op.getSinks()))
    return op.emitOpError()
           << (wantsSinks ? "softmax = learned_sink needs a 'sinks' "
                            "operand of shape [Hq]"
                          : "a 'sinks' operand needs softmax = "
                            "learned_sink");
  if (Value sinks = op.getSinks())
    if (failed(expectShape(op, sinks, "sinks", {q[1]},
                           "one learned sink logit per query head")) ||
        failed(expectParamElementType(op, sinks, "sinks", qt.getElementType(),
                                      "q")))
      return failure();
  if (auto s = op.getScaleAttr())
    if (!std::isfinite(s.getValueAsDouble()))
      return op.emitOpError()
             << "'scale' must be finite, but is " << s.getValueAsDouble();
  return success();
}

LogicalResult AttentionLSEOp::verify() {
  if (failed(verifyScoreOperands(*this)))
    return failure();
  ArrayRef<int64_t> q = tensorOf(getQ()).getShape();
  return expectLseShape(*this, getLse(), "lse", {q[0], q[1], q[2]});
}

Value AttentionGradOp::getGate() {
  if (getGateKind() == GateKind::none || getGateAndSinks().empty())
    return {};
  return getGateAndSinks().front();
}

Value AttentionGradOp::getSinks() {
  if (getSoftmax() != SoftmaxKind::learned_sink || getGateAndSinks().empty())
    return {};
  return getGateAndSinks().back();
}

double AttentionGradOp::getScaleValue() {
  return scaleValue(getScaleAttr(), getQ());
}

unsigned AttentionGradOp::getNumExpectedExtraOperands() {
  return (getGateKind() != GateKind::none ? 1u : 0u) +
         (getSoftmax() == SoftmaxKind::learned_sink ? 1u : 0u);
}

LogicalResult AttentionGradOp::verify() {
  if (failed(verifyAttentionOperands(*this)))
    return failure();
  RankedTensorType qt = tensorOf(getQ());
  ArrayRef<int64_t> q = qt.getShape();
  int64_t Dv = tensorOf(getV()).getShape()[3];
  if (failed(expectLseShape(*this, getLse(), "lse", {q[0], q[1], q[2]})) ||
      failed(expectShape(*this, getDout(), "dout", {q[0], q[1], q[2], Dv},
                         "[B, Hq, S, Dv], the forward's result")))
    return failure();
  if (failed(expectElementTypeLike(*this, getDout(), "dout", getQ(), "q")))
    return failure();
  // Each gradient has its operand's type.
  SmallVector<std::pair<Value, StringRef>> operands = {
      {getQ(), "q"}, {getK(), "k"}, {getV(), "v"}};
  if (Value gate = getGate())
    operands.push_back({gate, "gate"});
  if (Value sinks = getSinks())
    operands.push_back({sinks, "sinks"});
  if (getNumResults() != operands.size())
    return emitOpError() << "expects " << operands.size()
                         << " results (the gradients of q, k, v and of the "
                            "gate and sinks it has), but has "
                         << getNumResults();
  return expectGradientTypes(*this, getResults(), operands);
}

//===----------------------------------------------------------------------===//
// Linear and ablations
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(expectFloatElements(*this, getX(), "x")) ||
      failed(expectRankAtLeast(*this, getX(), "x", 1)) ||
      failed(expectRank(*this, getWeight(), "weight", 2, "[N, K]")))
    return failure();
  RankedTensorType xt = tensorOf(getX()), wt = tensorOf(getWeight());
  int64_t K = xt.getShape().back(), N = wt.getDimSize(0);
  if (!dimsMatch(wt.getDimSize(1), K))
    return emitOpError() << "'weight' must have shape " << formatShape({N, K})
                         << " ([N, K] with K the last dimension of 'x'), but "
                            "has shape "
                         << formatShape(wt.getShape());
  if (failed(expectParamElementType(*this, getWeight(), "weight",
                                    xt.getElementType())))
    return failure();
  if (Value bias = getBias())
    if (failed(expectShape(*this, bias, "bias", {N}, "[N] from 'weight'")) ||
        failed(
            expectParamElementType(*this, bias, "bias", xt.getElementType())))
      return failure();
  SmallVector<int64_t> outShape(xt.getShape());
  outShape.back() = N;
  if (failed(expectElementTypeLike(*this, getResult(), "result", getX(), "x")))
    return failure();
  return expectShape(*this, getResult(), "result", outShape, "[..., N]");
}

LogicalResult DyTOp::verify() {
  if (failed(verifyNormCommon(*this, getX(),
                              {{getWeight(), "weight"}, {getBias(), "bias"}},
                              getResult(), APFloat(0.0))))
    return failure();
  RankedTensorType at = tensorOf(getAlpha());
  if (at.getRank() > 1 ||
      (at.getRank() == 1 && !dimsMatch(at.getDimSize(0), 1)))
    return emitOpError() << "'alpha' must be a scalar of shape [] or [1], but "
                            "has shape "
                         << formatShape(at.getShape());
  return expectParamElementType(*this, getAlpha(), "alpha",
                                tensorOf(getX()).getElementType());
}

LogicalResult ClipOp::verify() {
  if (failed(expectFloatElements(*this, getX(), "x")))
    return failure();
  double t = getThreshold().convertToDouble();
  if (!(t > 0.0) || !std::isfinite(t))
    return emitOpError() << "'threshold' must be finite and positive, but is "
                         << t;
  return expectSameType(*this, getResult(), "result", getX(), "x");
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Checks the float tensor `x` against the scheme: blocks divide the trailing
/// dimensions.
static LogicalResult verifySchemeFits(Operation *op, QuantSchemeAttr scheme,
                                      RankedTensorType xt, StringRef name) {
  if (xt.getRank() < 1)
    return op->emitOpError()
           << "'" << name << "' must have rank >= 1, but has rank 0";
  SmallVector<int64_t> block = scheme.getBlockShape();
  if (block.size() > static_cast<size_t>(xt.getRank()))
    return op->emitOpError()
           << "scheme " << scheme << " has a " << block.size()
           << "-d block but '" << name << "' has rank " << xt.getRank();
  ArrayRef<int64_t> shape = xt.getShape();
  for (size_t i = 0; i < block.size(); ++i) {
    int64_t d = shape[shape.size() - block.size() + i];
    if (!ShapedType::isDynamic(d) && d % block[i] != 0)
      return op->emitOpError()
             << "block size " << block[i] << " of scheme " << scheme
             << " must divide dimension " << shape.size() - block.size() + i
             << " of '" << name << "' (" << d << ")";
  }
  return success();
}

static bool isValidStorage(QuantSchemeAttr scheme, Type et) {
  if (scheme.getFormat() == QuantFormat::int4)
    return et.isInteger(8) || et.isInteger(4);
  return et == scheme.getStorageType();
}

/// Checks the (values, scales, global_scale) triple of quantize/dequantize.
static LogicalResult verifyQuantized(Operation *op, QuantSchemeAttr scheme,
                                     RankedTensorType xt, Value values,
                                     Value scales, Value globalScale,
                                     StringRef where) {
  RankedTensorType vt = tensorOf(values);
  if (!isValidStorage(scheme, vt.getElementType())) {
    auto diag = op->emitOpError()
                << "'values' " << where << " must have element type "
                << scheme.getStorageType();
    if (scheme.getFormat() == QuantFormat::int4)
      diag << " or i4";
    return diag << " for scheme " << scheme << ", but has "
                << vt.getElementType();
  }
  if (!shapesMatch(vt.getShape(), xt.getShape()))
    return op->emitOpError()
           << "'values' must have shape " << formatShape(xt.getShape())
           << " like the float tensor, but has shape "
           << formatShape(vt.getShape());
  RankedTensorType st = tensorOf(scales);
  if (st.getElementType() != scheme.getScaleType())
    return op->emitOpError()
           << "'scales' must have element type " << scheme.getScaleType()
           << " for scheme " << scheme << ", but has " << st.getElementType();
  if (failed(expectShape(op, scales, "scales",
                         scheme.getScaleShape(xt.getShape()),
                         "one scale per group of the scheme")))
    return failure();
  if (scheme.hasGlobalScale()) {
    if (!globalScale)
      return op->emitOpError() << "scheme " << scheme
                               << " needs a 'global_scale' (the f32 "
                                  "second-level scale)";
    RankedTensorType gt = tensorOf(globalScale);
    if (!gt.getElementType().isF32())
      return op->emitOpError()
             << "'global_scale' must have element type f32, but has "
             << gt.getElementType();
    return expectShape(op, globalScale, "global_scale",
                       scheme.getGlobalScaleShape(xt.getShape()),
                       "the second-level scale");
  }
  if (globalScale)
    return op->emitOpError() << "scheme " << scheme
                             << " has no second-level scale, but a "
                                "'global_scale' is present";
  return success();
}

/// The float tensor `value` (called `name`) that `scheme` quantizes: a
/// compute element type, and a shape the scheme's blocks tile.
static LogicalResult verifySchemeOperand(Operation *op, QuantSchemeAttr scheme,
                                         Value value, StringRef name) {
  if (failed(expectFloatElements(op, value, name)))
    return failure();
  return verifySchemeFits(op, scheme, tensorOf(value), name);
}

void QuantizeOp::build(OpBuilder &builder, OperationState &state, Value x,
                       QuantSchemeAttr scheme) {
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<Type> types{
      RankedTensorType::get(xt.getShape(), scheme.getStorageType()),
      RankedTensorType::get(scheme.getScaleShape(xt.getShape()),
                            scheme.getScaleType())};
  if (scheme.hasGlobalScale())
    types.push_back(RankedTensorType::get(
        scheme.getGlobalScaleShape(xt.getShape()), builder.getF32Type()));
  build(builder, state, types, x, scheme);
}

LogicalResult QuantizeOp::verify() {
  if (failed(verifySchemeOperand(*this, getScheme(), getX(), "x")))
    return failure();
  return verifyQuantized(*this, getScheme(), tensorOf(getX()), getValues(),
                         getScales(), getGlobalScale(), "result");
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifySchemeOperand(*this, getScheme(), getResult(), "result")))
    return failure();
  return verifyQuantized(*this, getScheme(), tensorOf(getResult()), getValues(),
                         getScales(), getGlobalScale(), "operand");
}

LogicalResult FakeQuantOp::verify() {
  if (failed(verifySchemeOperand(*this, getScheme(), getX(), "x")))
    return failure();
  return expectSameType(*this, getResult(), "result", getX(), "x");
}

//===----------------------------------------------------------------------===//
// Instrumentation
//===----------------------------------------------------------------------===//

double AttentionFirstTokenShareOp::getScaleValue() {
  return scaleValue(getScaleAttr(), getQ());
}

LogicalResult AttentionFirstTokenShareOp::verify() {
  if (failed(verifyScoreOperands(*this)))
    return failure();
  ArrayRef<int64_t> q = tensorOf(getQ()).getShape();
  if (!tensorOf(getResult()).getElementType().isF32())
    return emitOpError() << "'result' must have element type f32, but has "
                         << tensorOf(getResult()).getElementType();
  return expectShape(*this, getResult(), "result", {q[0], q[1]}, "[B, Hq]");
}

double AttentionFirstTokenOutputShareOp::getScaleValue() {
  return scaleValue(getScaleAttr(), getQ());
}

LogicalResult AttentionFirstTokenOutputShareOp::verify() {
  if (failed(verifyScoreOperands(*this)) ||
      failed(expectRank(*this, getV(), "v", 4, "[B, Hkv, T, Dv]")))
    return failure();
  RankedTensorType qt = tensorOf(getQ()), kt = tensorOf(getK()),
                   vt = tensorOf(getV());
  ArrayRef<int64_t> q = qt.getShape(), k = kt.getShape();
  if (vt.getElementType() != qt.getElementType())
    return emitOpError() << "'v' must have the element type of 'q' ("
                         << qt.getElementType() << "), but has "
                         << vt.getElementType();
  if (failed(expectShape(*this, getV(), "v",
                         {k[0], k[1], k[2], vt.getShape()[3]},
                         "batch, kv heads and length of 'k'")))
    return failure();
  if (!tensorOf(getResult()).getElementType().isF32())
    return emitOpError() << "'result' must have element type f32, but has "
                         << tensorOf(getResult()).getElementType();
  return expectShape(*this, getResult(), "result", {q[0], q[1]}, "[B, Hq]");
}

#define GET_OP_CLASSES
#include "dialect/RescaleOps.cpp.inc"
