//===- InitAll.cpp - the one place Rescale registers everything -----------===//

#include "tools/InitAll.h"

#include "conversion/Passes.h"
#include "dialect/Autodiff/Autodiff.h"
#include "dialect/RescaleDialect.h"
#include "passes/Passes.h"
#include "pipelines/DependentDialects.h"
#include "pipelines/NVPTXPipeline.h"
#include "pipelines/Pipelines.h"
#include "transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::rescale::registerAllDialects(DialectRegistry &registry) {
  registry.insert<RescaleDialect>();
  registerAutodiffExternalModels(registry);
  registerPipelineDependentDialects(registry);
}

void mlir::rescale::registerAllPasses() {
  registerRescaleGraphPasses();
  registerRescaleConversionPasses();
  registerRescaleTransformsPasses();
  registerRescalePipelines();
  registerNVPTXPipelines();
}
