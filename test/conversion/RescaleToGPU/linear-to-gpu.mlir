// RUN: rescale-opt %s --split-input-file --convert-rescale-to-gpu="chip=sm_90" | FileCheck %s

// bf16 y = x Wt + b on tensor cores: 128 x 128 CTA tiles of 4 warps (each
// 64 x 64 = 4 x 8 mma.sync m16n8k16), K in 32-wide tiles through padded
// shared memory. M = 4·1000 = 4000 -> 32 row tiles, N = 11008 -> 86.

// CHECK-LABEL: func.func @linear_bf16
// CHECK:         gpu.launch_func @rescale_kernels::@linear_bf16_linear_mma
// CHECK-SAME:      blocks in (%c2752, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.func @linear_bf16_linear_mma
// CHECK-SAME:      workgroup(%[[AS:.+]] : memref<5120xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[BS:.+]] : memref<5120xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:           scf.for %{{.+}} = %c0 to %c128 step %c1 iter_args
// CHECK:             gpu.barrier
// The tiles are staged by cp.async (16 bytes, L1 bypassed; a vector past the
// end of a row copies nothing and fills zeros), waited for before the barrier.
// CHECK:             nvgpu.device_async_copy %arg0[%{{.+}}], %[[AS]][%{{.+}}], 8, %{{.+}} {bypassL1} : memref<16384000xbf16> to memref<5120xbf16, #gpu.address_space<workgroup>>
// CHECK:             nvgpu.device_async_copy %arg1[%{{.+}}], %[[BS]][%{{.+}}], 8, %{{.+}} {bypassL1} : memref<45088768xbf16> to memref<5120xbf16, #gpu.address_space<workgroup>>
// CHECK:             %[[GROUP:.+]] = nvgpu.device_async_create_group
// CHECK:             nvgpu.device_async_wait %[[GROUP]] {numGroups = 0 : i32}
// CHECK:             gpu.barrier
// Two k-steps of 32 tensor-core ops per warp.
// CHECK-COUNT-64:    nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:             scf.yield
// The f32 bias is added before rounding to bf16.
// CHECK:           memref.load %arg2
// CHECK:           arith.addf
// CHECK:           arith.truncf %{{.+}} : f32 to bf16
func.func @linear_bf16(%x: tensor<4x1000x4096xbf16>, %w: tensor<11008x4096xbf16>, %b: tensor<11008xf32>) -> tensor<4x1000x11008xbf16> {
  %y = rescale.linear %x, %w, %b : (tensor<4x1000x4096xbf16>, tensor<11008x4096xbf16>, tensor<11008xf32>) -> tensor<4x1000x11008xbf16>
  return %y : tensor<4x1000x11008xbf16>
}

// -----

// f32 takes the FMA path: a thread per output.

// CHECK-LABEL: func.func @linear_f32
// CHECK:         gpu.launch_func @rescale_kernels::@linear_f32_linear
// CHECK-SAME:      blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK:       gpu.func @linear_f32_linear
// CHECK-NOT:       nvvm.mma.sync
// CHECK:           math.fma
func.func @linear_f32(%x: tensor<8x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<8x128xf32> {
  %y = rescale.linear %x, %w, %b : (tensor<8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}
