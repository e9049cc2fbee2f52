//===- ConstantFolding.cpp - bounds and helpers of compile-time folds -----===//

#include "dialect/ConstantFolding.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cassert>

using namespace mlir;
using llvm::APFloat;

bool rescale::isFoldable(DenseElementsAttr d) {
  return d.isSplat() || d.getNumElements() <= kMaxFoldedElements;
}

SmallVector<double> rescale::toDoubles(DenseElementsAttr d) {
  assert(isFoldable(d) && "callers bound the expansion");
  SmallVector<double> out;
  out.reserve(d.getNumElements());
  for (APFloat v : d.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

APFloat rescale::roundTo(double v, Type et) {
  APFloat r(v);
  bool lost;
  r.convert(cast<FloatType>(et).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &lost);
  return r;
}
