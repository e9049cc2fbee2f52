//===- RescaleRegistration.cpp - everything rescale registers -------------===//

#include "tools/RescaleRegistration.h"

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleDialect.h"
#include "lowering/Registration.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::rescale::registerRescaleDialects(DialectRegistry &registry) {
  registry.insert<RescaleDialect>();
  registerAutodiffExternalModels(registry);
  registerLoweringDependentDialects(registry);
}

void mlir::rescale::registerRescalePassesAndPipelines() {
  registerGraphPasses();
  registerAllRescalePasses();
}
