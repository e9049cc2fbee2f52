//===- GatedDeltaRuleGrad.cpp - gradient rule of rescale.gated_delta_rule -===//
//
// The backward of the gated delta rule is one fused op,
// rescale.gated_delta_rule_grad, which recomputes the per-chunk states from
// the forward's operands (nothing is saved in the forward but those): the
// rule only emits it. The math is in the op's description
// (dialect/RescaleLinearAttentionOps.td) and its chunked decomposition
// (conversion/RescaleToLinalg/GatedDeltaRuleToLinalg.cpp).
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleOps.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

struct GatedDeltaRuleGrad
    : AutodiffOpInterface::ExternalModel<GatedDeltaRuleGrad, GatedDeltaRuleOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<GatedDeltaRuleOp>(raw);
    for (Value operand : op->getOperands())
      if (!cast<RankedTensorType>(operand.getType()).hasStaticShape())
        return op.emitOpError() << "is differentiated on static shapes only";
    SmallVector<Type> types = llvm::to_vector(op->getOperandTypes());
    auto grad = GatedDeltaRuleGradOp::create(b, op.getLoc(), types, op.getQ(),
                                             op.getK(), op.getV(), op.getG(),
                                             op.getBeta(), resultGrads[0]);
    // Operands and results line up: q, k, v, g, beta.
    for (auto [i, g] : llvm::enumerate(grad.getResults()))
      if (want[i])
        grads[i] = g;
    return success();
  }
};

} // namespace

void mlir::rescale::autodiff::attachGatedDeltaRuleGradRule(MLIRContext *ctx) {
  GatedDeltaRuleOp::attachInterface<GatedDeltaRuleGrad>(*ctx);
}
