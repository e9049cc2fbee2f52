//===- NVPTXPipeline.h - --rescale-lower-to-nvptx ---------------*- C++ -*-===//
#ifndef RESCALE_PIPELINES_NVPTXPIPELINE_H
#define RESCALE_PIPELINES_NVPTXPIPELINE_H

#include "target/NVPTXTarget.h"

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
namespace rescale {

/// Options of `--rescale-lower-to-nvptx`.
struct LowerToNVPTXOptions : public PassPipelineOptions<LowerToNVPTXOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("Target SM: sm_80, sm_90, sm_90a, ..."),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features, e.g. +ptx87 (empty: the chip's minimum "
                     "PTX version, +ptx80 for sm_90a)"),
      llvm::cl::init("")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level", llvm::cl::desc("LLVM NVPTX optimization level"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What gpu-module-to-binary embeds: isa (PTX, JIT-compiled "
                     "by the driver), bin (cubin, needs ptxas), fatbin (needs "
                     "ptxas and fatbinary), or auto (bin when ptxas is found, "
                     "else isa)"),
      llvm::cl::init("auto")};
};

/// rescale on tensors -> hand-scheduled gpu kernels -> NVVM -> PTX/cubin
/// embedded in a host module (LLVM dialect) that calls the mgpu* runtime ABI
/// and exposes the packed `_rescale_entry_<f>` entry points.
void buildLowerToNVPTXPipeline(OpPassManager &pm,
                               const LowerToNVPTXOptions &options);

/// Why `options` cannot be compiled with, or "" when they can: the target
/// (checkNVPTXTarget), an opt-level of 0 to 3, and a known format.
std::string checkLowerToNVPTXOptions(const LowerToNVPTXOptions &options);

/// `format`, with auto resolved: "bin" when a CUDA root is found, else "isa".
/// A CUDA root holds bin/ptxas and nvvm/libdevice/libdevice.10.bc; the ones
/// tried are $CUDA_HOME, $CUDA_PATH, $CUDA_ROOT, the root of the ptxas on
/// PATH (also through symlinks) and /usr/local/cuda. `toolkit` receives the
/// first that qualifies ("" if none).
std::string resolveBinaryFormat(llvm::StringRef format, std::string &toolkit);

/// Registers --rescale-lower-to-nvptx.
void registerNVPTXPipelines();

} // namespace rescale
} // namespace mlir

#endif // RESCALE_PIPELINES_NVPTXPIPELINE_H
