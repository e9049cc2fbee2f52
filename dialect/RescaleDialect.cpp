//===- RescaleDialect.cpp - the rescale dialect ---------------------------===//

#include "dialect/RescaleDialect.h"
#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleAttrs.h"
#include "dialect/RescaleOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::rescale;

#include "dialect/RescaleDialect.cpp.inc"

void RescaleDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialect/RescaleOps.cpp.inc"
      >();
  // The gradient rules (docs/autodiff.md) live beside the ops, in
  // dialect/Autodiff/RescaleOpsGrad.cpp.
  autodiff::attachRescaleOpGradRules(getContext());
}

Operation *RescaleDialect::materializeConstant(OpBuilder &builder,
                                               Attribute value, Type type,
                                               Location loc) {
  if (!arith::ConstantOp::isBuildableWith(value, type))
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, cast<TypedAttr>(value));
}
