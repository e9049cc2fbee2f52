//===- Linears.cpp - raise linears ---------------------------------------===//
//
// x·Wᵀ (+ b) with a weight operand, and a bias added after a linear.
// Part of --rescale-raise (passes/RescaleRaise.cpp); how matching works is
// described there.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Matchers.h"
#include "passes/Raise/Common.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::match;
using namespace mlir::rescale::raise;

namespace {

struct LinearMatch {
  Value x;
  Value weight; ///< [N, K], or [K, N] when `transposed`
  bool transposed = false;
  Value bias; ///< [N] or null
};

} // namespace

static std::optional<LinearMatch> matchLinear(Value root) {
  std::optional<Matmul> mm = matchMatmul(root);
  // The root must be the matmul's value itself, not a reshaped view of it.
  if (!mm || !mm->lhsCanonical || !mm->outCanonical || !isWeightLike(mm->rhs) ||
      cast<ShapedType>(mm->init.getType()).getShape() !=
          cast<ShapedType>(root.getType()).getShape())
    return std::nullopt;
  auto lt = cast<RankedTensorType>(mm->lhs.getType());
  auto ot = cast<RankedTensorType>(mm->init.getType());
  int64_t K = lt.getShape().back(), N = ot.getShape().back();
  LinearMatch m;
  // torch-mlir's addmm starts the accumulator at the broadcast bias.
  if (std::optional<double> z = getSplat(mm->init); !z || *z != 0.0) {
    m.bias = vectorLeaf(mm->init, N);
    if (!m.bias || !isWeightLike(m.bias))
      return std::nullopt;
  }
  Value w = strip(mm->rhs);
  if (!mm->rhsTransposed) {
    if (Value t = matchTransposeLastTwo(w))
      w = strip(t);
    else
      m.transposed = true;
  }
  auto wt = dyn_cast<RankedTensorType>(w.getType());
  int64_t rows = m.transposed ? K : N, cols = m.transposed ? N : K;
  if (!wt || !wt.hasStaticShape() || wt.getRank() < 2 ||
      wt.getNumElements() != rows * cols || wt.getShape().back() != cols ||
      wt.getDimSize(wt.getRank() - 2) != rows)
    return std::nullopt;
  m.weight = w;
  m.x = tensorLeaf(mm->lhs, lt.getShape());
  if (!m.x)
    return std::nullopt;
  return m;
}

namespace {

struct RaiseLinear : RewritePattern {
  RaiseLinear(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType rt = floatTensorResult(op);
    if (!rt || feedsOnlyNarrowingCast(op))
      return failure();
    std::optional<LinearMatch> m = matchLinear(op->getResult(0));
    if (!m)
      return rewriter.notifyMatchFailure(op, "not a matmul against a weight");
    Location loc = op->getLoc();
    Type et = rt.getElementType();
    Value x = castElements(rewriter, loc, m->x, et);
    Value w = asMatrix(rewriter, loc, m->weight);
    if (m->transposed)
      w = transpose2D(rewriter, loc, w);
    w = paramOf(rewriter, loc, w, et);
    Value bias;
    if (m->bias)
      bias =
          paramOf(rewriter, loc,
                  asVector(rewriter, loc, m->bias, rt.getShape().back()), et);
    rewriter.replaceOpWithNewOp<LinearOp>(op, rt, x, w, bias);
    return success();
  }
};

/// `linear(x, W) + b` -> `linear(x, W, b)` for a weight vector b.
struct AbsorbLinearBias : RewritePattern {
  AbsorbLinearBias(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType rt = floatTensorResult(op);
    if (!rt)
      return failure();
    Elementwise add = getElementwise(op->getResult(0));
    if (add.kind != Ew::Add)
      return failure();
    int64_t N = rt.getShape().back();
    for (int i = 0; i < 2; ++i) {
      auto lin = strip(add.operands[i]).getDefiningOp<LinearOp>();
      Value b = vectorLeaf(add.operands[1 - i], N);
      if (!lin || lin.getBias() || !lin->hasOneUse() || !b ||
          !isWeightLike(b) || lin.getType().getShape() != rt.getShape())
        continue;
      Location loc = op->getLoc();
      Type et = rt.getElementType();
      Value bias = paramOf(rewriter, loc, asVector(rewriter, loc, b, N),
                           lin.getType().getElementType());
      Value y = LinearOp::create(rewriter, loc, lin.getType(), lin.getX(),
                                 lin.getWeight(), bias);
      rewriter.replaceOp(op, castElements(rewriter, loc, y, et));
      return success();
    }
    return failure();
  }
};

} // namespace

void mlir::rescale::populateRaiseLinearPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseLinear, AbsorbLinearBias>(patterns.getContext());
}
