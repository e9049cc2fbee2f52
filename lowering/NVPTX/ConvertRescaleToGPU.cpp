//===- ConvertRescaleToGPU.cpp - rescale ops to hand-scheduled kernels ----===//
//
// Gathers the per-family patterns (NormsToGPU.cpp, ...) and applies them.
// Ops no family handles stay as they are; the NVPTX pipeline then reports
// them (see RescaleGPUDeviceMemory), so nothing silently runs on the host.
//
//===----------------------------------------------------------------------===//

#include "lowering/NVPTX/NVPTXPatterns.h"
#include "lowering/NVPTX/KernelBuilder.h"
#include "lowering/NVPTX/TargetInfo.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
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
    // Kernels go into a gpu.module the walk must not visit, and each op is
    // rewritten once: no folding or region simplification of the host code.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    config.enableFolding(false);
    int64_t before = countKernels(module);
    if (failed(applyPatternsGreedily(module, std::move(patterns), config)))
      return signalPassFailure();
    numKernels += countKernels(module) - before;
  }

  static int64_t countKernels(ModuleOp module) {
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(nvptx::kKernelModuleName);
    if (!kernels)
      return 0;
    return llvm::range_size(kernels.getOps<gpu::GPUFuncOp>());
  }
};
} // namespace
