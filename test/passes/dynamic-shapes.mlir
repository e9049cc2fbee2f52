// RUN: rescale-opt %s --split-input-file --rescale-raise --rescale-fuse-gated-norm --rescale-fuse-attention --rescale-fold-scales | FileCheck %s

// The graph passes work on static shapes; dynamic ones are left alone
// (never a crash).

// CHECK-LABEL: func.func @dynamic_rms_norm_left_alone
// CHECK-NOT: rescale.
func.func @dynamic_rms_norm_left_alone(%x: tensor<?x8xf32>, %n: index) -> tensor<?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty(%n) : tensor<?xf32>
  %e1 = tensor.empty(%n) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<?xf32>) -> tensor<?xf32>
  %sq = arith.mulf %x, %x : tensor<?x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<?x8xf32>) outs(%acc : tensor<?xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %rb = linalg.broadcast ins(%sum : tensor<?xf32>) outs(%e1 : tensor<?x8xf32>) dimensions = [1]
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %rb : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e1 : tensor<?x8xf32>) {
  ^bb0(%a: f32, %s: f32, %o: f32):
    %inv = arith.constant 0.125 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.mulf %s, %inv : f32
    %v = arith.addf %m, %eps : f32
    %r = math.rsqrt %v : f32
    %t = arith.mulf %a, %r : f32
    linalg.yield %t : f32
  } -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_linear_weight_not_folded
// CHECK: rescale.preaffine_rms_norm
func.func @dynamic_linear_weight_not_folded(%x: tensor<3x?xf32>, %w: tensor<4x?xf32>, %l: tensor<4xf32>, %g: tensor<4xf32>) -> tensor<3x4xf32> {
  %h = rescale.linear %x, %w : (tensor<3x?xf32>, tensor<4x?xf32>) -> tensor<3x4xf32>
  %y = rescale.preaffine_rms_norm %h, %l, %g : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
