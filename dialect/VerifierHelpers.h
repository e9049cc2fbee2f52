//===- VerifierHelpers.h - shared pieces of the ops' verifiers -*- C++ -*-===//
//
// The shape and rank checks every op file's verifiers use, so that all of
// them word their diagnostics alike: "'weight' must have shape [128] (the
// last dimension of 'x'), but has shape [64]". Internal to dialect/.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_DIALECT_VERIFIERHELPERS_H
#define RESCALE_DIALECT_VERIFIERHELPERS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::rescale::verifier {

/// "[2, ?, 64]".
inline std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

inline RankedTensorType tensorOf(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

/// Dimensions agree unless one of them is dynamic.
inline bool dimsMatch(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

inline bool shapesMatch(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!dimsMatch(x, y))
      return false;
  return true;
}

/// Checks that `value` (named `name`) has exactly `expected` as shape.
inline LogicalResult expectShape(Operation *op, Value value, StringRef name,
                                 ArrayRef<int64_t> expected,
                                 StringRef why = {}) {
  ArrayRef<int64_t> actual = tensorOf(value).getShape();
  if (shapesMatch(actual, expected))
    return success();
  auto diag = op->emitOpError()
              << "'" << name << "' must have shape " << formatShape(expected);
  if (!why.empty())
    diag << " (" << why << ")";
  diag << ", but has shape " << formatShape(actual);
  return diag;
}

/// Checks that `value` (named `name`) is a tensor of f32, f16 or bf16, the
/// dialect's compute types. ODS only checks that operands are ranked
/// tensors, so that this message can name the operand.
inline LogicalResult expectFloatElements(Operation *op, Value value,
                                         StringRef name) {
  Type et = tensorOf(value).getElementType();
  if (et.isF32() || et.isF16() || et.isBF16())
    return success();
  return op->emitOpError() << "'" << name
                           << "' must have element type f32, f16 or bf16, but "
                              "has "
                           << et;
}

/// Checks that `value` (named `name`) has the element type of `like`
/// (named `likeName`).
inline LogicalResult expectElementTypeLike(Operation *op, Value value,
                                           StringRef name, Value like,
                                           StringRef likeName) {
  Type actual = tensorOf(value).getElementType();
  Type expected = tensorOf(like).getElementType();
  if (actual == expected)
    return success();
  return op->emitOpError() << "'" << name << "' must have element type "
                           << expected << " like '" << likeName << "', but has "
                           << actual;
}

/// A backward op's results: the gradient of each named operand, in order,
/// of exactly that operand's type.
inline LogicalResult
expectGradientTypes(Operation *op, ValueRange gradients,
                    ArrayRef<std::pair<Value, StringRef>> operands) {
  for (auto [gradient, operand] : llvm::zip(gradients, operands))
    if (gradient.getType() != operand.first.getType())
      return op->emitOpError()
             << "the gradient of '" << operand.second << "' must have its type "
             << operand.first.getType() << ", but has " << gradient.getType();
  return success();
}

inline LogicalResult expectRank(Operation *op, Value v, StringRef name,
                                int64_t rank, StringRef layout = {}) {
  int64_t actual = tensorOf(v).getRank();
  if (actual == rank)
    return success();
  auto diag = op->emitOpError() << "'" << name << "' must have rank " << rank;
  if (!layout.empty())
    diag << " (" << layout << ")";
  diag << ", but has rank " << actual;
  return diag;
}

} // namespace mlir::rescale::verifier

#endif // RESCALE_DIALECT_VERIFIERHELPERS_H
