//===- ModuleCompiler.h - MLIR file -> loadable module ----------*- C++ -*-===//
//
// What `rescale-compile` and `rescale-run FILE.mlir` do: parse and verify a
// rescale program, read its entry signatures off the tensor types, lower it
// for a target, and write NAME.so plus NAME.manifest.json (the
// compiled-module ABI, docs/compile-and-run.md), or an intermediate form.
//
// Targets are rows of a table (getTargetBackends): a backend is one function
// that lowers a verified module and writes the requested output. The building
// blocks every backend needs (LLVM IR translation, object emission, linking a
// shared object, the manifest) are exported here so that a new target is one
// new function, not a copy of the CPU path.
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_COMPILER_MODULECOMPILER_H
#define RESCALE_COMPILER_MODULECOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include "rescale/runtime/Manifest.h"
#include "rescale/runtime/Probes.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class LLVMContext;
class TargetMachine;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class MLIRContext;
class PassManager;
namespace rescale {

/// The runtime's manifest types are the single definition of the format.
namespace runtime = ::rescale::runtime;

/// What to write to the output path.
enum class EmitKind {
  SharedObject, // NAME.so + NAME.manifest.json (default)
  MLIR,         // the module after the target's MLIR pipeline
  LLVM,         // LLVM IR after optimization
  PTX,          // nvptx only: the kernels' PTX
};

/// Parses "so", "mlir", "llvm", "ptx"; nullopt otherwise.
std::optional<EmitKind> parseEmitKind(StringRef name);

struct CompileOptions {
  /// A name from getTargetBackends(): "cpu", "nvptx".
  std::string target = "cpu";
  /// cpu: an LLVM CPU name ("native" = this host; empty = a portable default,
  /// x86-64-v3 on x86-64, so that a module built here runs on the GPU
  /// machine's host). nvptx: the SM ("sm_90").
  std::string chip;
  /// Extra LLVM target features ("+avx512f,...").
  std::string features;
  /// LLVM optimization level, 0-3.
  unsigned optLevel = 3;
  /// cpu: f32 matrix products as OpenBLAS calls (LowerToCPUOptions::blas).
  bool blas = true;
  /// cpu: row tiles on OpenMP threads (LowerToCPUOptions::openmp).
  bool openmp = true;
  EmitKind emit = EmitKind::SharedObject;
  /// Called on each pass manager before it runs, e.g. with
  /// applyPassManagerCLOptions by a tool that registered those options.
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

/// Dialects, interfaces and LLVM IR translations a compile needs (the rescale
/// dialect, every upstream dialect a program or a pipeline may use).
void registerModuleCompilerDialects(DialectRegistry &registry);

/// The entries of `module`: every public func.func with a body, with its
/// tensor signature. Reports (as diagnostics on the function) arguments or
/// results that are not statically shaped tensors of a dtype the runtime
/// knows or can count, an entry with the reserved `_rescale_entry_` prefix,
/// any function named like a libc/libm function, a called declaration, and
/// a module without any entry.
FailureOr<std::vector<runtime::EntrySpec>> collectEntries(ModuleOp module);

/// Reports (at the op) every constant too large to embed in a shared object
/// (2 GiB), before LLVM would try to materialize it.
LogicalResult checkEmbeddedConstants(ModuleOp module);

/// Parse and verify `inputPath` ("-" = stdin) into `context`. Syntax and
/// verifier errors go to the context's diagnostic handler; a file that cannot
/// be read sets `ioError` (one line for the tool to print) instead.
OwningOpRef<ModuleOp> parseSourceFile(StringRef inputPath, MLIRContext &context,
                                      std::string &ioError);

/// Compile `module` for `options.target` and write `outputPath` (and, for a
/// shared object, the manifest beside it). Diagnostics go to the context's
/// handler; failure means something was reported.
LogicalResult compileModule(ModuleOp module, const CompileOptions &options,
                            StringRef outputPath);

/// The probe results (result attribute `rescale.probe = {kind, name}`, added
/// by the instrumentation passes) of every entry of `module`; removes the
/// attributes, which the lowering does not know.
std::vector<runtime::EntryProbes> collectProbes(ModuleOp module);

/// Lists `probes` in the manifest beside the shared object `outputPath`
/// (nothing for other outputs or when there are none).
LogicalResult addProbes(Location loc, const CompileOptions &options,
                        const std::vector<runtime::EntryProbes> &probes,
                        StringRef outputPath);

//===----------------------------------------------------------------------===//
// Target backends
//===----------------------------------------------------------------------===//

/// Lowers a verified module whose entries are `manifest.entries` and writes
/// `outputPath` as `options.emit` asks. Fills in manifest.target/chip.
using TargetCompileFn = LogicalResult (*)(ModuleOp module,
                                          const CompileOptions &options,
                                          runtime::Manifest &manifest,
                                          StringRef outputPath);

struct TargetBackend {
  StringRef name;
  StringRef description;
  TargetCompileFn compile;
};

/// Every target rescale-compile knows, in --help order.
ArrayRef<TargetBackend> getTargetBackends();
const TargetBackend *lookupTargetBackend(StringRef name);

/// The host CPU backend: --rescale-lower-to-cpu, LLVM IR, an object file for
/// the host triple, `cc -shared`.
LogicalResult compileForCPU(ModuleOp module, const CompileOptions &options,
                            runtime::Manifest &manifest, StringRef outputPath);

//===----------------------------------------------------------------------===//
// Building blocks shared by backends
//===----------------------------------------------------------------------===//

/// A TargetMachine for the host triple (PIC, for shared objects). `cpu` as in
/// CompileOptions::chip. Reports failure on `loc`.
FailureOr<std::unique_ptr<llvm::TargetMachine>>
createHostTargetMachine(Location loc, StringRef cpu, StringRef features,
                        unsigned optLevel);

/// Translate an LLVM-dialect module to LLVM IR, set `tm`'s triple and data
/// layout, make every definition outside moduleExportPrefixes() internal, and
/// run LLVM's O`optLevel` pipeline.
FailureOr<std::unique_ptr<llvm::Module>>
translateAndOptimize(ModuleOp module, llvm::LLVMContext &llvmContext,
                     llvm::TargetMachine &tm, unsigned optLevel);

/// Write `llvmModule` as an object file at `path`.
LogicalResult emitObjectFile(Location loc, llvm::Module &llvmModule,
                             llvm::TargetMachine &tm, StringRef path);

/// Link `objects` into the shared object `outputPath` with the first of cc,
/// gcc, clang on PATH (`extraArgs` after the objects, e.g. "-lm"). The
/// linker's stderr is part of the diagnostic on failure.
LogicalResult linkSharedObject(Location loc, ArrayRef<std::string> objects,
                               ArrayRef<std::string> extraArgs,
                               StringRef outputPath);

/// The host half of every backend: the LLVM-dialect `module` translated and
/// optimized for the host (`cpu`, `features`), then written as LLVM IR text
/// when `emit` is EmitKind::LLVM, otherwise compiled to a temporary object
/// (`tempPrefix`-*.o) and linked with `linkArgs` into `outputPath`, exporting
/// the symbols of moduleExportPrefixes() and nothing else.
LogicalResult emitHostSharedObject(ModuleOp module, Location loc, StringRef cpu,
                                   StringRef features, unsigned optLevel,
                                   EmitKind emit, StringRef tempPrefix,
                                   ArrayRef<std::string> linkArgs,
                                   StringRef outputPath);

/// The name prefixes of a compiled module's exported symbols, its whole
/// ABI: every other symbol is internal (translateAndOptimize) and local
/// (emitHostSharedObject's version script).
ArrayRef<StringRef> moduleExportPrefixes();

/// Write `manifest` to runtime::manifestPathFor(modulePath), with the SHA-256
/// of the module file already written at `modulePath`.
LogicalResult writeManifest(Location loc, const runtime::Manifest &manifest,
                            StringRef modulePath);

/// Write text to `path` ("-" = stdout).
LogicalResult writeTextOutput(Location loc, StringRef path,
                              function_ref<void(raw_ostream &)> print);

} // namespace rescale
} // namespace mlir

#endif // RESCALE_COMPILER_MODULECOMPILER_H
