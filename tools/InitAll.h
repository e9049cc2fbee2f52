//===- InitAll.h - the one place Rescale registers everything ---*- C++ -*-===//
//
// What a tool needs to parse and transform Rescale programs, as MLIR's
// InitAllDialects.h / InitAllPasses.h are for upstream: rescale-opt, the
// mlir-opt plugin, rescale-compile and projects built on an installed Rescale
// (examples/downstream, docs/install.md) call these two and nothing else.
// Each layer keeps its own generated registration (passes/Passes.td,
// conversion/Passes.td, transforms/Passes.td, the pipelines); these functions
// are the only callers.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_TOOLS_INITALL_H
#define RESCALE_TOOLS_INITALL_H

namespace mlir {
class DialectRegistry;
namespace rescale {

/// The rescale dialect with its autodiff rules for upstream ops, and every
/// dialect and interface model that Rescale's passes and pipelines create or
/// need (pipelines/DependentDialects.h), so that a foreign mlir-opt can run
/// them.
void registerAllDialects(DialectRegistry &registry);

/// Every Rescale pass (graph passes, conversions, CPU transforms) and pipeline
/// (rescale-lower-to-cpu, rescale-lower-to-nvptx) in the global registry.
void registerAllPasses();

} // namespace rescale
} // namespace mlir

#endif // RESCALE_TOOLS_INITALL_H
