//===- GateActivation.cpp - scalar sigmoid and gate activations -----------===//

#include "dialect/GateActivation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

Value rescale::buildSigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value one = arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, 1.0));
  Value negX = arith::NegFOp::create(b, loc, x);
  Value expNegX = math::ExpOp::create(b, loc, negX);
  Value denom = arith::AddFOp::create(b, loc, one, expNegX);
  return arith::DivFOp::create(b, loc, one, denom);
}

Value rescale::buildSwish(OpBuilder &b, Location loc, Value x) {
  Value sig = buildSigmoid(b, loc, x);
  return arith::MulFOp::create(b, loc, x, sig);
}

Value rescale::buildGateActivation(OpBuilder &b, Location loc,
                                   GateActivation act, Value x) {
  switch (act) {
  case GateActivation::sigmoid:
    return buildSigmoid(b, loc, x);
  case GateActivation::tanh:
    return math::TanhOp::create(b, loc, x);
  case GateActivation::silu:
    return buildSwish(b, loc, x);
  case GateActivation::identity:
    return x;
  }
  llvm_unreachable("unknown gate activation");
}
