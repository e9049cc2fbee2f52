//===- InitAll.cpp - the one place Rescale registers everything -----------===//

#include "tools/InitAll.h"

#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleDialect.h"
#include "lowering/DependentDialects.h"
#include "lowering/NVPTX/NVPTXPipeline.h"
#include "lowering/Passes.h"
#include "lowering/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::rescale::registerAllDialects(DialectRegistry &registry) {
  registry.insert<RescaleDialect>();
  registerAutodiffExternalModels(registry);
  registerLoweringDependentDialects(registry);
}

void mlir::rescale::registerAllPasses() {
  registerRescaleGraphPasses();
  registerRescaleLoweringPasses();
  registerRescalePipelines();
  registerNVPTXPipelines();
}
