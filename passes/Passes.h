//===- Passes.h - rescale graph passes --------------------------*- C++ -*-===//
#ifndef RESCALE_PASSES_PASSES_H
#define RESCALE_PASSES_PASSES_H

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class DialectRegistry;
class RewritePatternSet;
namespace rescale {

/// --rescale-insert-quantization's `scheme` option (passes/Passes.td names
/// its keywords).
enum class QuantizationScheme { none, w4a4, w8a8, fp8, nvfp4, mxfp4 };
/// --rescale-insert-quantization's `storage` option: fake_quant ops, or the
/// weights quantized into low-precision storage.
enum class QuantizationStorage { fake, real };

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// --rescale-raise, one entry point per family (passes/RescaleRaise.cpp).
/// Norms and attention first, linears next, so that q·kᵀ against a kv
/// argument is not mistaken for a linear.
void populateRaiseNormPatterns(RewritePatternSet &patterns);
void populateRaiseAttentionPatterns(RewritePatternSet &patterns);
void populateRaiseLinearPatterns(RewritePatternSet &patterns);

/// --rescale-fuse-gated-norm (passes/RescaleFuseGatedNorm.cpp).
void populateFuseGatedNormPatterns(RewritePatternSet &patterns);
void populateFuseAddRMSNormPatterns(RewritePatternSet &patterns);

/// --rescale-fuse-attention (passes/RescaleFuseAttention.cpp).
void populateFuseAttentionGatePatterns(RewritePatternSet &patterns);

/// --rescale-fold-scales (passes/RescaleFoldScales.cpp). A weight read from
/// an immutable ml_program.global is folded into a new global when
/// `newGlobals` (the patterns run on the module that holds the globals);
/// otherwise into an arith.constant, since a pass nested on a function must
/// not change the module's symbol table.
void populateFoldPreScalePatterns(RewritePatternSet &patterns,
                                  bool newGlobals = true);
void populateFoldPostScalePatterns(RewritePatternSet &patterns,
                                   bool newGlobals = true);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace rescale
} // namespace mlir

#endif // RESCALE_PASSES_PASSES_H
