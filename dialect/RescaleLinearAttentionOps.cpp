//===- RescaleLinearAttentionOps.cpp - verifiers of the gated delta rule --===//
//
// gated_delta_rule and gated_delta_rule_grad
// (dialect/RescaleLinearAttentionOps.td). As in RescaleOps.cpp, each message
// names the operand and says what was expected against what was found.
//
//===----------------------------------------------------------------------===//

#include "dialect/RescaleOps.h"
#include "dialect/VerifierHelpers.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::verifier;

/// The operand checks both ops share: q, k [B, T, Hk, dk] of one type,
/// v [B, T, Hv, dv] of that type, Hv a multiple of Hk, g and beta
/// [B, T, Hv] of that type or f32.
static LogicalResult verifyGatedDeltaRuleOperands(Operation *op, Value q,
                                                  Value k, Value v, Value g,
                                                  Value beta) {
  if (failed(expectFloatElements(op, q, "q")) ||
      failed(expectFloatElements(op, k, "k")) ||
      failed(expectFloatElements(op, v, "v")) ||
      failed(expectFloatElements(op, g, "g")) ||
      failed(expectFloatElements(op, beta, "beta")) ||
      failed(expectRank(op, q, "q", 4, "[B, T, Hk, dk]")) ||
      failed(expectRank(op, v, "v", 4, "[B, T, Hv, dv]")))
    return failure();
  ArrayRef<int64_t> qs = tensorOf(q).getShape();
  ArrayRef<int64_t> vs = tensorOf(v).getShape();
  if (failed(expectShape(op, k, "k", qs, "[B, T, Hk, dk] like 'q'")) ||
      failed(expectShape(op, v, "v", {qs[0], qs[1], vs[2], vs[3]},
                         "[B, T, Hv, dv] with B and T of 'q'")) ||
      failed(expectShape(op, g, "g", {qs[0], qs[1], vs[2]},
                         "[B, T, Hv], one log decay per value head")) ||
      failed(expectShape(op, beta, "beta", {qs[0], qs[1], vs[2]},
                         "[B, T, Hv], one write strength per value head")))
    return failure();
  if (failed(expectElementTypeLike(op, k, "k", q, "q")) ||
      failed(expectElementTypeLike(op, v, "v", q, "q")))
    return failure();
  Type et = tensorOf(q).getElementType();
  for (auto [value, name] : {std::pair{g, "g"}, std::pair{beta, "beta"}}) {
    Type vt = tensorOf(value).getElementType();
    if (vt != et && !vt.isF32())
      return op->emitOpError() << "'" << name << "' must have element type "
                               << et << " (like 'q') or f32, but has " << vt;
  }
  int64_t Hk = qs[2], Hv = vs[2];
  if (!ShapedType::isDynamic(Hk) && !ShapedType::isDynamic(Hv)) {
    if (Hk == 0 ? Hv != 0 : Hv % Hk != 0)
      return op->emitOpError()
             << "the value heads (Hv = " << Hv
             << ") must be a multiple of the key heads (Hk = " << Hk
             << "): each key head serves Hv / Hk consecutive value heads";
  }
  return success();
}

LogicalResult GatedDeltaRuleOp::verify() {
  if (failed(verifyGatedDeltaRuleOperands(*this, getQ(), getK(), getV(), getG(),
                                          getBeta())))
    return failure();
  RankedTensorType vt = tensorOf(getV()), rt = tensorOf(getResult());
  if (rt.getElementType() != vt.getElementType())
    return emitOpError() << "the result must have element type "
                         << vt.getElementType() << " like 'v', but has "
                         << rt.getElementType();
  return expectShape(*this, getResult(), "result", vt.getShape(),
                     "[B, T, Hv, dv] like 'v'");
}

LogicalResult GatedDeltaRuleGradOp::verify() {
  if (failed(verifyGatedDeltaRuleOperands(*this, getQ(), getK(), getV(), getG(),
                                          getBeta())))
    return failure();
  RankedTensorType vt = tensorOf(getV());
  if (failed(expectShape(*this, getDout(), "dout", vt.getShape(),
                         "[B, T, Hv, dv], the forward's result")))
    return failure();
  if (failed(expectElementTypeLike(*this, getDout(), "dout", getV(), "v")))
    return failure();
  // Each gradient has its operand's type.
  std::pair<Value, StringRef> operands[] = {{getQ(), "q"},
                                            {getK(), "k"},
                                            {getV(), "v"},
                                            {getG(), "g"},
                                            {getBeta(), "beta"}};
  return expectGradientTypes(*this, getResults(), operands);
}
