// Round trip of rescale.linear and the ablation ops (dyt, clip): custom form,
// through the generic form and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// y = x · weightᵀ + bias, weight [N, K] (PyTorch layout).
// CHECK-LABEL: func.func @linear_with_bias
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[W:.+]]: tensor<128x64xf32>, %[[B:.+]]: tensor<128xf32>)
func.func @linear_with_bias(%x: tensor<8x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<8x128xf32> {
  // CHECK: rescale.linear %[[X]], %[[W]], %[[B]] : (tensor<8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  %0 = rescale.linear %x, %w, %b : (tensor<8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  return %0 : tensor<8x128xf32>
}

// CHECK-LABEL: func.func @linear_without_bias
// CHECK-SAME: (%[[X:.+]]: tensor<2x8x64xbf16>, %[[W:.+]]: tensor<32x64xbf16>)
func.func @linear_without_bias(%x: tensor<2x8x64xbf16>, %w: tensor<32x64xbf16>) -> tensor<2x8x32xbf16> {
  // CHECK: rescale.linear %[[X]], %[[W]] : (tensor<2x8x64xbf16>, tensor<32x64xbf16>) -> tensor<2x8x32xbf16>
  %0 = rescale.linear %x, %w : (tensor<2x8x64xbf16>, tensor<32x64xbf16>) -> tensor<2x8x32xbf16>
  return %0 : tensor<2x8x32xbf16>
}

// bf16 activations with f32 weight and bias; rank-1 x.
// CHECK-LABEL: func.func @linear_mixed_precision
func.func @linear_mixed_precision(%x: tensor<64xbf16>, %w: tensor<16x64xf32>, %b: tensor<16xf32>) -> tensor<16xbf16> {
  // CHECK: rescale.linear {{.+}} : (tensor<64xbf16>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<16xbf16>
  %0 = rescale.linear %x, %w, %b : (tensor<64xbf16>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<16xbf16>
  return %0 : tensor<16xbf16>
}

// CHECK-LABEL: func.func @linear_f16
func.func @linear_f16(%x: tensor<?x64xf16>, %w: tensor<16x64xf16>) -> tensor<?x16xf16> {
  // CHECK: rescale.linear {{.+}} : (tensor<?x64xf16>, tensor<16x64xf16>) -> tensor<?x16xf16>
  %0 = rescale.linear %x, %w : (tensor<?x64xf16>, tensor<16x64xf16>) -> tensor<?x16xf16>
  return %0 : tensor<?x16xf16>
}

// Dynamic Tanh with a rank-0 alpha.
// CHECK-LABEL: func.func @dyt_scalar_alpha
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[A:.+]]: tensor<f32>, %[[W:.+]]: tensor<64xf32>, %[[B:.+]]: tensor<64xf32>)
func.func @dyt_scalar_alpha(%x: tensor<8x64xf32>, %alpha: tensor<f32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // CHECK: rescale.dyt %[[X]], %[[A]], %[[W]], %[[B]] : (tensor<8x64xf32>, tensor<f32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %0 = rescale.dyt %x, %alpha, %w, %b : (tensor<8x64xf32>, tensor<f32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// Dynamic Tanh with alpha of shape [1], bf16 activations, f32 parameters.
// CHECK-LABEL: func.func @dyt_alpha_1_bf16
func.func @dyt_alpha_1_bf16(%x: tensor<2x8x64xbf16>, %alpha: tensor<1xf32>, %w: tensor<64xf32>, %b: tensor<64xbf16>) -> tensor<2x8x64xbf16> {
  // CHECK: rescale.dyt {{.+}} : (tensor<2x8x64xbf16>, tensor<1xf32>, tensor<64xf32>, tensor<64xbf16>) -> tensor<2x8x64xbf16>
  %0 = rescale.dyt %x, %alpha, %w, %b : (tensor<2x8x64xbf16>, tensor<1xf32>, tensor<64xf32>, tensor<64xbf16>) -> tensor<2x8x64xbf16>
  return %0 : tensor<2x8x64xbf16>
}

// CHECK-LABEL: func.func @dyt_f16
func.func @dyt_f16(%x: tensor<4x32xf16>, %alpha: tensor<1xf16>, %w: tensor<32xf16>, %b: tensor<32xf16>) -> tensor<4x32xf16> {
  // CHECK: rescale.dyt {{.+}} : (tensor<4x32xf16>, tensor<1xf16>, tensor<32xf16>, tensor<32xf16>) -> tensor<4x32xf16>
  %0 = rescale.dyt %x, %alpha, %w, %b : (tensor<4x32xf16>, tensor<1xf16>, tensor<32xf16>, tensor<32xf16>) -> tensor<4x32xf16>
  return %0 : tensor<4x32xf16>
}

// Clipping to ±threshold; the threshold is an f32 or f64 attribute.
// CHECK-LABEL: func.func @clip
// CHECK-SAME: (%[[X:.+]]: tensor<8x64xf32>, %[[Y:.+]]: tensor<8x64xbf16>, %[[Z:.+]]: tensor<3xf16>)
func.func @clip(%x: tensor<8x64xf32>, %y: tensor<8x64xbf16>, %z: tensor<3xf16>) -> (tensor<8x64xf32>, tensor<8x64xbf16>, tensor<3xf16>) {
  // CHECK: rescale.clip %[[X]] {threshold = 6.000000e+00 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  %0 = rescale.clip %x {threshold = 6.0 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  // CHECK: rescale.clip %[[Y]] {threshold = 1.000000e+02 : f64} : (tensor<8x64xbf16>) -> tensor<8x64xbf16>
  %1 = rescale.clip %y {threshold = 100.0} : (tensor<8x64xbf16>) -> tensor<8x64xbf16>
  // CHECK: rescale.clip %[[Z]] {threshold = 2.500000e-01 : f32} : (tensor<3xf16>) -> tensor<3xf16>
  %2 = rescale.clip %z {threshold = 0.25 : f32} : (tensor<3xf16>) -> tensor<3xf16>
  return %0, %1, %2 : tensor<8x64xf32>, tensor<8x64xbf16>, tensor<3xf16>
}
