//===- rescale-compile.cpp - compile a rescale program to a module --------===//
//
//   rescale-compile FILE.mlir --target=cpu|nvptx [--chip=...] -o module.so
//                   [--emit=so|mlir|llvm|ptx]
//
// Writes module.so and module.manifest.json (docs/compile-and-run.md), or with
// --emit the intermediate form. The work is in compiler/ModuleCompiler.
//
//===----------------------------------------------------------------------===//

#include "compiler/ModuleCompiler.h"
#include "tools/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("rescale-compile options");

static cl::opt<std::string> inputFile(cl::Positional,
                                      cl::desc("<input .mlir file>"),
                                      cl::init("-"), cl::cat(compileCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("path"), cl::Required,
                                       cl::cat(compileCategory));
static cl::opt<std::string>
    target("target", cl::desc("Target: cpu (host shared object) or nvptx"),
           cl::init("cpu"), cl::cat(compileCategory));
static cl::opt<std::string>
    chip("chip",
         cl::desc("cpu: LLVM CPU name (default: portable x86-64-v3; "
                  "'native' = this host); nvptx: sm_80, sm_90, sm_90a"),
         cl::init(""), cl::cat(compileCategory));
static cl::opt<std::string> features("features",
                                     cl::desc("Extra LLVM target features"),
                                     cl::init(""), cl::cat(compileCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level"),
                                  cl::Prefix, cl::init(3),
                                  cl::cat(compileCategory));
static cl::opt<bool>
    blas("blas",
         cl::desc("cpu: run f32 matrix products as calls of OpenBLAS's "
                  "cblas_sgemm (default true; the module then needs "
                  "libopenblas0 where it runs). --blas=false keeps them as "
                  "compiled loops, with no dependency"),
         cl::init(true), cl::cat(compileCategory));
static cl::opt<bool> openmp(
    "openmp",
    cl::desc("cpu: run the tiles of row chains (norms, attention) on every "
             "core with OpenMP (default true; the module then needs libomp5 "
             "where it runs, and OMP_NUM_THREADS sets the count). "
             "--openmp=false runs them in order on one thread; the results "
             "are the same"),
    cl::init(true), cl::cat(compileCategory));
static cl::opt<std::string>
    emit("emit",
         cl::desc("What to write: so (module + manifest, default), mlir "
                  "(after the target pipeline), llvm (optimized LLVM IR), "
                  "ptx (nvptx)"),
         cl::init("so"), cl::cat(compileCategory));

static int error(const Twine &message) {
  llvm::errs() << "rescale-compile: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  // Pass names first: --mlir-print-ir-after=<pass> parses against them.
  registerAllPasses();
  mlir::rescale::registerAllPasses();
  registerPassManagerCLOptions();
  // libLLVM registers hundreds of backend options; --help shows ours (the
  // MLIR debugging options such as --mlir-print-ir-after-all still work, and
  // --help-hidden lists them).
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "rescale-compile: compile a rescale program "
                              "into a loadable module\n");

  mlir::rescale::CompileOptions options;
  options.target = target;
  options.chip = chip;
  options.features = features;
  options.optLevel = optLevel;
  options.blas = blas;
  options.openmp = openmp;
  options.configurePassManager = [](PassManager &pm) {
    return applyPassManagerCLOptions(pm);
  };
  auto emitKind = mlir::rescale::parseEmitKind(emit);
  if (!emitKind)
    return error("unknown --emit '" + emit +
                 "' (expected so, mlir, llvm or "
                 "ptx)");
  options.emit = *emitKind;
  if (optLevel > 3)
    return error("-O expects 0 to 3, got " + Twine(optLevel));
  if (!mlir::rescale::lookupTargetBackend(target)) {
    SmallVector<StringRef> names;
    for (const auto &backend : mlir::rescale::getTargetBackends())
      names.push_back(backend.name);
    return error("unknown --target '" + target +
                 "' (known: " + llvm::join(names, ", ") + ")");
  }

  DialectRegistry registry;
  mlir::rescale::registerModuleCompilerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false); // the location already points at it
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  std::string ioError;
  OwningOpRef<ModuleOp> module =
      mlir::rescale::parseSourceFile(inputFile, context, ioError);
  if (!module)
    return ioError.empty() ? 1 : error(ioError);
  if (failed(mlir::rescale::compileModule(*module, options, outputFile)))
    return 1;
  return 0;
}
