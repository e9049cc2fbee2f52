//===- NVPTXPipeline.cpp - --rescale-lower-to-nvptx -----------------------===//

#include "pipelines/NVPTXPipeline.h"
#include "conversion/Passes.h"
#include "pipelines/Pipelines.h"
#include "target/TargetFeatures.h"
#include "transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace mlir;

std::string
mlir::rescale::checkLowerToNVPTXOptions(const LowerToNVPTXOptions &options) {
  std::string problem = checkNVPTXTarget(options.chip, options.features);
  if (!problem.empty())
    return problem;
  // gpu-module-to-binary reports these only after the whole pipeline ran,
  // with the module dumped (and a bad format did not even fail the run).
  if (options.optLevel > 3)
    return "opt-level must be 0 to 3, got " + std::to_string(options.optLevel);
  if (!llvm::is_contained({"auto", "isa", "bin", "fatbin"},
                          llvm::StringRef(options.format)))
    return "format must be auto, isa, bin or fatbin, got '" +
           options.format.getValue() + "'";
  return "";
}

std::string mlir::rescale::resolveBinaryFormat(llvm::StringRef format,
                                               std::string &toolkit) {
  toolkit.clear();
  // A CUDA root counts only if it holds both ptxas and libdevice: the
  // serializer links libdevice for the __nv_* math our kernels call and
  // looks for ptxas under <root>/bin. A `ptxas` found on PATH may be a
  // wrapper script (e.g. /usr/local/bin/ptxas exec'ing the real one), whose
  // parent is no CUDA root, so its canonical path is tried as well.
  SmallVector<std::string> roots;
  for (const char *env : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *root = std::getenv(env); root && *root)
      roots.push_back(root);
  if (llvm::ErrorOr<std::string> onPath =
          llvm::sys::findProgramByName("ptxas")) {
    roots.push_back(
        llvm::sys::path::parent_path(llvm::sys::path::parent_path(*onPath))
            .str());
    SmallString<256> real;
    if (!llvm::sys::fs::real_path(*onPath, real))
      roots.push_back(
          llvm::sys::path::parent_path(llvm::sys::path::parent_path(real))
              .str());
  }
  roots.push_back("/usr/local/cuda");
  for (const std::string &root : roots) {
    SmallString<256> ptxas(root), libdevice(root);
    llvm::sys::path::append(ptxas, "bin", "ptxas");
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (llvm::sys::fs::can_execute(ptxas) &&
        llvm::sys::fs::is_regular_file(libdevice)) {
      toolkit = root;
      break;
    }
  }
  if (format != "auto")
    return format.str();
  return toolkit.empty() ? "isa" : "bin";
}

void mlir::rescale::buildLowerToNVPTXPipeline(
    OpPassManager &pm, const LowerToNVPTXOptions &options) {
  // 1. Our schedules: every rescale op becomes a launch of a kernel built for
  //    its shapes (conversion/RescaleToGPU/*ToGPU.cpp). The host code stays on
  //    tensors. Glue first becomes fused linalg: arith/math on tensors and
  //    named ops (transposes) turn into linalg.generic, and producer/consumer
  //    chains fuse (a SwiGLU is one op), so each is one elementwise kernel.
  buildTosaToLinalg(pm);
  pm.addNestedPass<func::FuncOp>(createDecomposeAggregatedOps());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createLinalgGeneralizeNamedOpsPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  ConvertRescaleToGPUOptions toGPU;
  toGPU.chip = options.chip;
  pm.addPass(createConvertRescaleToGPU(toGPU));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // 2. Tensors -> buffers, as on the CPU path: identity layouts at function
  //    boundaries, results as caller-allocated out-params that the kernels
  //    write directly (hoisted static allocations, no copy).
  buildBufferizeToOutParams(pm);

  // 3. Host buffers are device buffers (the NVPTX ABI), then one stream per
  //    call orders the allocations, copies and launches.
  pm.addNestedPass<func::FuncOp>(createRescaleGPUDeviceMemory());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createEmitEntryPoints());

  // 4. Kernels to NVVM, as upstream's gpu-lower-to-nvvm-pipeline does, with
  //    bare pointers for kernel arguments (static shapes: the descriptor
  //    would only add parameters).
  GpuNVVMAttachTargetOptions attach;
  attach.chip = options.chip;
  attach.features = nvptxFeaturesFor(options.chip, options.features);
  attach.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(attach));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.useBarePtrCallConv = true;
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // The upstream nvgpu ops of the kernels (cp.async) first, as
  // gpu-lower-to-nvvm-pipeline orders them.
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(createExternDynamicSharedMemory());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // 5. Host: launches become mgpu* calls; kernels become PTX or a cubin.
  GpuToLLVMConversionPassOptions toLLVM;
  toLLVM.kernelBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(toLLVM));
  GpuModuleToBinaryPassOptions toBinary;
  toBinary.compilationTarget =
      resolveBinaryFormat(options.format, toBinary.toolkitPath);
  pm.addPass(createGpuModuleToBinaryPass(toBinary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::rescale::registerNVPTXPipelines() {
  // PassPipelineRegistration, plus a check of the options while they are
  // parsed: LLVM's NVPTX backend aborts on a chip it does not know or a PTX
  // version below the chip's, and gpu-module-to-binary checks the rest only
  // at the end.
  registerPassPipeline(
      "rescale-lower-to-nvptx",
      "Lower rescale programs to hand-scheduled GPU kernels (NVVM -> PTX or "
      "cubin) and a host module calling the mgpu* runtime ABI, with the "
      "packed _rescale_entry_<f> entry points",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        LowerToNVPTXOptions options;
        if (failed(options.parseFromString(text)) ||
            failed(checkModulePipelineAnchor(pm, "rescale-lower-to-nvptx",
                                             errorHandler)))
          return failure();
        std::string problem = checkLowerToNVPTXOptions(options);
        if (!problem.empty())
          return errorHandler("rescale-lower-to-nvptx: " + problem);
        buildLowerToNVPTXPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(LowerToNVPTXOptions());
      });
}
