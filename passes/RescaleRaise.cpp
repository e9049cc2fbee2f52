//===- RescaleRaise.cpp - raise decomposed norms, attention, linears ------===//
//
// Each pattern starts at the op that produces the *last* value of a formula
// (the root) and asks the semantic matchers (passes/Matchers.h) whether the
// dataflow above it computes that formula. Matching on dataflow rather than
// on one spelling lets a single pattern serve torch-mlir's linalg.generic
// chains, fused generic bodies, linalg named ops, arith ops on tensors and
// (after upstream tosa-to-linalg) TOSA.
//
// The patterns live in passes/Raise/, one file per family along the seams of
// the formulas: Norms.cpp (RMSNorm, PreAffine RMSNorm), Attention.cpp
// (softmax attention and its variants), Linears.cpp (linears and their
// biases); Common.h holds what they share. This file is the pass: TOSA
// normalization, then each family to a fixpoint, then the gate fusions.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/RescaleOps.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/PassManager.h"
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

  void getDependentDialects(DialectRegistry &registry) const override {
    RescaleRaisePassBase::getDependentDialects(registry);
    registry.insert<scf::SCFDialect>(); // used by tosa-to-linalg
  }

  /// TOSA is lowered with the upstream conversions so that the linalg
  /// matchers see it; functions without TOSA are untouched.
  LogicalResult normalizeTosa() {
    bool hasTosa = false;
    getOperation()->walk([&](Operation *op) {
      if (isa<tosa::TosaDialect>(op->getDialect()))
        hasTosa = true;
    });
    if (!hasTosa)
      return success();
    OpPassManager pm(getOperation()->getName());
    OpPassManager &fpm =
        isa<FunctionOpInterface>(getOperation()) ? pm : pm.nestAny();
    fpm.addPass(tosa::createTosaToLinalgNamed());
    fpm.addPass(tosa::createTosaToLinalg());
    fpm.addPass(createTosaToArithPass());
    fpm.addPass(createTosaToTensorPass());
    return runPipeline(pm, getOperation());
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
    if (failed(normalizeTosa()))
      return signalPassFailure();
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
