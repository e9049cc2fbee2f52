//===- Common.cpp - helpers shared by the reference decomposition ---------===//

#include "conversion/RescaleToLinalg/Common.h"

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::tolinalg;

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value tolinalg::castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromF = dyn_cast<FloatType>(from);
  auto toF = dyn_cast<FloatType>(to);
  if (fromF && toF) {
    if (fromF.getWidth() < toF.getWidth()) {
      // bf16 widens to f64 through f32 (exact either way): the CPU pipeline
      // expands bf16->f32 into integer code, but a direct bf16->f64 extf
      // reaches LLVM as bfloat arithmetic (instcombine turns fabs(fpext x)
      // into fpext(fabs.bf16 x)), which x86 lowers with __truncsfbf2
      // libcalls that Debian 12's libgcc does not provide.
      if (fromF.isBF16() && toF.getWidth() > 32)
        return castScalar(b, loc, castScalar(b, loc, v, b.getF32Type()), to);
      return arith::ExtFOp::create(b, loc, to, v);
    }
    // Equal widths (f16 <-> bf16) go through f32 so that each step is exact
    // or a single round-to-nearest-even.
    if (fromF.getWidth() == toF.getWidth())
      return castScalar(b, loc, castScalar(b, loc, v, b.getF32Type()), to);
    return arith::TruncFOp::create(b, loc, to, v);
  }
  auto fromI = dyn_cast<IntegerType>(from);
  auto toI = dyn_cast<IntegerType>(to);
  if (fromI && toF)
    return arith::SIToFPOp::create(b, loc, to, v);
  if (fromF && toI)
    return arith::FPToSIOp::create(b, loc, to, v);
  if (fromI && toI) {
    if (fromI.getWidth() < toI.getWidth())
      return arith::ExtSIOp::create(b, loc, to, v);
    return arith::TruncIOp::create(b, loc, to, v);
  }
  llvm_unreachable("castScalar: unsupported element type conversion");
}

Value tolinalg::floatConst(OpBuilder &b, Location loc, double value,
                           Type type) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value tolinalg::f32Const(OpBuilder &b, Location loc, double value) {
  return floatConst(b, loc, value, b.getF32Type());
}

Value tolinalg::idInRange(OpBuilder &b, Location loc, Value id64,
                          int64_t size) {
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
  Value bound = arith::ConstantIntOp::create(b, loc, size, 64);
  Value nonNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, id64, zero);
  Value below =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, id64, bound);
  return arith::AndIOp::create(b, loc, nonNegative, below);
}

//===----------------------------------------------------------------------===//
// Tensors and indexing maps
//===----------------------------------------------------------------------===//

Value tolinalg::emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                            Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value tolinalg::filledTensor(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, Type elementType,
                             double value) {
  Value empty = emptyTensor(b, loc, shape, elementType);
  Value init = floatConst(b, loc, value, elementType);
  return linalg::FillOp::create(b, loc, ValueRange{init}, ValueRange{empty})
      .getResult(0);
}

AffineMap tolinalg::identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap tolinalg::lastDimMap(MLIRContext *ctx, unsigned rank) {
  assert(rank >= 1 && "lastDimMap needs rank >= 1");
  return AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
}

AffineMap tolinalg::dropLastDimMap(MLIRContext *ctx, unsigned rank) {
  assert(rank >= 1 && "dropLastDimMap needs rank >= 1");
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i + 1 < rank; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap tolinalg::scalarMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::get(rank, 0, ctx);
}

SmallVector<utils::IteratorType> tolinalg::parallelIterators(unsigned rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

SmallVector<utils::IteratorType>
tolinalg::lastDimReductionIterators(unsigned rank) {
  assert(rank >= 1 && "a last-dim reduction needs rank >= 1");
  SmallVector<utils::IteratorType> it = parallelIterators(rank);
  it.back() = utils::IteratorType::reduction;
  return it;
}

//===----------------------------------------------------------------------===//
// linalg.generic builders
//===----------------------------------------------------------------------===//

/// Float scalars go to the compute type; others (integers) stay as they are.
static Value toCompute(OpBuilder &b, Location loc, Value v, Type computeType) {
  return isa<FloatType>(v.getType()) ? castScalar(b, loc, v, computeType) : v;
}

SmallVector<Value>
tolinalg::buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                       ArrayRef<AffineMap> inputMaps, ValueRange inits,
                       ArrayRef<AffineMap> outputMaps,
                       ArrayRef<utils::IteratorType> iterators,
                       Type computeType, GenericBodyFn body) {
  assert(inputs.size() == inputMaps.size() &&
         inits.size() == outputMaps.size());
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(outputMaps.begin(), outputMaps.end());
  TypeRange resultTypes = inits.getTypes();
  unsigned numInputs = inputs.size();
  auto generic = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, inits, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        // Only the inputs are converted: outputs are either accumulators,
        // created in the compute type, or write-only (elementwise results),
        // and converting them would leave dead casts in every body.
        SmallVector<Value> ins;
        for (Value a : args.take_front(numInputs))
          ins.push_back(toCompute(nb, nloc, a, computeType));
        SmallVector<Value> results =
            body(nb, nloc, ins, args.drop_front(numInputs));
        assert(results.size() == inits.size() && "one value per output");
        SmallVector<Value> yielded;
        for (auto [r, out] : llvm::zip(results, args.drop_front(numInputs)))
          yielded.push_back(castScalar(nb, nloc, r, out.getType()));
        linalg::YieldOp::create(nb, nloc, yielded);
      });
  return SmallVector<Value>(generic.getResults());
}

Value tolinalg::buildElementwise(OpBuilder &b, Location loc,
                                 RankedTensorType resultType, ValueRange inputs,
                                 ArrayRef<AffineMap> inputMaps,
                                 ElementwiseFn body) {
  unsigned rank = resultType.getRank();
  Value init =
      emptyTensor(b, loc, resultType.getShape(), resultType.getElementType());
  return buildGeneric(
             b, loc, inputs, inputMaps, init, identityMap(b.getContext(), rank),
             parallelIterators(rank), b.getF32Type(),
             [&](OpBuilder &nb, Location nloc, ValueRange ins, ValueRange) {
               return SmallVector<Value>{body(nb, nloc, ins)};
             })
      .front();
}

Value tolinalg::buildLastDimReduction(OpBuilder &b, Location loc,
                                      ArrayRef<int64_t> shape,
                                      ValueRange inputs,
                                      ArrayRef<AffineMap> inputMaps,
                                      double init, CombineFn combine) {
  unsigned rank = shape.size();
  Value acc = filledTensor(b, loc, shape.drop_back(), b.getF32Type(), init);
  return buildGeneric(b, loc, inputs, inputMaps, acc,
                      dropLastDimMap(b.getContext(), rank),
                      lastDimReductionIterators(rank), b.getF32Type(),
                      [&](OpBuilder &nb, Location nloc, ValueRange ins,
                          ValueRange outs) {
                        return SmallVector<Value>{
                            combine(nb, nloc, ins, outs.front())};
                      })
      .front();
}

/// (d0, ..., d{n-1}) -> (d{i}, d{j}): reads a 2-D weight.
static AffineMap matrixMap(MLIRContext *ctx, unsigned n, unsigned i,
                           unsigned j) {
  return AffineMap::get(
      n, 0, {getAffineDimExpr(i, ctx), getAffineDimExpr(j, ctx)}, ctx);
}

/// (d0, ..., d{n-1}) -> (d0, ..., d{n-3}, d{n-1}): in a contraction whose
/// index space is [leading..., out, in], reads the row vector [leading..., in].
static AffineMap contractionRowMap(MLIRContext *ctx, unsigned n) {
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i + 2 < n; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  exprs.push_back(getAffineDimExpr(n - 1, ctx));
  return AffineMap::get(n, 0, exprs, ctx);
}

Value tolinalg::buildRowTimesMatrix(OpBuilder &b, Location loc, Value row,
                                    Value weight, int64_t outDim,
                                    bool transposed) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType rowType = cast<RankedTensorType>(row.getType());
  SmallVector<int64_t> space(rowType.getShape().drop_back());
  space.push_back(outDim);
  space.push_back(rowType.getShape().back());
  unsigned n = space.size();
  // In the index space [lead..., o, c]: o is dim n-2, c is dim n-1.
  AffineMap wMap = transposed ? matrixMap(ctx, n, n - 2, n - 1)
                              : matrixMap(ctx, n, n - 1, n - 2);
  return buildLastDimReduction(
      b, loc, space, {row, weight}, {contractionRowMap(ctx, n), wMap},
      /*init=*/0.0, [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
        return arith::AddFOp::create(nb, l, acc, p).getResult();
      });
}

Value tolinalg::convertElementType(OpBuilder &b, Location loc, Value tensor,
                                   Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType() == elementType)
    return tensor;
  // Converting straight to the target type (compute type = target) rounds
  // each element at most once: one castScalar per element.
  unsigned rank = type.getRank();
  Value init = emptyTensor(b, loc, type.getShape(), elementType);
  return buildGeneric(b, loc, tensor, identityMap(b.getContext(), rank), init,
                      identityMap(b.getContext(), rank),
                      parallelIterators(rank), elementType,
                      [](OpBuilder &, Location, ValueRange ins, ValueRange) {
                        return SmallVector<Value>{ins.front()};
                      })
      .front();
}

//===----------------------------------------------------------------------===//
// Preconditions
//===----------------------------------------------------------------------===//

bool tolinalg::hasStaticShapes(Operation *op, std::string *what) {
  auto check = [&](Type t, StringRef kind, unsigned i) {
    auto shaped = dyn_cast<ShapedType>(t);
    if (!shaped || shaped.hasStaticShape())
      return true;
    if (what) {
      what->clear();
      llvm::raw_string_ostream os(*what);
      os << kind << " #" << i << " of type '" << t << "'";
    }
    return false;
  };
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (!check(v.getType(), "operand", i))
      return false;
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (!check(v.getType(), "result", i))
      return false;
  return true;
}

LogicalResult tolinalg::requireStaticShapes(PatternRewriter &rewriter,
                                            Operation *op) {
  std::string what;
  if (hasStaticShapes(op, &what))
    return success();
  return rewriter.notifyMatchFailure(op, "dynamic shape: " + what);
}

Value tolinalg::convertElements(OpBuilder &b, Location loc, Value t,
                                Type elementType) {
  RankedTensorType tt = tensorType(t);
  if (tt.getElementType() == elementType)
    return t;
  return autodiff::buildMap(
      b, loc, tt.getShape(), elementType, b.getF32Type(), {t},
      {autodiff::identityMap(b.getContext(), tt.getRank())},
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

Value tolinalg::sumAs(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Type elementType, Type computeType, ValueRange inputs,
                      ArrayRef<AffineMap> inputMaps, AffineMap outMap,
                      ElementwiseFn body) {
  Value sum = autodiff::buildSum(b, loc, shape, computeType, computeType,
                                 inputs, inputMaps, outMap, body);
  return convertElements(b, loc, sum, elementType);
}

//===----------------------------------------------------------------------===//
// Tiles
//===----------------------------------------------------------------------===//

TileSplit mlir::rescale::tolinalg::splitEvenly(int64_t extent,
                                               int64_t maxTile) {
  int64_t count = std::max<int64_t>(1, llvm::divideCeil(extent, maxTile));
  int64_t size = llvm::divideCeil(extent, count);
  return {size, count, size * count};
}

Value mlir::rescale::tolinalg::padDim(OpBuilder &b, Location loc, Value t,
                                      unsigned dim, int64_t padded) {
  RankedTensorType type = tensorType(t);
  if (type.getDimSize(dim) == padded)
    return t;
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = padded;
  Value zero =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(type.getElementType()));
  return tensor::createPadHighOp(type.clone(shape), t, zero, /*nofold=*/false,
                                 loc, b);
}

Value mlir::rescale::tolinalg::sliceOf(OpBuilder &b, Location loc, Value source,
                                       ArrayRef<OpFoldResult> offsets,
                                       ArrayRef<int64_t> sizes,
                                       ArrayRef<int64_t> keptShape) {
  SmallVector<OpFoldResult> sizeAttrs, strides;
  for (int64_t size : sizes) {
    sizeAttrs.push_back(b.getIndexAttr(size));
    strides.push_back(b.getIndexAttr(1));
  }
  auto type =
      RankedTensorType::get(keptShape, tensorType(source).getElementType());
  return tensor::ExtractSliceOp::create(b, loc, type, source, offsets,
                                        sizeAttrs, strides);
}

Value mlir::rescale::tolinalg::accumulateProduct(OpBuilder &b, Location loc,
                                                 Value lhs, bool lhsTransposed,
                                                 Value rhs, bool rhsTransposed,
                                                 Value acc) {
  MLIRContext *ctx = b.getContext();
  AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx),
             r = getAffineDimExpr(2, ctx);
  AffineMap lhsMap = lhsTransposed ? AffineMap::get(3, 0, {r, i}, ctx)
                                   : AffineMap::get(3, 0, {i, r}, ctx);
  AffineMap rhsMap = rhsTransposed ? AffineMap::get(3, 0, {j, r}, ctx)
                                   : AffineMap::get(3, 0, {r, j}, ctx);
  AffineMap outMap = AffineMap::get(3, 0, {i, j}, ctx);
  return buildGeneric(
             b, loc, {lhs, rhs}, {lhsMap, rhsMap}, acc, outMap,
             lastDimReductionIterators(3), b.getF32Type(),
             [](OpBuilder &nb, Location l, ValueRange ins, ValueRange outs) {
               Value p = arith::MulFOp::create(nb, l, ins[0], ins[1]);
               return SmallVector<Value>{
                   arith::AddFOp::create(nb, l, outs[0], p)};
             })
      .front();
}

Value mlir::rescale::tolinalg::updateInPlace(
    OpBuilder &b, Location loc, Value init, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  unsigned rank = tensorType(init).getRank();
  return buildGeneric(
             b, loc, inputs, inputMaps, init, identityMap(b.getContext(), rank),
             parallelIterators(rank), b.getF32Type(),
             [&](OpBuilder &nb, Location l, ValueRange ins, ValueRange outs) {
               return SmallVector<Value>{body(nb, l, ins, outs[0])};
             })
      .front();
}

GatedDeltaRuleShape mlir::rescale::tolinalg::GatedDeltaRuleShape::of(Value q,
                                                                     Value v) {
  ArrayRef<int64_t> qs = tensorType(q).getShape();
  ArrayRef<int64_t> vs = tensorType(v).getShape();
  GatedDeltaRuleShape s{qs[0], qs[1], qs[2], qs[3], vs[2], vs[3], 1};
  s.group = s.Hk > 0 ? s.Hv / s.Hk : 1;
  return s;
}

Value mlir::rescale::tolinalg::sumValueHeadGroups(OpBuilder &b, Location loc,
                                                  Value perValueHead,
                                                  int64_t Hk, int64_t group) {
  ArrayRef<int64_t> shape = tensorType(perValueHead).getShape();
  int64_t B = shape[0], T = shape[1], dk = shape[3];
  MLIRContext *ctx = b.getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Loops (b, t, hk, e, j): the group j innermost, reduced.
  AffineMap groupMap =
      AffineMap::get(5, 0, {dim(0), dim(1), dim(2), dim(4), dim(3)}, ctx);
  Value grouped = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({B, T, Hk, group, dk}, b.getF32Type()),
      perValueHead, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4}});
  return buildLastDimReduction(
      b, loc, {B, T, Hk, dk, group}, {grouped}, {groupMap}, 0.0,
      [](OpBuilder &nb, Location l, ValueRange a, Value acc) {
        return arith::AddFOp::create(nb, l, acc, a[0]).getResult();
      });
}
