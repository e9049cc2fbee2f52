// Round trip of the fused backward ops of the norms (rms_norm_grad,
// preaffine_rms_norm_grad, add_rms_norm_grad, gated_norm_grad): custom form,
// through the generic form and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @rms_norm_grad_f32
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf32>, %[[W:.+]]: tensor<8xf32>, %[[DY:.+]]: tensor<2x8xf32>)
func.func @rms_norm_grad_f32(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>) {
  // CHECK: %[[DX:.+]], %[[DW:.+]] = rescale.rms_norm_grad %[[X]], %[[W]], %[[DY]] {epsilon = 9.99999974E-6 : f32}
  // CHECK-SAME: : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>)
  // CHECK: return %[[DX]], %[[DW]]
  %dx, %dw = rescale.rms_norm_grad %x, %w, %dy {epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>)
  return %dx, %dw : tensor<2x8xf32>, tensor<8xf32>
}

// bf16 activations with an f32 weight: each gradient has its operand's
// type; the default epsilon is not spelled.
// CHECK-LABEL: func.func @rms_norm_grad_bf16_mixed
func.func @rms_norm_grad_bf16_mixed(%x: tensor<2x4x16xbf16>, %w: tensor<16xf32>, %dy: tensor<2x4x16xbf16>) -> (tensor<2x4x16xbf16>, tensor<16xf32>) {
  // CHECK: rescale.rms_norm_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : (tensor<2x4x16xbf16>, tensor<16xf32>, tensor<2x4x16xbf16>) -> (tensor<2x4x16xbf16>, tensor<16xf32>)
  %dx, %dw = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x4x16xbf16>, tensor<16xf32>, tensor<2x4x16xbf16>) -> (tensor<2x4x16xbf16>, tensor<16xf32>)
  return %dx, %dw : tensor<2x4x16xbf16>, tensor<16xf32>
}

// CHECK-LABEL: func.func @preaffine_rms_norm_grad
// CHECK: rescale.preaffine_rms_norm_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}
// CHECK-SAME: : (tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>, tensor<8x64xf16>) -> (tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>)
func.func @preaffine_rms_norm_grad(%x: tensor<8x64xf16>, %s: tensor<64xf32>, %w: tensor<64xf16>, %dy: tensor<8x64xf16>) -> (tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>) {
  %dx, %ds, %dw = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy {epsilon = 1.0e-6 : f32} : (tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>, tensor<8x64xf16>) -> (tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>)
  return %dx, %ds, %dw : tensor<8x64xf16>, tensor<64xf32>, tensor<64xf16>
}

// (epsilon = 1e-6 is the default, and so not printed.)
// Both adjoints of add_rms_norm's results come in: dsum, then dy.
// CHECK-LABEL: func.func @add_rms_norm_grad
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[R:.+]]: tensor<8x64xf32>, %[[W:.+]]: tensor<64xf32>, %[[DS:.+]]: tensor<8x64xf32>, %[[DY:.+]]: tensor<8x64xf32>)
// CHECK: rescale.add_rms_norm_grad %[[X]], %[[R]], %[[W]], %[[DS]], %[[DY]] :
// CHECK-SAME: -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
func.func @add_rms_norm_grad(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %w: tensor<64xf32>, %ds: tensor<8x64xf32>, %dy: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) {
  %dx, %dr, %dw = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
  return %dx, %dr, %dw : tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>
}

// CHECK-LABEL: func.func @gated_norm_grad
// CHECK: rescale.gated_norm_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {gate_activation = #rescale.gate_activation<tanh>}
// CHECK-SAME: -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
func.func @gated_norm_grad(%x: tensor<8x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>, %dout: tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout {epsilon = 1.0e-6 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>, tensor<8x64xf32>) -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>
}

// The tensorwise gate (w_up [r, 1]) with bf16 activations; the default
// gate activation (sigmoid) is not spelled.
// CHECK-LABEL: func.func @gated_norm_grad_tensorwise_bf16
// CHECK: rescale.gated_norm_grad %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} :
// CHECK-SAME: -> (tensor<2x4x32xbf16>, tensor<32xf32>, tensor<32x4xf32>, tensor<4x1xf32>)
func.func @gated_norm_grad_tensorwise_bf16(%x: tensor<2x4x32xbf16>, %w: tensor<32xf32>, %wd: tensor<32x4xf32>, %wu: tensor<4x1xf32>, %dout: tensor<2x4x32xbf16>) -> (tensor<2x4x32xbf16>, tensor<32xf32>, tensor<32x4xf32>, tensor<4x1xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x4x32xbf16>, tensor<32xf32>, tensor<32x4xf32>, tensor<4x1xf32>, tensor<2x4x32xbf16>) -> (tensor<2x4x32xbf16>, tensor<32xf32>, tensor<32x4xf32>, tensor<4x1xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<2x4x32xbf16>, tensor<32xf32>, tensor<32x4xf32>, tensor<4x1xf32>
}
