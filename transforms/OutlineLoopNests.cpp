//===- OutlineLoopNests.cpp - one function per top-level loop nest --------===//
//
// A train step lowers to one function holding every layer's loops, forward
// and backward: thousands of loop nests. LLVM's -O3 passes keep per-function
// analyses (ScalarEvolution above all) whose invalidation grows with the
// number of loops in the function, so compile time grew faster than the
// number of layers (bench/cpu/compile-time.sh). Each top-level loop nest of
// a large function becomes a private function of its own, which LLVM may not
// inline back, and optimizes one nest at a time.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {

bool isLoopNest(Operation *op) {
  return isa<scf::ForOp, scf::ParallelOp, omp::ParallelOp>(op);
}

/// The values `nest` reads that are defined outside it, in order of first
/// use: `captured` become the outlined function's arguments; `constants`
/// are cloned into it, so that LLVM still sees constant trip counts.
void valuesFromOutside(Operation *nest, SmallVectorImpl<Value> &captured,
                       SmallVectorImpl<Value> &constants) {
  llvm::SetVector<Value> used;
  for (Value operand : nest->getOperands())
    used.insert(operand);
  getUsedValuesDefinedAbove(nest->getRegions(), used);
  for (Value value : used)
    (matchPattern(value, m_Constant()) ? constants : captured).push_back(value);
}

struct OutlineLoopNestsPass
    : mlir::rescale::impl::OutlineLoopNestsBase<OutlineLoopNestsPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (minNests < 1)
      return emitError(UnknownLoc::get(ctx))
             << "rescale-outline-loop-nests: min-nests must be at least 1, got "
             << static_cast<int64_t>(minNests);
    return success();
  }

  void outline(func::FuncOp func, Operation *nest, unsigned index,
               OpBuilder &moduleBuilder) {
    MLIRContext *ctx = func.getContext();
    SmallVector<Value> captured, constants;
    valuesFromOutside(nest, captured, constants);
    SmallVector<Type> argTypes;
    for (Value value : captured)
      argTypes.push_back(value.getType());
    auto type = FunctionType::get(ctx, argTypes, nest->getResultTypes());
    std::string name = (func.getSymName() + "__nest" + Twine(index)).str();
    auto outlined =
        func::FuncOp::create(moduleBuilder, nest->getLoc(), name, type);
    outlined.setPrivate();
    // LLVM would inline a function with one caller straight back.
    outlined->setAttr("passthrough",
                      ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
    Block *entry = outlined.addEntryBlock();
    OpBuilder body = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(captured, entry->getArguments()))
      mapping.map(value, arg);
    for (Value constant : constants)
      body.clone(*constant.getDefiningOp(), mapping);
    Operation *clone = body.clone(*nest, mapping);
    func::ReturnOp::create(body, nest->getLoc(), clone->getResults());

    OpBuilder caller(nest);
    auto call =
        func::CallOp::create(caller, nest->getLoc(), outlined, captured);
    nest->replaceAllUsesWith(call.getResults());
    nest->erase();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func.isExternal() || !func.getBody().hasOneBlock())
        continue;
      SmallVector<Operation *> nests;
      for (Operation &op : func.getBody().front())
        if (isLoopNest(&op))
          nests.push_back(&op);
      if (nests.size() < minNests)
        continue;
      OpBuilder moduleBuilder(func->getContext());
      moduleBuilder.setInsertionPointAfter(func);
      for (auto [index, nest] : llvm::enumerate(nests)) {
        outline(func, nest, index, moduleBuilder);
        ++numOutlined;
      }
    }
  }
};

} // namespace
