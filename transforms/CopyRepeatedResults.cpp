//===- CopyRepeatedResults.cpp - one value per returned tensor ------------===//
//
// `return %y, %y` makes buffer-results-to-out-params crash (one buffer, two
// out-params); an explicit copy per repeat gives each result its own buffer.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_COPYREPEATEDRESULTS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {

struct CopyRepeatedResultsPass
    : mlir::rescale::impl::CopyRepeatedResultsBase<CopyRepeatedResultsPass> {
  void runOnOperation() override {
    // Every return of the function (a multi-block body may have several).
    getOperation().walk([&](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || seen.insert(value).second)
          continue;
        // With `copy`, the sizes come from the copied tensor (none passed).
        Value copy = bufferization::AllocTensorOp::create(
            b, ret.getLoc(), type, /*dynamicSizes=*/ValueRange(), value);
        operand.set(copy);
        ++numCopies;
      }
    });
  }
};

} // namespace
