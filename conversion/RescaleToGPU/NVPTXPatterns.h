//===- NVPTXPatterns.h - rescale ops to hand-scheduled GPU kernels -*- C++
//-*-===//
//
// One entry point per op family (conversion/RescaleToGPU/<Family>ToGPU.cpp).
// Each pattern rewrites one rescale op on static tensors into a gpu.launch_func
// of a gpu.func it builds in the module's `rescale_kernels` gpu.module, with
// the operands passed as flat buffers (bufferization.to_buffer) and the
// results in fresh buffers (memref.alloc, made device memory by
// --rescale-gpu-device-memory).
//
//===----------------------------------------------------------------------===//
#ifndef RESCALE_CONVERSION_RESCALETOGPU_NVPTXPATTERNS_H
#define RESCALE_CONVERSION_RESCALETOGPU_NVPTXPATTERNS_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/LogicalResult.h"

namespace mlir {
class ModuleOp;
class RewritePatternSet;
namespace rescale::nvptx {
struct TargetInfo;

/// rms_norm, preaffine_rms_norm, gated_norm, dyt, add_rms_norm.
void populateNormsToGPUPatterns(RewritePatternSet &patterns,
                                const TargetInfo &target);
/// attention: FlashAttention-2 on tensor cores (bf16/f16, D = 64/128), FMA
/// otherwise.
void populateAttentionToGPUPatterns(RewritePatternSet &patterns,
                                    const TargetInfo &target);
/// gated_delta_rule and its fused backward: a CTA per (batch, value head)
/// walking the chunks, the chunk math on f32 matrices in shared memory.
void populateGatedDeltaRuleToGPUPatterns(RewritePatternSet &patterns,
                                         const TargetInfo &target);
/// After the hand kernels: a rule (or its backward) on static, non-empty
/// shapes left means its matrices fit no chunk in shared memory; an error
/// on the op that says so, rather than an anonymous one on its CPU
/// decomposition later.
LogicalResult checkGatedDeltaRulesTaken(ModuleOp module,
                                        const TargetInfo &target);
/// tensor.extract_slice / insert_slice of a non-contiguous region and
/// tensor.concat: a copy kernel each (a thread per result element), since
/// gpu.memcpy moves contiguous blocks only.
void populateDataMovementToGPUPatterns(RewritePatternSet &patterns);
/// Every linalg op on static tensors (glue, data movement, and the reference
/// decomposition of ops with no hand kernel), one kernel each: a thread per
/// parallel point, reduction loops serial in the CPU loops' order.
void populateElementwiseToGPUPatterns(RewritePatternSet &patterns);
/// linear: tensor-core matmul (bf16/f16), FMA otherwise.
void populateLinearToGPUPatterns(RewritePatternSet &patterns,
                                 const TargetInfo &target);
/// linear whose weight (and optionally x) is a rescale.dequantize result:
/// one GEMM reading the codes and scales directly (W8A8/W4A4 on int8
/// mma.sync, FP8/NVFP4/MXFP4 decoded to bf16/f16 in registers).
void populateQuantLinearToGPUPatterns(RewritePatternSet &patterns,
                                      const TargetInfo &target);

} // namespace rescale::nvptx
} // namespace mlir

#endif // RESCALE_CONVERSION_RESCALETOGPU_NVPTXPATTERNS_H
