// RUN: rescale-opt %s --pass-pipeline="builtin.module(gpu.module(rescale-extern-dynamic-shared-memory))" | FileCheck %s

// The zero-length shared global convert-gpu-to-nvvm makes for
// gpu.dynamic_shared_memory becomes an extern declaration; other shared
// globals (static buffers) keep their linkage.

// CHECK-LABEL: gpu.module @kernels
// CHECK:         llvm.mlir.global external @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK:         llvm.mlir.global internal @scratch() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<32 x f32>
// CHECK:         llvm.mlir.global internal @host_visible_zero_size() {addr_space = 1 : i32} : !llvm.array<0 x i8>
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.mlir.global internal @__dynamic_shmem__0() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
    llvm.mlir.global internal @scratch() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<32 x f32>
    llvm.mlir.global internal @host_visible_zero_size() {addr_space = 1 : i32} : !llvm.array<0 x i8>
  }
}
