//===- WeightUtils.cpp - compile-time weights for the graph passes --------===//

#include "passes/WeightUtils.h"
#include "passes/Matchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

DenseElementsAttr rescale::constantValue(Value v) {
  DenseElementsAttr d;
  if (matchPattern(v, m_Constant(&d)))
    return d;
  auto load = v.getDefiningOp<ml_program::GlobalLoadConstOp>();
  if (!load)
    return {};
  auto global = SymbolTable::lookupNearestSymbolFrom<ml_program::GlobalOp>(
      load, load.getGlobalAttr());
  if (!global || global.getIsMutable() || !global.getValue())
    return {};
  return dyn_cast<DenseElementsAttr>(*global.getValue());
}

Value rescale::scaleAlong(OpBuilder &b, Location loc, Value t, Value s,
                          unsigned axis,
                          function_ref<Value(DenseElementsAttr)> materialize) {
  auto tt = cast<RankedTensorType>(t.getType());
  Type et = tt.getElementType();
  ArrayRef<int64_t> shape = tt.getShape();
  DenseElementsAttr c = constantValue(t), sc = constantValue(s);
  // The product of two values as f32 (what the run-time path below
  // computes), then one rounding to t's type.
  auto product = [&](double v, double f) {
    return roundTo(static_cast<float>(v) * static_cast<float>(f), et);
  };
  if (c && sc && c.isSplat() && sc.isSplat()) {
    double v = c.getSplatValue<APFloat>().convertToDouble();
    double f = sc.getSplatValue<APFloat>().convertToDouble();
    auto folded = DenseElementsAttr::get(tt, product(v, f));
    return materialize ? materialize(folded)
                       : arith::ConstantOp::create(b, loc, folded);
  }
  if (c && sc && tt.getNumElements() <= kMaxFoldedElements && isFoldable(sc)) {
    SmallVector<double> v = toDoubles(c), f = toDoubles(sc);
    int64_t inner = 1;
    for (size_t d = axis + 1; d < shape.size(); ++d)
      inner *= shape[d];
    SmallVector<APFloat> out;
    out.reserve(tt.getNumElements());
    for (int64_t i = 0, e = tt.getNumElements(); i < e; ++i)
      out.push_back(product(v[i], f[(i / inner) % shape[axis]]));
    auto folded = DenseElementsAttr::get(tt, out);
    return materialize ? materialize(folded)
                       : arith::ConstantOp::create(b, loc, folded);
  }
  // A value known only at run time, or a constant too large to fold: scale
  // it on its path.
  MLIRContext *ctx = b.getContext();
  unsigned rank = tt.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  AffineMap along = AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
  Value init = match::emptyLike(b, loc, t, et);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{tt}, ValueRange{t, s}, ValueRange{init},
      ArrayRef<AffineMap>{id, along, id},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Type f32 = nb.getF32Type();
        auto toF32 = [&](Value x) -> Value {
          return x.getType() == f32 ? x : arith::ExtFOp::create(nb, l, f32, x);
        };
        Value lhs = toF32(args[0]);
        Value rhs = toF32(args[1]);
        Value m = arith::MulFOp::create(nb, l, lhs, rhs);
        if (et != f32)
          m = arith::TruncFOp::create(nb, l, et, m);
        linalg::YieldOp::create(nb, l, m);
      });
  return op.getResult(0);
}
