//===- TrainingGrad.cpp - gradient rules of the training ops --------------===//
//
// embedding, cross_entropy and rope (dialect/RescaleTrainingOps.td). The
// first two have backward ops of their own (embedding_grad: a scatter-add;
// cross_entropy_grad: softmax minus one-hot, recomputing the row
// log-sum-exp), as FlashAttention and llm.c keep a fused backward beside
// the forward; rope's backward is rope itself, with the angle negated.
//
// adamw has no rule on purpose: an optimizer step is not differentiated, so
// --rescale-autodiff reports "no gradient rule for 'rescale.adamw'" if one
// is ever on the path to a loss. The backward ops have no rule either
// (no second derivatives).
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleOps.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

/// y[n, :] = table[ids[n], :]  ⇒  dtable[v, :] = Σ_{n : ids[n] = v} dy[n, :]
/// (rescale.embedding_grad, in the table's type: dy has it). The ids are
/// integers and get no gradient.
struct EmbeddingGrad
    : AutodiffOpInterface::ExternalModel<EmbeddingGrad, EmbeddingOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<EmbeddingOp>(raw);
    if (!want[1])
      return success();
    auto table = cast<RankedTensorType>(op.getTable().getType());
    grads[1] = EmbeddingGradOp::create(
        b, op.getLoc(), table, op.getIds(), resultGrads[0],
        b.getI64IntegerAttr(table.getDimSize(0)));
    return success();
  }
};

/// loss = mean over counted rows of lse − logits[t] + z·lse²
///   ⇒ dlogits = dloss/N · (softmax − onehot(t) + 2·z·lse·softmax) on counted
///     rows, 0 elsewhere (rescale.cross_entropy_grad, same attributes).
struct CrossEntropyGrad
    : AutodiffOpInterface::ExternalModel<CrossEntropyGrad, CrossEntropyOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<CrossEntropyOp>(raw);
    if (!want[0])
      return success();
    grads[0] = CrossEntropyGradOp::create(
        b, op.getLoc(), op.getLogits().getType(), op.getLogits(),
        op.getTargets(), resultGrads[0], op.getIgnoreIndexAttr(),
        op.getZLossAttr());
    return success();
  }
};

/// y = R(θ)·x per (position, frequency) pair, an orthogonal rotation, so
/// dx = R(θ)ᵀ·dy = R(−θ)·dy: the same rope with `inverse` flipped.
struct RoPEGrad : AutodiffOpInterface::ExternalModel<RoPEGrad, RoPEOp> {
  LogicalResult buildAdjoint(Operation *raw, OpBuilder &b,
                             ArrayRef<Value> resultGrads, ArrayRef<bool> want,
                             SmallVectorImpl<Value> &grads) const {
    auto op = cast<RoPEOp>(raw);
    if (!want[0])
      return success();
    UnitAttr inverse = op.getInverse() ? UnitAttr() : b.getUnitAttr();
    grads[0] = RoPEOp::create(b, op.getLoc(), op.getX().getType(),
                              resultGrads[0], op.getPositions(),
                              op.getThetaAttr(), op.getOffsetAttr(), inverse);
    return success();
  }
};

} // namespace

void mlir::rescale::autodiff::attachTrainingGradRules(MLIRContext *ctx) {
  EmbeddingOp::attachInterface<EmbeddingGrad>(*ctx);
  CrossEntropyOp::attachInterface<CrossEntropyGrad>(*ctx);
  RoPEOp::attachInterface<RoPEGrad>(*ctx);
}
