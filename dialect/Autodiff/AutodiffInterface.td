//===- AutodiffInterface.td - reverse-mode gradient rules ---*- tablegen -*-===//
//
// The gradient rule of an op, next to the op (as Enzyme's
// ReverseAutoDiffOpInterface and JAX's defvjp): `--rescale-autodiff` only
// walks a function in reverse, accumulates adjoints and asks each op for its
// vector-Jacobian product. Rescale ops implement it in RescaleOps.td
// (dialect/Autodiff/RescaleOpsGrad.cpp); upstream ops (arith, math, linalg,
// tensor) get it as external models (dialect/Autodiff/*Grad.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_AUTODIFF_INTERFACE_TD
#define RESCALE_AUTODIFF_INTERFACE_TD

include "mlir/IR/OpBase.td"

def RescaleAutodiffOpInterface : OpInterface<"AutodiffOpInterface"> {
  let cppNamespace = "::mlir::rescale";
  let description = [{
    The reverse-mode rule (vector-Jacobian product) of an op: given the
    adjoint of every result, build the adjoint of every operand.

    `buildAdjoint(builder, resultGrads, wantGrads, operandGrads)`:
    * `resultGrads[i]` is the adjoint of result `i`, of the result's own
      type. It is never null for a floating-point result (the caller
      materializes zeros for a float result nothing reads), and null for
      other results (integers, i1).
    * `wantGrads[j]` says whether the caller needs the adjoint of operand
      `j` (it depends on a differentiable argument). A rule may skip the
      others, and must not fail because of them.
    * `operandGrads` comes in with one null entry per operand. The rule sets
      the entries it computes, each of exactly the operand's type; a null
      entry means "no gradient" (an integer operand, an init that is
      overwritten, or a wanted operand the result does not depend on, which
      the caller reads as zero).

    New ops are created with `builder` at its insertion point, after every
    forward value, so a rule may read the op's operands and results (the
    activations the backward needs are kept). A rule reports what it cannot
    differentiate with `op->emitOpError()` and returns failure; it never
    returns a silent zero for a dependence it does not handle.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{Builds the adjoints of the operands from those of the
                  results (see the interface description).}],
      /*retTy=*/"::llvm::LogicalResult",
      /*methodName=*/"buildAdjoint",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
                    "::llvm::ArrayRef<bool>":$wantGrads,
                    "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

#endif // RESCALE_AUTODIFF_INTERFACE_TD
