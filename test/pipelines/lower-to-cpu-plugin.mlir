// The CPU pipeline inside the system mlir-opt, through the plugin.
// RUN: %system_mlir_opt --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin --pass-pipeline='builtin.module(rescale-lower-to-cpu)' %s | FileCheck %s

// CHECK-LABEL: llvm.func @rms_norm(
// CHECK-LABEL: llvm.func @_rescale_entry_rms_norm(
// CHECK-SAME:      !llvm.ptr)
func.func @rms_norm(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
