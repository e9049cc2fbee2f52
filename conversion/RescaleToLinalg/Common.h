//===- Common.h - helpers shared by the reference decomposition -*- C++ -*-===//
//
// The reference decomposition (--convert-rescale-to-linalg) writes every op as
// linalg-on-tensors under one numerics contract: operands are read in a wide
// *compute type* (f32 for the float math, f64 for the quantization math),
// the whole formula is evaluated in that type, reductions accumulate in f32,
// and only the final value is converted to the result element type.
//
// These helpers make that contract the default so that each op's pattern only
// spells out its formula:
//
//   * `buildGeneric` creates a `linalg.generic` whose body sees every float
//     operand already converted to the compute type and whose yielded values
//     are converted back to each output's element type. Elementwise maps and
//     reductions are thin wrappers around it.
//   * Broadcasting is expressed with indexing maps (`lastDimMap`,
//     `dropLastDimMap`), never by materializing a broadcast tensor.
//
// Patterns for one op family live in ToLinalg/<Family>ToLinalg.cpp and use
// only this API plus arith/math builders.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_CONVERSION_RESCALETOLINALG_COMMON_H
#define RESCALE_CONVERSION_RESCALETOLINALG_COMMON_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::rescale::tolinalg {

//===----------------------------------------------------------------------===//
// Scalars (for use inside linalg.generic bodies)
//===----------------------------------------------------------------------===//

/// Converts a scalar between element types: float<->float with arith.extf /
/// arith.truncf (round-to-nearest-even), signed int->float with arith.sitofp,
/// float->signed int with arith.fptosi, int<->int with extsi/trunci. Returns
/// `v` unchanged when it already has type `to`.
Value castScalar(OpBuilder &b, Location loc, Value v, Type to);

/// A float constant of type `type` (f32 unless stated).
Value floatConst(OpBuilder &b, Location loc, double value, Type type);
Value f32Const(OpBuilder &b, Location loc, double value);

/// i1: the i64 `id` lies in [0, size) (an embedding row, a loss target).
Value idInRange(OpBuilder &b, Location loc, Value id64, int64_t size);

//===----------------------------------------------------------------------===//
// Tensors and indexing maps
//===----------------------------------------------------------------------===//

/// The ranked tensor type of `v` (every value the patterns handle is one).
inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `tensor.empty` of the given static shape.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType);

/// `tensor.empty` + `linalg.fill` with `value` (an accumulator init).
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value);

/// (d0, ..., d{rank-1}) -> (d0, ..., d{rank-1}).
AffineMap identityMap(MLIRContext *ctx, unsigned rank);
/// (d0, ..., d{rank-1}) -> (d{rank-1}): reads a [d] vector (a norm weight, a
/// bias), i.e. broadcasts it along every leading dimension.
AffineMap lastDimMap(MLIRContext *ctx, unsigned rank);
/// (d0, ..., d{rank-1}) -> (d0, ..., d{rank-2}): reads a per-row value (the
/// result of a last-dim reduction), broadcasting it along the last dimension.
AffineMap dropLastDimMap(MLIRContext *ctx, unsigned rank);
/// (d0, ..., d{rank-1}) -> (): reads a rank-0 tensor (a scalar parameter).
AffineMap scalarMap(MLIRContext *ctx, unsigned rank);

/// Iterator types: all parallel, or all parallel but a reduction last.
SmallVector<utils::IteratorType> parallelIterators(unsigned rank);
SmallVector<utils::IteratorType> lastDimReductionIterators(unsigned rank);

//===----------------------------------------------------------------------===//
// linalg.generic builders
//===----------------------------------------------------------------------===//

/// Body of a generic: `ins` are the input elements, each float one already
/// converted to the compute type (non-float ones, e.g. i8 quantized values,
/// are passed unchanged); `outs` are the current output elements as stored,
/// i.e. the accumulators of a reduction (create those in the compute type).
/// Returns one value per output, in the compute type (or the output's own
/// type).
using GenericBodyFn = function_ref<SmallVector<Value>(
    OpBuilder &b, Location loc, ValueRange ins, ValueRange outs)>;

/// Builds a `linalg.generic` on tensors and returns its results. Float
/// inputs are converted to `computeType` on entry to the body and the
/// yielded values are converted to each output's element type on exit (see
/// `castScalar`), so a formula written in the body is evaluated entirely in
/// `computeType` and rounded once, on store.
SmallVector<Value> buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                                ArrayRef<AffineMap> inputMaps, ValueRange inits,
                                ArrayRef<AffineMap> outputMaps,
                                ArrayRef<utils::IteratorType> iterators,
                                Type computeType, GenericBodyFn body);

/// Elementwise body: the f32 input elements in, the f32 result out.
using ElementwiseFn =
    function_ref<Value(OpBuilder &b, Location loc, ValueRange args)>;

/// An all-parallel generic over `resultType`'s shape computing
/// `body(inputs...)` in f32 and storing it converted to `resultType`'s
/// element type. `inputMaps[i]` maps the result's index space to input i
/// (`identityMap`, `lastDimMap`, `dropLastDimMap`, `scalarMap`, ...).
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                       ElementwiseFn body);

/// Reduction combiner: the f32 input elements and the f32 accumulator in,
/// the new accumulator out.
using CombineFn =
    function_ref<Value(OpBuilder &b, Location loc, ValueRange args, Value acc)>;

/// Reduces over the last dimension of the iteration space `shape`
/// (rank >= 1), accumulating in f32 from `init`: returns a
/// `tensor<shape[:-1] x f32>` (rank 0 for a rank-1 `shape`).
/// `inputMaps[i]` maps the full iteration space to input i.
Value buildLastDimReduction(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                            ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                            double init, CombineFn combine);

/// A row-vector-times-matrix contraction over the last dimension of `row`
/// (rank >= 1), accumulated in f32:
///   out[lead..., o] = Σ_c row[lead..., c] · W[c, o]
/// where `weight` is W ([C, O], `transposed` = false) or Wᵀ ([O, C], the
/// PyTorch linear layout, `transposed` = true). Leading dimensions are kept
/// as they are (no reshape). Returns tensor<lead... x outDim x f32>.
Value buildRowTimesMatrix(OpBuilder &b, Location loc, Value row, Value weight,
                          int64_t outDim, bool transposed);

/// Converts a whole tensor to `elementType` (upcast to f32/f64, round back
/// down to bf16, ...) as one elementwise generic that rounds each element at
/// most once (see `castScalar`). Returns `tensor` when the type already
/// matches.
Value convertElementType(OpBuilder &b, Location loc, Value tensor,
                         Type elementType);

//===----------------------------------------------------------------------===//
// Tiles (AttentionToFlashTiles, GatedDeltaRuleToLinalg)
//===----------------------------------------------------------------------===//

/// Tiles of at most `maxTile` that split `extent` as evenly as possible:
/// the tile size, the number of tiles and the padded extent (at least one
/// tile, so an extent of 0 gives one empty tile).
struct TileSplit {
  int64_t size, count, padded;
};
TileSplit splitEvenly(int64_t extent, int64_t maxTile);

/// acc[i, j] + Σ_r lhs · rhs over loops (i, j, r), in f32, with lhs [M, R]
/// (or [R, M] when `lhsTransposed`) and rhs [R, N] (or [N, R] when
/// `rhsTransposed`): the body `out + a * b` that
/// rescale-contractions-to-blas hands to sgemm. The result is written over
/// `acc` [M, N].
Value accumulateProduct(OpBuilder &b, Location loc, Value lhs,
                        bool lhsTransposed, Value rhs, bool rhsTransposed,
                        Value acc);

/// An all-parallel generic over `init`'s shape that overwrites it in place
/// with body(inputs..., init element), in f32: a loop's running values
/// updated where they are, with no new tensor per iteration.
Value updateInPlace(
    OpBuilder &b, Location loc, Value init, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body);

/// `t` with `padded - extent` zero entries appended along dimension `dim`.
Value padDim(OpBuilder &b, Location loc, Value t, unsigned dim, int64_t padded);

/// The slice of `source` at `offsets` with `sizes`, unit strides, with its
/// unit dimensions dropped down to `keptShape` (a rank-reduced slice).
Value sliceOf(OpBuilder &b, Location loc, Value source,
              ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> keptShape);

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

/// The reference decomposition handles statically shaped tensors only. The
/// pass checks this up front with a located error; patterns call this as a
/// guard so they never build IR from a dynamic shape.
LogicalResult requireStaticShapes(PatternRewriter &rewriter, Operation *op);

/// True when every tensor operand and result of `op` has a static shape;
/// otherwise sets `what` to a description of the first dynamic one,
/// e.g. "operand #0 of type 'tensor<?x64xf32>'".
bool hasStaticShapes(Operation *op, std::string *what = nullptr);

//===----------------------------------------------------------------------===//
// The gated delta rule (GatedDeltaRuleToLinalg, and its GPU kernels)
//===----------------------------------------------------------------------===//

/// The sizes of a rescale.gated_delta_rule or its backward: q, k
/// [B, T, Hk, dk], v [B, T, Hv, dv]; each key head serves `group` = Hv / Hk
/// consecutive value heads.
struct GatedDeltaRuleShape {
  int64_t B, T, Hk, dk, Hv, dv, group;

  static GatedDeltaRuleShape of(Value q, Value v);
  /// No output element, or nothing to iterate over: every result is zeros.
  bool empty() const { return B == 0 || T == 0 || Hv == 0 || dv == 0; }
};

/// dq or dk per value head, `perValueHead` [B, T', Hv, dk] f32, summed over
/// each key head's `group` value heads: [B, T', Hk, dk] f32, as one
/// reduction generic (the heads seen as [B, T', Hk, group, dk]).
Value sumValueHeadGroups(OpBuilder &b, Location loc, Value perValueHead,
                         int64_t Hk, int64_t group);

//===----------------------------------------------------------------------===//
// The backward ops' decompositions (NormsGradToLinalg, AttentionGradToLinalg)
//===----------------------------------------------------------------------===//

/// `t` with its elements converted to `elementType` (through f32), as one
/// elementwise linalg.generic: unlike arith.extf/truncf on a whole tensor,
/// the NVPTX path's generic kernels take it as it is.
Value convertElements(OpBuilder &b, Location loc, Value t, Type elementType);

/// autodiff::buildSum accumulated in `computeType` and rounded to
/// `elementType` by convertElements (a generic, not a tensor-level truncf).
Value sumAs(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
            Type elementType, Type computeType, ValueRange inputs,
            ArrayRef<AffineMap> inputMaps, AffineMap outMap,
            ElementwiseFn body);

} // namespace mlir::rescale::tolinalg

#endif // RESCALE_CONVERSION_RESCALETOLINALG_COMMON_H
