//===- Registration.h - register rescale passes and pipelines ---*- C++ -*-===//
#ifndef RESCALE_LOWERING_REGISTRATION_H
#define RESCALE_LOWERING_REGISTRATION_H

namespace mlir {
class DialectRegistry;
namespace rescale {

/// Graph passes (passes/), conversions and pipelines (lowering/).
void registerAllRescalePasses();

/// Dialects that rescale's passes and pipelines produce, plus the interface
/// models (bufferization, LLVM translation) those pipelines need, so that a
/// plugin loaded into a foreign mlir-opt can run them.
void registerLoweringDependentDialects(DialectRegistry &registry);

} // namespace rescale
} // namespace mlir

#endif // RESCALE_LOWERING_REGISTRATION_H
