//===- RescaleRegistration.h - everything rescale registers -----*- C++ -*-===//
#ifndef RESCALE_TOOLS_RESCALEREGISTRATION_H
#define RESCALE_TOOLS_RESCALEREGISTRATION_H

namespace mlir {
class DialectRegistry;
namespace rescale {

/// Adds the rescale dialect, and the dialects our passes create, to `registry`.
void registerRescaleDialects(DialectRegistry &registry);

/// Registers every rescale pass and pipeline with the global pass registry.
void registerRescalePassesAndPipelines();

} // namespace rescale
} // namespace mlir

#endif // RESCALE_TOOLS_RESCALEREGISTRATION_H
