//===- LinearNames.cpp - stable names of linears and probe results --------===//

#include "passes/LinearNames.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::rescale;

void mlir::rescale::forEachNamedLinear(
    Operation *root, function_ref<void(LinearOp, StringRef)> fn) {
  auto nameOne = [&](LinearOp lin, StringRef scope, unsigned &counter) {
    unsigned index = counter++;
    if (auto named = dyn_cast<NameLoc>(lin.getLoc()))
      return fn(lin, named.getName().getValue());
    std::string name = (scope.empty() ? Twine() : scope + "/").str() +
                       "linear" + std::to_string(index);
    fn(lin, name);
  };
  auto nameIn = [&](Operation *scopeOp, StringRef scope) {
    unsigned counter = 0;
    scopeOp->walk([&](LinearOp lin) { nameOne(lin, scope, counter); });
  };
  if (auto func = dyn_cast<func::FuncOp>(root))
    return nameIn(func, func.getSymName());
  // Functions are named scopes; linears outside any function are counted
  // on their own.
  unsigned loose = 0;
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      nameIn(func, func.getSymName());
      return WalkResult::skip();
    }
    if (auto lin = dyn_cast<LinearOp>(op))
      nameOne(lin, "", loose);
    return WalkResult::advance();
  });
}

DictionaryAttr mlir::rescale::makeProbeAttr(MLIRContext *ctx, StringRef kind,
                                            ArrayRef<std::string> names) {
  Builder b(ctx);
  NamedAttribute what =
      names.size() == 1
          ? b.getNamedAttr("name", b.getStringAttr(names.front()))
          : b.getNamedAttr("names", b.getStrArrayAttr(SmallVector<StringRef>(
                                        names.begin(), names.end())));
  return b.getDictionaryAttr(
      {b.getNamedAttr("kind", b.getStringAttr(kind)), what});
}
