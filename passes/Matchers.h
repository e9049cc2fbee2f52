//===- Matchers.h - semantic dataflow matchers for the graph passes -*- C++
//-*-===//
//
// The raise and fuse passes recognize formulas (x·rsqrt(mean(x²)+ε), softmax,
// σ(z), …) whatever dialect spells them. These helpers give one *semantic*
// view of a value: they look through the places where the same computation
// is spelled differently and answer "which operation computes this".
//
//  * linalg: an elementwise linalg op (generic or named) is seen through to
//    the scalar it yields; a body block argument is seen through to the tensor
//    operand it reads (when its indexing map is an identity or a broadcast);
//  * arith/math ops work the same on tensors and on scalars in a body;
//  * reshapes that only add or drop unit dimensions, `tensor.cast`, and
//    (optionally) float extensions/truncations are transparent.
//
// So `arith.mulf %x, %x : tensor<…>`, a `linalg.generic` whose body squares
// its input, and a `linalg.mul` all answer "Mul(x, x)".
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PASSES_MATCHERS_H
#define RESCALE_PASSES_MATCHERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir {
class PatternRewriter;
namespace rescale {
namespace match {

/// Follows value identities (see the file comment). With `throughCasts`,
/// float extensions and truncations are transparent too. The result is either
/// a tensor, or a scalar defined by a compute op inside a linalg body.
Value strip(Value v, bool throughCasts = true);

/// The elementwise operations the matchers know.
enum class Ew {
  None,
  Add,
  Sub,
  Mul,
  Div,
  Neg,
  Exp,
  Rsqrt,
  Sqrt,
  Tanh,
  Pow,
  Max,
  Select
};

/// The elementwise op computing `v` (after `strip`), with its raw operands.
struct Elementwise {
  Ew kind = Ew::None;
  SmallVector<Value, 3> operands;
};
Elementwise getElementwise(Value v);

/// A float constant: a scalar constant, a splat tensor constant, or a filled
/// tensor (`linalg.fill`, seen through by `strip`).
std::optional<double> getSplat(Value v);

/// True when `a` and `b` compute the same thing: equal after `strip`, or the
/// same elementwise op over operands that are again the same.
bool sameValue(Value a, Value b, unsigned depth = 6);

/// One factor of a product: `v` or, with `inverse`, `1/v`.
struct Factor {
  Value v;
  bool inverse = false;
};
/// Flattens products and quotients (mul, div, neg) rooted at `v` into
/// non-constant factors, multiplying constants into `coeff`. Values for
/// which `stop` returns true are kept as factors.
void flattenProduct(Value v, SmallVectorImpl<Factor> &factors, double &coeff,
                    function_ref<bool(Value)> stop = nullptr);

/// A reduction over one dimension: a linalg op (generic or linalg.reduce)
/// with one reduction loop whose body combines the element with the
/// accumulator, starting from the combiner's identity.
enum class ReduceKind { Sum, Max };
struct Reduction {
  ReduceKind kind;
  Value element;    ///< the reduced expression (stripped)
  Value input;      ///< the tensor operand the reduction reads
  int64_t dimSize;  ///< extent of the reduced dimension
  bool overLastDim; ///< reduces the last dimension of every input
};
std::optional<Reduction> matchReduction(Value v);

/// A (batched) matmul: any linalg contraction with one M, N and K loop.
/// `lhs` is [..., M, K]; `rhs` is [..., K, N], or [..., N, K] when
/// `rhsTransposed` (its indexing map reads it transposed).
struct Matmul {
  linalg::LinalgOp op;
  Value lhs, rhs, init;
  bool rhsTransposed = false;
  bool lhsCanonical = false; ///< lhs read as [batch..., M, K]
  bool outCanonical = false; ///< result is [batch..., M, N]
  /// > 1 when rhs reads the last batch loop h as `h floordiv rhsGroup`: the
  /// grouped-query form of attention, where query head h reads kv head
  /// h / (Hq / Hkv) straight through the indexing map instead of through a
  /// repeat_kv copy. Only with `allowGroupedRhs`.
  int64_t rhsGroup = 1;
};
std::optional<Matmul> matchMatmul(Value v, bool allowGroupedRhs = false);

/// If `v` transposes the last two dimensions of a tensor (linalg.transpose or
/// a copying generic with that permutation), the tensor; else null.
Value matchTransposeLastTwo(Value v);

/// True for parameters rather than activations: function arguments,
/// constants and `ml_program` global loads, through casts, unit reshapes,
/// broadcasts and transposes.
bool isWeightLike(Value v);

/// σ(z) spelled `1 / (1 + exp(-z))` (also the tosa.sigmoid lowering):
/// returns z. `matchLogisticDenominator` matches the `1 + exp(-z)` part.
Value matchSigmoid(Value v);
Value matchLogisticDenominator(Value v);
/// swish(h) = h·σ(h) or h / (1 + exp(-h)): returns h.
Value matchSwish(Value v);
/// The same on the two factors of a flattened product (h and σ(h) or
/// 1/(1 + e^-h)); returns h.
Value matchSwishFactors(ArrayRef<Factor> factors);

/// Evaluates a mask over the last two dimensions (S rows, T columns):
/// a constant, or a linalg op / body value computed from `linalg.index`.
/// Returns S*T doubles (1/0 for i1), or nullopt when it cannot.
std::optional<SmallVector<double>> evaluateMask(Value v, int64_t S, int64_t T);
/// `keep[i*T+j]` is exactly `j <= i + (T - S)`.
bool isCausalPattern(ArrayRef<bool> keep, int64_t S, int64_t T);

/// A tensor value usable as an operand of a new op: `strip` without going
/// into bodies or through broadcasts, then checked to be a tensor of `shape`
/// (any element type). Null otherwise.
Value tensorLeaf(Value v, ArrayRef<int64_t> shape);

/// True when the only user of `op` is a float cast to a narrower type: the
/// pattern should then match at that cast, so the result keeps its type.
bool feedsOnlyNarrowingCast(Operation *op);

//===----------------------------------------------------------------------===//
// Builders used by the rewrites
//===----------------------------------------------------------------------===//

/// `v` with element type `et` (arith.extf / arith.truncf on the tensor).
Value castElements(OpBuilder &b, Location loc, Value v, Type et);
/// `v` reshaped to `shape` (same number of elements) with expand/collapse.
Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);
/// A vector parameter [d] from a stripped leaf of shape [d] or [1, …, 1, d].
Value asVector(OpBuilder &b, Location loc, Value v, int64_t d);
/// A matrix parameter from a leaf of shape [a, b] or [1, …, 1, a, b].
Value asMatrix(OpBuilder &b, Location loc, Value v);
/// The transpose of a 2-d tensor: folded for constants (splats, and others
/// up to kMaxFoldedElements), linalg.transpose otherwise.
Value transpose2D(OpBuilder &b, Location loc, Value v);
/// A tensor.empty of element type `et` whose dimension i is dimension
/// `dims[i]` of the ranked tensor `like`, dynamic sizes included (a
/// tensor.dim of `like` each): a pass that builds an init for a value of
/// any shape must pass the dynamic sizes, or its output does not verify.
Value emptyLike(OpBuilder &b, Location loc, Value like, ArrayRef<unsigned> dims,
                Type et);
/// emptyLike over all of `like`'s dimensions, in order.
Value emptyLike(OpBuilder &b, Location loc, Value like, Type et);

} // namespace match
} // namespace rescale
} // namespace mlir

#endif // RESCALE_PASSES_MATCHERS_H
