//===- Registration.cpp - register the graph passes -----------------------===//

#include "passes/Passes.h"

void mlir::rescale::registerGraphPasses() { registerRescaleGraphPasses(); }
