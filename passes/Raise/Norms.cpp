//===- Norms.cpp - raise RMSNorm and PreAffine RMSNorm -------------------===//
//
// The RMSNorm family: x · rsqrt(mean(x²) + ε) · w, and with λ₁ ⊙ x in place
// of x.
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

struct NormMatch {
  Value x, preScale, weight; // weight/preScale null when absent
  double epsilon;
};

} // namespace

/// `1 / sqrt(E)` as a factor: rsqrt(E), 1/sqrt(E), pow(E, -0.5). Returns E.
static Value matchInverseSqrt(const Factor &f) {
  Elementwise e = getElementwise(f.v);
  if (!f.inverse && e.kind == Ew::Rsqrt)
    return e.operands[0];
  if (f.inverse && e.kind == Ew::Sqrt)
    return e.operands[0];
  if (e.kind == Ew::Pow) {
    std::optional<double> p = getSplat(e.operands[1]);
    if (p && ((!f.inverse && *p == -0.5) || (f.inverse && *p == 0.5)))
      return e.operands[0];
  }
  return {};
}

/// The squared element of a mean-square: x·x or pow(x, 2). Returns x.
static Value matchSquare(Value v) {
  Elementwise e = getElementwise(v);
  if (e.kind == Ew::Mul && sameValue(e.operands[0], e.operands[1]))
    return strip(e.operands[0]);
  if (e.kind == Ew::Pow) {
    std::optional<double> p = getSplat(e.operands[1]);
    if (p && *p == 2.0)
      return strip(e.operands[0]);
  }
  return {};
}

/// `mean(x²) + ε` over the last dimension of size d: returns (x, ε).
static std::optional<std::pair<Value, double>>
matchMeanSquarePlusEps(Value v, int64_t d) {
  Elementwise add = getElementwise(v);
  if (add.kind != Ew::Add)
    return std::nullopt; // no ε: not the norm (a near-miss we leave alone)
  for (int i = 0; i < 2; ++i) {
    std::optional<double> eps = getSplat(add.operands[i]);
    if (!eps || !(*eps > 0.0))
      continue;
    SmallVector<Factor> fs;
    double c;
    flattenProduct(add.operands[1 - i], fs, c);
    if (fs.size() != 1 || fs[0].inverse)
      return std::nullopt;
    std::optional<Reduction> red = matchReduction(fs[0].v);
    if (!red || red->kind != ReduceKind::Sum || !red->overLastDim ||
        red->dimSize != d)
      return std::nullopt;
    // The 1/d may also sit inside the reduction: sum(x·x/d).
    if (Value x = matchSquare(red->element))
      return approxEq(c * d, 1.0) ? std::optional(std::make_pair(x, *eps))
                                  : std::nullopt;
    // A product: stop at the first factor so that x = λ₁ ⊙ u stays whole.
    Elementwise e = getElementwise(red->element);
    if (e.kind != Ew::Mul && e.kind != Ew::Div)
      return std::nullopt;
    Value first;
    SmallVector<Factor> es;
    double ce;
    flattenProduct(red->element, es, ce, [&](Value v) {
      if (!first && !matchSquare(v) && !getSplat(v) &&
          getElementwise(v).kind != Ew::Mul &&
          getElementwise(v).kind != Ew::Div)
        first = v;
      return first && sameValue(v, first);
    });
    Value x;
    if (es.size() == 2 && !es[0].inverse && !es[1].inverse &&
        sameValue(es[0].v, es[1].v))
      x = strip(es[0].v);
    else if (es.size() == 1 && !es[0].inverse)
      x = matchSquare(es[0].v);
    if (!x || !approxEq(c * ce * d, 1.0))
      return std::nullopt;
    return std::make_pair(x, *eps);
  }
  return std::nullopt;
}

static std::optional<NormMatch> matchRMSNorm(Value root) {
  auto rt = cast<RankedTensorType>(root.getType());
  if (rt.getRank() < 1)
    return std::nullopt;
  int64_t d = rt.getShape().back();
  SmallVector<Factor> fs;
  double c;
  flattenProduct(root, fs, c);
  Value meanSq;
  for (const Factor &f : fs)
    if (Value e = matchInverseSqrt(f)) {
      if (meanSq)
        return std::nullopt;
      meanSq = e;
    }
  if (!meanSq)
    return std::nullopt;
  auto ms = matchMeanSquarePlusEps(meanSq, d);
  if (!ms)
    return std::nullopt;
  Value xs = ms->first;

  // Re-flatten, keeping the normalized value (x, or λ₁ ⊙ x) whole.
  fs.clear();
  flattenProduct(root, fs, c, [&](Value v) { return sameValue(v, xs); });
  if (!approxEq(c, 1.0))
    return std::nullopt;
  NormMatch m{{}, {}, {}, ms->second};
  bool sawX = false, sawR = false;
  for (const Factor &f : fs) {
    if (!sawR && matchInverseSqrt(f)) {
      sawR = true;
      continue;
    }
    if (f.inverse)
      return std::nullopt;
    if (!sawX && sameValue(f.v, xs)) {
      sawX = true;
      continue;
    }
    if (m.weight)
      return std::nullopt;
    if (!(m.weight = vectorLeaf(f.v, d)))
      return std::nullopt;
  }
  if (!sawX || !sawR)
    return std::nullopt;

  // PreAffine (§3.3): the statistic is taken of u = λ₁ ⊙ x.
  SmallVector<Factor> us;
  flattenProduct(xs, us, c);
  if (us.size() == 2 && approxEq(c, 1.0) && !us[0].inverse && !us[1].inverse) {
    for (int i = 0; i < 2; ++i) {
      Value x = tensorLeaf(us[i].v, rt.getShape());
      Value l = vectorLeaf(us[1 - i].v, d);
      if (x && l && rt.getRank() > 0 &&
          !(rt.getRank() == 1)) { // rank-1 x is indistinguishable from λ
        m.x = x;
        m.preScale = l;
        return m;
      }
    }
  }
  m.x = tensorLeaf(xs, rt.getShape());
  if (!m.x)
    return std::nullopt;
  return m;
}

namespace {

struct RaiseRMSNorm : RewritePattern {
  RaiseRMSNorm(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/2, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType rt = floatTensorResult(op);
    if (!rt || feedsOnlyNarrowingCast(op))
      return failure();
    std::optional<NormMatch> m = matchRMSNorm(op->getResult(0));
    if (!m)
      return rewriter.notifyMatchFailure(op, "not an RMSNorm root");
    // `x·r` is itself a norm without weight: wait for the weight multiply.
    if (op->hasOneUse()) {
      Operation *user = *op->getUsers().begin();
      if (floatTensorResult(user) && matchRMSNorm(user->getResult(0)))
        return rewriter.notifyMatchFailure(op, "the norm continues in a user");
    }
    Location loc = op->getLoc();
    Type et = rt.getElementType();
    int64_t d = rt.getShape().back();
    Value x = castElements(rewriter, loc, m->x, et);
    Value w = m->weight
                  ? asVector(rewriter, loc, m->weight, d)
                  : arith::ConstantOp::create(
                        rewriter, loc,
                        DenseElementsAttr::get(RankedTensorType::get({d}, et),
                                               rewriter.getFloatAttr(et, 1.0)));
    w = paramOf(rewriter, loc, w, et);
    FloatAttr eps = rewriter.getF32FloatAttr(m->epsilon);
    Value y;
    if (m->preScale) {
      Value l =
          paramOf(rewriter, loc, asVector(rewriter, loc, m->preScale, d), et);
      y = PreAffineRMSNormOp::create(rewriter, loc, rt, x, l, w, eps);
    } else {
      y = RMSNormOp::create(rewriter, loc, rt, x, w, eps);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::rescale::populateRaiseNormPatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseRMSNorm>(patterns.getContext());
}
