//===- InlineAllocaScopes.cpp - drop alloca scopes that hold no alloca ----===//

#include "transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_INLINEALLOCASCOPES
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

/// Whether `scope` allocates on the stack itself: an alloca anywhere inside,
/// nested scopes included (conservative: the inner scope may be inlined too).
static bool holdsStackAllocation(memref::AllocaScopeOp scope) {
  return scope
      ->walk([](Operation *op) {
        return isa<memref::AllocaOp, LLVM::AllocaOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

namespace {
struct InlineAllocaScopesPass
    : mlir::rescale::impl::InlineAllocaScopesBase<InlineAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp scope) {
      if (scope.getBodyRegion().hasOneBlock() && !holdsStackAllocation(scope))
        scopes.push_back(scope);
    });
    for (memref::AllocaScopeOp scope : scopes) {
      Block &body = scope.getBodyRegion().front();
      auto terminator = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
      SmallVector<Value> results(terminator.getResults());
      terminator.erase();
      scope->getBlock()->getOperations().splice(
          scope->getIterator(), body.getOperations(), body.begin(), body.end());
      scope->replaceAllUsesWith(results);
      scope.erase();
    }
  }
};
} // namespace
