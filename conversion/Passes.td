//===- Passes.td - conversions out of the rescale dialect --*- tablegen -*-===//
//
// Every conversion out of the rescale dialect is declared here (as in CIRCT's
// Conversion/Passes.td): the reference decomposition to linalg
// (conversion/RescaleToLinalg/) and the hand-scheduled NVPTX kernels
// (conversion/RescaleToGPU/). The transforms that prepare upstream IR for a
// target are in transforms/Passes.td; the pipelines that order them all are
// in pipelines/.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_CONVERSION_PASSES_TD
#define RESCALE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertRescaleToLinalg : Pass<"convert-rescale-to-linalg"> {
  let summary = "Decompose rescale ops into linalg, arith, math and tensor";
  let description = [{
    The reference decomposition: every rescale op becomes linalg-on-tensors
    (plus arith, math and tensor) following its formula exactly. This is the
    single source of truth for the dialect's numerics: the CPU pipeline runs
    it, and the GPU kernels are checked against it.

    Numerics: every operand is read as f32 inside the `linalg.generic`
    bodies, the whole formula is evaluated in f32 (reductions accumulate in
    f32; quantization scale math in f64), and only the final result is
    rounded to the result element type. Intermediates such as GatedNorm's
    normalized `y` stay in f32. One file per op family
    (conversion/RescaleToLinalg/{Norms,Linear,Attention,Quant}ToLinalg.cpp) holds the
    patterns; ToLinalg/Common.h holds the shared builders.

    Only statically shaped tensors are decomposed. A rescale op with a
    dynamic shape, or without a decomposition, is reported on the op (e.g.
    "cannot decompose 'rescale.rms_norm' into linalg: the reference
    decomposition needs static shapes, but operand #0 of type
    'tensor<?x8xf32>' is dynamic") and the pass fails.

    Example:
    ```mlir
    %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<4x8xbf16>, tensor<8xf32>) -> tensor<4x8xbf16>
    ```
    becomes three `linalg.generic`s: a reduction of `extf(x)²` into a
    `tensor<4xf32>`, a per-row `rsqrt(sum / 8 + 1e-6)`, and an elementwise
    `truncf(w * (extf(x) * inv))` into the `tensor<4x8xbf16>` result.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertRescaleAttentionToFlashTiles
    : Pass<"convert-rescale-attention-to-flash-tiles"> {
  let summary = "Write rescale.attention as flash-style CPU tiles (online softmax, causal key tiles skipped)";
  let description = [{
    The CPU pipeline's form of `rescale.attention` (issue 13), run before
    `--convert-rescale-to-linalg`. The reference decomposition scores every
    query against every key: for causal attention half of that work is
    masked away, and each tile of queries keeps a whole row of scores. Here
    each (batch, head, tile of `query-tile` queries) is one iteration of an
    `scf.forall` (the CPU pipeline runs it on OpenMP threads) holding a
    sequential `scf.for` over tiles of `key-tile` keys, with the online
    softmax of FlashAttention (Dao et al. 2022): a running max m, a running
    sum l and an accumulator, rescaled by exp(m_old - m_new) per key tile.
    Under causal masking a query tile visits only the key tiles that hold a
    key it may see. Both products per key tile (`q·kᵀ`, `p·v`) are
    `out + a * b` generics on static [Tq, D] x [Tk, D] and [Tq, Tk] x [Tk, Dv]
    tiles, which `rescale-contractions-to-blas` turns into sgemm calls.

    Every variant: causal or not, S != T, grouped-query heads, headwise and
    elementwise gates, the off_by_one and learned_sink normalizers (their
    extra logit z starts the running max and sum: a key of logit z and value
    0), sigmoid attention (no normalizer), every float dtype (operands read
    as f32, one rounding of the result). When the tiles do not divide S or
    T, q and the gate get zero rows and k and v zero keys at the end; padded
    keys are masked and padded rows dropped. Results agree with the
    reference decomposition to f32 rounding (the sums run in another order),
    not bit for bit. Attention with a dynamic or empty shape is left to the
    reference decomposition.

    Example (causal, S = T = 1024, D = 64, query-tile = 64, key-tile = 64):
    ```mlir
    %o = rescale.attention %q, %k, %v {causal} : ...
    ```
    becomes
    ```mlir
    %o = scf.forall (%b, %h, %t) in (1, 8, 16) shared_outs(%out = %empty) {
      %n = ... (%t + 1) ...            // key tiles at or before the diagonal
      %r:3 = scf.for %j = %c0 to %n step %c1 iter_args(%acc, %m, %l) {
        // s = mask(scale · q·kᵀ), m', α, p = exp(s - m'), l, acc
      }
      // acc / l, into rows [64 %t, 64 %t + 64) of head %h
    }
    ```
  }];
  let options = [
    Option<"queryTile", "query-tile", "int64_t", /*default=*/"64",
           "Most queries per tile (S is split into equal tiles of at most this)">,
    Option<"keyTile", "key-tile", "int64_t", /*default=*/"64",
           "Most keys per tile (T is split into equal tiles of at most this)">,
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten",
              "Attention ops written as flash-style tiles">,
  ];
}

def ConvertRescaleEmbeddingToGather
    : Pass<"convert-rescale-embedding-to-gather"> {
  let summary = "Write rescale.embedding as a gather and rescale.embedding_grad as a scatter-add (CPU)";
  let description = [{
    The CPU pipeline's form of the embedding pair (issue 13), run before
    `--convert-rescale-to-linalg`. The reference decomposition is dense: a
    one-hot select chain over the whole vocabulary for every id and column,
    `O(N·V·D)` for both ops. A train step of a vocabulary-256 model spent
    about a tenth of its time there. Here both are `O(N·D)`:

    - `embedding`: a `linalg.generic` over `[ids..., D]` whose body reads
      `table[id, d]` with `tensor.extract` (a gather). An id outside
      `[0, V)` reads row 0 and yields zero instead, so no read is out of
      bounds.
    - `embedding_grad`: zeros, then an `scf.for` over the ids in row-major
      order. Each id in range adds its `dy` row to row `id` of the
      accumulator (`tensor.extract_slice`, an add, `tensor.insert_slice`;
      bufferization does this in place). Out-of-range ids add nothing.

    The numerics are those of the reference decomposition, bit for bit. The
    gather copies one value, as the one-hot select does. The scatter adds
    each `(v, d)` its terms in the same order (increasing row-major id
    position, from +0.0 in f32) and rounds once to the result type.

    The GPU keeps the dense form: its generic kernels compute each output
    element in one thread and cannot take a loop-carried scatter.

    Example:
    ```mlir
    %d = rescale.embedding_grad %ids, %dy {num_embeddings = 256 : i64}
        : (tensor<8x128xi32>, tensor<8x128x64xf32>) -> tensor<256x64xf32>
    ```
    becomes
    ```mlir
    %ids1 = tensor.collapse_shape %ids [[0, 1]] : ... into tensor<1024xi32>
    %dy1 = tensor.collapse_shape %dy [[0, 1], [2]] : ... into tensor<1024x64xf32>
    %r = scf.for %n = %c0 to %c1024 step %c1 iter_args(%acc = %zeros) {
      %id = tensor.extract %ids1[%n] : tensor<1024xi32>
      %next = scf.if %in_range -> (tensor<256x64xf32>) {
        // acc[id, :] += dy1[n, :]
      } else {
        scf.yield %acc : tensor<256x64xf32>
      }
      scf.yield %next : tensor<256x64xf32>
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten",
              "Embedding and embedding_grad ops written as a gather or a scatter-add">,
  ];
}

//===----------------------------------------------------------------------===//
// NVPTX: hand-scheduled GPU kernels (conversion/RescaleToGPU/, issue 5)
//===----------------------------------------------------------------------===//

def ConvertRescaleToGPU : Pass<"convert-rescale-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Rewrite rescale ops into launches of hand-scheduled GPU kernels";
  let description = [{
    Each rescale op with static shapes becomes a `gpu.launch_func` of a
    `gpu.func` built for it in the `rescale_kernels` gpu.module: our own
    schedules (one file per op family in conversion/RescaleToGPU/), not a generic
    linalg-to-GPU mapping.

    Norm family (`rms_norm`, `preaffine_rms_norm`, `gated_norm`, `dyt`,
    `add_rms_norm`; NormsToGPU.cpp): a row per warp for small d, a row per
    CTA for large d; 16-byte vector accesses; f32 math; `gpu.shuffle xor`
    butterflies plus a shared-memory exchange between warps; a persistent
    grid; GatedNorm stages w_down/w_up in dynamic shared memory (when they
    fit) and computes its gate in the same pass over the row.

    Attention (AttentionToGPU.cpp): FlashAttention-2. bf16/f16 with head dims
    64/128 run on tensor cores (`nvvm.mma.sync` m16n8k16): Q resident in
    registers, K and Vᵀ tiles through shared memory, online softmax in exp2
    with log2(e) folded into the scale, fully masked causal tiles skipped,
    GQA, gates and sink normalizers in the epilogue. Other cases: a warp per
    query row with FMA.

    Linear (LinearToGPU.cpp): bf16/f16 on tensor cores (128×128 CTA tiles,
    mma.sync m16n8k16), f32 with FMA.

    Quantized linear (QuantLinearToGPU.cpp, on the same schedule, MmaGemm):
    a linear of a dequantized weight, and of a dequantized, fake-quantized
    or plain bf16/f16 x, is one GEMM reading the codes: W8A8/W4A4 on the s8
    MMA (m16n8k32, int4 weights packed two per byte and unpacked in
    registers), FP8/NVFP4/MXFP4 decoded in registers to bf16 (exactly) for
    the bf16 MMA; per-token/channel/tensor scales in the f32 epilogue.

    The pass runs in three greedy steps. (1) The hand-scheduled kernels
    above, fused ones included (they match op chains, so they see the ops
    as written). (2) Every rescale op no hand kernel took (`quantize`,
    `dequantize`, `fake_quant`, `clip`, `attention_first_token_share`,
    shapes a schedule does not take) becomes its reference decomposition:
    the patterns of `--convert-rescale-to-linalg` themselves, so the GPU
    computes the CPU path's formula in its precision (quantization math in
    f64); its elementwise steps fuse into single consumers, as on the CPU
    path. (3) The linalg they leave and the glue between kernels
    (ElementwiseToGPU.cpp) become generic kernels, one per linalg op
    (`linalg.generic`, `linalg.fill`, ...): a thread per point of the
    parallel loops; reduction loops run serially in that thread in the CPU
    loops' order from the init's value, so results are bit-identical to the
    CPU path (a maximum or minimum over >= 64 points, whose bits do not
    depend on the order, gets a warp with a shuffle butterfly instead); inputs may be read at any affine map (GQA), outputs at
    projected permutations; `linalg.index` and captured constants are
    supported, and a `linalg.fill` of a constant feeding a kernel is
    rebuilt inside it.

    A rescale op left after step 2 (dynamic shapes) and a linalg op left
    after step 3 are errors on the op: nothing runs on the host against
    device memory.

    Operands reach the kernels as flat buffers (`bufferization.to_buffer` +
    `memref.collapse_shape`), results are fresh `memref.alloc` buffers
    wrapped back into tensors, so the rest of the function is still on
    tensors and one-shot bufferization finishes the job.

    Example:
    ```mlir
    %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<4096x4096xbf16>, tensor<4096xbf16>) -> tensor<4096x4096xbf16>
    ```
    becomes
    ```mlir
    gpu.launch_func @rescale_kernels::@rms_norm blocks in (%c4096, %c1, %c1)
        threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c0_i32
        args(%xflat : memref<16777216xbf16>, %wflat : memref<4096xbf16>,
             %out : memref<16777216xbf16>)
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "Target SM (sm_80, sm_90, sm_90a): sizes the persistent grid and "
           "the shared-memory budget">,
  ];
  let statistics = [
    Statistic<"numKernels", "num-kernels", "Number of GPU kernels built">,
  ];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // RESCALE_CONVERSION_PASSES_TD
