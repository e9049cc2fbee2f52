//===- DependentDialects.h - what the pipelines need loaded -----*- C++ -*-===//
#ifndef RESCALE_PIPELINES_DEPENDENTDIALECTS_H
#define RESCALE_PIPELINES_DEPENDENTDIALECTS_H

namespace mlir {
class DialectRegistry;
namespace rescale {

/// Dialects that rescale's passes and pipelines produce, plus the interface
/// models (bufferization, LLVM translation) those pipelines need, so that a
/// plugin loaded into a foreign mlir-opt can run them. Called by
/// registerAllDialects (tools/InitAll.h).
void registerPipelineDependentDialects(DialectRegistry &registry);

} // namespace rescale
} // namespace mlir

#endif // RESCALE_PIPELINES_DEPENDENTDIALECTS_H
