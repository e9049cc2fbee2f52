// RUN: rescale-opt %s --split-input-file --convert-elementwise-to-linalg --linalg-generalize-named-ops --linalg-fuse-elementwise-ops --canonicalize --convert-rescale-to-gpu --verify-diagnostics | FileCheck %s
// RUN: rescale-opt %s --split-input-file --convert-rescale-to-gpu --verify-diagnostics | FileCheck %s --check-prefix=NAMED

// Glue between the kernels: a SwiGLU written as arith/math on tensors is
// fused into one linalg.generic upstream, then becomes one kernel that reads
// each input once and writes once; the captured constant is cloned in.

// CHECK-LABEL: func.func @swiglu_is_one_kernel
// CHECK-COUNT-1: gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @swiglu_is_one_kernel_elementwise(%{{.+}}: memref<4096xbf16>, %{{.+}}: memref<4096xbf16>, %{{.+}}: memref<4096xbf16>) kernel
// CHECK:           %[[ONE:.+]] = arith.constant 1.000000e+00 : bf16
// CHECK:           scf.if
// CHECK:             %[[G:.+]] = memref.load %arg0
// CHECK:             %[[U:.+]] = memref.load %arg1
// CHECK:             arith.negf %[[G]]
// CHECK:             math.exp
// CHECK:             arith.addf %{{.+}}, %[[ONE]]
// CHECK:             arith.divf %[[G]]
// CHECK:             %[[Y:.+]] = arith.mulf %{{.+}}, %[[U]]
// CHECK:             memref.store %[[Y]], %arg2
func.func @swiglu_is_one_kernel(%g: tensor<16x256xbf16>, %u: tensor<16x256xbf16>) -> tensor<16x256xbf16> {
  %n = arith.negf %g : tensor<16x256xbf16>
  %e = math.exp %n : tensor<16x256xbf16>
  %one = arith.constant dense<1.0> : tensor<16x256xbf16>
  %d = arith.addf %one, %e : tensor<16x256xbf16>
  %s = arith.divf %g, %d : tensor<16x256xbf16>
  %y = arith.mulf %s, %u : tensor<16x256xbf16>
  return %y : tensor<16x256xbf16>
}

// -----

// A transpose: the output is written in order, the input read at the
// permuted index (thread id -> (i, j, k) of the [2, 3, 4] output; the input
// [2, 4, 3] is read at (i, k, j)).

// CHECK-LABEL: func.func @transpose_kernel
// CHECK:       gpu.func @transpose_kernel_elementwise(%[[IN:.+]]: memref<24xf32>, %[[OUT:.+]]: memref<24xf32>)
// CHECK:           %[[K:.+]] = arith.remui %{{.+}}, %c4 : index
// CHECK:           %[[R:.+]] = arith.divui %{{.+}}, %c4 : index
// CHECK:           %[[J:.+]] = arith.remui %[[R]], %c3 : index
// CHECK:           %[[V:.+]] = memref.load %[[IN]]
// CHECK:           memref.store %[[V]], %[[OUT]]
func.func @transpose_kernel(%x: tensor<2x4x3xf32>) -> tensor<2x3x4xf32> {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %t = linalg.transpose ins(%x : tensor<2x4x3xf32>) outs(%e : tensor<2x3x4xf32>) permutation = [0, 2, 1]
  return %t : tensor<2x3x4xf32>
}

// -----

// A reduction (the group max of a quantization scale, groups of [2, 8] in a
// [4, 2, 3, 8] view): a thread per point of the parallel loops (d0, d2), the
// reduction loops run serially in that thread in loop order (d1 outer, d3
// inner: the CPU loops' order, so float results are bit-identical), carrying
// the accumulator, and the result is stored once after them. The constant
// linalg.fill init is rebuilt in the kernel: no fill kernel, no init buffer.

// CHECK-LABEL: func.func @group_absmax_is_one_kernel
// CHECK-COUNT-1: gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @group_absmax_is_one_kernel_reduction(%[[X:.+]]: memref<192xf32>, %[[OUT:.+]]: memref<12xf64>) kernel
// CHECK-DAG:       %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// CHECK-DAG:       %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:       %[[C8:.+]] = arith.constant 8 : index
// CHECK:           scf.if
// CHECK:             %[[D2:.+]] = arith.remui %{{.+}}, %c3 : index
// CHECK:             %[[M:.+]] = scf.for %[[D1:.+]] = %c0 to %[[C2]] step %c1 iter_args(%[[ACC1:.+]] = %[[ZERO]]) -> (f64)
// CHECK:               %[[INNER:.+]] = scf.for %[[D3:.+]] = %c0 to %[[C8]] step %c1 iter_args(%[[ACC3:.+]] = %[[ACC1]]) -> (f64)
// CHECK:                 %[[V:.+]] = memref.load %[[X]]
// CHECK:                 %[[W:.+]] = arith.extf %[[V]] : f32 to f64
// CHECK:                 %[[A:.+]] = math.absf %[[W]]
// CHECK:                 %[[NEW:.+]] = arith.maximumf %[[ACC3]], %[[A]] : f64
// CHECK:                 scf.yield %[[NEW]] : f64
// CHECK:               scf.yield %[[INNER]] : f64
// CHECK:             memref.store %[[M]], %[[OUT]]

// NAMED-LABEL: func.func @group_absmax_is_one_kernel
// NAMED-COUNT-1: gpu.launch_func
// NAMED-NOT:     gpu.launch_func
// NAMED:       gpu.func @group_absmax_is_one_kernel_reduction(%{{.+}}: memref<192xf32>, %{{.+}}: memref<12xf64>) kernel
// NAMED:           %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
// NAMED:           scf.for %{{.+}} iter_args(%{{.+}} = %[[ZERO]]) -> (f64)
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#grp = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
func.func @group_absmax_is_one_kernel(%x: tensor<4x2x3x8xf32>) -> tensor<4x3xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<4x3xf64>
  %init = linalg.fill ins(%zero : f64) outs(%e : tensor<4x3xf64>) -> tensor<4x3xf64>
  %m = linalg.generic {indexing_maps = [#id, #grp], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x : tensor<4x2x3x8xf32>) outs(%init : tensor<4x3xf64>) {
  ^bb0(%a: f32, %acc: f64):
    %w = arith.extf %a : f32 to f64
    %abs = math.absf %w : f64
    %r = arith.maximumf %acc, %abs : f64
    linalg.yield %r : f64
  } -> tensor<4x3xf64>
  return %m : tensor<4x3xf64>
}

// -----

// A maximum does not depend on the order its points are combined in
// (maximumf absorbs NaN and orders +0 above -0), so one over >= 64 points
// gets a warp: lane l combines points l, l + 32, ... (reduction indices
// delinearized, last loop fastest) starting from the init, the lanes'
// maxima meet in a butterfly of shuffles, and lane 0 stores. 5 rows of
// 2 x 48: 160 threads, the guard uniform per warp.

// CHECK-LABEL: func.func @row_max_is_a_warp_per_row
// CHECK:       gpu.launch_func @rescale_kernels::@row_max_is_a_warp_per_row_reduction blocks in (%c1, %c1, %c1) threads in (%c160, %c1, %c1)
// CHECK:       gpu.func @row_max_is_a_warp_per_row_reduction(%[[X:.+]]: memref<480xf32>, %[[OUT:.+]]: memref<5xf32>) kernel
// CHECK-DAG:       %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:           %[[I:.+]] = arith.addi
// CHECK:           arith.cmpi ult, %[[I]], %c160 : index
// CHECK:           scf.if
// CHECK:             %[[ROW:.+]] = arith.divui %[[I]], %c32 : index
// CHECK:             %[[LANE:.+]] = arith.remui %[[I]], %c32 : index
// CHECK:             %[[M:.+]] = scf.for %[[R:.+]] = %[[LANE]] to %c96 step %c32 iter_args(%[[ACC:.+]] = %[[NINF]]) -> (f32)
// CHECK:               %[[K:.+]] = arith.remui %[[R]], %c48 : index
// CHECK:               %[[J:.+]] = arith.divui %[[R]], %c48 : index
// CHECK:               %[[V:.+]] = memref.load %[[X]]
// CHECK:               %[[NEW:.+]] = arith.maximumf %[[ACC]], %[[V]] : f32
// CHECK:               scf.yield %[[NEW]]
// CHECK:             %[[S16:.+]], %{{.+}} = gpu.shuffle xor %[[M]], %c16_i32, %c32_i32 : f32
// CHECK:             %[[M16:.+]] = arith.maximumf %[[M]], %[[S16]] : f32
// CHECK:             gpu.shuffle xor %[[M16]], %c8_i32, %c32_i32
// CHECK:             gpu.shuffle xor %{{.+}}, %c4_i32, %c32_i32
// CHECK:             gpu.shuffle xor %{{.+}}, %c2_i32, %c32_i32
// CHECK:             %[[S1:.+]], %{{.+}} = gpu.shuffle xor %[[M2:.+]], %c1_i32, %c32_i32
// CHECK:             %[[TOTAL:.+]] = arith.maximumf %[[M2]], %[[S1]] : f32
// CHECK:             %[[FIRST:.+]] = arith.cmpi eq, %[[LANE]], %c0 : index
// CHECK:             scf.if %[[FIRST]]
// CHECK:               memref.store %[[TOTAL]], %[[OUT]]
func.func @row_max_is_a_warp_per_row(%x: tensor<5x2x48xf32>) -> tensor<5xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<5xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<5xf32>) -> tensor<5xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0)>], iterator_types = ["parallel", "reduction", "reduction"]}
      ins(%x : tensor<5x2x48xf32>) outs(%init : tensor<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.maximumf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<5xf32>
  return %m : tensor<5xf32>
}

// -----

// A sum depends on the order: a row of 96 still runs serially, in the CPU
// loops' order, one thread per row.

// CHECK-LABEL: func.func @row_sum_stays_serial
// CHECK:       gpu.func @row_sum_stays_serial_reduction
// CHECK-NOT:         gpu.shuffle
// CHECK:             scf.for %{{.+}} = %c0 to %c96 step %c1
// CHECK-NOT:         gpu.shuffle
// CHECK:           gpu.return
func.func @row_sum_stays_serial(%x: tensor<5x96xf32>, %init: tensor<5xf32>) -> tensor<5xf32> {
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<5x96xf32>) outs(%init : tensor<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<5xf32>
  return %s : tensor<5xf32>
}

// -----

// A reduction into a tensor argument starts from that tensor's values: the
// kernel reads the init buffer once per output element before the loop.

// CHECK-LABEL: func.func @row_sum_starts_from_init
// CHECK:       gpu.func @row_sum_starts_from_init_reduction(%[[X:.+]]: memref<35xf32>, %[[INIT:.+]]: memref<5xf32>, %[[OUT:.+]]: memref<5xf32>) kernel
// CHECK:             %[[START:.+]] = memref.load %[[INIT]]
// CHECK:             %[[SUM:.+]] = scf.for %{{.+}} = %c0 to %c7 step %c1 iter_args(%[[ACC:.+]] = %[[START]]) -> (f32)
// CHECK:               %[[V:.+]] = memref.load %[[X]]
// CHECK:               %[[NEW:.+]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK:               scf.yield %[[NEW]]
// CHECK:             memref.store %[[SUM]], %[[OUT]]
func.func @row_sum_starts_from_init(%x: tensor<5x7xf32>, %init: tensor<5xf32>) -> tensor<5xf32> {
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<5x7xf32>) outs(%init : tensor<5xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<5xf32>
  return %s : tensor<5xf32>
}

// -----

// A reduction to a scalar (rank 0, here a sum over all of x starting from a
// rank-0 init): the rank-0 buffers reach the kernel as memref<1xT> views
// (flatBufferOf / allocResult), and one thread runs both loops.

// CHECK-LABEL: func.func @total_sum_into_rank0
// CHECK:       %[[OUTB:.+]] = memref.alloc() : memref<f32>
// CHECK:       %[[OUTF:.+]] = memref.expand_shape %[[OUTB]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK:       %[[INITB:.+]] = bufferization.to_buffer %arg1 read_only : tensor<f32> to memref<f32>
// CHECK:       %[[INITF:.+]] = memref.expand_shape %[[INITB]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK:       gpu.launch_func @rescale_kernels::@total_sum_into_rank0_reduction blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1)
// CHECK-SAME:    memref<15xf32>, %[[INITF]] : memref<1xf32>, %[[OUTF]] : memref<1xf32>)
// CHECK:       return %{{.+}} : tensor<f32>
// CHECK:       gpu.func @total_sum_into_rank0_reduction(%[[X:.+]]: memref<15xf32>, %[[I:.+]]: memref<1xf32>, %[[OUT:.+]]: memref<1xf32>) kernel
// CHECK:             %[[START:.+]] = memref.load %[[I]][%c0]
// CHECK:             %[[S:.+]] = scf.for %{{.+}} = %c0 to %c3 step %c1 iter_args(%{{.+}} = %[[START]]) -> (f32)
// CHECK:               scf.for %{{.+}} = %c0 to %c5 step %c1
// CHECK:             memref.store %[[S]], %[[OUT]][%c0]
func.func @total_sum_into_rank0(%x: tensor<3x5xf32>, %init: tensor<f32>) -> tensor<f32> {
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]}
      ins(%x : tensor<3x5xf32>) outs(%init : tensor<f32>) {
  ^bb0(%a: f32, %acc: f32):
    %r = arith.addf %acc, %a : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A fill the host would otherwise run on device memory: a kernel storing the
// constant, a thread per element (15 elements: one warp, not a 256-thread
// block). As the pipeline sees it (generalized to a
// linalg.generic that yields the constant) and as the decomposition makes it
// (linalg.fill, NAMED).

// CHECK-LABEL: func.func @fill_is_a_kernel
// CHECK:       gpu.launch_func @rescale_kernels::@fill_is_a_kernel_elementwise blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1)
// CHECK-NOT:   linalg.
// CHECK:       gpu.func @fill_is_a_kernel_elementwise(%[[OUT:.+]]: memref<15xbf16>) kernel
// CHECK:           %[[C:.+]] = arith.constant 2.500000e+00 : bf16
// CHECK:           scf.if
// CHECK-NOT:         memref.load
// CHECK:             memref.store %[[C]], %[[OUT]]

// NAMED-LABEL: func.func @fill_is_a_kernel
// NAMED:       gpu.launch_func @rescale_kernels::@fill_is_a_kernel_fill blocks in (%c1, %c1, %c1) threads in (%c32, %c1, %c1)
// NAMED-NOT:   linalg.fill
// NAMED:       gpu.func @fill_is_a_kernel_fill(%[[OUT:.+]]: memref<15xbf16>) kernel
// NAMED:           %[[C:.+]] = arith.constant 2.500000e+00 : bf16
// NAMED:           scf.if
// NAMED-NOT:         memref.load
// NAMED:             memref.store %[[C]], %[[OUT]]
func.func @fill_is_a_kernel() -> tensor<3x5xbf16> {
  %c = arith.constant 2.5 : bf16
  %e = tensor.empty() : tensor<3x5xbf16>
  %f = linalg.fill ins(%c : bf16) outs(%e : tensor<3x5xbf16>) -> tensor<3x5xbf16>
  return %f : tensor<3x5xbf16>
}

// -----

// linalg.index in the payload (a causal mask) reads the thread's loop
// indices: here the key index j (d2, fastest) and the query index i (d1).

// CHECK-LABEL: func.func @causal_mask_reads_loop_indices
// CHECK:       gpu.func @causal_mask_reads_loop_indices_elementwise
// CHECK:             %[[J:.+]] = arith.remui %{{.+}}, %c4 : index
// CHECK:             %[[R:.+]] = arith.divui %{{.+}}, %c4 : index
// CHECK:             %[[I:.+]] = arith.remui %[[R]], %c4 : index
// CHECK-NOT:         linalg.index
// CHECK:             %[[FUTURE:.+]] = arith.cmpi ugt, %[[J]], %[[I]] : index
// CHECK:             arith.select %[[FUTURE]]
func.func @causal_mask_reads_loop_indices(%s: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %e = tensor.empty() : tensor<2x4x4xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x4x4xf32>) outs(%e : tensor<2x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %future = arith.cmpi ugt, %j, %i : index
    %ninf = arith.constant 0xFF800000 : f32
    %r = arith.select %future, %ninf, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x4x4xf32>
  return %m : tensor<2x4x4xf32>
}

// -----

// An input read at an affine function of the indices (GQA: query head h
// reads key head h floordiv 2): the kernel computes the row from the head
// index.

// CHECK-LABEL: func.func @gqa_reads_head_group
// CHECK:       gpu.func @gqa_reads_head_group_elementwise(%[[Q:.+]]: memref<32xf32>, %[[K:.+]]: memref<16xf32>, %{{.+}}: memref<32xf32>) kernel
// CHECK:             %[[D:.+]] = arith.remui %{{.+}}, %c8 : index
// CHECK:             %[[HQ:.+]] = arith.divui %{{.+}}, %c8 : index
// CHECK:             %[[H:.+]] = arith.remui %[[HQ]], %c4 : index
// CHECK:             arith.divsi %{{.+}}, %c2 : index
// CHECK:             %[[KV:.+]] = memref.load %[[K]]
// CHECK:             arith.mulf %{{.+}}, %[[KV]]
func.func @gqa_reads_head_group(%q: tensor<4x8xf32>, %k: tensor<2x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(h, d) -> (h, d)>, affine_map<(h, d) -> (h floordiv 2, d)>, affine_map<(h, d) -> (h, d)>], iterator_types = ["parallel", "parallel"]}
      ins(%q, %k : tensor<4x8xf32>, tensor<2x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}

// -----

// A rescale op without a hand-scheduled kernel (clip) becomes its reference
// decomposition, here one elementwise kernel: the same clamp as the CPU path.

// CHECK-LABEL: func.func @clip_runs_its_decomposition
// CHECK-NOT:   rescale.clip
// CHECK-COUNT-1: gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @clip_runs_its_decomposition_elementwise
// CHECK-DAG:         %[[HI:.+]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG:         %[[LO:.+]] = arith.constant -6.000000e+00 : f32
// CHECK:             %[[V:.+]] = memref.load
// CHECK:             %[[M:.+]] = arith.maximumf %[[V]], %[[LO]]
// CHECK:             arith.minimumf %[[M]], %[[HI]]
func.func @clip_runs_its_decomposition(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = rescale.clip %x {threshold = 6.0 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A quantization op becomes its decomposition, whose elementwise steps fuse
// as on the CPU path: fake_quant int8 per token is two kernels, the row
// maxima (f64, a warp per row of 64: see below) and one elementwise kernel
// that computes the scale, quantizes, rounds half-even and dequantizes in
// f64.

// CHECK-LABEL: func.func @fake_quant_is_two_kernels
// CHECK-NOT:   rescale.fake_quant
// CHECK:       gpu.launch_func @rescale_kernels::@fake_quant_is_two_kernels_reduction
// CHECK-SAME:    args(%{{.+}} : memref<512xf32>, %{{.+}} : memref<8xf64>)
// CHECK:       gpu.launch_func @rescale_kernels::@fake_quant_is_two_kernels_elementwise
// CHECK-SAME:    args(%{{.+}} : memref<512xf32>, %{{.+}} : memref<8xf64>, %{{.+}} : memref<512xf32>)
// CHECK-NOT:   gpu.launch_func
// CHECK:       gpu.func @fake_quant_is_two_kernels_elementwise
// CHECK:             %[[AMAX:.+]] = memref.load %{{.+}} : memref<8xf64>
// CHECK:             %[[RAW:.+]] = arith.divf %[[AMAX]], %{{.+}} : f64
// CHECK:             %[[S:.+]] = arith.select %{{.+}}, %{{.+}}, %[[RAW]] : f64
// CHECK:             %[[Q:.+]] = arith.divf %{{.+}}, %[[S]] : f64
// CHECK:             math.roundeven %[[Q]] : f64
// CHECK:             arith.mulf %{{.+}}, %[[S]] : f64
// CHECK:       gpu.func @fake_quant_is_two_kernels_reduction
// CHECK:             gpu.shuffle xor
func.func @fake_quant_is_two_kernels(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A payload capturing a value the host computes cannot be isolated into a
// kernel: an error on the op, not a host loop over device memory.

func.func @captured_host_value_is_an_error(%x: tensor<4xf32>, %t: tensor<2xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %t[%c0] : tensor<2xf32>
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{no GPU kernel for 'linalg.generic': it would run on the host against device memory}}
  %m = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %v : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// Quantization of a tensor with a zero-size dimension (issue 16, class 2)
// runs as the generic kernels of its decomposition: the per-token group that
// spans the empty dimension is one group (scale 1), and nothing divides by
// zero while the kernels are scheduled.
// CHECK-LABEL: func.func @fake_quant_zero_width
// CHECK-NOT:   rescale.
// CHECK:       return
// NAMED-LABEL: func.func @fake_quant_zero_width
// NAMED-NOT:   rescale.
func.func @fake_quant_zero_width(%x: tensor<4x0xf32>) -> (tensor<4x0xf32>, tensor<4x0xi8>, tensor<4x1xf32>) {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<4x0xf32>) -> tensor<4x0xf32>
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
      : (tensor<4x0xf32>) -> (tensor<4x0xi8>, tensor<4x1xf32>)
  return %y, %q, %s : tensor<4x0xf32>, tensor<4x0xi8>, tensor<4x1xf32>
}
