//===- RescaleGPUDeviceMemory.cpp - host buffers become device buffers ----===//
//
// The NVPTX module ABI: entry arguments hold device pointers; the compiled
// host code allocates its temporaries on the device and only launches
// kernels and copies between device buffers. See the pass description in
// transforms/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEGPUDEVICEMEMORY
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

/// Host ops that may remain: they compute addresses and launch, but never
/// dereference a buffer on the CPU.
static bool isHostSafe(Operation *op) {
  if (isa<gpu::GPUDialect>(op->getDialect()))
    return true;
  if (isa<func::ReturnOp, func::CallOp, memref::CollapseShapeOp,
          memref::ExpandShapeOp, memref::CastOp, memref::ReinterpretCastOp,
          memref::SubViewOp, memref::AllocOp, memref::DeallocOp, memref::CopyOp,
          memref::GetGlobalOp>(op))
    return true;
  return isMemoryEffectFree(op);
}

namespace {

struct RescaleGPUDeviceMemoryPass
    : mlir::rescale::impl::RescaleGPUDeviceMemoryBase<
          RescaleGPUDeviceMemoryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("the NVPTX pipeline expects straight-line host code "
                     "(one block) in entry functions");
      return signalPassFailure();
    }
    // Everything left on the host must be launch glue: any op that would
    // touch a buffer from the CPU is an op no GPU kernel family handles.
    WalkResult walk =
        func.walk([&](Operation *op) {
          if (op == func.getOperation() || isHostSafe(op))
            return WalkResult::advance();
          op->emitError("'")
              << op->getName()
              << "' would run on the host over device buffers: the NVPTX "
                 "pipeline has no GPU kernel for it";
          return WalkResult::interrupt();
        });
    if (walk.wasInterrupted())
      return signalPassFailure();

    IRRewriter rewriter(func.getContext());
    Block &body = func.getBody().front();
    Operation *ret = body.getTerminator();
    SmallVector<Value> temporaries;
    for (Operation &op : llvm::make_early_inc_range(body)) {
      rewriter.setInsertionPoint(&op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto dev = gpu::AllocOp::create(
            rewriter, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
            ValueRange{}, alloc.getDynamicSizes(), alloc.getSymbolOperands());
        rewriter.replaceOp(alloc, dev.getMemref());
        temporaries.push_back(dev.getMemref());
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        rewriter.eraseOp(dealloc); // every temporary is freed before return
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        gpu::MemcpyOp::create(rewriter, copy.getLoc(), TypeRange{},
                              ValueRange{}, copy.getTarget(), copy.getSource());
        rewriter.eraseOp(copy);
      } else if (auto global = dyn_cast<memref::GetGlobalOp>(op)) {
        // A constant: upload it for this call.
        auto type = cast<MemRefType>(global.getType());
        auto dev =
            gpu::AllocOp::create(rewriter, global.getLoc(), type, Type(),
                                 ValueRange{}, ValueRange{}, ValueRange{});
        rewriter.setInsertionPointAfter(global);
        auto upload =
            gpu::MemcpyOp::create(rewriter, global.getLoc(), TypeRange{},
                                  ValueRange{}, dev.getMemref(), global);
        rewriter.replaceAllUsesExcept(global, dev.getMemref(), upload);
        temporaries.push_back(dev.getMemref());
      }
    }
    rewriter.setInsertionPoint(ret);
    for (Value t : temporaries)
      gpu::DeallocOp::create(rewriter, ret->getLoc(), TypeRange{}, ValueRange{},
                             t);
  }
};
} // namespace
