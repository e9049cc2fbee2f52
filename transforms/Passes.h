//===- Passes.h - transforms that prepare IR for a target -------*- C++ -*-===//
#ifndef RESCALE_TRANSFORMS_PASSES_H
#define RESCALE_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace rescale {

#define GEN_PASS_DECL
#include "transforms/Passes.h.inc"

/// The routine rescale-contractions-to-blas calls; a module that still
/// declares it after lowering links -lopenblas (compiler/ModuleCompiler.cpp).
inline constexpr llvm::StringLiteral kBlasSgemmSymbol = "cblas_sgemm";

#define GEN_PASS_REGISTRATION
#include "transforms/Passes.h.inc"

} // namespace rescale
} // namespace mlir

#endif // RESCALE_TRANSFORMS_PASSES_H
