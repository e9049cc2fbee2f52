//===- AttentionGrad.cpp - gradient rule of rescale.attention -------------===//
//
// The backward of softmax attention with every softmax kind, output gate,
// GQA, causal masks with S != T and an explicit scale, in the form of
// FlashAttention-2's: right after the forward op, `rescale.attention_lse`
// saves the row statistic lse [B,Hq,S] (a forward kernel that writes it
// would replace that op); in the backward, `rescale.attention_grad`
// recomputes the probabilities from q, k and lse, never stored, and returns
// every operand's gradient. The math is written once, in the ops'
// decomposition (conversion/RescaleToLinalg/AttentionGradToLinalg.cpp) and
// their descriptions (dialect/RescaleBackwardOps.td).
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleOps.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

struct AttentionGrad
    : AutodiffOpInterface::ExternalModel<AttentionGrad, AttentionOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<AttentionOp>(raw);
    Location loc = op.getLoc();
    auto qt = cast<RankedTensorType>(op.getQ().getType());
    if (!qt.hasStaticShape() ||
        !cast<RankedTensorType>(op.getK().getType()).hasStaticShape() ||
        !cast<RankedTensorType>(op.getV().getType()).hasStaticShape())
      return op.emitOpError() << "is differentiated on static shapes only";

    // Saved in the forward: the statistic, next to the op it belongs to.
    OpBuilder forward(op->getContext());
    forward.setInsertionPointAfter(op);
    auto lseType =
        RankedTensorType::get(qt.getShape().drop_back(), forward.getF32Type());
    Value lse = AttentionLSEOp::create(
        forward, loc, lseType, op.getQ(), op.getK(), op.getSinks(),
        op.getCausalAttr(), op.getScaleAttr(), op.getSoftmaxAttr());

    SmallVector<Type> types = {op.getQ().getType(), op.getK().getType(),
                               op.getV().getType()};
    for (Value extra : op.getGateAndSinks())
      types.push_back(extra.getType());
    auto grad = AttentionGradOp::create(
        b, loc, types, op.getQ(), op.getK(), op.getV(), lse, resultGrads[0],
        op.getGateAndSinks(), op.getCausalAttr(), op.getScaleAttr(),
        op.getGateKindAttr(), op.getSoftmaxAttr());
    // Operands and results line up: q, k, v, then the gate and the sinks.
    for (auto [i, g] : llvm::enumerate(grad.getResults()))
      if (want[i])
        grads[i] = g;
    return success();
  }
};

} // namespace

void mlir::rescale::autodiff::attachAttentionGradRule(MLIRContext *ctx) {
  AttentionOp::attachInterface<AttentionGrad>(*ctx);
}
