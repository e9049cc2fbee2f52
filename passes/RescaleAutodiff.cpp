//===- RescaleAutodiff.cpp - reverse-mode gradient of a loss function -----===//
//
// --rescale-autodiff="entry=NAME": clones @NAME into @NAME_grad and appends
// the backward pass to its body. This file only glues: it picks the
// differentiable arguments, seeds the loss with 1, lets ReverseMode walk the
// body backwards (each op's own rule, AutodiffOpInterface, builds its
// vector-Jacobian product) and returns the argument adjoints.
// docs/autodiff.md is the contract.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::rescale {
#define GEN_PASS_DEF_RESCALEAUTODIFFPASS
#include "passes/Passes.h.inc"
} // namespace mlir::rescale

using namespace mlir;
using namespace mlir::rescale;

namespace {

/// The argument attribute that keeps a float argument out of the gradient.
constexpr StringLiteral kNoGradAttr = "rescale.no_grad";

} // namespace

static bool isDifferentiableArgument(func::FuncOp func, unsigned i) {
  auto type = dyn_cast<RankedTensorType>(func.getArgument(i).getType());
  return type && autodiff::isFloatLike(type) &&
         !func.getArgAttr(i, kNoGradAttr);
}

/// Checks the contract on @NAME; emits the reason on failure.
static LogicalResult checkEntry(func::FuncOp func) {
  if (!func.isPublic())
    return func.emitError() << "--rescale-autodiff: '@" << func.getSymName()
                            << "' must be public";
  if (func.isExternal())
    return func.emitError()
           << "--rescale-autodiff: '@" << func.getSymName() << "' has no body";
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "--rescale-autodiff: '@" << func.getSymName()
                            << "' must have a single block (no control flow)";
  auto loss = func.getNumResults() > 0
                  ? dyn_cast<RankedTensorType>(func.getResultTypes()[0])
                  : RankedTensorType();
  if (!loss || loss.getRank() != 0 || !loss.getElementType().isF32())
    return func.emitError()
           << "--rescale-autodiff: the first result of '@" << func.getSymName()
           << "' must be the scalar loss tensor<f32>, but the results are "
           << func.getResultTypes();
  if (!isa<func::ReturnOp>(func.getBody().front().getTerminator()))
    return func.emitError() << "--rescale-autodiff: '@" << func.getSymName()
                            << "' must end in func.return";
  // The rules build zeros and inits from static shapes.
  WalkResult dynamic = func.walk([&](Operation *op) {
    for (Type t : llvm::concat<const Type>(op->getOperandTypes(),
                                           op->getResultTypes())) {
      auto shaped = dyn_cast<ShapedType>(t);
      if (shaped && !shaped.hasStaticShape()) {
        op->emitError() << "--rescale-autodiff differentiates statically "
                           "shaped tensors only, but '"
                        << op->getName() << "' has " << t;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  if (dynamic.wasInterrupted())
    return failure();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Attribute noGrad = func.getArgAttr(i, kNoGradAttr);
    if (noGrad && !isa<UnitAttr>(noGrad))
      return func.emitError()
             << "--rescale-autodiff: '" << kNoGradAttr << "' on argument #" << i
             << " must be a unit attribute";
  }
  return success();
}

namespace {

struct RescaleAutodiffPass
    : rescale::impl::RescaleAutodiffPassBase<RescaleAutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (entry.empty()) {
      module.emitError() << "--rescale-autodiff needs entry=NAME";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func) {
      module.emitError() << "--rescale-autodiff: no func.func '@" << entry
                         << "' to differentiate";
      return signalPassFailure();
    }
    std::string gradName = entry + "_grad";
    if (module.lookupSymbol(gradName)) {
      func.emitError() << "--rescale-autodiff: '@" << gradName
                       << "' already exists";
      return signalPassFailure();
    }
    if (failed(checkEntry(func)))
      return signalPassFailure();

    func::FuncOp grad = func.clone();
    grad.setSymName(gradName);
    module.getBody()->getOperations().insertAfter(func->getIterator(), grad);
    if (failed(buildBackward(grad))) {
      grad.erase();
      return signalPassFailure();
    }
  }

  LogicalResult buildBackward(func::FuncOp grad) {
    Block &body = grad.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Location loc = ret.getLoc();
    OpBuilder b(ret);

    autodiff::ReverseMode reverse(b);
    SmallVector<unsigned> diffArgs;
    for (unsigned i = 0; i < grad.getNumArguments(); ++i) {
      if (!isDifferentiableArgument(grad, i))
        continue;
      diffArgs.push_back(i);
      reverse.markVaried(grad.getArgument(i));
    }
    Value loss = ret.getOperand(0);
    Value seed = autodiff::floatConstant(b, loc, loss.getType(), 1.0);
    reverse.addAdjoint(loss, seed);

    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    if (failed(reverse.run(ops)))
      return failure();

    SmallVector<Value> grads;
    for (unsigned i : diffArgs) {
      BlockArgument arg = grad.getArgument(i);
      Value g = reverse.getAdjoint(arg);
      if (!g)
        g = autodiff::zerosLike(b, loc, arg.getType());
      grads.push_back(g);
    }
    for (Value g : grads) {
      if (failed(grad.insertResult(grad.getNumResults(), g.getType(),
                                   DictionaryAttr())))
        return failure();
      ret.getOperandsMutable().append(g);
      ++numGradients;
    }
    return success();
  }
};

} // namespace
