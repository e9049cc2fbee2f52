//===- InlineConstantGlobals.cpp - constant globals become constants ------===//

#include "transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_INLINECONSTANTGLOBALS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

namespace {
struct InlineConstantGlobalsPass
    : mlir::rescale::impl::InlineConstantGlobalsBase<
          InlineConstantGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbols;
    module.walk([&](ml_program::GlobalLoadConstOp load) {
      auto global = symbols.lookupNearestSymbolFrom<ml_program::GlobalOp>(
          load, load.getGlobalAttr());
      if (!global)
        return;
      auto value =
          llvm::dyn_cast_if_present<ElementsAttr>(global.getValueAttr());
      if (!value || value.getType() != load.getResult().getType())
        return;
      OpBuilder builder(load);
      auto constant = arith::ConstantOp::create(builder, load.getLoc(),
                                                cast<TypedAttr>(value));
      load.getResult().replaceAllUsesWith(constant.getResult());
      load.erase();
    });
  }
};
} // namespace
