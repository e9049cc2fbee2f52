//===- downstream-opt.cpp - a tool of another project, on Rescale ---------===//
//
// downstream-opt FILE PIPELINE: parses FILE with the rescale dialect (and the
// upstream dialects our pipelines use) registered, runs the textual PIPELINE
// on it, prints the resulting module, and then a census of the rescale ops in
// it, found through the op classes of the installed headers. Errors go to
// stderr as diagnostics, with exit code 1.
//
//===----------------------------------------------------------------------===//

#include "dialect/RescaleOps.h"
#include "tools/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>

int main(int argc, char **argv) {
  if (argc != 3) {
    llvm::errs() << "usage: downstream-opt FILE PIPELINE\n";
    return 2;
  }
  // Our own pipeline is parsed from text, so every pass it names must be in
  // the global registry: upstream's and Rescale's.
  mlir::registerAllPasses();
  mlir::rescale::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::rescale::registerAllDialects(registry);
  mlir::MLIRContext context(registry);

  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  auto file = mlir::openInputFile(argv[1], &error);
  if (!file) {
    llvm::errs() << "downstream-opt: " << error << "\n";
    return 1;
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  // The pipeline names its anchor, as mlir-opt's --pass-pipeline does:
  // "builtin.module(rescale-raise,rescale-lower-to-cpu)".
  mlir::FailureOr<mlir::OpPassManager> pipeline =
      mlir::parsePassPipeline(argv[2], llvm::errs());
  if (mlir::failed(pipeline))
    return 1;
  mlir::PassManager pm(&context, pipeline->getOpAnchorName());
  static_cast<mlir::OpPassManager &>(pm) = std::move(*pipeline);
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->print(llvm::outs());
  llvm::outs() << "\n";

  // The op classes work here as they do inside Rescale: isa<> on the
  // installed headers' classes finds what the passes created.
  std::map<std::string, int> census;
  module->walk([&](mlir::Operation *op) {
    if (mlir::isa<mlir::rescale::RMSNormOp>(op))
      ++census["rms_norm"];
    else if (mlir::isa<mlir::rescale::GatedNormOp>(op))
      ++census["gated_norm"];
    else if (mlir::isa<mlir::rescale::AttentionOp>(op))
      ++census["attention"];
    else if (mlir::isa<mlir::rescale::LinearOp>(op))
      ++census["linear"];
    else if (op->getDialect() && op->getDialect()->getNamespace() == "rescale")
      ++census["other rescale"];
  });
  for (const auto &[name, count] : census)
    llvm::outs() << "// census: " << name << " " << count << "\n";
  return 0;
}
