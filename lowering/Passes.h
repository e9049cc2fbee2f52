//===- Passes.h - rescale conversions and pipelines -------------*- C++ -*-===//
#ifndef RESCALE_LOWERING_PASSES_H
#define RESCALE_LOWERING_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace rescale {

#define GEN_PASS_DECL
#include "lowering/Passes.h.inc"

/// Patterns of the reference decomposition, one entry point per op family
/// (lowering/ToLinalg/*.cpp).
void populateNormsToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
void populateLinearToLinalgPatterns(RewritePatternSet &patterns);
void populateQuantToLinalgPatterns(RewritePatternSet &patterns);
void populateTrainingToLinalgPatterns(RewritePatternSet &patterns);
void populateNormsGradToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionGradToLinalgPatterns(RewritePatternSet &patterns);

/// All of the above.
void populateRescaleToLinalgPatterns(RewritePatternSet &patterns);

/// The routine rescale-contractions-to-blas calls; a module that still
/// declares it after lowering links -lopenblas (ModuleCompiler.cpp).
inline constexpr llvm::StringLiteral kBlasSgemmSymbol = "cblas_sgemm";

#define GEN_PASS_REGISTRATION
#include "lowering/Passes.h.inc"

} // namespace rescale
} // namespace mlir

#endif // RESCALE_LOWERING_PASSES_H
