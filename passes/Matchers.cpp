//===- Matchers.cpp - semantic dataflow matchers for the graph passes
//------===//

#include "passes/Matchers.h"
#include "passes/WeightUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::match;

/// An indexing map that reads its operand in loop order, possibly skipping
/// loops or reading a unit dimension (constant 0): identity or broadcast.
static bool isInOrderProjection(AffineMap m) {
  if (!m.isProjectedPermutation(/*allowZeroInResults=*/true))
    return false;
  int64_t last = -1;
  for (AffineExpr e : m.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      continue;
    if (static_cast<int64_t>(d.getPosition()) <= last)
      return false;
    last = d.getPosition();
  }
  return true;
}

/// Shapes equal once unit dimensions are dropped.
static bool isUnitReshape(Type a, Type b) {
  auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
  if (!ta || !tb || !ta.hasStaticShape() || !tb.hasStaticShape())
    return false;
  auto dropOnes = [](ArrayRef<int64_t> s) {
    SmallVector<int64_t> r;
    for (int64_t d : s)
      if (d != 1)
        r.push_back(d);
    return r;
  };
  return dropOnes(ta.getShape()) == dropOnes(tb.getShape());
}

static bool isFloatCast(Operation *op) {
  return isa<arith::ExtFOp, arith::TruncFOp>(op);
}

/// An elementwise linalg op: all loops parallel and every result written in
/// loop order.
static bool isElementwiseLinalg(linalg::LinalgOp op) {
  if (!op || !op.hasPureTensorSemantics() ||
      op.getNumLoops() != op.getNumParallelLoops())
    return false;
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return false;
  return true;
}

Value match::strip(Value v, bool throughCasts) {
  for (int guard = 0; guard < 256 && v; ++guard) {
    if (auto ba = dyn_cast<BlockArgument>(v)) {
      auto op =
          dyn_cast_or_null<linalg::LinalgOp>(ba.getOwner()->getParentOp());
      if (!op || ba.getOwner() != op.getBlock())
        return v;
      OpOperand *operand = op.getMatchingOpOperand(ba);
      if (!operand)
        return v;
      if (op.isDpsInput(operand)) {
        if (!isa<ShapedType>(operand->get().getType())) {
          v = operand->get(); // scalar operand, e.g. linalg.fill's value
          continue;
        }
        if (!isInOrderProjection(op.getMatchingIndexingMap(operand)))
          return v;
        v = operand->get();
        continue;
      }
      // An init read inside an elementwise op is the init's element.
      if (!isElementwiseLinalg(op))
        return v;
      v = operand->get();
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!def)
      return v;
    if (throughCasts && isFloatCast(def)) {
      v = def->getOperand(0);
      continue;
    }
    if (auto c = dyn_cast<tensor::CastOp>(def)) {
      v = c.getSource();
      continue;
    }
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ReshapeOp>(
            def) &&
        isUnitReshape(def->getOperand(0).getType(), v.getType())) {
      v = def->getOperand(0);
      continue;
    }
    auto op = dyn_cast<linalg::LinalgOp>(def);
    if (!op || !isElementwiseLinalg(op))
      return v;
    unsigned idx = cast<OpResult>(v).getResultNumber();
    Value yielded = op.getBlock()->getTerminator()->getOperand(idx);
    if (!throughCasts) {
      // A cast inside the body is a real operation here: stop at the tensor.
      if (Operation *y = yielded.getDefiningOp(); y && isFloatCast(y))
        return v;
    }
    if (auto ba = dyn_cast<BlockArgument>(yielded);
        ba && ba.getOwner() == op.getBlock()) {
      OpOperand *operand = op.getMatchingOpOperand(ba);
      if (operand && op.isDpsInput(operand) &&
          isa<ShapedType>(operand->get().getType()) &&
          !isInOrderProjection(op.getMatchingIndexingMap(operand)))
        return v; // a transpose: not an identity
    }
    v = yielded;
  }
  return v;
}

Elementwise match::getElementwise(Value v) {
  Elementwise e;
  v = strip(v);
  Operation *def = v ? v.getDefiningOp() : nullptr;
  if (!def)
    return e;
  e.kind = TypeSwitch<Operation *, Ew>(def)
               .Case<arith::AddFOp>([](auto) { return Ew::Add; })
               .Case<arith::SubFOp>([](auto) { return Ew::Sub; })
               .Case<arith::MulFOp>([](auto) { return Ew::Mul; })
               .Case<arith::DivFOp>([](auto) { return Ew::Div; })
               .Case<arith::NegFOp>([](auto) { return Ew::Neg; })
               .Case<math::ExpOp>([](auto) { return Ew::Exp; })
               .Case<math::RsqrtOp>([](auto) { return Ew::Rsqrt; })
               .Case<math::SqrtOp>([](auto) { return Ew::Sqrt; })
               .Case<math::TanhOp>([](auto) { return Ew::Tanh; })
               .Case<math::PowFOp, math::FPowIOp>([](auto) { return Ew::Pow; })
               .Case<arith::MaximumFOp, arith::MaxNumFOp>(
                   [](auto) { return Ew::Max; })
               .Case<arith::SelectOp>([](auto) { return Ew::Select; })
               .Default([](Operation *) { return Ew::None; });
  if (e.kind != Ew::None)
    e.operands.assign(def->operand_begin(), def->operand_end());
  return e;
}

std::optional<double> match::getSplat(Value v) {
  v = strip(v);
  Attribute attr;
  if (!v)
    return std::nullopt;
  if (!matchPattern(v, m_Constant(&attr))) {
    // Constant arithmetic a frontend left unfolded: torch-mlir's
    // `eps * alpha` of add.Scalar, or a mean's `sitofp(d)`.
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<arith::SIToFPOp, arith::UIToFPOp>(def))
      return getSplat(def->getOperand(0));
    if (!isa_and_nonnull<arith::AddFOp, arith::SubFOp, arith::MulFOp,
                         arith::DivFOp>(def))
      return std::nullopt;
    std::optional<double> a = getSplat(def->getOperand(0));
    std::optional<double> b = a ? getSplat(def->getOperand(1)) : std::nullopt;
    if (!b)
      return std::nullopt;
    return TypeSwitch<Operation *, double>(def)
        .Case<arith::AddFOp>([&](auto) { return *a + *b; })
        .Case<arith::SubFOp>([&](auto) { return *a - *b; })
        .Case<arith::MulFOp>([&](auto) { return *a * *b; })
        .Default([&](Operation *) { return *a / *b; });
  }
  if (auto f = dyn_cast<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return static_cast<double>(i.getValue().getSExtValue());
  if (auto d = dyn_cast<DenseElementsAttr>(attr); d && d.isSplat()) {
    if (isa<FloatType>(d.getElementType()))
      return d.getSplatValue<APFloat>().convertToDouble();
    if (d.getElementType().isIntOrIndex())
      return static_cast<double>(d.getSplatValue<APInt>().getSExtValue());
  }
  return std::nullopt;
}

bool match::sameValue(Value a, Value b, unsigned depth) {
  a = strip(a);
  b = strip(b);
  if (!a || !b)
    return false;
  if (a == b)
    return true;
  if (depth == 0)
    return false;
  std::optional<double> ca = getSplat(a), cb = getSplat(b);
  if (ca || cb)
    return ca && cb && *ca == *cb;
  Elementwise ea = getElementwise(a), eb = getElementwise(b);
  if (ea.kind == Ew::None || ea.kind != eb.kind ||
      ea.operands.size() != eb.operands.size())
    return false;
  for (auto [x, y] : llvm::zip(ea.operands, eb.operands))
    if (!sameValue(x, y, depth - 1))
      return false;
  return true;
}

static void flattenInto(Value v, bool inverse, SmallVectorImpl<Factor> &factors,
                        double &coeff, function_ref<bool(Value)> stop) {
  v = strip(v);
  if (stop && stop(v)) {
    factors.push_back({v, inverse});
    return;
  }
  if (std::optional<double> c = getSplat(v)) {
    coeff = inverse ? coeff / *c : coeff * *c;
    return;
  }
  Elementwise e = getElementwise(v);
  switch (e.kind) {
  case Ew::Mul:
    flattenInto(e.operands[0], inverse, factors, coeff, stop);
    flattenInto(e.operands[1], inverse, factors, coeff, stop);
    return;
  case Ew::Div:
    flattenInto(e.operands[0], inverse, factors, coeff, stop);
    flattenInto(e.operands[1], !inverse, factors, coeff, stop);
    return;
  case Ew::Neg:
    coeff = -coeff;
    flattenInto(e.operands[0], inverse, factors, coeff, stop);
    return;
  default:
    factors.push_back({v, inverse});
  }
}

void match::flattenProduct(Value v, SmallVectorImpl<Factor> &factors,
                           double &coeff, function_ref<bool(Value)> stop) {
  coeff = 1.0;
  flattenInto(v, /*inverse=*/false, factors, coeff, stop);
}

std::optional<Reduction> match::matchReduction(Value v) {
  v = strip(v);
  auto res = dyn_cast_or_null<OpResult>(v);
  if (!res)
    return std::nullopt;
  auto op = dyn_cast<linalg::LinalgOp>(res.getOwner());
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.getNumDpsInputs() < 1)
    return std::nullopt;
  BlockArgument acc = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  Value yielded = op.getBlock()->getTerminator()->getOperand(0);
  Elementwise comb = getElementwise(yielded);
  std::optional<ReduceKind> kind;
  if (comb.kind == Ew::Add)
    kind = ReduceKind::Sum;
  else if (comb.kind == Ew::Max)
    kind = ReduceKind::Max;
  if (!kind)
    return std::nullopt;
  Value element;
  if (strip(comb.operands[1]) == acc)
    element = comb.operands[0];
  else if (strip(comb.operands[0]) == acc)
    element = comb.operands[1];
  else
    return std::nullopt;
  // The accumulator must start at the combiner's identity.
  std::optional<double> init = getSplat(op.getDpsInitOperand(0)->get());
  if (!init || (*kind == ReduceKind::Sum && *init != 0.0) ||
      (*kind == ReduceKind::Max && !(*init <= -1e30)))
    return std::nullopt;

  SmallVector<unsigned> red;
  op.getReductionDims(red);
  unsigned r = red.front();
  Reduction result{*kind, strip(element), op.getDpsInputOperand(0)->get(),
                   op.getStaticLoopRanges()[r], true};
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    result.overLastDim &=
        m.getNumResults() > 0 && isInOrderProjection(m) &&
        m.getResults().back() == getAffineDimExpr(r, m.getContext());
  }
  return result;
}

/// The input block argument `v` reads, looking through float casts.
static BlockArgument castedBlockArg(Value v) {
  while (Operation *d = v.getDefiningOp()) {
    if (!isFloatCast(d))
      return {};
    v = d->getOperand(0);
  }
  return dyn_cast<BlockArgument>(v);
}

std::optional<Matmul> match::matchMatmul(Value v, bool allowGroupedRhs) {
  v = strip(v);
  auto res = dyn_cast_or_null<OpResult>(v);
  if (!res)
    return std::nullopt;
  auto op = dyn_cast<linalg::LinalgOp>(res.getOwner());
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1)
    return std::nullopt;
  // Body: acc + a·b (with casts), a and b the two inputs.
  BlockArgument acc = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  BlockArgument a = op.getMatchingBlockArgument(op.getDpsInputOperand(0));
  BlockArgument b = op.getMatchingBlockArgument(op.getDpsInputOperand(1));
  Operation *add =
      op.getBlock()->getTerminator()->getOperand(0).getDefiningOp();
  if (!isa_and_nonnull<arith::AddFOp>(add))
    return std::nullopt;
  Value prod =
      add->getOperand(0) == acc ? add->getOperand(1) : add->getOperand(0);
  if (add->getOperand(0) != acc && add->getOperand(1) != acc)
    return std::nullopt;
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  BlockArgument ma = castedBlockArg(mul.getLhs()),
                mb = castedBlockArg(mul.getRhs());
  if (!((ma == a && mb == b) || (ma == b && mb == a)))
    return std::nullopt;

  // Out: [batch..., m, n]; k: the reduction loop.
  MLIRContext *ctx = op->getContext();
  AffineMap om = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap lm = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rm = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  if (om.getNumResults() < 2 || !om.isProjectedPermutation() ||
      om.getNumResults() + 1 != op.getNumLoops())
    return std::nullopt;
  SmallVector<unsigned> red;
  op.getReductionDims(red);
  AffineExpr k = getAffineDimExpr(red.front(), ctx);
  SmallVector<AffineExpr> out(om.getResults());
  AffineExpr m = out[out.size() - 2], n = out.back();
  ArrayRef<AffineExpr> batch = ArrayRef<AffineExpr>(out).drop_back(2);
  auto seq = [](ArrayRef<AffineExpr> pre, AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> r(pre);
    r.push_back(x);
    r.push_back(y);
    return r;
  };
  SmallVector<AffineExpr> l(lm.getResults()), r(rm.getResults());
  Matmul mm;
  mm.op = op;
  mm.lhs = op.getDpsInputOperand(0)->get();
  mm.rhs = op.getDpsInputOperand(1)->get();
  mm.init = op.getDpsInitOperand(0)->get();
  mm.outCanonical = true;
  mm.lhsCanonical = l == seq(batch, m, k);
  // GQA through the map: rhs reads the head loop h as h floordiv g.
  if (allowGroupedRhs && !batch.empty() && r.size() == batch.size() + 2) {
    auto div = dyn_cast<AffineBinaryOpExpr>(r[batch.size() - 1]);
    AffineConstantExpr g;
    if (div)
      g = dyn_cast<AffineConstantExpr>(div.getRHS());
    if (div && div.getKind() == AffineExprKind::FloorDiv &&
        div.getLHS() == batch.back() && g && g.getValue() > 1) {
      r[batch.size() - 1] = batch.back();
      mm.rhsGroup = g.getValue();
    }
  }
  // The right operand may carry the batch loops or not (a shared weight).
  if (r == seq(batch, k, n) || r == seq({}, k, n))
    mm.rhsTransposed = false;
  else if (r == seq(batch, n, k) || r == seq({}, n, k))
    mm.rhsTransposed = true;
  else
    return std::nullopt;
  return mm;
}

Value match::matchTransposeLastTwo(Value v) {
  v = strip(v);
  auto res = dyn_cast_or_null<OpResult>(v);
  if (!res)
    return {};
  auto op = dyn_cast<linalg::LinalgOp>(res.getOwner());
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != op.getNumParallelLoops())
    return {};
  auto ba =
      dyn_cast<BlockArgument>(op.getBlock()->getTerminator()->getOperand(0));
  OpOperand *in = op.getDpsInputOperand(0);
  if (!ba || ba != op.getMatchingBlockArgument(in))
    return {};
  AffineMap im = op.getMatchingIndexingMap(in);
  AffineMap om = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  unsigned rank = om.getNumResults();
  if (!im.isPermutation() || !om.isPermutation() || rank < 2 ||
      im.getNumResults() != rank)
    return {};
  // out[p] reads in[perm[p]]: find the input position of each output loop.
  for (unsigned p = 0; p < rank; ++p) {
    unsigned want = p;
    if (p == rank - 2)
      want = rank - 1;
    else if (p == rank - 1)
      want = rank - 2;
    if (im.getResult(want) != om.getResult(p))
      return {};
  }
  return in->get();
}

bool match::isWeightLike(Value v) {
  for (int guard = 0; guard < 32 && v; ++guard) {
    v = strip(v);
    if (Value t = matchTransposeLastTwo(v)) {
      v = t;
      continue;
    }
    if (auto ba = dyn_cast<BlockArgument>(v))
      return isa<FunctionOpInterface>(ba.getOwner()->getParentOp());
    Operation *def = v.getDefiningOp();
    return def && (isa<arith::ConstantOp, ml_program::GlobalLoadConstOp,
                       ml_program::GlobalLoadOp>(def));
  }
  return false;
}

Value match::matchLogisticDenominator(Value v) {
  Elementwise add = getElementwise(v);
  if (add.kind != Ew::Add)
    return {};
  for (int i = 0; i < 2; ++i) {
    std::optional<double> one = getSplat(add.operands[i]);
    if (!one || *one != 1.0)
      continue;
    Elementwise ex = getElementwise(add.operands[1 - i]);
    if (ex.kind != Ew::Exp)
      return {};
    SmallVector<Factor> f;
    double c;
    flattenProduct(ex.operands[0], f, c);
    if (f.size() == 1 && !f[0].inverse && c == -1.0)
      return f[0].v;
    // exp(0 - z)
    Elementwise sub = getElementwise(ex.operands[0]);
    if (sub.kind == Ew::Sub) {
      std::optional<double> zero = getSplat(sub.operands[0]);
      if (zero && *zero == 0.0)
        return strip(sub.operands[1]);
    }
    return {};
  }
  return {};
}

Value match::matchSigmoid(Value v) {
  SmallVector<Factor> f;
  double c;
  flattenProduct(v, f, c);
  if (f.size() != 1 || !f[0].inverse || c != 1.0)
    return {};
  return matchLogisticDenominator(f[0].v);
}

Value match::matchSwish(Value v) {
  SmallVector<Factor> f;
  double c;
  flattenProduct(v, f, c);
  if (c != 1.0)
    return {};
  return matchSwishFactors(f);
}

Value match::matchSwishFactors(ArrayRef<Factor> f) {
  if (f.size() != 2)
    return {};
  for (int i = 0; i < 2; ++i) {
    const Factor &h = f[i], &s = f[1 - i];
    if (h.inverse)
      continue;
    if (!s.inverse) {
      if (Value z = matchSigmoid(s.v); z && sameValue(z, h.v))
        return h.v;
    } else if (Value z = matchLogisticDenominator(s.v);
               z && sameValue(z, h.v)) {
      return h.v;
    }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

/// Evaluates index/integer/float arithmetic inside a linalg body at one
/// iteration point. Only what masks are built from is supported.
static std::optional<double> evalAt(Value v, ArrayRef<int64_t> point,
                                    unsigned depth = 16) {
  if (depth == 0)
    return std::nullopt;
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr))) {
    if (auto f = dyn_cast<FloatAttr>(attr))
      return f.getValueAsDouble();
    if (auto i = dyn_cast<IntegerAttr>(attr))
      return i.getType().isInteger(1)
                 ? (i.getValue().isZero() ? 0.0 : 1.0)
                 : static_cast<double>(i.getValue().getSExtValue());
    return std::nullopt;
  }
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto idx = dyn_cast<linalg::IndexOp>(def))
    return idx.getDim() < point.size()
               ? std::optional<double>(point[idx.getDim()])
               : std::nullopt;
  auto arg = [&](unsigned i) {
    return evalAt(def->getOperand(i), point, depth - 1);
  };
  if (isa<arith::IndexCastOp, arith::ExtSIOp, arith::ExtUIOp, arith::SIToFPOp,
          arith::UIToFPOp, arith::TruncIOp, arith::ExtFOp, arith::TruncFOp>(
          def))
    return arg(0);
  if (def->getNumOperands() == 2 &&
      isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::AddFOp,
          arith::SubFOp, arith::MulFOp, arith::AndIOp, arith::OrIOp,
          arith::XOrIOp>(def)) {
    std::optional<double> a = arg(0), b = arg(1);
    if (!a || !b)
      return std::nullopt;
    return TypeSwitch<Operation *, double>(def)
        .Case<arith::AddIOp, arith::AddFOp>([&](auto) { return *a + *b; })
        .Case<arith::SubIOp, arith::SubFOp>([&](auto) { return *a - *b; })
        .Case<arith::MulIOp, arith::MulFOp>([&](auto) { return *a * *b; })
        .Case<arith::AndIOp>(
            [&](auto) { return double((*a != 0) && (*b != 0)); })
        .Case<arith::OrIOp>(
            [&](auto) { return double((*a != 0) || (*b != 0)); })
        .Case<arith::XOrIOp>(
            [&](auto) { return double((*a != 0) != (*b != 0)); })
        .Default([](Operation *) { return 0.0; });
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(def)) {
    std::optional<double> a = arg(0), b = arg(1);
    if (!a || !b)
      return std::nullopt;
    using P = arith::CmpIPredicate;
    switch (cmp.getPredicate()) {
    case P::eq:
      return double(*a == *b);
    case P::ne:
      return double(*a != *b);
    case P::slt:
    case P::ult:
      return double(*a < *b);
    case P::sle:
    case P::ule:
      return double(*a <= *b);
    case P::sgt:
    case P::ugt:
      return double(*a > *b);
    case P::sge:
    case P::uge:
      return double(*a >= *b);
    }
  }
  if (auto sel = dyn_cast<arith::SelectOp>(def)) {
    std::optional<double> c = arg(0);
    if (!c)
      return std::nullopt;
    return *c != 0 ? arg(1) : arg(2);
  }
  return std::nullopt;
}

std::optional<SmallVector<double>> match::evaluateMask(Value v, int64_t S,
                                                       int64_t T) {
  if (S <= 0 || T <= 0 || S * T > (1 << 22))
    return std::nullopt;
  v = strip(v);
  SmallVector<double> out;
  out.reserve(S * T);
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr))) {
    auto d = dyn_cast<DenseElementsAttr>(attr);
    auto ty = d ? dyn_cast<RankedTensorType>(d.getType()) : nullptr;
    if (!ty || ty.getRank() < 2 || ty.getNumElements() != S * T ||
        ty.getShape()[ty.getRank() - 2] != S || ty.getShape().back() != T)
      return std::nullopt;
    if (isa<FloatType>(d.getElementType())) {
      for (const APFloat &f : d.getValues<APFloat>())
        out.push_back(f.convertToDouble());
    } else if (d.getElementType().isInteger(1)) {
      for (bool b : d.getValues<bool>())
        out.push_back(b ? 1.0 : 0.0);
    } else {
      return std::nullopt;
    }
    return out;
  }
  // A value computed from loop indices, in the body of `op`.
  linalg::LinalgOp op;
  Value body;
  auto res = dyn_cast<OpResult>(v);
  if (res && isa<linalg::LinalgOp>(res.getOwner())) {
    op = cast<linalg::LinalgOp>(res.getOwner());
    if (isElementwiseLinalg(op))
      body = op.getBlock()->getTerminator()->getOperand(res.getResultNumber());
  } else if (Operation *def = v.getDefiningOp()) {
    op = dyn_cast_or_null<linalg::LinalgOp>(def->getParentOp());
    body = v;
  }
  if (!op || !body || !isElementwiseLinalg(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned n = ranges.size();
  if (n < 2 || ranges[n - 2] != S || ranges[n - 1] != T)
    return std::nullopt;
  SmallVector<int64_t> point(n, 0);
  for (int64_t i = 0; i < S; ++i)
    for (int64_t j = 0; j < T; ++j) {
      point[n - 2] = i;
      point[n - 1] = j;
      std::optional<double> x = evalAt(body, point);
      if (!x)
        return std::nullopt;
      out.push_back(*x);
    }
  return out;
}

bool match::isCausalPattern(ArrayRef<bool> keep, int64_t S, int64_t T) {
  if (static_cast<int64_t>(keep.size()) != S * T)
    return false;
  for (int64_t i = 0; i < S; ++i)
    for (int64_t j = 0; j < T; ++j)
      if (keep[i * T + j] != (j <= i + (T - S)))
        return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Leaves and uses
//===----------------------------------------------------------------------===//

Value match::tensorLeaf(Value v, ArrayRef<int64_t> shape) {
  for (int guard = 0; guard < 64 && v; ++guard) {
    if (auto ba = dyn_cast<BlockArgument>(v)) {
      // A body argument read with the identity map is its tensor.
      auto op =
          dyn_cast_or_null<linalg::LinalgOp>(ba.getOwner()->getParentOp());
      if (!op || ba.getOwner() != op.getBlock())
        break;
      OpOperand *operand = op.getMatchingOpOperand(ba);
      if (!operand || !op.isDpsInput(operand) ||
          !op.getMatchingIndexingMap(operand).isIdentity() ||
          !isElementwiseLinalg(op))
        return {};
      v = operand->get();
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (!def)
      break;
    if (isFloatCast(def) || isa<tensor::CastOp>(def)) {
      v = def->getOperand(0);
      continue;
    }
    auto op = dyn_cast<linalg::LinalgOp>(def);
    if (!op || !isElementwiseLinalg(op))
      break;
    // A cast written as a generic: yield(extf(arg)) with identity maps.
    Value y = op.getBlock()->getTerminator()->getOperand(
        cast<OpResult>(v).getResultNumber());
    while (y.getDefiningOp() && isFloatCast(y.getDefiningOp()))
      y = y.getDefiningOp()->getOperand(0);
    auto ba = dyn_cast<BlockArgument>(y);
    if (!ba || ba.getOwner() != op.getBlock())
      break;
    v = ba;
  }
  auto t = v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
  if (!t || t.getShape() != shape)
    return {};
  return v;
}

bool match::feedsOnlyNarrowingCast(Operation *op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return false;
  Operation *user = *op->getResult(0).getUsers().begin();
  auto narrower = [](Type from, Type to) {
    return getElementTypeOrSelf(to).getIntOrFloatBitWidth() <
           getElementTypeOrSelf(from).getIntOrFloatBitWidth();
  };
  if (isa<arith::TruncFOp>(user))
    return true;
  auto lop = dyn_cast<linalg::LinalgOp>(user);
  if (!lop || !isElementwiseLinalg(lop) || lop.getNumDpsInputs() != 1 ||
      lop->getNumResults() != 1)
    return false;
  Value y = lop.getBlock()->getTerminator()->getOperand(0);
  auto tr = y.getDefiningOp<arith::TruncFOp>();
  return tr && isa<BlockArgument>(tr.getIn()) &&
         narrower(op->getResult(0).getType(), lop->getResult(0).getType());
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

Value match::castElements(OpBuilder &b, Location loc, Value v, Type et) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == et)
    return v;
  auto to = t.clone(et);
  if (et.getIntOrFloatBitWidth() > t.getElementType().getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

Value match::reshapeTo(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  auto to = t.clone(shape);
  // Parameters are often constants: reshape them at compile time.
  DenseElementsAttr d;
  if (matchPattern(v, m_Constant(&d)))
    return arith::ConstantOp::create(b, loc, d.reshape(to));
  if (to.getRank() < t.getRank()) {
    if (auto re = getReassociationIndicesForReshape(t, to))
      return tensor::CollapseShapeOp::create(b, loc, to, v, *re);
  } else if (to.getRank() > t.getRank()) {
    if (auto re = getReassociationIndicesForReshape(to, t))
      return tensor::ExpandShapeOp::create(b, loc, to, v, *re);
  }
  // Through 1-d: always expressible for static shapes.
  auto flat = t.clone({t.getNumElements()});
  Value f = t.getRank() == 1 ? v : reshapeTo(b, loc, v, flat.getShape());
  return reshapeTo(b, loc, f, shape);
}

Value match::asVector(OpBuilder &b, Location loc, Value v, int64_t d) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getRank() < 1 ||
      t.getShape().back() != d || t.getNumElements() != d)
    return {};
  return reshapeTo(b, loc, v, {d});
}

Value match::asMatrix(OpBuilder &b, Location loc, Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() < 2 || !t.hasStaticShape())
    return {};
  ArrayRef<int64_t> s = t.getShape();
  int64_t r = s[s.size() - 2], c = s.back();
  if (t.getNumElements() != r * c)
    return {};
  return reshapeTo(b, loc, v, {r, c});
}

Value match::transpose2D(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto to = t.clone({t.getDimSize(1), t.getDimSize(0)});
  // Transposing a transpose gives back its source.
  if (Value src = matchTransposeLastTwo(v); src && src.getType() == to)
    return src;
  DenseElementsAttr d;
  if (matchPattern(v, m_Constant(&d)) && isFoldable(d)) {
    if (d.isSplat())
      return arith::ConstantOp::create(b, loc, d.resizeSplat(to));
    int64_t R = t.getDimSize(0), C = t.getDimSize(1);
    SmallVector<Attribute> src(d.getValues<Attribute>());
    SmallVector<Attribute> dst(src.size());
    for (int64_t i = 0; i < R; ++i)
      for (int64_t j = 0; j < C; ++j)
        dst[j * R + i] = src[i * C + j];
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(to, dst));
  }
  Value init = emptyLike(b, loc, v, {1, 0}, to.getElementType());
  return linalg::TransposeOp::create(b, loc, v, init, ArrayRef<int64_t>{1, 0})
      ->getResult(0);
}

Value match::emptyLike(OpBuilder &b, Location loc, Value like,
                       ArrayRef<unsigned> dims, Type et) {
  auto t = cast<RankedTensorType>(like.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  for (unsigned d : dims) {
    shape.push_back(t.getDimSize(d));
    if (t.isDynamicDim(d)) {
      Value size = tensor::DimOp::create(b, loc, like, d);
      dynamicSizes.push_back(size);
    }
  }
  return tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, et),
                                 dynamicSizes);
}

Value match::emptyLike(OpBuilder &b, Location loc, Value like, Type et) {
  auto t = cast<RankedTensorType>(like.getType());
  SmallVector<unsigned> dims;
  for (unsigned d = 0, e = t.getRank(); d < e; ++d)
    dims.push_back(d);
  return emptyLike(b, loc, like, dims, et);
}
