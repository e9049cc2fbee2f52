//===- rescale-opt.cpp - the rescale optimizer driver ---------------------===//
//
// mlir-opt with the rescale dialect, passes and pipelines, plus the upstream
// dialects and passes our pipelines use.
//
//===----------------------------------------------------------------------===//

#include "tools/RescaleRegistration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::rescale::registerRescalePassesAndPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::rescale::registerRescaleDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Rescale optimizer driver\n", registry));
}
