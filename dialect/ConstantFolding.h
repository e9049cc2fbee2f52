//===- ConstantFolding.h - compile-time fold helpers ----------*- C++ -*-===//
//
// The dialect's folders (rescale.quantize) and the graph passes that rewrite
// weights (fold-scales, insert-quantization) read float constants as doubles
// and build new constants. They share one bound on how much they expand and
// one rounding, so they live with the dialect, below the passes.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_DIALECT_CONSTANTFOLDING_H
#define RESCALE_DIALECT_CONSTANTFOLDING_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir::rescale {

/// Compile-time folds expand at most this many elements (to doubles, or to
/// a new constant). A weight is up to GBs, and a splat of GBs is a few bytes
/// in the IR until something expands it: splats are folded as splats, and a
/// larger non-splat constant is left to the run-time path, which computes the
/// same values (the folds round exactly as the run-time code does).
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// Whether folding `d` at compile time stays within kMaxFoldedElements (a
/// splat always does: it is folded as one value).
bool isFoldable(DenseElementsAttr d);

/// The elements of a float constant as doubles (a splat gives every element).
/// Callers check isFoldable first.
SmallVector<double> toDoubles(DenseElementsAttr d);

/// `v` rounded to nearest-even into the float type `et`.
llvm::APFloat roundTo(double v, Type et);

} // namespace mlir::rescale

#endif // RESCALE_DIALECT_CONSTANTFOLDING_H
