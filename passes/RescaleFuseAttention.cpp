//===- RescaleFuseAttention.cpp - fuse the output gate into attention -----===//
//
// Gated attention (arXiv 2601.22966 §3.2): out = attn(q, k, v) ⊙ σ(x W_θ).
// The gate rescales each head (headwise) or element (elementwise), which is
// what lets the model drop attention sinks; as part of the op it is applied
// in the epilogue instead of a second pass over the output.
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
#define GEN_PASS_DEF_RESCALEFUSEATTENTIONPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::match;

/// The two factors of the plain product `x ⊙ y` that `op` (one result, not a
/// rescale op) computes; false for anything else (a constant factor, more
/// factors).
static bool matchTwoFactorProduct(Operation *op, SmallVectorImpl<Factor> &fs) {
  if (op->getNumResults() != 1 || isa<RescaleDialect>(op->getDialect()))
    return false;
  double c;
  flattenProduct(op->getResult(0), fs, c);
  return fs.size() == 2 && c == 1.0;
}

/// g when the factor `f` is σ(g), which flattens to 1 / (1 + e^-g); else null.
static Value sigmoidArgument(const Factor &f) {
  return f.inverse ? matchLogisticDenominator(f.v) : Value();
}

/// A copy of the ungated `attn` with the gate `g` (already in the op's
/// layout) of kind `kind`; a gate of another type than the output is read
/// as f32.
static AttentionOp buildGatedAttention(PatternRewriter &rewriter, Location loc,
                                       AttentionOp attn, Value g,
                                       GateKind kind) {
  auto gt = cast<RankedTensorType>(g.getType());
  if (gt.getElementType() != attn.getType().getElementType() &&
      !gt.getElementType().isF32())
    g = castElements(rewriter, loc, g, rewriter.getF32Type());
  SmallVector<Value> operands{attn.getQ(), attn.getK(), attn.getV(), g};
  if (Value sinks = attn.getSinks())
    operands.push_back(sinks);
  SmallVector<NamedAttribute> attrs(attn->getAttrs());
  auto gated = AttentionOp::create(rewriter, attn.getLoc(),
                                   TypeRange{attn.getType()}, operands, attrs);
  gated.setGateKind(kind);
  return gated;
}

namespace {

/// `attention(q, k, v) ⊙ σ(g)` -> `attention(q, k, v, g)`.
struct FuseOutputGate : RewritePattern {
  FuseOutputGate(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Factor> fs;
    if (!matchTwoFactorProduct(op, fs))
      return failure();
    for (int i = 0; i < 2; ++i) {
      auto attn =
          fs[i].inverse ? nullptr : fs[i].v.getDefiningOp<AttentionOp>();
      if (!attn || attn.getGateKind() != GateKind::none)
        continue;
      Value g = sigmoidArgument(fs[1 - i]);
      if (!g)
        return rewriter.notifyMatchFailure(op, "not multiplied by a sigmoid");
      // The output may be viewed through unit reshapes (3-d attention
      // raised to the op's 4-d layout): gate and result follow that view.
      RankedTensorType ot = attn.getType();
      auto rt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!rt || !rt.hasStaticShape() || !ot.hasStaticShape() ||
          rt.getElementType() != ot.getElementType() ||
          rt.getNumElements() != ot.getNumElements() || !attn->hasOneUse())
        return rewriter.notifyMatchFailure(op,
                                           "attention output used elsewhere");
      g = strip(g);
      auto gt = dyn_cast<RankedTensorType>(g.getType());
      ArrayRef<int64_t> o = ot.getShape(); // [B, Hq, S, Dv]
      GateKind kind;
      if (gt && gt.hasStaticShape() &&
          gt.getNumElements() == ot.getNumElements()) {
        kind = GateKind::elementwise;
      } else if (gt && gt.hasStaticShape() && o[3] != 1 &&
                 gt.getNumElements() == o[0] * o[1] * o[2] &&
                 (gt.getRank() < 1 || gt.getShape().back() != o[3] ||
                  o[3] == o[2])) {
        kind = GateKind::headwise;
      } else {
        return rewriter.notifyMatchFailure(op, "gate shape fits no gate kind");
      }
      Location loc = op->getLoc();
      g = reshapeTo(rewriter, loc, g,
                    kind == GateKind::headwise ? o.drop_back() : o);
      AttentionOp gated = buildGatedAttention(rewriter, loc, attn, g, kind);
      rewriter.replaceOp(
          op, reshapeTo(rewriter, loc, gated.getResult(), rt.getShape()));
      return success();
    }
    return failure();
  }
};

} // namespace

/// The attention output in the layout models gate it in,
/// transpose(attn, [0, 2, 1, 3]) = [B, S, H, Dv], possibly with the heads
/// already flattened, reshape(…, [B, S, H·Dv]) (the projection layout).
/// Returns the attention (or null) and sets `flattened`.
static AttentionOp matchSequenceLayoutView(Value v, bool &flattened) {
  Value t = strip(v);
  flattened = false;
  if (auto collapse = t.getDefiningOp<tensor::CollapseShapeOp>()) {
    if (collapse.getSrcType().getRank() != 4 ||
        collapse.getReassociationIndices() !=
            SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}} ||
        !collapse->hasOneUse())
      return {};
    t = collapse.getSrc();
    flattened = true;
  }
  auto tr = t.getDefiningOp<linalg::TransposeOp>();
  if (!tr || tr.getPermutation() != ArrayRef<int64_t>{0, 2, 1, 3} ||
      !tr->hasOneUse())
    return {};
  return tr.getInput().getDefiningOp<AttentionOp>();
}

namespace {

/// Gated attention applied in the sequence layout: the gate moved into the
/// op's `[B, H, S, …]` layout, the output transposed (and reshaped) back.
///  * `reshape(transpose(attn), [B, S, H·Dv]) ⊙ σ(g)`, g `[B, S, H·Dv]`
///    (Qwen3-Next style: the gate is a projection of the layer input, in
///    the projection's layout): elementwise;
///  * `transpose(attn) ⊙ σ(g)` before the heads are flattened (the paper's
///    gated attention as written in PyTorch): g `[B, S, H, Dv]` is
///    elementwise, `[B, S, H]` or `[B, S, H, 1]`
///    (`sigmoid(gate).unsqueeze(-1)`) headwise.
struct FuseOutputGateSequenceLayout : RewritePattern {
  FuseOutputGateSequenceLayout(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Factor> fs;
    if (!matchTwoFactorProduct(op, fs))
      return failure();
    for (int i = 0; i < 2; ++i) {
      bool flattened = false;
      AttentionOp attn =
          fs[i].inverse ? nullptr : matchSequenceLayoutView(fs[i].v, flattened);
      if (!attn || attn.getGateKind() != GateKind::none || !attn->hasOneUse())
        continue;
      Value g = sigmoidArgument(fs[1 - i]);
      if (!g)
        return rewriter.notifyMatchFailure(op, "not multiplied by a sigmoid");
      RankedTensorType ot = attn.getType();
      ArrayRef<int64_t> o = ot.getShape(); // [B, H, S, Dv]
      SmallVector<int64_t> seq{o[0], o[2], o[1], o[3]};
      SmallVector<int64_t> view =
          flattened ? SmallVector<int64_t>{o[0], o[2], o[1] * o[3]} : seq;
      auto rt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      g = strip(g);
      auto gt = dyn_cast<RankedTensorType>(g.getType());
      if (!rt || !ot.hasStaticShape() ||
          rt.getElementType() != ot.getElementType() ||
          rt.getShape() != ArrayRef<int64_t>(view) || !gt ||
          !gt.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "not a sequence-layout product");
      // The gate's own shape says how it is broadcast.
      GateKind kind;
      ArrayRef<int64_t> gs = gt.getShape();
      if (gs == ArrayRef<int64_t>(view))
        kind = GateKind::elementwise;
      else if (!flattened && o[3] != 1 &&
               (gs == ArrayRef<int64_t>(seq).drop_back() ||
                gs == ArrayRef<int64_t>{o[0], o[2], o[1], 1}))
        kind = GateKind::headwise;
      else
        return rewriter.notifyMatchFailure(op, "gate shape fits no gate kind");
      Location loc = op->getLoc();
      // [B, S, H(, Dv)] -> [B, H, S(, Dv)]
      SmallVector<int64_t> gSeq = seq, perm{0, 2, 1, 3};
      SmallVector<int64_t> gOpShape(o.begin(), o.end());
      if (kind == GateKind::headwise) {
        gSeq.pop_back();
        perm.pop_back();
        gOpShape.pop_back();
      }
      Value init =
          tensor::EmptyOp::create(rewriter, loc, gOpShape, gt.getElementType());
      Value gOp = linalg::TransposeOp::create(rewriter, loc,
                                              reshapeTo(rewriter, loc, g, gSeq),
                                              init, perm)
                      ->getResult(0);
      AttentionOp gated = buildGatedAttention(rewriter, loc, attn, gOp, kind);
      Value outInit =
          tensor::EmptyOp::create(rewriter, loc, seq, ot.getElementType());
      Value back =
          linalg::TransposeOp::create(rewriter, loc, gated.getResult(), outInit,
                                      ArrayRef<int64_t>{0, 2, 1, 3})
              ->getResult(0);
      rewriter.replaceOp(op, reshapeTo(rewriter, loc, back, rt.getShape()));
      return success();
    }
    return failure();
  }
};

struct RescaleFuseAttentionPass
    : rescale::impl::RescaleFuseAttentionPassBase<RescaleFuseAttentionPass> {
  using RescaleFuseAttentionPassBase::RescaleFuseAttentionPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseAttentionGatePatterns(patterns);
    int64_t before = 0, after = 0;
    auto gated = [](Operation *op) {
      auto a = dyn_cast<AttentionOp>(op);
      return a && a.getGate();
    };
    getOperation()->walk([&](Operation *op) { before += gated(op); });
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
    getOperation()->walk([&](Operation *op) { after += gated(op); });
    numGates += after - before;
  }
};

} // namespace

void mlir::rescale::populateFuseAttentionGatePatterns(
    RewritePatternSet &patterns) {
  patterns.add<FuseOutputGate, FuseOutputGateSequenceLayout>(
      patterns.getContext());
}
