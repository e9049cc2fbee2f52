//===- RescaleFuseGatedNorm.cpp - fuse GatedNorm's self-gate, residual adds
//===//
//
// GatedNorm (arXiv 2601.22966 §3.4): out = act(swish(y·Wdᵀ)·Wuᵀ) ⊙ y with
// y = rms_norm(x, w). The gate is computed from y itself; that is what makes
// it a *self*-gate, so a gate that reads any other value is left alone.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Matchers.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEFUSEGATEDNORMPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::match;

namespace {

struct GateMatch {
  RMSNormOp norm;
  LinearOp down, up;
  GateActivation activation;
};

} // namespace

/// `act(z)` as the factors of a product besides the normalized row: σ(z)
/// flattens to 1/(1 + e^-z), tanh(z) stays one factor, silu(z) = z·σ(z) is
/// two, and the identity gate (the ablation without an activation) is z
/// itself, the up-projection.
static std::optional<std::pair<Value, GateActivation>>
matchGateActivation(ArrayRef<Factor> fs) {
  if (fs.size() == 2) {
    if (Value z = matchSwishFactors(fs))
      return std::make_pair(strip(z), GateActivation::silu);
    return std::nullopt;
  }
  if (fs.size() != 1)
    return std::nullopt;
  const Factor &f = fs.front();
  if (f.inverse) {
    if (Value z = matchLogisticDenominator(f.v))
      return std::make_pair(z, GateActivation::sigmoid);
    return std::nullopt;
  }
  Elementwise e = getElementwise(f.v);
  if (e.kind == Ew::Tanh)
    return std::make_pair(strip(e.operands[0]), GateActivation::tanh);
  if (strip(f.v).getDefiningOp<LinearOp>())
    return std::make_pair(strip(f.v), GateActivation::identity);
  return std::nullopt;
}

static std::optional<GateMatch> matchSelfGate(Value root) {
  SmallVector<Factor> fs;
  double c;
  flattenProduct(root, fs, c);
  if (fs.size() < 2 || fs.size() > 3 || c != 1.0)
    return std::nullopt;
  for (size_t i = 0; i < fs.size(); ++i) {
    auto norm = fs[i].inverse ? nullptr : fs[i].v.getDefiningOp<RMSNormOp>();
    if (!norm)
      continue;
    SmallVector<Factor> gate(fs.begin(), fs.end());
    gate.erase(gate.begin() + i);
    auto act = matchGateActivation(gate);
    if (!act)
      return std::nullopt;
    auto up = strip(act->first).getDefiningOp<LinearOp>();
    if (!up || up.getBias())
      return std::nullopt;
    Value h = matchSwish(up.getX());
    auto down = h ? strip(h).getDefiningOp<LinearOp>() : nullptr;
    if (!down || down.getBias())
      return std::nullopt;
    // The self-gate reads the norm's own output.
    if (strip(down.getX()) != norm.getResult())
      return std::nullopt;
    return GateMatch{norm, down, up, act->second};
  }
  return std::nullopt;
}

namespace {

/// `rms_norm` followed by its explicit low-rank self-gate -> `gated_norm`.
struct FuseSelfGate : RewritePattern {
  FuseSelfGate(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || isa<RescaleDialect>(op->getDialect()))
      return failure();
    std::optional<GateMatch> m = matchSelfGate(op->getResult(0));
    if (!m)
      return rewriter.notifyMatchFailure(op, "not a GatedNorm self-gate");
    RankedTensorType yt = m->norm.getType();
    if (op->getResult(0).getType() != yt)
      return rewriter.notifyMatchFailure(op, "gate output changes the type");
    auto wdt = m->down.getWeight().getType();
    auto wut = m->up.getWeight().getType();
    int64_t d = yt.getShape().back(), r = wdt.getDimSize(0);
    // Wd: [r, d]; Wu: [d, r] (elementwise gate) or [1, r] (tensorwise).
    // r = 0 is no gate at all (the verifier rejects such a gated_norm).
    if (r == 0 || wdt.getDimSize(1) != d || wut.getDimSize(1) != r ||
        (wut.getDimSize(0) != d && wut.getDimSize(0) != 1))
      return rewriter.notifyMatchFailure(op,
                                         "gate weights have the wrong shape");
    Location loc = op->getLoc();
    Value wDown = transpose2D(rewriter, loc, m->down.getWeight());
    Value wUp = transpose2D(rewriter, loc, m->up.getWeight());
    rewriter.replaceOpWithNewOp<GatedNormOp>(
        op, yt, m->norm.getX(), m->norm.getWeight(), wDown, wUp,
        m->norm.getEpsilonAttr(),
        GateActivationAttr::get(op->getContext(), m->activation));
    return success();
  }
};

/// `s = x + residual; rms_norm(s)` -> `add_rms_norm(x, residual)` returning
/// the sum (the continuing residual stream) and the norm.
struct FuseResidualAddIntoNorm : OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    Value s = norm.getX();
    Operation *def = s.getDefiningOp();
    if (!def || def->getNumResults() != 1)
      return failure();
    Elementwise add = getElementwise(s);
    if (add.kind != Ew::Add)
      return rewriter.notifyMatchFailure(norm, "input is not an add");
    auto st = cast<RankedTensorType>(s.getType());
    Value a = tensorLeaf(add.operands[0], st.getShape());
    Value b = tensorLeaf(add.operands[1], st.getShape());
    if (!a || !b || a.getType() != st || b.getType() != st)
      return rewriter.notifyMatchFailure(norm, "add operands are not x-shaped");
    // The fused op takes the add's place; its weight must already exist there.
    Value w = norm.getWeight();
    if (Operation *wd = w.getDefiningOp())
      if (wd->getBlock() != def->getBlock() || !wd->isBeforeInBlock(def))
        return rewriter.notifyMatchFailure(norm,
                                           "weight defined after the add");
    rewriter.setInsertionPointAfter(def);
    auto fused =
        AddRMSNormOp::create(rewriter, norm.getLoc(), TypeRange{st, st}, a, b,
                             w, norm.getEpsilonAttr());
    rewriter.replaceOp(norm, fused.getResult());
    rewriter.replaceAllUsesWith(s, fused.getSum());
    return success();
  }
};

struct RescaleFuseGatedNormPass
    : rescale::impl::RescaleFuseGatedNormPassBase<RescaleFuseGatedNormPass> {
  using RescaleFuseGatedNormPassBase::RescaleFuseGatedNormPassBase;

  void runOnOperation() override {
    auto count = [&](auto pred) {
      int64_t n = 0;
      getOperation()->walk([&](Operation *op) { n += pred(op); });
      return n;
    };
    auto isGated = [](Operation *op) { return isa<GatedNormOp>(op); };
    auto isAddNorm = [](Operation *op) { return isa<AddRMSNormOp>(op); };
    int64_t g0 = count(isGated), a0 = count(isAddNorm);
    // Self-gates first: a residual fusion would turn the rms_norm they read
    // into an add_rms_norm.
    {
      RewritePatternSet p(&getContext());
      populateFuseGatedNormPatterns(p);
      (void)applyPatternsGreedily(getOperation(), std::move(p));
    }
    if (fuseResidual) {
      RewritePatternSet p(&getContext());
      populateFuseAddRMSNormPatterns(p);
      (void)applyPatternsGreedily(getOperation(), std::move(p));
    }
    numGatedNorms += count(isGated) - g0;
    numAddNorms += count(isAddNorm) - a0;
  }
};

} // namespace

void mlir::rescale::populateFuseGatedNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseSelfGate>(patterns.getContext());
}

void mlir::rescale::populateFuseAddRMSNormPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseResidualAddIntoNorm>(patterns.getContext());
}
