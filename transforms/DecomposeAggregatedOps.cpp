//===- DecomposeAggregatedOps.cpp - linalg.softmax into linalg ------------===//
//
// linalg.softmax has no loop lowering; its own decomposition (max, exp of the
// difference, sum, division) is plain linalg that both pipelines lower.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_DECOMPOSEAGGREGATEDOPS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {

struct DecomposeAggregatedOpsPass
    : mlir::rescale::impl::DecomposeAggregatedOpsBase<
          DecomposeAggregatedOpsPass> {
  void runOnOperation() override {
    SmallVector<linalg::AggregatedOpInterface> aggregated;
    getOperation().walk(
        [&](linalg::AggregatedOpInterface op) { aggregated.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::AggregatedOpInterface op : aggregated) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> results = op.decomposeOperation(rewriter);
      if (failed(results)) {
        op->emitError("cannot decompose '") << op->getName() << "' into linalg";
        return signalPassFailure();
      }
      rewriter.replaceOp(op, *results);
      ++numDecomposed;
    }
  }
};

} // namespace
