// RUN: rescale-opt %s --split-input-file --convert-rescale-to-gpu="chip=sm_90" --verify-diagnostics | FileCheck %s

// A short row (d = 1024 bf16 = 128 vectors of 16 bytes) is owned by one warp:
// 4 warps of 128 threads handle 4 rows, the grid covers the 64 rows once.
// Each lane loads its 4 vectors (vector<8xbf16>, 16-byte aligned), sums
// squares in f32 and reduces with a 5-step xor butterfly; no shared memory.

// CHECK-LABEL: func.func @rms_norm_row_per_warp
// CHECK-SAME:    (%[[X:.+]]: tensor<64x1024xbf16>, %[[W:.+]]: tensor<1024xbf16>)
// CHECK:         %[[XB:.+]] = bufferization.to_buffer %[[X]] read_only
// CHECK:         %[[XF:.+]] = memref.collapse_shape %[[XB]] {{\[\[}}0, 1]] : memref<64x1024xbf16> into memref<65536xbf16>
// CHECK:         %[[OUT:.+]] = memref.alloc() : memref<64x1024xbf16>
// CHECK:         %[[OUTF:.+]] = memref.collapse_shape %[[OUT]]
// CHECK:         %[[Y:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK:         gpu.launch_func @rescale_kernels::@rms_norm_row_per_warp_rms_norm
// CHECK-SAME:      blocks in (%c16, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK-SAME:      args(%[[XF]] : memref<65536xbf16>, %{{.+}} : memref<1024xbf16>, %[[OUTF]] : memref<65536xbf16>)
// CHECK:         return %[[Y]]
// CHECK:       gpu.module @rescale_kernels
// CHECK:         gpu.func @rms_norm_row_per_warp_rms_norm(%{{.+}}: memref<65536xbf16>, %{{.+}}: memref<1024xbf16>, %{{.+}}: memref<65536xbf16>) kernel
// CHECK-SAME:      known_block_size = array<i32: 128, 1, 1>
// CHECK-NOT:       gpu.barrier
// CHECK-COUNT-4:   vector.load %arg1{{.*}} {alignment = 16 : i64} : memref<1024xbf16>, vector<8xbf16>
// CHECK:           scf.for
// CHECK-COUNT-4:     vector.load %arg0{{.*}} {alignment = 16 : i64} : memref<65536xbf16>, vector<8xbf16>
// CHECK-COUNT-4:     vector.fma
// CHECK:             vector.reduction <add>
// CHECK:             gpu.shuffle  xor %{{.+}}, %c16_i32, %c32_i32 : f32
// CHECK:             gpu.shuffle  xor %{{.+}}, %c8_i32, %c32_i32 : f32
// CHECK:             gpu.shuffle  xor %{{.+}}, %c4_i32, %c32_i32 : f32
// CHECK:             gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32 : f32
// CHECK:             gpu.shuffle  xor %{{.+}}, %c1_i32, %c32_i32 : f32
// CHECK:             math.rsqrt
// CHECK-COUNT-4:     vector.store %{{.+}}, %arg2{{.*}} {alignment = 16 : i64} : memref<65536xbf16>, vector<8xbf16>
func.func @rms_norm_row_per_warp(%x: tensor<64x1024xbf16>, %w: tensor<1024xbf16>) -> tensor<64x1024xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<64x1024xbf16>, tensor<1024xbf16>) -> tensor<64x1024xbf16>
  return %y : tensor<64x1024xbf16>
}

// -----

// A long row (d = 8192 bf16) is owned by a CTA of 256 threads (4 vectors of
// 8 elements each); the persistent grid is 8 CTAs per SM x 132 SMs and walks
// the 4096 rows in 4 steps. The sum crosses warps through 8 f32 slots of
// static shared memory between two barriers.

// CHECK-LABEL: func.func @rms_norm_row_per_cta
// CHECK:         gpu.launch_func @rescale_kernels::@rms_norm_row_per_cta_rms_norm
// CHECK-SAME:      blocks in (%c1056, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK:       gpu.func @rms_norm_row_per_cta_rms_norm
// CHECK-SAME:      workgroup(%[[SCRATCH:.+]] : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:           scf.for %{{.+}} = %c0 to %c4 step %c1
// CHECK-COUNT-5:     gpu.shuffle  xor
// CHECK:             scf.if
// CHECK:               memref.store %{{.+}}, %[[SCRATCH]]
// CHECK:             gpu.barrier
// CHECK:             memref.load %[[SCRATCH]]
// CHECK-COUNT-5:     gpu.shuffle  xor
// CHECK:             gpu.barrier
// CHECK:             math.rsqrt
func.func @rms_norm_row_per_cta(%x: tensor<4096x8192xbf16>, %w: tensor<8192xbf16>) -> tensor<4096x8192xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<4096x8192xbf16>, tensor<8192xbf16>) -> tensor<4096x8192xbf16>
  return %y : tensor<4096x8192xbf16>
}

// -----

// GatedNorm (§3.4) with r = 16 at d = 2048: w_down (transposed to [r, d]) and
// w_up are staged once per CTA in 128 KiB of dynamic shared memory; 8 row
// groups of 64 threads share them. Per row: x is read once, the norm, the
// 16 projections (reduced together) and the gate run on registers, and the
// output is written once.

// CHECK-LABEL: func.func @gated_norm_staged_weights
// CHECK:         gpu.launch_func @rescale_kernels::@gated_norm_staged_weights_gated_norm
// CHECK-SAME:      threads in (%c512, %c1, %c1) dynamic_shared_memory_size %c131072_i32
// CHECK:       gpu.func @gated_norm_staged_weights_gated_norm
// CHECK:           %[[SMEM:.+]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:           %[[WD:.+]] = memref.view %[[SMEM]][%c0][] {{.*}} to memref<32768xbf16, #gpu.address_space<workgroup>>
// CHECK:           %[[WU:.+]] = memref.view %[[SMEM]][%c65536][] {{.*}} to memref<32768xbf16, #gpu.address_space<workgroup>>
// CHECK:           scf.for
// CHECK:             memref.store %{{.+}}, %[[WD]]
// CHECK:           scf.for
// CHECK:             vector.store %{{.+}}, %[[WU]]
// CHECK:           gpu.barrier
// CHECK:           scf.for
// CHECK-COUNT-4:     vector.load %arg0
// CHECK:             math.rsqrt
// CHECK:             vector.load %[[WD]]
// The 16 partial projections go through the butterfly together.
// CHECK-COUNT-80:    gpu.shuffle  xor
// CHECK:             math.exp
// CHECK:             vector.load %[[WU]]
// CHECK-COUNT-4:     vector.store %{{.+}}, %arg4
func.func @gated_norm_staged_weights(%x: tensor<4096x2048xbf16>, %w: tensor<2048xbf16>, %wd: tensor<2048x16xbf16>, %wu: tensor<16x2048xbf16>) -> tensor<4096x2048xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<4096x2048xbf16>, tensor<2048xbf16>, tensor<2048x16xbf16>, tensor<16x2048xbf16>) -> tensor<4096x2048xbf16>
  return %y : tensor<4096x2048xbf16>
}

// -----

// At d = 8192 the weights (512 KiB) exceed shared memory: they are read from
// global memory (through L1/L2), w_down one [r] row per column.

// CHECK-LABEL: func.func @gated_norm_global_weights
// CHECK:         gpu.launch_func
// CHECK-SAME:      dynamic_shared_memory_size %c0_i32
// CHECK:       gpu.func @gated_norm_global_weights_gated_norm
// CHECK-NOT:       gpu.dynamic_shared_memory
// CHECK:           vector.load %arg2{{.*}} : memref<131072xbf16>, vector<16xbf16>
func.func @gated_norm_global_weights(%x: tensor<4096x8192xbf16>, %w: tensor<8192xbf16>, %wd: tensor<8192x16xbf16>, %wu: tensor<16x8192xbf16>) -> tensor<4096x8192xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<4096x8192xbf16>, tensor<8192xbf16>, tensor<8192x16xbf16>, tensor<16x8192xbf16>) -> tensor<4096x8192xbf16>
  return %y : tensor<4096x8192xbf16>
}

// -----

// The fused residual add: both results are written from the same registers.

// CHECK-LABEL: func.func @add_rms_norm_two_results
// CHECK:         %[[SUM:.+]] = bufferization.to_tensor
// CHECK:         %[[Y:.+]] = bufferization.to_tensor
// CHECK:         gpu.launch_func @rescale_kernels::@add_rms_norm_two_results_add_rms_norm
// CHECK:         return %[[SUM]], %[[Y]]
// CHECK:       gpu.func @add_rms_norm_two_results_add_rms_norm(%{{.+}}: memref<4096xf32>, %{{.+}}: memref<4096xf32>, %{{.+}}: memref<64xf32>, %{{.+}}: memref<4096xf32>, %{{.+}}: memref<4096xf32>)
// CHECK:           arith.addf %{{.+}} : vector<4xf32>
// CHECK:           vector.store %{{.+}}, %arg3
// CHECK:           math.rsqrt
// CHECK:           vector.store %{{.+}}, %arg4
func.func @add_rms_norm_two_results(%x: tensor<64x64xf32>, %r: tensor<64x64xf32>, %w: tensor<64xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %s, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32} : (tensor<64x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>)
  return %s, %y : tensor<64x64xf32>, tensor<64x64xf32>
}

// -----

// DyT has no reduction: no shuffle, no barrier; alpha is read once.

// CHECK-LABEL: func.func @dyt_no_reduction
// CHECK:       gpu.func @dyt_no_reduction_dyt
// CHECK-NOT:       gpu.shuffle
// CHECK-NOT:       gpu.barrier
// CHECK:           memref.load %arg3[%c0] : memref<1xf32>
// CHECK:           scf.for
// CHECK:             math.tanh
func.func @dyt_no_reduction(%x: tensor<16x256xf16>, %a: tensor<1xf32>, %w: tensor<256xf16>, %b: tensor<256xf16>) -> tensor<16x256xf16> {
  %y = rescale.dyt %x, %a, %w, %b : (tensor<16x256xf16>, tensor<1xf32>, tensor<256xf16>, tensor<256xf16>) -> tensor<16x256xf16>
  return %y : tensor<16x256xf16>
}

// -----

// A rank-0 alpha reaches the kernel as a memref<1xf32> view of its buffer.

// CHECK-LABEL: func.func @dyt_scalar_alpha
// CHECK:         %[[AB:.+]] = bufferization.to_buffer %arg1 read_only : tensor<f32> to memref<f32>
// CHECK:         %[[AF:.+]] = memref.expand_shape %[[AB]] [] output_shape [1] : memref<f32> into memref<1xf32>
// CHECK:         gpu.launch_func @rescale_kernels::@dyt_scalar_alpha_dyt {{.*}} args({{.*}}%[[AF]] : memref<1xf32>
func.func @dyt_scalar_alpha(%x: tensor<16x256xf16>, %a: tensor<f32>, %w: tensor<256xf16>, %b: tensor<256xf16>) -> tensor<16x256xf16> {
  %y = rescale.dyt %x, %a, %w, %b : (tensor<16x256xf16>, tensor<f32>, tensor<256xf16>, tensor<256xf16>) -> tensor<16x256xf16>
  return %y : tensor<16x256xf16>
}

// -----

// A row whose vectors do not fill the warp (d = 96 f32: 24 vectors for 32
// lanes): idle lanes load a clamped column, contribute zero and skip stores.

// CHECK-LABEL: func.func @rms_norm_ragged_row
// CHECK:       gpu.func @rms_norm_ragged_row_rms_norm
// CHECK:           %[[OK:.+]] = arith.cmpi ult, %{{.+}}, %c24 : index
// CHECK:           arith.select %[[OK]]
// CHECK:           scf.if
// CHECK:             vector.store
func.func @rms_norm_ragged_row(%x: tensor<10x96xf32>, %w: tensor<96xf32>) -> tensor<10x96xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<10x96xf32>, tensor<96xf32>) -> tensor<10x96xf32>
  return %y : tensor<10x96xf32>
}

// -----

// Kernels are specialized on static shapes: a dynamic one is an error on the
// op, not a silent fallback to the host.

func.func @rms_norm_dynamic_rows(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{no GPU kernel for dynamically shaped operands}}
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
