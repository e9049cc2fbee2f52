//===- ConvertRescaleToLinalg.cpp - the reference decomposition -----------===//

#include "lowering/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALETOLINALG
#include "lowering/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

void mlir::rescale::populateRescaleToLinalgPatterns(
    RewritePatternSet &patterns) {
  populateNormsToLinalgPatterns(patterns);
  populateAttentionToLinalgPatterns(patterns);
  populateLinearToLinalgPatterns(patterns);
  populateQuantToLinalgPatterns(patterns);
}

namespace {
struct ConvertRescaleToLinalgPass
    : mlir::rescale::impl::ConvertRescaleToLinalgBase<
          ConvertRescaleToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<RescaleDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateRescaleToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
