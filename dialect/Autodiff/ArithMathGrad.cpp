//===- ArithMathGrad.cpp - gradient rules of arith and math ops -----------===//
//
// The vector-Jacobian products of the elementwise float ops. Each rule is
// written once with arith/math ops that work on scalars and on whole tensors
// alike, so the same rule serves `arith.mulf` on tensors in a function body
// and `arith.mulf` on f32 inside a linalg.generic body (LinalgGrad.cpp).
// With z the result and g its adjoint:
//
//   addf a+b: (g, g)          subf a-b: (g, -g)       negf: -g
//   mulf a·b: (g·b, g·a)      divf a/b: (g/b, -(g·z)/b)
//   maximumf/maxnumf: g to a where a >= b, else to b (ties go to a);
//   minimumf/minnumf likewise with a <= b
//   select(c, a, b): (none, c ? g : 0, c ? 0 : g)
//   exp: g·z   log: g/a   log1p: g/(1+a)   tanh: g·(1 - z²)
//   sqrt: g/(2z)   rsqrt: -g·z³/2   erf: g·(2/√π)·exp(-a²)   absf: a >= 0 ? g :
//   -g extf: truncf(g)   truncf: extf(g) constant: no operands
//
//===----------------------------------------------------------------------===//

#include "dialect/Autodiff/Autodiff.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/DialectRegistry.h"

#include <cmath>

using namespace mlir;
using namespace mlir::rescale;
using namespace mlir::rescale::autodiff;

namespace {

/// The inputs of one rule: the op, the adjoint g of its (single) result, and
/// where the operand adjoints go.
struct Ctx {
  OpBuilder &b;
  Operation *op;
  Value g;
  ArrayRef<bool> want;
  SmallVectorImpl<Value> &grads;

  Location loc() const { return op->getLoc(); }
  Value operand(unsigned i) const { return op->getOperand(i); }
  Value result() const { return op->getResult(0); }
  Value constant(double v) const {
    return floatConstant(b, loc(), g.getType(), v);
  }
};

using Rule = void (*)(Ctx &);

} // namespace

static void addRule(Ctx &c) {
  c.grads[0] = c.g;
  c.grads[1] = c.g;
}

static void subRule(Ctx &c) {
  c.grads[0] = c.g;
  if (c.want[1])
    c.grads[1] = arith::NegFOp::create(c.b, c.loc(), c.g);
}

static void negRule(Ctx &c) {
  c.grads[0] = arith::NegFOp::create(c.b, c.loc(), c.g);
}

static void mulRule(Ctx &c) {
  if (c.want[0])
    c.grads[0] = arith::MulFOp::create(c.b, c.loc(), c.g, c.operand(1));
  if (c.want[1])
    c.grads[1] = arith::MulFOp::create(c.b, c.loc(), c.g, c.operand(0));
}

static void divRule(Ctx &c) {
  Value den = c.operand(1);
  if (c.want[0])
    c.grads[0] = arith::DivFOp::create(c.b, c.loc(), c.g, den);
  if (c.want[1]) {
    Value gz = arith::MulFOp::create(c.b, c.loc(), c.g, c.result());
    Value q = arith::DivFOp::create(c.b, c.loc(), gz, den);
    c.grads[1] = arith::NegFOp::create(c.b, c.loc(), q);
  }
}

/// g where `pred(a, b)` holds goes to a, the rest to b.
static void routeRule(Ctx &c, arith::CmpFPredicate pred) {
  Value takesA =
      arith::CmpFOp::create(c.b, c.loc(), pred, c.operand(0), c.operand(1));
  Value zero = c.constant(0.0);
  if (c.want[0])
    c.grads[0] = arith::SelectOp::create(c.b, c.loc(), takesA, c.g, zero);
  if (c.want[1])
    c.grads[1] = arith::SelectOp::create(c.b, c.loc(), takesA, zero, c.g);
}
static void maxRule(Ctx &c) { routeRule(c, arith::CmpFPredicate::OGE); }
static void minRule(Ctx &c) { routeRule(c, arith::CmpFPredicate::OLE); }

static void selectRule(Ctx &c) {
  Value cond = c.operand(0);
  Value zero = c.constant(0.0);
  if (c.want[1])
    c.grads[1] = arith::SelectOp::create(c.b, c.loc(), cond, c.g, zero);
  if (c.want[2])
    c.grads[2] = arith::SelectOp::create(c.b, c.loc(), cond, zero, c.g);
}

static void expRule(Ctx &c) {
  c.grads[0] = arith::MulFOp::create(c.b, c.loc(), c.g, c.result());
}

static void logRule(Ctx &c) {
  c.grads[0] = arith::DivFOp::create(c.b, c.loc(), c.g, c.operand(0));
}

static void log1pRule(Ctx &c) {
  Value one = c.constant(1.0);
  Value den = arith::AddFOp::create(c.b, c.loc(), one, c.operand(0));
  c.grads[0] = arith::DivFOp::create(c.b, c.loc(), c.g, den);
}

static void tanhRule(Ctx &c) {
  Value z = c.result();
  Value z2 = arith::MulFOp::create(c.b, c.loc(), z, z);
  Value one = c.constant(1.0);
  Value slope = arith::SubFOp::create(c.b, c.loc(), one, z2);
  c.grads[0] = arith::MulFOp::create(c.b, c.loc(), c.g, slope);
}

static void sqrtRule(Ctx &c) {
  Value z = c.result();
  Value twoZ = arith::AddFOp::create(c.b, c.loc(), z, z);
  c.grads[0] = arith::DivFOp::create(c.b, c.loc(), c.g, twoZ);
}

static void rsqrtRule(Ctx &c) {
  Value z = c.result();
  Value z2 = arith::MulFOp::create(c.b, c.loc(), z, z);
  Value z3 = arith::MulFOp::create(c.b, c.loc(), z2, z);
  Value gz3 = arith::MulFOp::create(c.b, c.loc(), c.g, z3);
  Value half = c.constant(-0.5);
  c.grads[0] = arith::MulFOp::create(c.b, c.loc(), gz3, half);
}

static void erfRule(Ctx &c) {
  Value a = c.operand(0);
  Value a2 = arith::MulFOp::create(c.b, c.loc(), a, a);
  Value na2 = arith::NegFOp::create(c.b, c.loc(), a2);
  Value e = math::ExpOp::create(c.b, c.loc(), na2);
  Value k = c.constant(2.0 / std::sqrt(M_PI));
  Value slope = arith::MulFOp::create(c.b, c.loc(), e, k);
  c.grads[0] = arith::MulFOp::create(c.b, c.loc(), c.g, slope);
}

static void absRule(Ctx &c) {
  Value zero = floatConstant(c.b, c.loc(), c.operand(0).getType(), 0.0);
  Value nonNeg = arith::CmpFOp::create(c.b, c.loc(), arith::CmpFPredicate::OGE,
                                       c.operand(0), zero);
  Value neg = arith::NegFOp::create(c.b, c.loc(), c.g);
  c.grads[0] = arith::SelectOp::create(c.b, c.loc(), nonNeg, c.g, neg);
}

static void extRule(Ctx &c) {
  c.grads[0] =
      arith::TruncFOp::create(c.b, c.loc(), c.operand(0).getType(), c.g);
}

static void truncRule(Ctx &c) {
  c.grads[0] = arith::ExtFOp::create(c.b, c.loc(), c.operand(0).getType(), c.g);
}

namespace {

template <typename OpTy, Rule R>
struct ElementwiseGrad
    : AutodiffOpInterface::ExternalModel<ElementwiseGrad<OpTy, R>, OpTy> {
  LogicalResult buildAdjoint(Operation *op, OpBuilder &b,
                             ArrayRef<Value> resultGrads,
                             ArrayRef<bool> wantGrads,
                             SmallVectorImpl<Value> &operandGrads) const {
    Ctx c{b, op, resultGrads[0], wantGrads, operandGrads};
    R(c);
    return success();
  }
};

/// Ops without differentiable operands (constants): nothing flows back.
template <typename OpTy>
struct NoOperandGrad
    : AutodiffOpInterface::ExternalModel<NoOperandGrad<OpTy>, OpTy> {
  LogicalResult buildAdjoint(Operation *, OpBuilder &, ArrayRef<Value>,
                             ArrayRef<bool>, SmallVectorImpl<Value> &) const {
    return success();
  }
};

} // namespace

namespace mlir::rescale::autodiff {
void registerArithMathGradModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, arith::ArithDialect *) {
    arith::AddFOp::attachInterface<ElementwiseGrad<arith::AddFOp, addRule>>(
        *ctx);
    arith::SubFOp::attachInterface<ElementwiseGrad<arith::SubFOp, subRule>>(
        *ctx);
    arith::MulFOp::attachInterface<ElementwiseGrad<arith::MulFOp, mulRule>>(
        *ctx);
    arith::DivFOp::attachInterface<ElementwiseGrad<arith::DivFOp, divRule>>(
        *ctx);
    arith::NegFOp::attachInterface<ElementwiseGrad<arith::NegFOp, negRule>>(
        *ctx);
    arith::MaximumFOp::attachInterface<
        ElementwiseGrad<arith::MaximumFOp, maxRule>>(*ctx);
    arith::MaxNumFOp::attachInterface<
        ElementwiseGrad<arith::MaxNumFOp, maxRule>>(*ctx);
    arith::MinimumFOp::attachInterface<
        ElementwiseGrad<arith::MinimumFOp, minRule>>(*ctx);
    arith::MinNumFOp::attachInterface<
        ElementwiseGrad<arith::MinNumFOp, minRule>>(*ctx);
    arith::SelectOp::attachInterface<
        ElementwiseGrad<arith::SelectOp, selectRule>>(*ctx);
    arith::ExtFOp::attachInterface<ElementwiseGrad<arith::ExtFOp, extRule>>(
        *ctx);
    arith::TruncFOp::attachInterface<
        ElementwiseGrad<arith::TruncFOp, truncRule>>(*ctx);
    arith::ConstantOp::attachInterface<NoOperandGrad<arith::ConstantOp>>(*ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    math::ExpOp::attachInterface<ElementwiseGrad<math::ExpOp, expRule>>(*ctx);
    math::LogOp::attachInterface<ElementwiseGrad<math::LogOp, logRule>>(*ctx);
    math::Log1pOp::attachInterface<ElementwiseGrad<math::Log1pOp, log1pRule>>(
        *ctx);
    math::TanhOp::attachInterface<ElementwiseGrad<math::TanhOp, tanhRule>>(
        *ctx);
    math::SqrtOp::attachInterface<ElementwiseGrad<math::SqrtOp, sqrtRule>>(
        *ctx);
    math::RsqrtOp::attachInterface<ElementwiseGrad<math::RsqrtOp, rsqrtRule>>(
        *ctx);
    math::ErfOp::attachInterface<ElementwiseGrad<math::ErfOp, erfRule>>(*ctx);
    math::AbsFOp::attachInterface<ElementwiseGrad<math::AbsFOp, absRule>>(*ctx);
  });
}
} // namespace mlir::rescale::autodiff
