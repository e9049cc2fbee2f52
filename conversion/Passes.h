//===- Passes.h - conversions out of the rescale dialect --------*- C++ -*-===//
#ifndef RESCALE_CONVERSION_PASSES_H
#define RESCALE_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace rescale {

#define GEN_PASS_DECL
#include "conversion/Passes.h.inc"

/// Patterns of the reference decomposition, one entry point per op family
/// (conversion/RescaleToLinalg/*.cpp).
void populateNormsToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
void populateLinearToLinalgPatterns(RewritePatternSet &patterns);
void populateQuantToLinalgPatterns(RewritePatternSet &patterns);
void populateTrainingToLinalgPatterns(RewritePatternSet &patterns);
void populateNormsGradToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionGradToLinalgPatterns(RewritePatternSet &patterns);
void populateGatedDeltaRuleToLinalgPatterns(RewritePatternSet &patterns);

/// All of the above.
void populateRescaleToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "conversion/Passes.h.inc"

} // namespace rescale
} // namespace mlir

#endif // RESCALE_CONVERSION_PASSES_H
