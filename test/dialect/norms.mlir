// Round trip of the norm ops: custom form, through the generic form and
// bytecode, and --verify-roundtrip (print, parse again, compare).
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @rms_norm_f32
// CHECK-SAME: (%[[X:.+]]: tensor<2x8xf32>, %[[W:.+]]: tensor<8xf32>)
func.func @rms_norm_f32(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] {epsilon = 9.99999974E-6 : f32}
  // CHECK-SAME: : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  // CHECK: return %[[Y]]
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// The default epsilon (1e-6) is not spelled.
// CHECK-LABEL: func.func @rms_norm_default_epsilon
func.func @rms_norm_default_epsilon(%x: tensor<4x16xf32>, %w: tensor<16xf32>) -> tensor<4x16xf32> {
  // CHECK: rescale.rms_norm %{{.+}}, %{{.+}} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %0 = rescale.rms_norm %x, %w : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// An f64 epsilon (what an untyped `epsilon = 1.0e-5` means) is kept as is.
// CHECK-LABEL: func.func @rms_norm_f64_epsilon
func.func @rms_norm_f64_epsilon(%x: tensor<4x16xf32>, %w: tensor<16xf32>) -> tensor<4x16xf32> {
  // CHECK: rescale.rms_norm %{{.+}}, %{{.+}} {epsilon = 1.000000e-05 : f64}
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-5} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// bf16 activations with f32 master weights; rank 3.
// CHECK-LABEL: func.func @rms_norm_bf16_with_f32_weight
func.func @rms_norm_bf16_with_f32_weight(%x: tensor<2x16x64xbf16>, %w: tensor<64xf32>) -> tensor<2x16x64xbf16> {
  // CHECK: rescale.rms_norm {{.+}} : (tensor<2x16x64xbf16>, tensor<64xf32>) -> tensor<2x16x64xbf16>
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-6 : f32} : (tensor<2x16x64xbf16>, tensor<64xf32>) -> tensor<2x16x64xbf16>
  return %0 : tensor<2x16x64xbf16>
}

// CHECK-LABEL: func.func @rms_norm_f16
func.func @rms_norm_f16(%x: tensor<3x32xf16>, %w: tensor<32xf16>) -> tensor<3x32xf16> {
  // CHECK: rescale.rms_norm {{.+}} : (tensor<3x32xf16>, tensor<32xf16>) -> tensor<3x32xf16>
  %0 = rescale.rms_norm %x, %w : (tensor<3x32xf16>, tensor<32xf16>) -> tensor<3x32xf16>
  return %0 : tensor<3x32xf16>
}

// Dynamic leading dimensions are allowed; d is static here.
// CHECK-LABEL: func.func @rms_norm_dynamic_batch
func.func @rms_norm_dynamic_batch(%x: tensor<?x64xf32>, %w: tensor<64xf32>) -> tensor<?x64xf32> {
  // CHECK: rescale.rms_norm {{.+}} : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  %0 = rescale.rms_norm %x, %w : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// PreAffine RMSNorm (§3.3): operands x, pre_scale, weight in that order.
// CHECK-LABEL: func.func @preaffine_rms_norm
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[L:.+]]: tensor<64xf32>, %[[W:.+]]: tensor<64xf32>)
func.func @preaffine_rms_norm(%x: tensor<8x64xf32>, %l1: tensor<64xf32>, %w: tensor<64xf32>) -> tensor<8x64xf32> {
  // CHECK: rescale.preaffine_rms_norm %[[X]], %[[L]], %[[W]] {epsilon = 9.99999974E-6 : f32}
  // CHECK-SAME: : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %0 = rescale.preaffine_rms_norm %x, %l1, %w {epsilon = 1.0e-5 : f32} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @preaffine_rms_norm_bf16
func.func @preaffine_rms_norm_bf16(%x: tensor<2x4x64xbf16>, %l1: tensor<64xf32>, %w: tensor<64xbf16>) -> tensor<2x4x64xbf16> {
  // CHECK: rescale.preaffine_rms_norm {{.+}} : (tensor<2x4x64xbf16>, tensor<64xf32>, tensor<64xbf16>) -> tensor<2x4x64xbf16>
  %0 = rescale.preaffine_rms_norm %x, %l1, %w : (tensor<2x4x64xbf16>, tensor<64xf32>, tensor<64xbf16>) -> tensor<2x4x64xbf16>
  return %0 : tensor<2x4x64xbf16>
}

// GatedNorm (§3.4): x, weight, w_down [d, r], w_up [r, d]. Attributes equal
// to their defaults (epsilon = 1e-6 : f32, the sigmoid gate) are not printed.
// CHECK-LABEL: func.func @gated_norm_sigmoid
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[W:.+]]: tensor<64xf32>, %[[WD:.+]]: tensor<64x16xf32>, %[[WU:.+]]: tensor<16x64xf32>)
func.func @gated_norm_sigmoid(%x: tensor<8x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>) -> tensor<8x64xf32> {
  // CHECK: rescale.gated_norm %[[X]], %[[W]], %[[WD]], %[[WU]] : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  %0 = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-6 : f32, gate_activation = #rescale.gate_activation<sigmoid>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// The gate ablation: each gate_activation.
// CHECK-LABEL: func.func @gated_norm_activations
func.func @gated_norm_activations(%x: tensor<8x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>) {
  // CHECK: rescale.gated_norm %{{[^{]+}} : (tensor<8x64xf32>
  %0 = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<sigmoid>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.gated_norm {{.+}} {gate_activation = #rescale.gate_activation<tanh>}
  %1 = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<tanh>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.gated_norm {{.+}} {gate_activation = #rescale.gate_activation<silu>}
  %2 = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<silu>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.gated_norm {{.+}} {epsilon = 9.99999974E-6 : f32, gate_activation = #rescale.gate_activation<identity>}
  %3 = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-5 : f32, gate_activation = #rescale.gate_activation<identity>} : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<8x64xf32>
  return %0, %1, %2, %3 : tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>, tensor<8x64xf32>
}

// A tensorwise gate: w_up is [r, 1], one gate value per token.
// CHECK-LABEL: func.func @gated_norm_tensorwise
func.func @gated_norm_tensorwise(%x: tensor<2x8x64xbf16>, %w: tensor<64xbf16>, %wd: tensor<64x16xf32>, %wu: tensor<16x1xf32>) -> tensor<2x8x64xbf16> {
  // CHECK: rescale.gated_norm {{.+}} : (tensor<2x8x64xbf16>, tensor<64xbf16>, tensor<64x16xf32>, tensor<16x1xf32>) -> tensor<2x8x64xbf16>
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<2x8x64xbf16>, tensor<64xbf16>, tensor<64x16xf32>, tensor<16x1xf32>) -> tensor<2x8x64xbf16>
  return %0 : tensor<2x8x64xbf16>
}

// CHECK-LABEL: func.func @gated_norm_f16
func.func @gated_norm_f16(%x: tensor<4x32xf16>, %w: tensor<32xf16>, %wd: tensor<32x8xf16>, %wu: tensor<8x32xf16>) -> tensor<4x32xf16> {
  // CHECK: rescale.gated_norm {{.+}} : (tensor<4x32xf16>, tensor<32xf16>, tensor<32x8xf16>, tensor<8x32xf16>) -> tensor<4x32xf16>
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x32xf16>, tensor<32xf16>, tensor<32x8xf16>, tensor<8x32xf16>) -> tensor<4x32xf16>
  return %0 : tensor<4x32xf16>
}

// Residual add and RMSNorm in one op, returning (sum, y).
// CHECK-LABEL: func.func @add_rms_norm
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[R:.+]]: tensor<8x64xf32>, %[[W:.+]]: tensor<64xf32>)
func.func @add_rms_norm(%x: tensor<8x64xf32>, %res: tensor<8x64xf32>, %w: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  // CHECK: %[[SUM:.+]], %[[Y:.+]] = rescale.add_rms_norm %[[X]], %[[R]], %[[W]] {epsilon = 9.99999974E-6 : f32}
  // CHECK-SAME: : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>)
  // CHECK: return %[[SUM]], %[[Y]]
  %sum, %y = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-5 : f32} : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>)
  return %sum, %y : tensor<8x64xf32>, tensor<8x64xf32>
}

// CHECK-LABEL: func.func @add_rms_norm_bf16
func.func @add_rms_norm_bf16(%x: tensor<2x4x64xbf16>, %res: tensor<2x4x64xbf16>, %w: tensor<64xf32>) -> (tensor<2x4x64xbf16>, tensor<2x4x64xbf16>) {
  // CHECK: rescale.add_rms_norm {{.+}} : (tensor<2x4x64xbf16>, tensor<2x4x64xbf16>, tensor<64xf32>) -> (tensor<2x4x64xbf16>, tensor<2x4x64xbf16>)
  %sum, %y = rescale.add_rms_norm %x, %res, %w : (tensor<2x4x64xbf16>, tensor<2x4x64xbf16>, tensor<64xf32>) -> (tensor<2x4x64xbf16>, tensor<2x4x64xbf16>)
  return %sum, %y : tensor<2x4x64xbf16>, tensor<2x4x64xbf16>
}
