//===- GateActivation.h - scalar sigmoid and gate activations ---*- C++ -*-===//
//
// The gates of the dialect (GatedNorm's σ(W_up·swish(W_down·y)) and its
// ablation's activations, attention's output gate) are built as arith/math
// ops by three lowerings (linalg, NVPTX) and the sink probes, which recompute
// a gate in parts. They must agree op for op, so the builders live here,
// with the attribute that names the activation.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_DIALECT_GATEACTIVATION_H
#define RESCALE_DIALECT_GATEACTIVATION_H

#include "dialect/RescaleAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::rescale {

/// σ(x) = 1 / (1 + exp(−x)) of a float scalar x, in x's type.
Value buildSigmoid(OpBuilder &b, Location loc, Value x);

/// x·σ(x) (swish, SiLU) of a float scalar x.
Value buildSwish(OpBuilder &b, Location loc, Value x);

/// GatedNorm's gate activation of a float scalar: σ in the paper (§3.4),
/// tanh, SiLU or the identity for its ablation.
Value buildGateActivation(OpBuilder &b, Location loc, GateActivation act,
                          Value x);

} // namespace mlir::rescale

#endif // RESCALE_DIALECT_GATEACTIVATION_H
