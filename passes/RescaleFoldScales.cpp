//===- RescaleFoldScales.cpp - fold norm scales into linears --------------===//
//
// For inference the paper's rescaling vectors need not be applied at run
// time: they commute with the linears next to them.
//
//  (a) PreAffine RMSNorm (§3.3) scales before the statistic; when its input
//      is a linear, λ₁ ⊙ (x·Wᵀ + b) = x·(diag(λ₁)·W)ᵀ + λ₁ ⊙ b, so λ₁ moves
//      into W's rows and the op becomes a plain rms_norm.
//  (b) A norm's post weight λ feeding only linears: (λ ⊙ y)·Wᵀ =
//      y·(W·diag(λ))ᵀ, so λ moves into W's columns (and into w_down's rows
//      for gated_norm, whose gate reads the weighted output), and λ = 1.
//
// Constant weights (arith.constant, ml_program.global_load_const of an
// immutable global) are folded at compile time; any other weight gets an
// explicit scaling linalg.generic on its path.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleDialect.h"
#include "dialect/RescaleOps.h"
#include "passes/Matchers.h"
#include "passes/WeightUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEFOLDSCALESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

/// A constant holding `attr`, as an arith.constant, or as a new private
/// immutable global when `like` came from a global and `newGlobals` (keeping
/// weights in ml_program the way the model stored them).
static Value materialize(OpBuilder &b, Location loc, DenseElementsAttr attr,
                         Value like, bool newGlobals) {
  auto load = like.getDefiningOp<ml_program::GlobalLoadConstOp>();
  if (!load || !newGlobals)
    return arith::ConstantOp::create(b, loc, attr);
  auto module = load->getParentOfType<ModuleOp>();
  auto old = SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(
      load, load.getGlobalAttr());
  SymbolTable table(module);
  OpBuilder detached(b.getContext());
  auto global = ml_program::GlobalOp::create(
      detached, loc, (old.getSymName() + "_folded").str(), attr.getType(),
      /*is_mutable=*/false, attr, b.getStringAttr("private"));
  table.insert(global, Block::iterator(old)); // renames on a clash
  return ml_program::GlobalLoadConstOp::create(
      b, loc, attr.getType(), FlatSymbolRefAttr::get(global.getSymNameAttr()));
}

/// `w ⊙ s` along `axis` of the 2-d `w` (axis 0 scales rows, axis 1
/// columns); a folded constant stays in ml_program when `w` came from there.
static Value scaleWeightAlong(OpBuilder &b, Location loc, Value w, Value s,
                              unsigned axis, bool newGlobals) {
  assert(cast<RankedTensorType>(w.getType()).hasStaticShape() &&
         "callers check static weights");
  return scaleAlong(b, loc, w, s, axis, [&](DenseElementsAttr folded) {
    return materialize(b, loc, folded, w, newGlobals);
  });
}

/// A vector of ones with the type of `like`.
static Value onesLike(OpBuilder &b, Location loc, Value like) {
  auto t = cast<RankedTensorType>(like.getType());
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), 1.0)));
}

static bool isOnes(Value v) {
  DenseElementsAttr d = constantValue(v);
  return d && d.isSplat() &&
         d.getSplatValue<APFloat>().convertToDouble() == 1.0;
}

namespace {

/// (a) preaffine_rms_norm(linear(x, W, b), λ₁, w)
///       -> rms_norm(linear(x, diag(λ₁)·W, λ₁ ⊙ b), w)
struct FoldPreScaleIntoProducer : OpRewritePattern<PreAffineRMSNormOp> {
  FoldPreScaleIntoProducer(MLIRContext *ctx, bool newGlobals)
      : OpRewritePattern(ctx), newGlobals(newGlobals) {}
  bool newGlobals;

  LogicalResult matchAndRewrite(PreAffineRMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    // Precision casts between the linear and the norm commute with λ₁ too.
    Value v = norm.getX();
    while (isa_and_nonnull<arith::ExtFOp, arith::TruncFOp>(v.getDefiningOp()) &&
           v.hasOneUse())
      v = v.getDefiningOp()->getOperand(0);
    auto lin = v.getDefiningOp<LinearOp>();
    if (!lin || !lin->hasOneUse())
      return rewriter.notifyMatchFailure(norm,
                                         "input is not a single-use linear");
    if (!lin.getWeight().getType().hasStaticShape())
      return rewriter.notifyMatchFailure(norm, "dynamic weight shape");
    Location loc = norm.getLoc();
    rewriter.setInsertionPoint(lin);
    Value w = scaleWeightAlong(rewriter, loc, lin.getWeight(),
                               norm.getPreScale(), 0, newGlobals);
    Value bias = lin.getBias();
    if (bias) {
      // The bias is a [N] vector: scale it as a [1, N] matrix's columns.
      auto bt = cast<RankedTensorType>(bias.getType());
      Value b2 = match::reshapeTo(rewriter, loc, bias, {1, bt.getDimSize(0)});
      bias =
          match::reshapeTo(rewriter, loc,
                           scaleWeightAlong(rewriter, loc, b2,
                                            norm.getPreScale(), 1, newGlobals),
                           bt.getShape());
    }
    auto folded = LinearOp::create(rewriter, lin.getLoc(), lin.getType(),
                                   lin.getX(), w, bias);
    rewriter.replaceOp(lin, folded.getResult());
    rewriter.setInsertionPoint(norm);
    rewriter.replaceOpWithNewOp<RMSNormOp>(norm, norm.getType(), norm.getX(),
                                           norm.getWeight(),
                                           norm.getEpsilonAttr());
    return success();
  }
};

/// (b) norm(…, λ) used only as the x of linears -> those linears' weight
/// columns absorb λ (and w_down's rows for gated_norm), λ = 1.
template <typename NormOp>
struct FoldPostScaleIntoConsumers : OpRewritePattern<NormOp> {
  FoldPostScaleIntoConsumers(MLIRContext *ctx, bool newGlobals)
      : OpRewritePattern<NormOp>(ctx), newGlobals(newGlobals) {}
  bool newGlobals;

  LogicalResult matchAndRewrite(NormOp norm,
                                PatternRewriter &rewriter) const override {
    Value lambda = norm.getWeight();
    Value y = norm.getResult();
    if (isOnes(lambda) || y.use_empty())
      return rewriter.notifyMatchFailure(norm, "nothing to fold");
    SmallVector<LinearOp> users;
    for (OpOperand &use : y.getUses()) {
      auto lin = dyn_cast<LinearOp>(use.getOwner());
      if (!lin || use.getOperandNumber() != 0)
        return rewriter.notifyMatchFailure(norm,
                                           "a use is not a linear's input");
      if (!lin.getWeight().getType().hasStaticShape())
        return rewriter.notifyMatchFailure(norm, "dynamic weight shape");
      users.push_back(lin);
    }
    if constexpr (std::is_same_v<NormOp, GatedNormOp>)
      if (!norm.w_downType().hasStaticShape())
        return rewriter.notifyMatchFailure(norm, "dynamic w_down shape");
    Location loc = norm.getLoc();
    for (LinearOp lin : users) {
      rewriter.setInsertionPoint(lin);
      Value w = scaleWeightAlong(rewriter, loc, lin.getWeight(), lambda, 1,
                                 newGlobals);
      rewriter.modifyOpInPlace(lin, [&] { lin.getWeightMutable().assign(w); });
    }
    rewriter.setInsertionPoint(norm);
    if constexpr (std::is_same_v<NormOp, GatedNormOp>) {
      Value wd = scaleWeightAlong(rewriter, loc, norm.getWDown(), lambda, 0,
                                  newGlobals);
      rewriter.modifyOpInPlace(norm,
                               [&] { norm.getWDownMutable().assign(wd); });
    }
    Value ones = onesLike(rewriter, loc, lambda);
    rewriter.modifyOpInPlace(norm,
                             [&] { norm.getWeightMutable().assign(ones); });
    return success();
  }
};

struct RescaleFoldScalesPass
    : rescale::impl::RescaleFoldScalesPassBase<RescaleFoldScalesPass> {
  using RescaleFoldScalesPassBase::RescaleFoldScalesPassBase;

  void runOnOperation() override {
    auto count = [&](auto pred) {
      int64_t n = 0;
      getOperation()->walk([&](Operation *op) { n += pred(op); });
      return n;
    };
    auto isPre = [](Operation *op) { return isa<PreAffineRMSNormOp>(op); };
    auto unitWeight = [](Operation *op) {
      return isa<RMSNormOp, PreAffineRMSNormOp, GatedNormOp>(op) &&
             isOnes(op->getOperand(isa<PreAffineRMSNormOp>(op) ? 2 : 1));
    };
    int64_t pre0 = count(isPre), unit0 = count(unitWeight);
    // Nested on a function (--pass-pipeline='...(func.func(
    // rescale-fold-scales))'), the module's symbol table is not this pass's
    // to change: folded globals become constants there.
    bool newGlobals = getOperation()->hasTrait<OpTrait::SymbolTable>();
    RewritePatternSet patterns(&getContext());
    if (foldPreScale)
      populateFoldPreScalePatterns(patterns, newGlobals);
    if (foldPostScale)
      populateFoldPostScalePatterns(patterns, newGlobals);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    numPreFolds += pre0 - count(isPre);
    numPostFolds += count(unitWeight) - unit0;
  }
};

} // namespace

void mlir::rescale::populateFoldPreScalePatterns(RewritePatternSet &patterns,
                                                 bool newGlobals) {
  patterns.add<FoldPreScaleIntoProducer>(patterns.getContext(), newGlobals);
}

void mlir::rescale::populateFoldPostScalePatterns(RewritePatternSet &patterns,
                                                  bool newGlobals) {
  patterns.add<FoldPostScaleIntoConsumers<RMSNormOp>,
               FoldPostScaleIntoConsumers<PreAffineRMSNormOp>,
               FoldPostScaleIntoConsumers<GatedNormOp>>(patterns.getContext(),
                                                        newGlobals);
}
