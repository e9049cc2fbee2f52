//===- Pipelines.cpp - rescale lowering pipelines -------------------------===//

#include "lowering/Pipelines.h"
#include "lowering/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::rescale::buildTosaToLinalg(OpPassManager &pm) {
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions());
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass());
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());
}

void mlir::rescale::buildBufferizeToOutParams(OpPassManager &pm) {
  // A tensor returned twice gets a copy first: one buffer cannot become two
  // out-params (buffer-results-to-out-params would crash).
  pm.addNestedPass<func::FuncOp>(createCopyRepeatedResults());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
}

void mlir::rescale::buildLowerToCPUPipeline(OpPassManager &pm,
                                            const LowerToCPUOptions &options) {
  // 1. The reference decomposition (issue 3 §1): from here on only upstream
  //    dialects remain, and the numerics are fixed. Elementwise arith/math on
  //    whole tensors (glue such as a SwiGLU product written by hand) becomes
  //    linalg too, so that everything bufferizes and fuses the same way.
  buildTosaToLinalg(pm);
  pm.addPass(createConvertRescaleToLinalg());
  // linalg.softmax (a softmax the raise left, or outside attention) has no
  // loop lowering: its own decomposition does.
  pm.addNestedPass<func::FuncOp>(createDecomposeAggregatedOps());
  // Weights in constant ml_program.globals become constants (bufferization
  // has no model for global_load_const).
  pm.addPass(createInlineConstantGlobals());
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.fuseElementwise) {
    pm.addPass(createLinalgElementwiseOpFusionPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // 2. Tensors -> buffers. Function boundaries get identity layouts so that
  //    entry arguments are plain row-major descriptors, and results become
  //    caller-allocated out-params (the runtime allocates and poisons them).
  //    Public functions are the entry points, so they must be rewritten too.
  //    A tensor returned twice gets a copy first (one buffer cannot become
  //    two out-params); after the last CSE, which would merge the copies.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  buildBufferizeToOutParams(pm);
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // 3. Buffers -> loops -> CFG. LLVM's loop vectorizer sees plain loops.
  //    Copies between strided views (a tensor.concat's) become loops too
  //    instead of calls into MLIR's runner utilities, which modules lack.
  pm.addNestedPass<func::FuncOp>(createStridedCopiesToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());

  // 4. Ops with no direct LLVM lowering. Math and arithmetic on f16/bf16 are
  //    computed in f32 and rounded once per op (exactly the IEEE result of the
  //    narrow op; without this LLVM would need soft-float libcalls such as
  //    __truncsfbf2 that not every libgcc has). tanh/rsqrt/… become exp/sqrt
  //    forms; conversions to and from bf16, f8E8M0 and f4E2M1 become integer
  //    code (x86 has no native instructions for them).
  pm.addPass(math::createMathExtendToSupportedTypes());
  arith::ArithEmulateUnsupportedFloatsOptions emulate;
  emulate.sourceTypeStrs = {"bf16", "f16"};
  emulate.targetTypeStr = "f32";
  pm.addPass(arith::createArithEmulateUnsupportedFloats(emulate));
  pm.addPass(math::createMathExpandOpsPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  expand.includeF8E8M0 = true;
  expand.includeF4E2M1 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));

  // 5. The packed ABI, then the LLVM dialect. Math ops that LLVM has no
  //    intrinsic for (erf, …) become libm calls; the module links -lm.
  pm.addPass(createEmitEntryPoints());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::rescale::registerRescalePipelines() {
  PassPipelineRegistration<LowerToCPUOptions>(
      "rescale-lower-to-cpu",
      "Lower rescale programs to the LLVM dialect for the host CPU, with the "
      "packed _rescale_entry_<f> entry points of the compiled-module ABI",
      buildLowerToCPUPipeline);
}
