//===- EmitEntryPoints.cpp - packed entry points of a compiled module -----===//
//
// Adds `void _rescale_entry_<f>(void **args)` for every public function, the
// one calling convention the runtime knows (docs/compile-and-run.md). Lives
// here, not in the runtime, so that the runtime needs no per-signature code.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_EMITENTRYPOINTS
#include "transforms/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;

/// Checks that `func` can be called through the packed ABI: every argument a
/// statically shaped memref, no results (they became out-params).
static LogicalResult verifyEntrySignature(func::FuncOp func) {
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref)
      return func.emitError()
             << "entry point @" << func.getSymName() << ": argument #" << i
             << " has type " << type << "; entry points take only tensors";
    if (!memref.hasStaticShape())
      return func.emitError() << "entry point @" << func.getSymName()
                              << ": argument #" << i << " has dynamic shape "
                              << type << "; entry points need static shapes";
  }
  if (func.getNumResults() != 0)
    return func.emitError()
           << "entry point @" << func.getSymName() << " still returns "
           << func.getNumResults()
           << " value(s) after bufferization; only tensor results can be "
              "returned (they become caller-allocated out-params)";
  return success();
}

/// Builds `func.func @_rescale_entry_<f>(%args: !llvm.ptr)` that loads the
/// descriptor behind each `args[i]` and calls `@f`.
static void buildPackedEntry(func::FuncOp func,
                             const LLVMTypeConverter &converter) {
  MLIRContext *ctx = func.getContext();
  Location loc = func.getLoc();
  OpBuilder b(func);
  b.setInsertionPointAfter(func);

  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto entry = func::FuncOp::create(
      b, loc, ("_rescale_entry_" + func.getSymName()).str(),
      b.getFunctionType({ptrType}, {}));
  Block *body = entry.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value args = body->getArgument(0);

  SmallVector<Value> operands;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    Value slot = LLVM::GEPOp::create(b, loc, ptrType, ptrType, args,
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
    Value descPtr = LLVM::LoadOp::create(b, loc, ptrType, slot);
    Type descType = converter.convertType(type);
    Value desc = LLVM::LoadOp::create(b, loc, descType, descPtr);
    operands.push_back(
        UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0));
  }
  func::CallOp::create(b, loc, func, operands);
  func::ReturnOp::create(b, loc);
}

namespace {

struct EmitEntryPointsPass
    : mlir::rescale::impl::EmitEntryPointsBase<EmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVMTypeConverter converter(&getContext());

    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          !func.getSymName().starts_with("_rescale_entry_"))
        entries.push_back(func);

    bool failed = false;
    for (func::FuncOp func : entries) {
      if (mlir::failed(verifyEntrySignature(func))) {
        failed = true;
        continue;
      }
      if (module.lookupSymbol(("_rescale_entry_" + func.getSymName()).str())) {
        func.emitError() << "cannot emit the entry point of @"
                         << func.getSymName() << ": the symbol _rescale_entry_"
                         << func.getSymName() << " already exists";
        failed = true;
        continue;
      }
      buildPackedEntry(func, converter);
      // Also the standard `_mlir_ciface_<f>` (one pointer per descriptor),
      // for C callers and MLIR's own runner utilities.
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(&getContext()));
      ++numEntryPoints;
    }
    if (failed)
      signalPassFailure();
  }
};

} // namespace
