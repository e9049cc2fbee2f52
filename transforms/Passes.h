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
/// OpenBLAS's thread count, set to 1 around tiled loops that call it.
inline constexpr llvm::StringLiteral kBlasGetThreadsSymbol =
    "openblas_get_num_threads";
inline constexpr llvm::StringLiteral kBlasSetThreadsSymbol =
    "openblas_set_num_threads";
/// OpenMP's thread count, the number of parts of a product split by rows.
inline constexpr llvm::StringLiteral kOmpMaxThreadsSymbol =
    "omp_get_max_threads";

#define GEN_PASS_REGISTRATION
#include "transforms/Passes.h.inc"

} // namespace rescale
} // namespace mlir

#endif // RESCALE_TRANSFORMS_PASSES_H
