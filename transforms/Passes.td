//===- Passes.td - transforms that prepare IR for a target -*- tablegen -*-===//
//
// Passes on upstream IR (linalg, tensors, buffers, gpu) that the pipelines
// (pipelines/) run between the conversions (conversion/Passes.td) and
// LLVM: CPU preparation (row tiling, fusion, BLAS calls, entry points) and
// NVPTX host and kernel fix-ups.
//
// Registered pipelines (pipelines/Pipelines.h; not passes, so not in this file):
//
// Registered pipelines (pipelines/Pipelines.h; not passes, so not in this file):
//
//   --rescale-lower-to-cpu{fuse-elementwise=true blas=true tile-rows=true}
//       rescale (+ linalg/arith/math/tensor) on tensors -> LLVM dialect, with
//       one packed entry point per public function (see EmitEntryPoints).
//       rescale-compile --target=cpu runs it before translating to LLVM IR.
//       Stages: the reference decomposition; elementwise tensor ops to linalg;
//       canonicalize/cse; elementwise fusion that never repeats a payload
//       (FuseElementwiseWithoutRecompute); chains of row ops tiled by rows
//       (TileAndFuseRows, with tile-rows=true); a copy for each tensor returned
//       twice (CopyRepeatedResults); one-shot bufferization at
//       function boundaries (identity layouts); results to out-params; buffer
//       deallocation; f32 GEMMs to cblas_sgemm calls (ContractionsToBlas,
//       with blas=true); row tiles to sequential loops; linalg to loops;
//       math/arith expansion (incl. bf16, f8E8M0 and f4E2M1 conversions); the
//       LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_TRANSFORMS_PASSES_TD
#define RESCALE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def StridedCopiesToLinalg
    : Pass<"rescale-strided-copies-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    Bufferization copies into and out of subviews with `memref.copy` (a
    `tensor.concat` becomes one copy per operand into a strided view of the
    result). `finalize-memref-to-llvm` lowers a copy between contiguous
    buffers to a memcpy, but any other to a call of `memrefCopy` from MLIR's
    C runner utilities, which a compiled module does not link: the module
    then fails to load with an undefined symbol. This pass rewrites exactly
    those copies (either side with a non-identity layout) into `linalg.copy`,
    which the CPU pipeline lowers to loops with the rest of linalg.

    Example:
    ```mlir
    memref.copy %src, %view : memref<1x2x4x6xf32> to memref<1x2x4x6xf32, strided<[56, 28, 7, 1]>>
    // becomes
    linalg.copy ins(%src : memref<1x2x4x6xf32>)
                outs(%view : memref<1x2x4x6xf32, strided<[56, 28, 7, 1]>>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
  let statistics = [
    Statistic<"numCopies", "num-copies", "Number of strided copies rewritten">,
  ];
}

def ContractionsToBlas
    : Pass<"rescale-contractions-to-blas", "::mlir::ModuleOp"> {
  let summary = "Run f32 matrix products on buffers as calls of OpenBLAS's cblas_sgemm";
  let description = [{
    The CPU pipeline's loops are scalar; a GEMM written as loops runs about
    80x slower than a tuned BLAS on the same machine (issue 13). This pass
    hands every f32 contraction on buffers that is a (batched) GEMM to
    `cblas_sgemm` (Debian's OpenBLAS, multi-threaded): `linalg.matmul`,
    `linalg.batch_matmul` and any `linalg.generic` whose body is
    `out + a * b` with projected-permutation maps, e.g. a linear's
    `y[b, s, n] += x[b, s, k] * w[n, k]` (two M loops) or a weight gradient
    `dw[n, k] += dy[b, s, n] * x[b, s, k]` (two K loops).

    Each operand must be a matrix over its two loop groups: the loops of a
    group (M, N or K, size-1 loops dropped) collapse into one when the
    operand's strides nest (stride(d_i) = size(d_i+1) * stride(d_i+1)), and
    one of its two groups must have unit stride (a transposed operand is
    passed as such). A loop of one iteration counts as 0 in index
    expressions, so a tile of grouped-query attention, which reads its key
    head as `h floordiv g` over a tile of one head, is a GEMM too. The output must have a unit stride along N or along M
    (then Cᵀ = Bᵀ·Aᵀ is computed instead). Batch loops become an `scf.for`
    around the call. The call accumulates (alpha = beta = 1), as the
    contraction does into its initialized output, except where a
    `linalg.fill` of +0.0 into the same buffer comes right before the
    product: the fill is dropped and the call gets beta = 0 (C written
    without being read; the fill's pass over C goes, and OpenBLAS's
    small-matrix kernels skip C). Only the sign of an exact zero result can
    differ.

    Only static shapes and strides, non-empty products and sizes within
    int32 are rewritten; anything else (another element type, casts in the
    body, a broadcast operand with stride 0, dynamic shapes) stays a linalg
    op and becomes loops. The products' summation order is OpenBLAS's, not
    the loops': results differ from the loops' by rounding only. The module
    then links `-lopenblas` (rescale-compile adds it when a call is left).

    Products inside an `scf.forall` (the row tiles, whose iterations the CPU
    pipeline runs on OpenMP threads) run OpenBLAS on one thread per caller:
    `openblas_get_num_threads` saves the count before the outermost such
    loop, `openblas_set_num_threads(1)` precedes it and the saved count is
    restored after it. With its own threads as well, OpenBLAS would put two
    threads on each core and serialize its callers (a tiled attention ran 7x
    slower). A module that defines either symbol itself keeps OpenBLAS's
    threads, with a remark.

    With `split-rows` (the CPU pipeline sets it with `openmp`), a product
    outside any `scf.forall`, with no batch loop and at least
    2 x 64 rows, is split by rows of C into one part per OpenMP thread
    (`omp_get_max_threads()` at run time, at most one part per 64 rows): an
    `scf.forall` of single-threaded sgemm calls, each on its own block of rows
    of A and C. OpenBLAS's own threads gave these products nothing on the
    2-core build machine (the train step ran as fast with
    OPENBLAS_NUM_THREADS=1), while idle OpenMP threads spun against them. Each
    element of C is still one call's sum over all of K, so only OpenBLAS's
    choice of kernel for the smaller call can change the rounding.

    Example (x·wᵀ):
    ```mlir
    linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                   affine_map<(m, n, k) -> (n, k)>,
                                   affine_map<(m, n, k) -> (m, n)>]
        ins(%x, %w : memref<5x7xf32>, memref<3x7xf32>)
        outs(%y : memref<5x3xf32>)
    // becomes (pointers from memref.extract_aligned_pointer_as_index and
    // the offset of memref.extract_strided_metadata)
    func.call @cblas_sgemm(%row_major, %no_trans, %trans, %c5, %c3, %c7,
        %one, %x_ptr, %c7, %w_ptr, %c7, %one, %y_ptr, %c3)
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
  let options = [
    Option<"splitRows", "split-rows", "bool", /*default=*/"false",
           "Split each product outside a row tile by rows of C into one "
           "part per OpenMP thread (needs the openmp lowering)">,
  ];
  let statistics = [
    Statistic<"numCalls", "num-calls", "Number of contractions turned into cblas_sgemm calls">,
    Statistic<"numSplit", "num-split", "Number of those split by rows across OpenMP threads">,
  ];
}

def FuseElementwiseWithoutRecompute
    : Pass<"rescale-fuse-elementwise-without-recompute"> {
  let summary = "Fuse elementwise linalg producers into consumers that read each element once";
  let description = [{
    Upstream's `--linalg-fuse-elementwise-ops` fuses an elementwise producer
    with one use into any consumer, a contraction included. When the
    consumer reads the producer through a broadcast (an indexing map that
    drops one of its loops), the fused body evaluates the producer's payload
    once per iteration of the dropped loop instead of once per element.
    GatedNorm's swish fused into its up projection computed 16 · d sigmoids
    per row instead of 16 (issue 13: 210 ms instead of a few), and the
    fused product is no longer the plain `out + a * b` that
    `rescale-contractions-to-blas` hands to OpenBLAS.

    This pass applies the same patterns (elementwise fusion, reshape folding
    by expansion, the fill and splat folds) but fuses a producer only when
    it has one use and the consumer reads it through a permutation map, so
    every payload runs exactly as often as before fusion. Everything else
    stays materialized.

    Example:
    ```mlir
    %s = linalg.generic {indexing_maps = [#id, #id], ...} ins(%h) outs(%e)
           { math.exp ... }                         // [rows, 16]
    %z = linalg.generic {indexing_maps = [(i, k, j) -> (i, j),
                                          (i, k, j) -> (j, k),
                                          (i, k, j) -> (i, k)], ...}
           ins(%s, %w_up) outs(%zero)               // reads %s d times
    ```
    keeps `%s` as its own op (upstream would fuse it into `%z`), while an
    elementwise consumer of `%z` with an identity map is fused.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::affine::AffineDialect"];
  let statistics = [
    Statistic<"numRefused", "num-refused",
              "Fusions refused because the consumer reads the producer through a broadcast">,
  ];
}

def TileAndFuseRows
    : Pass<"rescale-tile-and-fuse-rows", "::mlir::func::FuncOp"> {
  let summary = "Run chains of row-wise linalg ops one tile of rows at a time";
  let description = [{
    The reference decomposition writes a norm or an attention as a chain of
    linalg ops over whole tensors; each intermediate (GatedNorm's y and
    gate, attention's scores and probabilities) goes to memory and back.
    Rows are independent, so this pass tiles the end of each chain (an
    elementwise op; a product or a reduction at the end stays whole) into an
    `scf.forall` over tiles of `tile-rows` rows (the result's last dimension
    whole, the one before it tiled, the others one at a time) and fuses
    into it, by upstream's tile-and-fuse (TilingInterface), every producer
    whose slice moves with the row tile. The intermediates then live one
    tile at a time, in cache, and the tiles run on all cores.

    A producer is not fused when its slice is the same for every row tile
    (keys and values read whole by each query tile would be recomputed per
    tile), when an op reads more than `max-invariant-bytes` whole per tile
    (a large linear stays one OpenBLAS GEMM instead of one per tile), or
    when it (or an op between it and the chain's end) has a use outside the
    chain: it would be computed twice, and in a train step, whose
    activations the backward ops also read, every chain would pull in the
    whole forward pass. Such an op ends a chain of its own. Reductions along a row stay whole, so every element's
    arithmetic is unchanged.

    Example (rms_norm, 4096 rows of 2048, tile-rows = 16):
    ```mlir
    %sum = linalg.generic ... ins(%x) outs(%zero)   // [4096] row sums
    %y = linalg.generic ... ins(%x, %w, %sum)        // [4096, 2048]
    ```
    becomes
    ```mlir
    %y = scf.forall (%i) = (0) to (4096) step (16) shared_outs(%o = %e) {
      // the sum and the normalization of rows [%i, %i + 16)
      scf.forall.in_parallel { tensor.parallel_insert_slice ... }
    }
    ```
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"16",
           "Rows per tile">,
    Option<"maxInvariantBytes", "max-invariant-bytes", "int64_t",
           /*default=*/"524288",
           "Largest operand every tile reads whole (bytes) for an op to be tiled">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
  let statistics = [
    Statistic<"numTiled", "num-tiled", "Chains tiled into row tiles">,
    Statistic<"numFused", "num-fused", "Producers fused into row tiles">,
  ];
}

def DecomposeAggregatedOps
    : Pass<"rescale-decompose-aggregated-ops", "::mlir::func::FuncOp"> {
  let summary = "Replace linalg.softmax (and other aggregated linalg ops) by their decomposition";
  let description = [{
    `linalg.softmax` (what torch-mlir makes of `aten._softmax`, and tosa/onnx
    pipelines of their softmax) bufferizes but has no loop lowering, so a
    model with a softmax outside attention (a router, a classifier head, an
    attention `--rescale-raise` did not raise) could not be compiled. This
    pass replaces every op implementing `linalg::AggregatedOpInterface` by
    the decomposition the op defines: for softmax over dimension d,

    ```
    m = max_d(x);  e = exp(x - m);  s = sum_d(e);  y = e / s
    ```

    as linalg.generic reductions and elementwise ops, which both pipelines
    lower like the rest of linalg.

    Example:
    ```mlir
    %y = linalg.softmax dimension(1) ins(%x : tensor<2x8xf32>)
        outs(%init : tensor<2x8xf32>) -> tensor<2x8xf32>
    // becomes a max reduction, exp(x - max), a sum reduction and a division
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
  let statistics = [
    Statistic<"numDecomposed", "num-decomposed", "Number of ops decomposed">,
  ];
}

def CopyRepeatedResults
    : Pass<"rescale-copy-repeated-results", "::mlir::func::FuncOp"> {
  let summary = "Give every returned tensor its own value (a copy for repeats)";
  let description = [{
    A function that returns the same tensor value more than once
    (`return %y, %y`) would have one buffer stand for two results after
    bufferization, and `buffer-results-to-out-params` (which turns each result
    into its own caller-allocated out-param) does not handle that: MLIR 22
    crashes on it. This pass replaces every repeat after the first by an
    explicit copy, `bufferization.alloc_tensor() copy(%y)`, which one-shot
    bufferization turns into an allocation and a `memref.copy`, and which
    then becomes a copy into the second out-param.

    Only repeats are copied: a function argument or a constant returned once
    already bufferizes to a copy into its out-param. The CPU pipeline runs
    this pass right before bufferization, after the last CSE (which would
    merge the copies again).

    Example:
    ```mlir
    return %y, %y : tensor<4x8xf32>, tensor<4x8xf32>
    // becomes
    %copy = bufferization.alloc_tensor() copy(%y) : tensor<4x8xf32>
    return %y, %copy : tensor<4x8xf32>, tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
  let statistics = [
    Statistic<"numCopies", "num-copies", "Number of repeated results copied">,
  ];
}

def InlineConstantGlobals
    : Pass<"rescale-inline-constant-globals", "::mlir::ModuleOp"> {
  let summary = "Replace loads of constant ml_program globals by their values";
  let description = [{
    Importers (torch-mlir, IREE-style) and `--rescale-fold-scales` keep
    weights in immutable `ml_program.global`s read with
    `ml_program.global_load_const`. Upstream bufferization handles mutable
    globals but not constant loads, so the CPU pipeline turns each such load
    into an `arith.constant` of the global's value; bufferization then makes it
    a read-only `memref.global`. Globals without an elements value are left
    alone (and bufferization reports them).

    Example:
    ```mlir
    ml_program.global private @w(dense<[1.0, 2.0]> : tensor<2xf32>) : tensor<2xf32>
    %w = ml_program.global_load_const @w : tensor<2xf32>
    ```
    becomes
    ```mlir
    %w = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def OutlineLoopNests
    : Pass<"rescale-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Give each top-level loop nest of a large function a function of its own";
  let description = [{
    A train step lowers to one function with every layer's loops, forward and
    backward. LLVM's `-O3` keeps per-function analyses (ScalarEvolution above
    all) whose upkeep grows with the number of loops in a function, so the
    compile time of a decoder grew faster than its number of layers
    (`bench/cpu/compile-time.sh`). In every function with at least
    `min-nests` top-level loop nests (`scf.for`, `scf.parallel`,
    `omp.parallel`), each nest becomes a private function
    `@<function>__nest<i>`, called in its place, marked `noinline` (LLVM
    would otherwise inline a function with one caller straight back). The
    values the nest reads from outside become arguments, in order of first
    use; the constants it reads are cloned into it, so that trip counts stay
    constant for LLVM. Smaller functions are left as they are. Nothing is
    computed differently: each nest runs once, in the same order.

    Example (`min-nests=2`):
    ```mlir
    func.func @step(%a: memref<4xf32>) {
      scf.for %i = %c0 to %c4 step %c1 { ... %a ... }
      scf.for %i = %c0 to %c4 step %c1 { ... %a ... }
      return
    }
    ```
    becomes
    ```mlir
    func.func @step(%a: memref<4xf32>) {
      call @step__nest0(%a) : (memref<4xf32>) -> ()
      call @step__nest1(%a) : (memref<4xf32>) -> ()
      return
    }
    func.func private @step__nest0(%a: memref<4xf32>)
        attributes {passthrough = ["noinline"]} { ... }
    ```
  }];
  let options = [
    Option<"minNests", "min-nests", "unsigned", "16",
           "Outline the nests of functions with at least this many top-level "
           "loop nests">,
  ];
  let statistics = [
    Statistic<"numOutlined", "num-outlined", "Loop nests outlined">,
  ];
}

def InlineAllocaScopes : Pass<"rescale-inline-alloca-scopes"> {
  let summary = "Inline memref.alloca_scope ops that hold no stack allocation";
  let description = [{
    `--convert-scf-to-openmp` wraps the body of every parallel loop in a
    `memref.alloca_scope`, so that allocas made in an iteration are released
    at its end. A scope's region must stay one block, so the scf loops inside
    it could no longer be lowered to control flow. Upstream's canonicalizer
    inlines a scope nested in a loop only when it can prove that nothing
    inside allocates on the stack; it counts an op without a memory effects
    interface (the `llvm.inttoptr` that passes a buffer to OpenBLAS) as a
    possible allocation, and so keeps the CPU pipeline's GatedNorm tile in
    its scope.

    This pass inlines every single-block scope with no `memref.alloca` or
    `llvm.alloca` anywhere inside. A call needs no scope: the callee releases
    its own frame before it returns. Scopes that do hold an alloca stay.

    Example:
    ```mlir
    memref.alloca_scope {
      %a = llvm.inttoptr %x : i64 to !llvm.ptr
      func.call @cblas_sgemm(..., %a, ...) : (...) -> ()
    }
    ```
    becomes
    ```mlir
    %a = llvm.inttoptr %x : i64 to !llvm.ptr
    func.call @cblas_sgemm(..., %a, ...) : (...) -> ()
    ```
  }];
}

def EmitEntryPoints : Pass<"rescale-emit-entry-points", "::mlir::ModuleOp"> {
  let summary = "Add the packed `_rescale_entry_<f>(void **args)` entry points";
  let description = [{
    The compiled-module ABI shared with the runtime (docs/compile-and-run.md): for
    every public function `@f` with a body, add

    ```c
    void _rescale_entry_f(void **args);
    ```

    where `args[i]` points to the memref descriptor of argument `i`
    (`{allocated, aligned, offset, sizes[rank], strides[rank]}`). After
    `buffer-results-to-out-params` the results are trailing arguments, so the
    caller passes inputs first, then outputs. One signature for every entry
    lets the runtime call any function through `dlsym` without generating
    code per signature (unlike `_mlir_ciface_`, whose arity varies).

    Runs on bufferized IR, before `convert-func-to-llvm`. The wrapper loads
    each descriptor, casts it to the memref type with
    `builtin.unrealized_conversion_cast` and calls `@f`; the func-to-LLVM
    conversion unpacks the descriptor and `reconcile-unrealized-casts` removes
    the casts. Entries are also marked `llvm.emit_c_interface`, so the usual
    `_mlir_ciface_<f>` exists for C callers. Entry arguments must be
    statically shaped memrefs and entries must return nothing (results
    already moved to out-params); anything else is reported on the function.

    Example:
    ```mlir
    func.func @f(%a: memref<2x3xf32>, %out: memref<2x3xf32>) { ... }
    // gains
    func.func @_rescale_entry_f(%args: !llvm.ptr) {
      %p0 = llvm.getelementptr %args[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
      %d0 = llvm.load %p0 : !llvm.ptr -> !llvm.ptr
      %s0 = llvm.load %d0 : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
      %m0 = builtin.unrealized_conversion_cast %s0 : ... to memref<2x3xf32>
      ...
      call @f(%m0, %m1) : (memref<2x3xf32>, memref<2x3xf32>) -> ()
      return
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::func::FuncDialect",
  ];
  let statistics = [
    Statistic<"numEntryPoints", "num-entry-points",
              "Number of packed entry points emitted">,
  ];
}

//===----------------------------------------------------------------------===//
// NVPTX host code and kernels (pipelines/NVPTXPipeline.cpp)
//===----------------------------------------------------------------------===//

def RescaleGPUDeviceMemory : Pass<"rescale-gpu-device-memory", "::mlir::func::FuncOp"> {
  let summary = "Make the buffers of a bufferized GPU function device memory";
  let description = [{
    The host side of the NVPTX ABI: every memref argument of an entry point
    holds a *device* pointer (the runtime allocates, uploads and downloads),
    so the compiled host code only launches kernels. After bufferization and
    buffer-results-to-out-params this pass makes the remaining host buffers
    device buffers:

    * `memref.alloc` -> `gpu.alloc`, with a `gpu.dealloc` before the return
      (temporaries never escape: results are out-params);
    * `memref.copy` -> `gpu.memcpy` (device to device);
    * `memref.get_global` of a constant -> `gpu.alloc` + `gpu.memcpy` from the
      host global (uploaded at each call).

    `gpu-async-region` then chains them on one stream, which `gpu-to-llvm`
    turns into `mgpuStreamCreate`, `mgpuMemAlloc`, `mgpuMemcpy`,
    `mgpuLaunchKernel`, `mgpuMemFree`, `mgpuStreamSynchronize` and
    `mgpuStreamDestroy` calls.

    Any other operation that would read or write memory on the host is an
    error: it would touch device pointers from the CPU.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def ExternDynamicSharedMemory
    : Pass<"rescale-extern-dynamic-shared-memory", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Declare the dynamic shared memory base as an extern array";
  let description = [{
    `convert-gpu-to-nvvm` lowers `gpu.dynamic_shared_memory` to an *internal*
    zero-length `llvm.mlir.global` in address space 3, which NVPTX prints as a
    one-byte static `.shared` variable. Its address is then only the start of
    the static shared memory: ptxas may place other static buffers (our
    reduction scratch) after it, so the dynamic buffers overlap them, and the
    last bytes of the dynamic region fall past the allocation. CUDA declares
    the base `extern __shared__ T smem[]` instead, which NVPTX prints as
    `.extern .shared .b8 smem[]`: placed after all static shared memory.

    This pass makes those globals external declarations, which is what CUDA
    C++ does. Runs on the NVVM-lowered gpu.module.

    Example:
    ```mlir
    llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32,
        alignment = 16 : i64} : !llvm.array<0 x i8>
    // becomes
    llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32,
        alignment = 16 : i64} : !llvm.array<0 x i8>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // RESCALE_TRANSFORMS_PASSES_TD
