//===- WeightUtils.h - compile-time weights for graph passes ---*- C++ -*-===//
//
// fold-scales and insert-quantization both rewrite parameters: they read a
// weight's value when it is known at compile time (an arith.constant, or the
// initial value of an immutable ml_program.global) and scale it by a vector
// along one dimension. Both need the same answer to "what is this weight"
// and the same rounding of the product (f32, rounded once), so the helpers
// live here. The fold bound and the rounding they share with the dialect's
// folders are in dialect/ConstantFolding.h.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PASSES_WEIGHTUTILS_H
#define RESCALE_PASSES_WEIGHTUTILS_H

#include "dialect/ConstantFolding.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::rescale {

/// The compile-time value of a parameter: a dense constant, or the initial
/// value of an immutable ml_program.global it loads. Null otherwise.
DenseElementsAttr constantValue(Value v);

/// `t ⊙ s` with the vector `s` running along dimension `axis` of the
/// statically shaped `t`: computed in f32 and rounded once to t's element
/// type. When both are compile-time values (`constantValue`) the product is
/// folded and handed to `materialize` (default: an arith.constant): a splat
/// when both are splats, else only within kMaxFoldedElements. Otherwise an
/// explicit linalg.generic scales `t` on its path.
Value scaleAlong(OpBuilder &b, Location loc, Value t, Value s, unsigned axis,
                 function_ref<Value(DenseElementsAttr)> materialize = nullptr);

} // namespace mlir::rescale

#endif // RESCALE_PASSES_WEIGHTUTILS_H
