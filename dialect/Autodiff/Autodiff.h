//===- Autodiff.h - reverse-mode differentiation of the dialect -*- C++ -*-===//
//
// The pieces of reverse mode (docs/autodiff.md):
//   * `AutodiffOpInterface` (AutodiffInterface.td): the gradient rule of one
//     op, implemented by the rescale ops (RescaleOpsGrad.cpp) and attached to
//     upstream ops as external models (ArithMathGrad.cpp, LinalgGrad.cpp,
//     TensorGrad.cpp; `registerAutodiffExternalModels`).
//   * `ReverseMode`: walks straight-line ops backwards, accumulates adjoints
//     and calls the rules. `--rescale-autodiff` runs it over a function; a
//     rule may run it over a decomposition it has just emitted, and the
//     linalg rule runs it over the scalar body of a linalg op.
//   * Builders the rules share (GradBuilders.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_DIALECT_AUTODIFF_AUTODIFF_H
#define RESCALE_DIALECT_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include "dialect/Autodiff/AutodiffInterface.h.inc"

namespace mlir {
class DialectRegistry;
namespace rescale {

/// Attaches the gradient rules of the upstream ops (arith and math
/// elementwise ops, linalg structured ops, tensor reshapes, slices and
/// concat, constants) to their dialects.
void registerAutodiffExternalModels(DialectRegistry &registry);

namespace autodiff {

/// Attaches the rescale ops' own rules (RescaleOpsGrad.cpp,
/// AttentionGrad.cpp); RescaleDialect::initialize calls it, so the rules are
/// there wherever the dialect is loaded.
void attachRescaleOpGradRules(MLIRContext *ctx);
void attachAttentionGradRule(MLIRContext *ctx);
/// gated_delta_rule (GatedDeltaRuleGrad.cpp).
void attachGatedDeltaRuleGradRule(MLIRContext *ctx);
/// embedding, cross_entropy, rope (TrainingGrad.cpp).
void attachTrainingGradRules(MLIRContext *ctx);

/// The upstream ops' rules, by dialect (ArithMathGrad.cpp, LinalgGrad.cpp,
/// TensorGrad.cpp); registerAutodiffExternalModels calls them.
void registerArithMathGradModels(DialectRegistry &registry);
void registerLinalgGradModels(DialectRegistry &registry);
void registerTensorGradModels(DialectRegistry &registry);

/// Reverse-mode accumulation over a straight-line list of ops.
///
///   ReverseMode rm(builder);          // builder: where the backward goes
///   rm.markVaried(x);                 // the values we want gradients of
///   rm.addAdjoint(loss, one);         // seed
///   if (failed(rm.run(ops))) ...;     // ops in forward (IR) order
///   Value dx = rm.getAdjoint(x);      // null: x does not reach the seed
///
/// An op is differentiated when it is *active*: some operand depends on a
/// varied value and some result has an adjoint. Inactive ops need no rule;
/// an active op without one is an error at its location. Adjoints of a value
/// used several times are summed (arith.addf), in the order the uses are
/// visited (reverse IR order, then operand order), so the IR is
/// deterministic.
class ReverseMode {
public:
  explicit ReverseMode(OpBuilder &builder) : builder(builder) {}

  void markVaried(Value v) { varied.insert(v); }
  bool isVaried(Value v) const { return varied.contains(v); }
  /// adjoint(v) += grad (grad has v's type).
  void addAdjoint(Value v, Value grad);
  /// The accumulated adjoint of `v`, or null.
  Value getAdjoint(Value v) const { return adjoints.lookup(v); }

  /// Propagates varied-ness forward through `ops`, then differentiates the
  /// active ones in reverse order. `ops` must be in IR order and must not
  /// include a terminator.
  LogicalResult run(ArrayRef<Operation *> ops);

private:
  LogicalResult differentiate(Operation *op);

  OpBuilder &builder;
  llvm::DenseSet<Value> varied;
  llvm::DenseMap<Value, Value> adjoints;
};

//===----------------------------------------------------------------------===//
// Builders shared by the rules (GradBuilders.cpp). Each creates its ops at
// the builder's insertion point, one named op at a time.
//===----------------------------------------------------------------------===//

/// True for f16, bf16, f32 and f64 (scalars) or tensors of them.
bool isFloatLike(Type t);

/// A float constant of type `like`: a scalar, or a splat tensor.
Value floatConstant(OpBuilder &b, Location loc, Type like, double value);
/// Zeros of type `like` (scalar or splat tensor).
Value zerosLike(OpBuilder &b, Location loc, Type like);
/// a + b with either of them allowed to be null.
Value addOrNull(OpBuilder &b, Location loc, Value a, Value c);

/// `tensor.empty` + `linalg.fill(value)`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value);

/// Converts a tensor's elements to `elementType` (arith.extf/truncf on the
/// whole tensor); returns `t` when it already has that element type.
Value castElements(OpBuilder &b, Location loc, Value t, Type elementType);

/// (d0..dn-1) -> (d0..dn-1); -> (d{n-1}); -> (d0..d{n-2}).
AffineMap identityMap(MLIRContext *ctx, unsigned rank);
AffineMap lastDimMap(MLIRContext *ctx, unsigned rank);
AffineMap dropLastDimMap(MLIRContext *ctx, unsigned rank);
/// The map of the iteration space of rank `rank` onto the listed dims.
AffineMap dimsMap(MLIRContext *ctx, unsigned rank, ArrayRef<unsigned> dims);

/// Scalar body of an elementwise or reduction generic: the input elements
/// in (already converted to the compute type), one value out.
using ScalarFn =
    function_ref<Value(OpBuilder &b, Location loc, ValueRange args)>;

/// An all-parallel generic over `shape` (result elements of `elementType`):
/// `body(inputs read through inputMaps)`, computed in `computeType` (inputs
/// converted on entry, the result converted on store).
Value buildMap(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               Type elementType, Type computeType, ValueRange inputs,
               ArrayRef<AffineMap> inputMaps, ScalarFn body);

/// A sum over the iteration space `shape`: out[outMap(i)] += body(inputs at
/// inputMaps(i)), accumulated in `computeType` from zero. `outMap` must be a
/// projected permutation; the dims it drops are reduced. The result has the
/// shape `outMap` selects and element type `elementType`.
Value buildSum(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
               Type elementType, Type computeType, ValueRange inputs,
               ArrayRef<AffineMap> inputMaps, AffineMap outMap, ScalarFn body);

} // namespace autodiff
} // namespace rescale
} // namespace mlir

#endif // RESCALE_DIALECT_AUTODIFF_AUTODIFF_H
