//===- RescalePlugin.cpp - rescale as an mlir-opt plugin ------------------===//
//
// Loads the rescale dialect and passes into an mlir-opt built elsewhere, e.g.
// `mlir-opt-22 --load-dialect-plugin=RescalePlugin.so
//              --load-pass-plugin=RescalePlugin.so`.
// The plugin links the shared libMLIR.so, like Debian's mlir-opt-22, so both
// see one set of registries.
//
//===----------------------------------------------------------------------===//

#include "tools/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

// The plugin is compiled with hidden visibility and exports these two
// (RescalePlugin.map).
#define RESCALE_PLUGIN_API                                                     \
  extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default")))

RESCALE_PLUGIN_API ::mlir::DialectPluginLibraryInfo mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Rescale", LLVM_VERSION_STRING,
          [](::mlir::DialectRegistry *registry) {
            ::mlir::rescale::registerAllDialects(*registry);
          }};
}

RESCALE_PLUGIN_API ::mlir::PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Rescale", LLVM_VERSION_STRING,
          []() { ::mlir::rescale::registerAllPasses(); }};
}
