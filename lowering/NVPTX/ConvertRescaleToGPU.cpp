//===- ConvertRescaleToGPU.cpp - rescale ops to hand-scheduled kernels ----===//
//
// Gathers the per-family patterns (NormsToGPU.cpp, ...) and applies them.
// An op no family handles is an error on that op: nothing may silently fall
// back to the host, whose buffers are device memory on this path.
//
//===----------------------------------------------------------------------===//

#include "lowering/NVPTX/KernelBuilder.h"
#include "lowering/NVPTX/NVPTXPatterns.h"
#include "lowering/NVPTX/TargetInfo.h"
#include "lowering/Passes.h"

#include "dialect/RescaleDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_CONVERTRESCALETOGPU
#include "lowering/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {
struct ConvertRescaleToGPUPass
    : mlir::rescale::impl::ConvertRescaleToGPUBase<ConvertRescaleToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    nvptx::TargetInfo target = nvptx::TargetInfo::get(chip);
    RewritePatternSet patterns(&getContext());
    nvptx::populateNormsToGPUPatterns(patterns, target);
    nvptx::populateAttentionToGPUPatterns(patterns, target);
    nvptx::populateLinearToGPUPatterns(patterns, target);
    nvptx::populateElementwiseToGPUPatterns(patterns);
    // Kernels go into a gpu.module the walk must not visit, and each op is
    // rewritten once: no folding or region simplification of the host code.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    int64_t before = countKernels(module);
    if (failed(applyPatternsGreedily(module, std::move(patterns), config)))
      return signalPassFailure();
    numKernels += countKernels(module) - before;

    // Whatever is left has no kernel (an op family not written yet, or a
    // shape a schedule does not take): say so here rather than let
    // bufferization fail on it later.
    WalkResult left = module.walk([&](Operation *op) {
      if (!isa<RescaleDialect>(op->getDialect()))
        return WalkResult::advance();
      if (!nvptx::hasStaticOperands(op))
        op->emitError("no GPU kernel for dynamically shaped operands: the "
                      "NVPTX kernels are specialized on static shapes");
      else
        op->emitError("no GPU kernel for '")
            << op->getName() << "' with these operand types";
      return WalkResult::interrupt();
    });
    if (left.wasInterrupted())
      signalPassFailure();
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
