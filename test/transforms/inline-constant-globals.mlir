// RUN: rescale-opt %s --rescale-inline-constant-globals --split-input-file | FileCheck %s

// A load of an immutable global with a dense value becomes that constant.
// CHECK-LABEL: func @constant_global_load
// CHECK-NOT: ml_program.global_load_const
// CHECK: %[[W:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[W]]
ml_program.global private @w(dense<[1.0, 2.0]> : tensor<2xf32>) : tensor<2xf32>
func.func @constant_global_load() -> tensor<2xf32> {
  %w = ml_program.global_load_const @w : tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

// A mutable global is left to bufferization.
// CHECK-LABEL: func @mutable_global_load
// CHECK: ml_program.global_load @m
ml_program.global private mutable @m(dense<0.0> : tensor<2xf32>) : tensor<2xf32>
func.func @mutable_global_load() -> tensor<2xf32> {
  %m = ml_program.global_load @m : tensor<2xf32>
  return %m : tensor<2xf32>
}
