//===- ExternDynamicSharedMemory.cpp - extern base of dynamic smem --------===//
//
// See the pass description in transforms/Passes.td: the dynamic shared memory
// base must be an extern zero-length array, as in CUDA C++, or it overlaps
// the static shared buffers of the same kernel.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_EXTERNDYNAMICSHAREDMEMORY
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {
struct ExternDynamicSharedMemoryPass
    : mlir::rescale::impl::ExternDynamicSharedMemoryBase<
          ExternDynamicSharedMemoryPass> {
  void runOnOperation() override {
    for (auto global : getOperation().getOps<LLVM::GlobalOp>()) {
      auto array = dyn_cast<LLVM::LLVMArrayType>(global.getGlobalType());
      bool isDynamicSmem =
          global.getAddrSpace() ==
              static_cast<unsigned>(NVVM::NVVMMemorySpace::Shared) &&
          array && array.getNumElements() == 0 &&
          global.getInitializerRegion().empty() && !global.getValue();
      if (!isDynamicSmem)
        continue;
      global.setLinkage(LLVM::Linkage::External);
      global.setDsoLocal(false);
    }
  }
};
} // namespace
