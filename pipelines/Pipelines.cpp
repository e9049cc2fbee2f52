//===- Pipelines.cpp - rescale lowering pipelines -------------------------===//

#include "pipelines/Pipelines.h"
#include "conversion/Passes.h"
#include "transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/IR/BuiltinOps.h"
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
  // Attention in flash-style tiles (online softmax, the causal key tiles
  // past the diagonal skipped) rather than the reference's whole rows of
  // scores: the row tiling of attention, so it goes with tile-rows.
  if (options.tileRows)
    pm.addPass(createConvertRescaleAttentionToFlashTiles());
  // The embedding pair as a gather and a scatter-add rather than the
  // reference's one-hot chains over the vocabulary (O(N·D), not O(N·V·D)).
  pm.addPass(createConvertRescaleEmbeddingToGather());
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
    // Not upstream's --linalg-fuse-elementwise-ops: it fuses into consumers
    // that read through a broadcast and so repeats the producer's payload.
    pm.addPass(createFuseElementwiseWithoutRecompute());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // Chains of row ops (norms, attention) run one tile of rows at a time, so
  // that their intermediates stay in cache (issue 13).
  if (options.tileRows) {
    pm.addNestedPass<func::FuncOp>(createTileAndFuseRows());
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

  // 3. Buffers -> loops -> CFG. f32 matrix products first become calls of
  //    OpenBLAS's sgemm (issue 13: scalar GEMM loops run ~80x slower than a
  //    tuned BLAS); the rest becomes plain loops for LLVM's vectorizer.
  //    Copies between strided views (a tensor.concat's) become loops too
  //    instead of calls into MLIR's runner utilities, which modules lack.
  if (options.blas) {
    // With OpenMP, products outside the row tiles are split by rows across
    // its threads (one single-threaded sgemm per thread).
    ContractionsToBlasOptions blas;
    blas.splitRows = options.openmp;
    pm.addPass(createContractionsToBlas(blas));
  }
  pm.addNestedPass<func::FuncOp>(createStridedCopiesToLinalg());
  // The tiles of a chain are independent (each writes its own rows), so
  // they run on every core through OpenMP; the result does not depend on
  // the thread count. Everything else stays sequential scf.for.
  if (options.openmp)
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  else
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
  if (options.openmp) {
    pm.addPass(createConvertSCFToOpenMPPass());
    // The pass wraps each loop body in a memref.alloca_scope, whose region
    // scf-to-cf below could not split into blocks; a body without allocas
    // needs no scope.
    pm.addPass(createInlineAllocaScopes());
  }
  // A train step is one function with thousands of loop nests; LLVM's -O3
  // then takes time that grows faster than the number of layers.
  pm.addPass(createOutlineLoopNests());
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
  // Every expansion but tanh's: math-expand-ops writes tanh(x) as
  // (1 - e^-2|x|) / (1 + e^-2|x|), which cancels near 0 (relative error
  // 1.4e-3 at |x| = 1e-5, and 0 below ~1.5e-8), so DyT and a tanh gate would
  // lose small activations. tanh stays an op and becomes libm's tanhf
  // (within 2 ulp everywhere; test/numerics/linear-ablations.test checks
  // |x| from 1e-30 to 1e3).
  math::MathExpandOpsPassOptions expandMath;
  expandMath.opMnemonics = {
      "ctlz", "sinh", "cosh", "tan",   "asinh", "acosh",     "atanh", "fma",
      "ceil", "exp2", "powf", "fpowi", "round", "roundeven", "rsqrt", "clampf"};
  pm.addPass(math::createMathExpandOpsPass(expandMath));
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
  if (options.openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

LogicalResult mlir::rescale::checkModulePipelineAnchor(
    const OpPassManager &pm, StringRef pipeline,
    function_ref<LogicalResult(const Twine &)> errorHandler) {
  // The pipelines hold module passes (bufferization across function
  // boundaries, entry points, the LLVM dialect): added to a pass manager
  // nested on another op, MLIR aborts ("Can't add pass ... restricted to
  // 'builtin.module'"). Say so while the pipeline text is parsed instead.
  StringRef anchor = pm.getOpAnchorName();
  if (anchor == ModuleOp::getOperationName())
    return success();
  return errorHandler(pipeline + " lowers a whole module and must run on '" +
                      ModuleOp::getOperationName() + "', not nested on '" +
                      anchor + "' (write --pass-pipeline='builtin.module(" +
                      pipeline + ")')");
}

void mlir::rescale::registerRescalePipelines() {
  // PassPipelineRegistration, plus the check that the pipeline is not nested
  // under a function.
  registerPassPipeline(
      "rescale-tosa-to-linalg",
      "Lower TOSA to linalg, arith and tensor (upstream's tosa-to-linalg "
      "pipeline, tosa-to-arith, tosa-to-tensor): what --rescale-raise and the "
      "rescale pipelines read",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        if (!text.empty())
          return errorHandler("rescale-tosa-to-linalg takes no options");
        if (failed(checkModulePipelineAnchor(pm, "rescale-tosa-to-linalg",
                                             errorHandler)))
          return failure();
        buildTosaToLinalg(pm);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
  registerPassPipeline(
      "rescale-lower-to-cpu",
      "Lower rescale programs to the LLVM dialect for the host CPU, with the "
      "packed _rescale_entry_<f> entry points of the compiled-module ABI",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        LowerToCPUOptions options;
        if (failed(options.parseFromString(text)) ||
            failed(checkModulePipelineAnchor(pm, "rescale-lower-to-cpu",
                                             errorHandler)))
          return failure();
        buildLowerToCPUPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> optHandler) {
        optHandler(LowerToCPUOptions());
      });
}
