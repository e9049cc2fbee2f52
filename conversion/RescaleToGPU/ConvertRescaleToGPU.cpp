//===- ConvertRescaleToGPU.cpp - rescale ops to hand-scheduled kernels ----===//
//
// Three greedy steps, in this order:
//   1. Hand-scheduled kernels (NormsToGPU.cpp, AttentionToGPU.cpp,
//      LinearToGPU.cpp, GatedDeltaRuleToGPU.cpp, ...): each takes the ops and
//      shapes its schedule was written for. Fused kernels match op *chains* (a
//      linear of dequantized operands), so they must see the chain before step
//      2 takes it apart.
//   2. Every rescale op no hand kernel took (quantize, dequantize, fake_quant,
//      clip, the probes, shapes a schedule does not take) becomes its
//      reference decomposition (ToLinalg/*ToLinalg.cpp): the very patterns of
//      the CPU path, so the GPU computes the same formula in the same
//      precision (quantization math in f64) and there is one copy of it.
//   3. The linalg those leave, and the glue between kernels, becomes generic
//      kernels (ElementwiseToGPU.cpp): a thread per parallel point, reduction
//      loops serial in the CPU loops' order (a warp for an order-free max),
//      so results are bit-identical. Slices and concatenations that would
//      bufferize into strided copies become copy kernels
//      (DataMovementToGPU.cpp).
// A rescale op left after step 2 (a dynamic shape) is an error on that op,
// and so is linalg left after step 3: nothing may silently fall back to the
// host, whose buffers are device memory on this path.
//
//===----------------------------------------------------------------------===//

#include "conversion/Passes.h"
#include "conversion/RescaleToGPU/KernelBuilder.h"
#include "conversion/RescaleToGPU/NVPTXPatterns.h"
#include "conversion/RescaleToGPU/TargetInfo.h"
#include "target/NVPTXTarget.h"

#include "dialect/RescaleDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALETOGPU
#include "conversion/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {
struct ConvertRescaleToGPUPass
    : mlir::rescale::impl::ConvertRescaleToGPUBase<ConvertRescaleToGPUPass> {
  using Base::Base;

  /// The schedules depend on the chip (tensor cores from sm_80, shared
  /// memory budgets): a chip the backend cannot compile for is an error
  /// here too, not a silent sm_80, and before any IR is touched.
  LogicalResult initialize(MLIRContext *ctx) override {
    std::string problem = checkNVPTXTarget(chip, /*features=*/"");
    if (!problem.empty())
      return emitError(UnknownLoc::get(ctx))
             << "convert-rescale-to-gpu: " << problem;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    nvptx::TargetInfo target = nvptx::TargetInfo::get(chip);
    int64_t before = countKernels(module);

    // 1. Hand-scheduled kernels, fused ones included, on the rescale ops as
    //    the user wrote them.
    RewritePatternSet handKernels(&getContext());
    nvptx::populateNormsToGPUPatterns(handKernels, target);
    nvptx::populateAttentionToGPUPatterns(handKernels, target);
    nvptx::populateLinearToGPUPatterns(handKernels, target);
    nvptx::populateQuantLinearToGPUPatterns(handKernels, target);
    nvptx::populateGatedDeltaRuleToGPUPatterns(handKernels, target);
    if (failed(applyGreedily(module, std::move(handKernels))) ||
        failed(nvptx::checkGatedDeltaRulesTaken(module, target)))
      return signalPassFailure();

    // 2. The leftovers: the reference decomposition, the CPU path's own
    //    patterns. Only a dynamic shape stops it, reported here rather than
    //    let bufferization fail on it later.
    RewritePatternSet decomposition(&getContext());
    populateRescaleToLinalgPatterns(decomposition);
    // Elementwise producers fuse into their single consumer, as on the CPU
    // path (--linalg-fuse-elementwise-ops): the payloads are cloned, not
    // changed, so the numerics are the same with fewer kernels.
    linalg::populateElementwiseOpsFusionPatterns(
        decomposition, [](OpOperand *fused) {
          Operation *producer = fused->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    if (failed(applyGreedily(module, std::move(decomposition))) ||
        failed(checkNoRescaleOpsLeft(module)))
      return signalPassFailure();

    // 3. linalg (decomposed ops and glue) to generic kernels.
    RewritePatternSet generic(&getContext());
    nvptx::populateElementwiseToGPUPatterns(generic);
    nvptx::populateDataMovementToGPUPatterns(generic);
    if (failed(applyGreedily(module, std::move(generic))) ||
        failed(checkNoLinalgLeft(module)))
      return signalPassFailure();
    numKernels += countKernels(module) - before;
  }

  /// Applies `patterns` to every op of the host code until none applies.
  /// Kernels go into a gpu.module, whose ops the patterns must not see again;
  /// no folding or region simplification of the host code. Every pattern
  /// removes the op it matches (or fuses two into one), so this terminates;
  /// no iteration cap, which a large model could reach.
  static LogicalResult applyGreedily(ModuleOp module,
                                     RewritePatternSet &&patterns) {
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    config.setMaxIterations(GreedyRewriteConfig::kNoLimit);
    if (failed(applyPatternsGreedily(module, std::move(patterns), config)))
      return module.emitError("convert-rescale-to-gpu: the kernel patterns "
                              "did not converge");
    return success();
  }

  static LogicalResult checkNoRescaleOpsLeft(ModuleOp module) {
    WalkResult left = module.walk([&](Operation *op) {
      if (!isa_and_nonnull<RescaleDialect>(op->getDialect()))
        return WalkResult::advance();
      if (!nvptx::hasStaticOperands(op))
        op->emitError("no GPU kernel for dynamically shaped operands: the "
                      "NVPTX kernels are specialized on static shapes");
      else
        op->emitError("no GPU kernel for '")
            << op->getName() << "' with these operand types";
      return WalkResult::interrupt();
    });
    return failure(left.wasInterrupted());
  }

  /// linalg left on the host would run as host loops over device memory.
  static LogicalResult checkNoLinalgLeft(ModuleOp module) {
    WalkResult left = module.walk([&](Operation *op) {
      if (isa<gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (!isa<linalg::LinalgOp>(op))
        return WalkResult::advance();
      op->emitError("no GPU kernel for '")
          << op->getName()
          << "': it would run on the host against device memory";
      return WalkResult::interrupt();
    });
    return failure(left.wasInterrupted());
  }

  static int64_t countKernels(ModuleOp module) {
    auto kernels =
        module.lookupSymbol<gpu::GPUModuleOp>(nvptx::kKernelModuleName);
    if (!kernels)
      return 0;
    return llvm::range_size(kernels.getOps<gpu::GPUFuncOp>());
  }
};
} // namespace
