//===- RescaleFoldScales.cpp - fold norm scales into linears --------------===//

#include "passes/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEFOLDSCALESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {
struct RescaleFoldScalesPass
    : rescale::impl::RescaleFoldScalesPassBase<RescaleFoldScalesPass> {
  using RescaleFoldScalesPassBase::RescaleFoldScalesPassBase;
  void runOnOperation() override {}
};
} // namespace

void mlir::rescale::populateFoldPreScalePatterns(RewritePatternSet &) {}
void mlir::rescale::populateFoldPostScalePatterns(RewritePatternSet &) {}
