//===- Pipelines.h - rescale lowering pipelines -----------------*- C++ -*-===//
//
// The registered pipelines that carry a rescale program to a target. Each
// target has one options struct and one `build…Pipeline` function; the
// registration (registerRescalePipelines) exposes them to rescale-opt, the
// mlir-opt plugin and rescale-compile alike.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_PIPELINES_PIPELINES_H
#define RESCALE_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace rescale {

/// Options of `--rescale-lower-to-cpu`.
struct LowerToCPUOptions : public PassPipelineOptions<LowerToCPUOptions> {
  PassOptions::Option<bool> fuseElementwise{
      *this, "fuse-elementwise",
      llvm::cl::desc("Fuse producer/consumer elementwise linalg ops before "
                     "bufferization (fewer loops, fewer temporaries)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> blas{
      *this, "blas",
      llvm::cl::desc("Run f32 matrix products as calls of OpenBLAS's "
                     "cblas_sgemm (rescale-contractions-to-blas); the module "
                     "then links -lopenblas"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> tileRows{
      *this, "tile-rows",
      llvm::cl::desc("Run chains of row ops (norms, attention) one tile of "
                     "rows at a time (rescale-tile-and-fuse-rows), and "
                     "attention in flash-style tiles "
                     "(convert-rescale-attention-to-flash-tiles)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> openmp{
      *this, "openmp",
      llvm::cl::desc("Run the tiles of row chains on every core: scf.forall "
                     "becomes an OpenMP worksharing loop (libomp; "
                     "OMP_NUM_THREADS sets the count). Off: one thread"),
      llvm::cl::init(true)};
};

/// rescale (+ linalg/arith/math/tensor) on tensors -> LLVM dialect, with the
/// packed `_rescale_entry_<f>` entry points of the compiled-module ABI
/// (docs/compile-and-run.md). The result translates to LLVM IR as is.
void buildLowerToCPUPipeline(OpPassManager &pm,
                             const LowerToCPUOptions &options);

/// Imported TOSA becomes linalg (upstream tosa-to-linalg pipeline, then
/// tosa-to-arith and tosa-to-tensor), so models from TOSA importers run as
/// they are; a no-op without TOSA. The one TOSA->linalg sequence: the CPU and
/// NVPTX pipelines start with it, and it is registered as
/// `rescale-tosa-to-linalg` to run before `--rescale-raise`.
void buildTosaToLinalg(OpPassManager &pm);

/// Tensors -> buffers for a target whose entries take row-major descriptors:
/// a copy for each repeated returned tensor, one-shot bufferization with
/// identity layouts at function boundaries, and results turned into
/// caller-allocated out-params (static allocations hoisted). Shared by the CPU
/// and NVPTX pipelines.
void buildBufferizeToOutParams(OpPassManager &pm);

/// Registers every pipeline above with the global pass registry.
void registerRescalePipelines();

/// Success when `pm` runs on builtin.module; otherwise reports through
/// `errorHandler` that `pipeline` (a module pipeline) cannot be nested, e.g.
/// under func.func, which MLIR would answer with an abort.
LogicalResult checkModulePipelineAnchor(
    const OpPassManager &pm, StringRef pipeline,
    function_ref<LogicalResult(const Twine &)> errorHandler);

} // namespace rescale
} // namespace mlir

#endif // RESCALE_PIPELINES_PIPELINES_H
