//===- Common.h - what the raise patterns share -----------------*- C++ -*-===//
//
// Small predicates and builders used by more than one family of raise
// patterns (passes/Raise/*.cpp, the --rescale-raise pass).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PASSES_RAISE_COMMON_H
#define RESCALE_PASSES_RAISE_COMMON_H

#include "dialect/RescaleDialect.h"
#include "passes/Matchers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cmath>

namespace mlir::rescale::raise {
using namespace mlir::rescale::match;

inline bool approxEq(double a, double b) {
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// A masked score is one no softmax can make nonzero: -inf or ≤ -1e4 (the
/// usual finite stand-ins: -1e4, -1e9, -3.4e38, finfo.min).
inline bool isMaskedScore(double v) { return v <= -1e4; }

/// The ranked float tensor a candidate root produces, or null.
inline RankedTensorType floatTensorResult(Operation *op) {
  if (op->getNumResults() != 1 ||
      op->getDialect() == op->getContext()->getLoadedDialect<RescaleDialect>())
    return {};
  auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!t || !t.hasStaticShape() || !isa<FloatType>(t.getElementType()))
    return {};
  return t;
}

/// A parameter vector [d] (after strip) for a norm or a bias.
inline Value vectorLeaf(Value v, int64_t d) {
  v = strip(v);
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getRank() < 1 ||
      t.getShape().back() != d || t.getNumElements() != d)
    return {};
  return v;
}

/// Parameters may be the compute type or f32 (the dialect's rule); anything
/// else is upcast to f32.
inline Value paramOf(OpBuilder &b, Location loc, Value v, Type computeType) {
  Type et = cast<RankedTensorType>(v.getType()).getElementType();
  if (et == computeType || et.isF32())
    return v;
  return castElements(b, loc, v, b.getF32Type());
}

} // namespace mlir::rescale::raise

#endif // RESCALE_PASSES_RAISE_COMMON_H
