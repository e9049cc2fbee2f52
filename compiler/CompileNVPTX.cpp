//===- CompileNVPTX.cpp - the nvptx row of rescale-compile ----------------===//

#include "compiler/CompileNVPTX.h"
#include "pipelines/NVPTXPipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"

#include "rescale/runtime/Module.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;

LogicalResult mlir::rescale::compileForNVPTX(ModuleOp module,
                                             const CompileOptions &options,
                                             runtime::Manifest &manifest,
                                             StringRef outputPath) {
  Location loc = module.getLoc();
  std::string chip = options.chip.empty() ? "sm_90" : options.chip;
  manifest.target = "cuda";
  manifest.chip = chip;
  // --rescale-gpu-device-memory makes entry arguments device pointers: the
  // runtime uploads inputs and downloads outputs around the call.
  manifest.argMemory = runtime::ArgMemory::Device;

  LowerToNVPTXOptions pipeline;
  pipeline.chip = chip;
  pipeline.features = options.features;
  pipeline.optLevel = options.optLevel;
  // --emit=ptx wants the assembly; otherwise a cubin where ptxas exists.
  pipeline.format = options.emit == EmitKind::PTX ? "isa" : "auto";
  std::string problem = checkLowerToNVPTXOptions(pipeline);
  if (!problem.empty())
    return emitError(loc) << "--target=nvptx: " << problem;

  bool reported = false;
  {
    ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
      reported |= d.getSeverity() == DiagnosticSeverity::Error;
      return failure(); // on to the tool's handler
    });
    PassManager pm(module.getContext());
    buildLowerToNVPTXPipeline(pm, pipeline);
    if (failed(pm.run(module))) {
      if (!reported)
        emitError(loc) << "--rescale-lower-to-nvptx failed";
      return failure();
    }
  }

  if (options.emit == EmitKind::MLIR)
    return writeTextOutput(loc, outputPath,
                           [&](raw_ostream &os) { module.print(os); });
  if (options.emit == EmitKind::PTX) {
    std::string ptx;
    for (auto binary : module.getOps<gpu::BinaryOp>())
      for (Attribute attr : binary.getObjects())
        ptx += cast<gpu::ObjectAttr>(attr).getObject().getValue().str();
    if (ptx.empty())
      return emitError(loc) << "the module has no GPU kernel: no PTX to write";
    return writeTextOutput(loc, outputPath,
                           [&](raw_ostream &os) { os << ptx; });
  }

  // The host side: the same object and link steps as the CPU backend, and
  // the runtime as DT_NEEDED: the module calls mgpu*, and the dynamic loader
  // matches the runtime's SONAME against the copy the process has loaded,
  // so the module binds to it whether or not that copy is RTLD_GLOBAL. A
  // process that has not loaded the runtime finds it beside the module
  // ($ORIGIN) or on the library path; no absolute path of this host is kept,
  // since modules are compiled here and run on GPU machines.
  auto runtimeLibrary = runtime::runtimeLibraryPath();
  if (!runtimeLibrary)
    return emitError(loc) << runtimeLibrary.status().message();
  std::string runtimeLinkArgs[] = {*runtimeLibrary, "-Wl,-rpath,$ORIGIN"};
  if (failed(emitHostSharedObject(
          module, loc, /*cpu=*/"", /*features=*/"", options.optLevel,
          options.emit, "rescale-nvptx", runtimeLinkArgs, outputPath)))
    return failure();
  if (options.emit == EmitKind::LLVM)
    return success();
  return writeManifest(loc, manifest, outputPath);
}
