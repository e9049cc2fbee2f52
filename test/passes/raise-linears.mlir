// RUN: rescale-opt %s --split-input-file --rescale-tosa-to-linalg --rescale-raise | FileCheck %s
// RUN: rescale-opt %s --split-input-file --rescale-tosa-to-linalg --rescale-raise=linears=false | FileCheck %s --check-prefix=OFF
// OFF-NOT: rescale.linear

// torch-mlir's nn.Linear: transpose the [N, K] weight, matmul from a zero
// fill, then a broadcast bias add.
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @linear_torch_transpose_bias
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<16x8xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK: %[[Y:.+]] = rescale.linear %[[X]], %[[W]], %[[B]] : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @linear_torch_transpose_bias(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %et = tensor.empty() : tensor<8x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%et : tensor<8x16xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<4x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %wt : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// A [K, N] constant weight: the transpose to [N, K] is folded at compile time.
// CHECK-LABEL: func.func @linear_constant_kn_weight
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[Y:.+]] = rescale.linear %[[X]], %[[W]] : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK: return %[[Y]]
func.func @linear_constant_kn_weight(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<3x2xf32>, tensor<2x2xf32>) outs(%z : tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A transposed-weight contraction over a 3-d activation (matmul_transpose_b
// as a generic): x [B, M, K] against W [N, K] without a batch dimension.
// CHECK-LABEL: func.func @linear_generic_transposed_weight_3d
// CHECK-SAME: (%[[X:.+]]: tensor<2x4x8xbf16>, %[[W:.+]]: tensor<16x8xbf16>)
// CHECK: %[[Y:.+]] = rescale.linear %[[X]], %[[W]] : (tensor<2x4x8xbf16>, tensor<16x8xbf16>) -> tensor<2x4x16xbf16>
// CHECK: return %[[Y]]
func.func @linear_generic_transposed_weight_3d(%x: tensor<2x4x8xbf16>, %w: tensor<16x8xbf16>) -> tensor<2x4x16xbf16> {
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<2x4x16xbf16>
  %z = linalg.fill ins(%zero : bf16) outs(%e : tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  %y = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<2x4x8xbf16>, tensor<16x8xbf16>) outs(%z : tensor<2x4x16xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %m = arith.mulf %a, %b : bf16
    %s = arith.addf %o, %m : bf16
    linalg.yield %s : bf16
  } -> tensor<2x4x16xbf16>
  return %y : tensor<2x4x16xbf16>
}

// -----

// TOSA: tosa.matmul against a reshaped constant, then a bias add.
// CHECK-LABEL: func.func @linear_tosa_matmul_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x2xf32>)
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[5.000000e-01, -5.000000e-01, 2.500000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[Y:.+]] = rescale.linear %[[X]], %[[W]], %[[B]] : (tensor<1x4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x4x3xf32>
// CHECK-NOT: tosa.
// CHECK: return %[[Y]]
func.func @linear_tosa_matmul_bias(%x: tensor<1x4x2xf32>) -> tensor<1x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>}> : () -> tensor<2x3xf32>
  %b = "tosa.const"() <{values = dense<[[[0.5, -0.5, 0.25]]]> : tensor<1x1x3xf32>}> : () -> tensor<1x1x3xf32>
  %shape = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %w3 = tosa.reshape %w, %shape : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
  %mm = tosa.matmul %x, %w3, %zp, %zp : (tensor<1x4x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3xf32>
  %y = tosa.add %mm, %b : (tensor<1x4x3xf32>, tensor<1x1x3xf32>) -> tensor<1x4x3xf32>
  return %y : tensor<1x4x3xf32>
}

// -----

// Near-miss: both matmul operands are activations (x · exp(x)ᵀ-like).
// CHECK-LABEL: func.func @not_linear_two_activations
// CHECK-NOT: rescale.
// CHECK: linalg.matmul
// CHECK-NOT: rescale.
func.func @not_linear_two_activations(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %ey = math.exp %y : tensor<8x4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %r = linalg.matmul ins(%x, %ey : tensor<4x8xf32>, tensor<8x4xf32>) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}
