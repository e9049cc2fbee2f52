//===- RescaleRaise.cpp - raise decomposed norms, attention, linears ------===//
//
// Each pattern starts at the op that produces the *last* value of a formula
// (the root) and asks the semantic matchers (passes/Matchers.h) whether the
// dataflow above it computes that formula. Matching on dataflow rather than
// on one spelling lets a single pattern serve torch-mlir's linalg.generic
// chains, fused generic bodies, linalg named ops, arith ops on tensors and
// TOSA once lowered to linalg.
//
// The patterns live in passes/Raise/, one file per family along the seams of
// the formulas: Norms.cpp (RMSNorm, PreAffine RMSNorm), Attention.cpp
// (softmax attention and its variants), Linears.cpp (linears and their
// biases); Common.h holds what they share. This file is the pass: each
// family to a fixpoint, then the gate fusions.
//
// TOSA is not lowered here: the pass does not run a pipeline of its own.
// `--rescale-tosa-to-linalg` (pipelines/, the same sequence the CPU and
// NVPTX pipelines start with) goes first; TOSA ops the pass meets are left
// as they are, with a warning that says so.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALERAISEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {

struct RescaleRaisePass
    : rescale::impl::RescaleRaisePassBase<RescaleRaisePass> {
  using RescaleRaisePassBase::RescaleRaisePassBase;

  /// TOSA is read once lowered (--rescale-tosa-to-linalg); one warning, on
  /// the first TOSA op, when some is left.
  void warnAboutTosa() {
    getOperation()->walk([](Operation *op) {
      if (!isa_and_nonnull<tosa::TosaDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitWarning()
          << "TOSA ops are not raised; lower them first with "
             "--rescale-tosa-to-linalg (rescale-compile and rescale-run do)";
      return WalkResult::interrupt();
    });
  }

  /// Runs one family to a fixpoint; counts the rescale ops of `OpT` it made.
  template <typename... OpTs>
  LogicalResult runPhase(RewritePatternSet &&patterns, llvm::Statistic &stat) {
    auto count = [&] {
      int64_t n = 0;
      getOperation()->walk([&](Operation *op) { n += isa<OpTs...>(op); });
      return n;
    };
    int64_t before = count();
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return failure();
    stat += count() - before;
    return success();
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    warnAboutTosa();
    bool ok = true;
    if (raiseNorms) {
      RewritePatternSet p(ctx);
      populateRaiseNormPatterns(p);
      ok &= succeeded(
          runPhase<RMSNormOp, PreAffineRMSNormOp>(std::move(p), numNorms));
    }
    if (raiseAttention) {
      RewritePatternSet p(ctx);
      populateRaiseAttentionPatterns(p);
      ok &= succeeded(runPhase<AttentionOp>(std::move(p), numAttention));
    }
    if (raiseLinears) {
      RewritePatternSet p(ctx);
      populateRaiseLinearPatterns(p);
      ok &= succeeded(runPhase<LinearOp>(std::move(p), numLinears));
    }
    if (raiseGates) {
      RewritePatternSet p(ctx);
      populateFuseGatedNormPatterns(p);
      populateFuseAttentionGatePatterns(p);
      int64_t before = 0, after = 0;
      getOperation()->walk([&](Operation *op) {
        before += isa<GatedNormOp>(op) ||
                  (isa<AttentionOp>(op) && cast<AttentionOp>(op).getGate());
      });
      ok &= succeeded(applyPatternsGreedily(getOperation(), std::move(p)));
      getOperation()->walk([&](Operation *op) {
        after += isa<GatedNormOp>(op) ||
                 (isa<AttentionOp>(op) && cast<AttentionOp>(op).getGate());
      });
      numGates += after - before;
    }
    (void)ok; // not converging is not an error: what matched is raised
  }
};

} // namespace
