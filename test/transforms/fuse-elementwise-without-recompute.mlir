// RUN: rescale-opt %s --split-input-file --rescale-fuse-elementwise-without-recompute | FileCheck %s
// Upstream's pass fuses the first case, so the checks can tell them apart:
// RUN: rescale-opt %s --split-input-file --linalg-fuse-elementwise-ops | not FileCheck %s

// An elementwise producer read through a broadcast map by a contraction is
// not fused: fused, its exp would run once per (row, output column, rank)
// instead of once per (row, rank), and the product would no longer be the
// plain out + a * b that goes to OpenBLAS.

#id2 = affine_map<(i, j) -> (i, j)>
#lhs = affine_map<(i, k, j) -> (i, j)>
#rhs = affine_map<(i, k, j) -> (j, k)>
#out = affine_map<(i, k, j) -> (i, k)>

// CHECK-LABEL: func.func @swish_then_up_projection(
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK-NEXT:      ^bb0
// CHECK-NEXT:      math.exp
// CHECK:         linalg.generic
// CHECK-SAME:      "reduction"
// CHECK-SAME:      ins(%[[S]], %{{.+}} :
// CHECK-NOT:       math.exp
// CHECK:           arith.mulf
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      linalg.yield
func.func @swish_then_up_projection(%h: tensor<5x3xf32>, %wu: tensor<3x7xf32>) -> tensor<5x7xf32> {
  %e = tensor.empty() : tensor<5x3xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<5x3xf32>) outs(%e : tensor<5x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<5x3xf32>
  %zero = arith.constant 0.0 : f32
  %ez = tensor.empty() : tensor<5x7xf32>
  %init = linalg.fill ins(%zero : f32) outs(%ez : tensor<5x7xf32>) -> tensor<5x7xf32>
  %z = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%s, %wu : tensor<5x3xf32>, tensor<3x7xf32>) outs(%init : tensor<5x7xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %o, %p : f32
    linalg.yield %r : f32
  } -> tensor<5x7xf32>
  return %z : tensor<5x7xf32>
}

// -----

// Read through a permutation, the producer is fused, as upstream would.

#id = affine_map<(i, j) -> (i, j)>
#t = affine_map<(i, j) -> (j, i)>

// CHECK-LABEL: func.func @exp_then_transposed_add(
// CHECK:         linalg.generic
// CHECK:           math.exp
// CHECK:           arith.addf
// CHECK-NOT:     linalg.generic
func.func @exp_then_transposed_add(%a: tensor<4x6xf32>, %b: tensor<6x4xf32>) -> tensor<6x4xf32> {
  %e = tensor.empty() : tensor<4x6xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x6xf32>) outs(%e : tensor<4x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<4x6xf32>
  %e2 = tensor.empty() : tensor<6x4xf32>
  %y = linalg.generic {indexing_maps = [#t, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x6xf32>, tensor<6x4xf32>) outs(%e2 : tensor<6x4xf32>) {
  ^bb0(%v: f32, %w: f32, %o: f32):
    %r = arith.addf %v, %w : f32
    linalg.yield %r : f32
  } -> tensor<6x4xf32>
  return %y : tensor<6x4xf32>
}

