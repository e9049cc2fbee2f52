//===- GradBuilders.cpp - builders shared by the gradient rules -----------===//

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

bool autodiff::isFloatLike(Type t) {
  if (auto st = dyn_cast<ShapedType>(t))
    t = st.getElementType();
  return isa<FloatType>(t) &&
         (t.isF16() || t.isBF16() || t.isF32() || t.isF64());
}

Value autodiff::floatConstant(OpBuilder &b, Location loc, Type like,
                              double value) {
  if (auto st = dyn_cast<ShapedType>(like)) {
    Type et = st.getElementType();
    auto attr = DenseElementsAttr::get(st, b.getFloatAttr(et, value));
    return arith::ConstantOp::create(b, loc, st, attr);
  }
  return arith::ConstantOp::create(b, loc, like, b.getFloatAttr(like, value));
}

Value autodiff::zerosLike(OpBuilder &b, Location loc, Type like) {
  return floatConstant(b, loc, like, 0.0);
}

Value autodiff::addOrNull(OpBuilder &b, Location loc, Value a, Value c) {
  if (!a)
    return c;
  if (!c)
    return a;
  return arith::AddFOp::create(b, loc, a, c);
}

Value autodiff::filledTensor(OpBuilder &b, Location loc,
                             ArrayRef<int64_t> shape, Type elementType,
                             double value) {
  Value empty = tensor::EmptyOp::create(b, loc, shape, elementType);
  Value fillValue = floatConstant(b, loc, elementType, value);
  return linalg::FillOp::create(b, loc, ValueRange{fillValue},
                                ValueRange{empty})
      .getResult(0);
}

Value autodiff::castElements(OpBuilder &b, Location loc, Value t,
                             Type elementType) {
  auto tt = cast<RankedTensorType>(t.getType());
  Type from = tt.getElementType();
  if (from == elementType)
    return t;
  auto to = tt.clone(elementType);
  if (cast<FloatType>(from).getWidth() <
      cast<FloatType>(elementType).getWidth())
    return arith::ExtFOp::create(b, loc, to, t);
  return arith::TruncFOp::create(b, loc, to, t);
}

/// Scalar conversion between float types (exact upward, round-to-nearest-even
/// downward).
static Value castScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to || !isa<FloatType>(from) || !isa<FloatType>(to))
    return v;
  if (cast<FloatType>(from).getWidth() < cast<FloatType>(to).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

AffineMap autodiff::identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

AffineMap autodiff::dimsMap(MLIRContext *ctx, unsigned rank,
                            ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

AffineMap autodiff::lastDimMap(MLIRContext *ctx, unsigned rank) {
  return dimsMap(ctx, rank, {rank - 1});
}

AffineMap autodiff::dropLastDimMap(MLIRContext *ctx, unsigned rank) {
  SmallVector<unsigned> dims;
  for (unsigned d = 0; d + 1 < rank; ++d)
    dims.push_back(d);
  return dimsMap(ctx, rank, dims);
}

Value autodiff::buildMap(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                         Type elementType, Type computeType, ValueRange inputs,
                         ArrayRef<AffineMap> inputMaps, ScalarFn body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = shape.size();
  Value init = tensor::EmptyOp::create(b, loc, shape, elementType);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(identityMap(ctx, rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> ins;
        for (Value a : args.drop_back())
          ins.push_back(castScalar(nb, l, a, computeType));
        Value v = body(nb, l, ins);
        Value stored = castScalar(nb, l, v, elementType);
        linalg::YieldOp::create(nb, l, stored);
      });
  return generic.getResult(0);
}

Value autodiff::buildSum(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                         Type elementType, Type computeType, ValueRange inputs,
                         ArrayRef<AffineMap> inputMaps, AffineMap outMap,
                         ScalarFn body) {
  unsigned rank = shape.size();
  SmallVector<int64_t> outShape;
  for (AffineExpr e : outMap.getResults())
    outShape.push_back(shape[cast<AffineDimExpr>(e).getPosition()]);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::reduction);
  for (AffineExpr e : outMap.getResults())
    iters[cast<AffineDimExpr>(e).getPosition()] = utils::IteratorType::parallel;
  Value init = filledTensor(b, loc, outShape, computeType, 0.0);
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(outMap);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> ins;
        for (Value a : args.drop_back())
          ins.push_back(castScalar(nb, l, a, computeType));
        Value v = body(nb, l, ins);
        Value acc = arith::AddFOp::create(nb, l, args.back(), v);
        linalg::YieldOp::create(nb, l, acc);
      });
  return castElements(b, loc, generic.getResult(0), elementType);
}
