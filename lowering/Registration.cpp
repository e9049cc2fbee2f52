//===- Registration.cpp - register rescale passes and pipelines -----------===//

#include "lowering/Registration.h"
#include "lowering/Passes.h"
#include "lowering/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::rescale::registerAllRescalePasses() {
  registerRescaleLoweringPasses();
  registerRescalePipelines();
}

void mlir::rescale::registerLoweringDependentDialects(
    DialectRegistry &registry) {
  (void)registry;
}
