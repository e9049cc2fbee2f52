//===- ConvertRescaleToLinalg.cpp - the reference decomposition -----------===//
//
// --convert-rescale-to-linalg gathers the per-family patterns
// (ToLinalg/*ToLinalg.cpp) and applies them as a partial conversion in which
// the whole rescale dialect is illegal. Before converting, it checks every
// rescale op and reports, on the op, what the decomposition cannot take
// (dynamic shapes, ops without a pattern), so that users get a reason rather
// than the conversion driver's bare "failed to legalize operation".
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALETOLINALG
#include "conversion/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

void mlir::rescale::populateRescaleToLinalgPatterns(
    RewritePatternSet &patterns) {
  populateNormsToLinalgPatterns(patterns);
  populateNormsGradToLinalgPatterns(patterns);
  populateAttentionGradToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateGatedDeltaRuleToLinalgPatterns(patterns);
  populateLinearToLinalgPatterns(patterns);
  populateQuantToLinalgPatterns(patterns);
  populateTrainingToLinalgPatterns(patterns);
}

/// Reports, on the op, every rescale op the decomposition cannot take, so that
/// users see why instead of only "failed to legalize": a dynamic shape, or an
/// op with no pattern in `patterns`. Returns failure if there was any.
static LogicalResult
checkDecomposable(Operation *root, const FrozenRewritePatternSet &patterns) {
  const auto &byOp = patterns.getOpSpecificNativePatterns();
  bool ok = true;
  root->walk([&](Operation *op) {
    if (!isa_and_nonnull<RescaleDialect>(op->getDialect()))
      return;
    std::string what;
    if (!tolinalg::hasStaticShapes(op, &what)) {
      op->emitError() << "cannot decompose '" << op->getName()
                      << "' into linalg: the reference decomposition needs "
                         "static shapes, but "
                      << what << " is dynamic";
      ok = false;
      return;
    }
    if (!byOp.count(op->getName())) {
      op->emitError() << "cannot decompose '" << op->getName()
                      << "' into linalg: no reference decomposition is "
                         "registered for it";
      ok = false;
    }
  });
  return success(ok);
}

namespace {

struct ConvertRescaleToLinalgPass
    : mlir::rescale::impl::ConvertRescaleToLinalgBase<
          ConvertRescaleToLinalgPass> {
  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet set(ctx);
    populateRescaleToLinalgPatterns(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    if (failed(checkDecomposable(getOperation(), patterns)))
      return signalPassFailure();
    ConversionTarget target(getContext());
    target.addIllegalDialect<RescaleDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target, patterns)))
      signalPassFailure();
  }

  FrozenRewritePatternSet patterns;
};
} // namespace
