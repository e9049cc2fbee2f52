// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg \
// RUN:   --mlir-print-local-scope --verify-diagnostics | FileCheck %s

// rescale.linear: y = x · weightᵀ + bias with weight [N, K]. One contraction
// over the index space [leading..., N, K] reads x[leading..., k] and
// weight[n, k] (no transpose, no reshape) and accumulates in f32; the bias is
// added in f32 and the sum is rounded once.

// An f32 linear without bias is the contraction alone.
// CHECK-LABEL: func.func @linear_f32_no_bias(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<16x8xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<4x8xf32>, tensor<16x8xf32>) outs(%[[ACC]] : tensor<4x16xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: f32, %[[WE:.+]]: f32, %[[A:.+]]: f32):
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[XE]], %[[WE]] : f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[A]], %[[P]] : f32
// CHECK-NEXT:      linalg.yield %[[S]] : f32
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[Y]] : tensor<4x16xf32>
func.func @linear_f32_no_bias(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %y = rescale.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// bf16 activations with f32 master weights and a bias.
// CHECK-LABEL: func.func @linear_bf16_with_f32_weight_and_bias(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<16x8xf32>, %[[B:.+]]: tensor<16xf32>)
// CHECK:         %[[ACC:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<4x8xbf16>, tensor<16x8xf32>) outs(%{{.+}} : tensor<4x16xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: bf16, %[[WE:.+]]: f32, %[[A:.+]]: f32):
// CHECK-NEXT:      %[[XF:.+]] = arith.extf %[[XE]] : bf16 to f32
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[XF]], %[[WE]] : f32
// CHECK-NEXT:      arith.addf %[[A]], %[[P]] : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[ACC]], %[[B]] : tensor<4x16xf32>, tensor<16xf32>) outs(%{{.+}} : tensor<4x16xbf16>)
// CHECK:         ^bb0(%[[AE:.+]]: f32, %[[BE:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[AE]], %[[BE]] : f32
// CHECK-NEXT:      %[[SB:.+]] = arith.truncf %[[S]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[SB]] : bf16
// CHECK:         return %[[Y]] : tensor<4x16xbf16>
func.func @linear_bf16_with_f32_weight_and_bias(%x: tensor<4x8xbf16>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<4x16xbf16> {
  %y = rescale.linear %x, %w, %b
      : (tensor<4x8xbf16>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xbf16>
  return %y : tensor<4x16xbf16>
}

// -----

// Without a bias, a low-precision result still rounds only the f32 sum.
// CHECK-LABEL: func.func @linear_f16_no_bias(
// CHECK:         %[[ACC:.+]] = linalg.generic
// CHECK-SAME:      outs(%{{.+}} : tensor<3x5xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[ACC]] : tensor<3x5xf32>) outs(%{{.+}} : tensor<3x5xf16>)
// CHECK:         ^bb0(%[[AE:.+]]: f32, %{{.+}}: f16):
// CHECK-NEXT:      %[[T:.+]] = arith.truncf %[[AE]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[T]] : f16
// CHECK:         return %[[Y]]
func.func @linear_f16_no_bias(%x: tensor<3x7xf16>, %w: tensor<5x7xf16>) -> tensor<3x5xf16> {
  %y = rescale.linear %x, %w : (tensor<3x7xf16>, tensor<5x7xf16>) -> tensor<3x5xf16>
  return %y : tensor<3x5xf16>
}

// -----

// A rank-1 x is a single row.
// CHECK-LABEL: func.func @linear_rank1(
// CHECK-SAME:    %[[X:.+]]: tensor<8xf32>, %[[W:.+]]: tensor<3x8xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK:         %[[ACC:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>]
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<8xf32>, tensor<3x8xf32>) outs(%{{.+}} : tensor<3xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[ACC]], %[[B]] : tensor<3xf32>, tensor<3xf32>)
// CHECK:         return %[[Y]] : tensor<3xf32>
func.func @linear_rank1(%x: tensor<8xf32>, %w: tensor<3x8xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %y = rescale.linear %x, %w, %b : (tensor<8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// Leading dimensions (batch, heads, tokens, ...) stay as they are.
// CHECK-LABEL: func.func @linear_rank4(
// CHECK-SAME:    %[[X:.+]]: tensor<2x3x5x8xf32>, %[[W:.+]]: tensor<6x8xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]], %[[W]] : tensor<2x3x5x8xf32>, tensor<6x8xf32>) outs(%{{.+}} : tensor<2x3x5x6xf32>)
// CHECK:         return %[[Y]] : tensor<2x3x5x6xf32>
func.func @linear_rank4(%x: tensor<2x3x5x8xf32>, %w: tensor<6x8xf32>) -> tensor<2x3x5x6xf32> {
  %y = rescale.linear %x, %w : (tensor<2x3x5x8xf32>, tensor<6x8xf32>) -> tensor<2x3x5x6xf32>
  return %y : tensor<2x3x5x6xf32>
}

// -----

// The reference decomposition needs static shapes: refused, on the op.
func.func @linear_dynamic_tokens(%x: tensor<?x8xf32>, %w: tensor<16x8xf32>) -> tensor<?x16xf32> {
  // expected-error @below {{cannot decompose 'rescale.linear' into linalg: the reference decomposition needs static shapes, but operand #0 of type 'tensor<?x8xf32>' is dynamic}}
  %y = rescale.linear %x, %w : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

func.func @linear_dynamic_out_features(%x: tensor<4x8xf32>, %w: tensor<?x8xf32>) -> tensor<4x?xf32> {
  // expected-error @below {{operand #1 of type 'tensor<?x8xf32>' is dynamic}}
  %y = rescale.linear %x, %w : (tensor<4x8xf32>, tensor<?x8xf32>) -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}
