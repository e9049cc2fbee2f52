//===- CompileNVPTX.h - the nvptx row of rescale-compile --------*- C++ -*-===//
#ifndef RESCALE_COMPILER_COMPILENVPTX_H
#define RESCALE_COMPILER_COMPILENVPTX_H

#include "compiler/ModuleCompiler.h"

namespace mlir::rescale {

/// The NVIDIA backend of rescale-compile (`--target=nvptx`):
/// --rescale-lower-to-nvptx (cubin when ptxas is found, else PTX for the
/// driver to JIT), then the host code like the CPU backend (LLVM IR, object,
/// `cc -shared`); the mgpu* functions stay undefined and resolve to the
/// runtime's when the module is loaded. The manifest says target "cuda" and
/// the chip. `--emit=ptx` writes the kernels' PTX, `--emit=mlir` the module
/// after the pipeline, `--emit=llvm` the host LLVM IR.
LogicalResult compileForNVPTX(ModuleOp module, const CompileOptions &options,
                              runtime::Manifest &manifest,
                              StringRef outputPath);

} // namespace mlir::rescale

#endif // RESCALE_COMPILER_COMPILENVPTX_H
