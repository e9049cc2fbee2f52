//===- rescale-opt.cpp - the rescale optimizer driver ---------------------===//
//
// mlir-opt with the rescale dialect, passes and pipelines, plus the upstream
// dialects and passes our pipelines use.
//
//===----------------------------------------------------------------------===//

#include "compiler/ParserCrashGuard.h"
#include "tools/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::rescale::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::rescale::registerAllDialects(registry);

  auto [input, output] = mlir::registerAndParseCLIOptions(
      argc, argv, "Rescale optimizer driver\n", registry);
  // Text that crashes MLIR 22's own parser is refused first
  // (compiler/ParserCrashGuard.h). A file is read once more for it; stdin,
  // which can be read only once, is not checked.
  if (input != "-") {
    auto buffer = llvm::MemoryBuffer::getFile(input, /*IsText=*/true);
    if (buffer)
      if (auto crash = mlir::rescale::findParserCrash((*buffer)->getBuffer())) {
        llvm::errs() << crash->format(input) << "\n";
        return 1;
      }
  }
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, input, output, registry));
}
