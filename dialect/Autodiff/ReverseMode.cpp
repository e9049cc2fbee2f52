//===- ReverseMode.cpp - reverse accumulation over straight-line ops ------===//
//
// The whole of the reverse-mode driver: varied-ness forward, then each active
// op's rule backward, summing adjoints of values used several times. The
// rules themselves live with the ops (AutodiffOpInterface).
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Operation.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

#include "dialect/Autodiff/AutodiffInterface.cpp.inc"

void ReverseMode::addAdjoint(Value v, Value grad) {
  if (!grad)
    return;
  Value &slot = adjoints[v];
  if (!slot) {
    slot = grad;
    return;
  }
  Value sum = arith::AddFOp::create(builder, v.getLoc(), slot, grad);
  adjoints[v] = sum;
}

LogicalResult ReverseMode::run(ArrayRef<Operation *> ops) {
  // Forward: an op whose operand is varied has varied results.
  for (Operation *op : ops)
    if (llvm::any_of(op->getOperands(), [&](Value v) { return isVaried(v); }))
      for (Value r : op->getResults())
        markVaried(r);
  // Backward: the active ops, last first.
  for (Operation *op : llvm::reverse(ops)) {
    bool varies =
        llvm::any_of(op->getResults(), [&](Value r) { return isVaried(r); });
    bool reaches =
        llvm::any_of(op->getResults(), [&](Value r) { return getAdjoint(r); });
    if (!varies || !reaches)
      continue;
    if (failed(differentiate(op)))
      return failure();
  }
  return success();
}

LogicalResult ReverseMode::differentiate(Operation *op) {
  auto rule = dyn_cast<AutodiffOpInterface>(op);
  if (!rule)
    return op->emitError() << "no gradient rule for '" << op->getName()
                           << "': --rescale-autodiff cannot differentiate "
                              "through it (docs/autodiff.md says how to add "
                              "one)";
  Location loc = op->getLoc();
  SmallVector<Value> resultGrads;
  for (Value r : op->getResults()) {
    Value g = getAdjoint(r);
    if (!g && isFloatLike(r.getType()))
      g = zerosLike(builder, loc, r.getType());
    resultGrads.push_back(g); // null for a non-float result (an i1 mask)
  }
  SmallVector<bool> wantGrads;
  for (Value v : op->getOperands())
    wantGrads.push_back(isVaried(v) && isFloatLike(v.getType()));
  SmallVector<Value> operandGrads(op->getNumOperands(), Value());
  if (failed(rule.buildAdjoint(builder, resultGrads, wantGrads, operandGrads)))
    return failure();
  if (operandGrads.size() != op->getNumOperands())
    return op->emitError() << "the gradient rule of '" << op->getName()
                           << "' returned " << operandGrads.size()
                           << " operand gradients for " << op->getNumOperands()
                           << " operands";
  for (auto [i, operand, grad] :
       llvm::enumerate(op->getOperands(), operandGrads)) {
    if (!grad || !wantGrads[i])
      continue;
    if (grad.getType() != operand.getType())
      return op->emitError() << "the gradient rule of '" << op->getName()
                             << "' built " << grad.getType() << " for operand #"
                             << i << " of type " << operand.getType();
    addAdjoint(operand, grad);
  }
  return success();
}
