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
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

static bool isLoopNest(Operation *op) {
  return isa<scf::ForOp, scf::ParallelOp, omp::ParallelOp>(op);
}

/// The values `nest` reads that are defined outside it, in order of first
/// use: `captured` become the outlined function's arguments; `constants`
/// are cloned into it, so that LLVM still sees constant trip counts.
static void valuesFromOutside(Operation *nest, SmallVectorImpl<Value> &captured,
                              SmallVectorImpl<Value> &constants) {
  llvm::SetVector<Value> used;
  for (Value operand : nest->getOperands())
    used.insert(operand);
  getUsedValuesDefinedAbove(nest->getRegions(), used);
  for (Value value : used)
    (matchPattern(value, m_Constant()) ? constants : captured).push_back(value);
}

namespace {

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

  /// Moves `nest` into a new private function inserted into `symbols` at
  /// `insertPt` (renamed if the module already has a symbol of that name),
  /// and calls it in the nest's place.
  func::FuncOp outline(func::FuncOp func, Operation *nest, unsigned index,
                       SymbolTable &symbols, Block::iterator insertPt) {
    MLIRContext *ctx = func.getContext();
    Location loc = nest->getLoc();
    SmallVector<Value> captured, constants;
    valuesFromOutside(nest, captured, constants);
    SmallVector<Type> argTypes;
    for (Value value : captured)
      argTypes.push_back(value.getType());
    auto type = FunctionType::get(ctx, argTypes, nest->getResultTypes());
    OpBuilder detached(ctx);
    auto outlined = func::FuncOp::create(
        detached, loc, (func.getSymName() + "__nest" + Twine(index)).str(),
        type);
    symbols.insert(outlined, insertPt);
    outlined.setPrivate();
    // LLVM would inline a function with one caller straight back.
    outlined->setAttr("passthrough",
                      ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));

    OpBuilder caller(nest);
    auto call = func::CallOp::create(caller, loc, outlined, captured);
    nest->replaceAllUsesWith(call.getResults());

    Block *entry = outlined.addEntryBlock();
    OpBuilder body = OpBuilder::atBlockBegin(entry);
    SmallVector<Value> inside(entry->getArguments());
    for (Value constant : constants)
      inside.push_back(body.clone(*constant.getDefiningOp())->getResult(0));
    auto ret = func::ReturnOp::create(body, loc, nest->getResults());
    nest->moveBefore(ret);
    for (auto [outside, replacement] :
         llvm::zip(llvm::concat<Value>(captured, constants), inside))
      outside.replaceUsesWithIf(replacement, [&](OpOperand &use) {
        return nest->isAncestor(use.getOwner());
      });
    return outlined;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
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
      Operation *last = func;
      for (auto [index, nest] : llvm::enumerate(nests)) {
        last = outline(func, nest, index, symbols,
                       std::next(Block::iterator(last)));
        ++numOutlined;
      }
    }
  }
};

} // namespace
