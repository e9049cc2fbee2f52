//===- RescaleRegistration.cpp - everything rescale registers -------------===//

#include "tools/RescaleRegistration.h"

#include "dialect/RescaleDialect.h"
#include "lowering/Registration.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::rescale::registerRescaleDialects(DialectRegistry &registry) {
  registry.insert<RescaleDialect>();
  registerLoweringDependentDialects(registry);
}

void mlir::rescale::registerRescalePassesAndPipelines() {
  registerAllRescalePasses();
}
