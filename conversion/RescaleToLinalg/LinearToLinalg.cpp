//===- LinearToLinalg.cpp - reference decomposition of rescale.linear -----===//
//
// y = x · weightᵀ + bias with weight in the PyTorch [N, K] layout. x may have
// any rank >= 1: the contraction iterates over [leading..., N, K] and reads
// x[leading..., k] and weight[n, k] through indexing maps, so no reshape is
// needed. Products accumulate in f32; the bias is added in f32 and only the
// final sum is rounded to the result element type.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

namespace {

struct LinearToLinalg : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    unsigned rank = resultType.getRank();
    int64_t n = cast<RankedTensorType>(op.getWeight().getType()).getDimSize(0);

    // acc[i,n] = Σ_k x[i,k] · weight[n,k]   (f32)
    Value acc = buildRowTimesMatrix(rewriter, loc, op.getX(), op.getWeight(), n,
                                    /*transposed=*/true);
    Value bias = op.getBias();
    if (!bias && acc.getType() == resultType) {
      rewriter.replaceOp(op, acc);
      return success();
    }

    // y[i,n] = acc[i,n] (+ bias[n]), rounded once to the element type.
    SmallVector<Value> inputs = {acc};
    SmallVector<AffineMap> maps = {identityMap(ctx, rank)};
    if (bias) {
      inputs.push_back(bias);
      maps.push_back(lastDimMap(ctx, rank));
    }
    Value y = buildElementwise(
        rewriter, loc, resultType, inputs, maps,
        [](OpBuilder &b, Location l, ValueRange a) {
          if (a.size() == 1)
            return a[0];
          return arith::AddFOp::create(b, l, a[0], a[1]).getResult();
        });
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::rescale::populateLinearToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearToLinalg>(patterns.getContext());
}
