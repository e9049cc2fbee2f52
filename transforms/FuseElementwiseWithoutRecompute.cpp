//===- FuseElementwiseWithoutRecompute.cpp - fusion that keeps work fixed -===//
//
// Upstream's elementwise fusion patterns with a cost rule: a producer is
// fused only into a consumer that reads each of its elements once (a
// permutation indexing map), so fusion never multiplies the producer's work.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_FUSEELEMENTWISEWITHOUTRECOMPUTE
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {

struct FuseElementwiseWithoutRecomputePass
    : mlir::rescale::impl::FuseElementwiseWithoutRecomputeBase<
          FuseElementwiseWithoutRecomputePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    // The patterns may ask several times about one pair; count each refused
    // operand once.
    llvm::DenseSet<OpOperand *> refused;
    linalg::ControlFusionFn control = [&](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (!consumer)
        return true; // a reshape folded into its producer: no payload copied
      if (consumer.getMatchingIndexingMap(fused).isPermutation())
        return true;
      if (refused.insert(fused).second)
        ++numRefused;
      return false;
    };
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
