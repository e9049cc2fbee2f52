// f32 products in every shape rescale-contractions-to-blas plans (odd sizes):
// a linear with bias over [B, S, K] (two M loops, w transposed), a plain
// matmul, a batched matmul, and a weight gradient dYᵀ·X (two K loops, dY
// transposed), for cpu-blas.test.
#map_dy = affine_map<(n, k, b, s) -> (b, s, n)>
#map_x = affine_map<(n, k, b, s) -> (b, s, k)>
#map_dw = affine_map<(n, k, b, s) -> (n, k)>
func.func @products(%x: tensor<3x5x37xf32>, %w: tensor<19x37xf32>, %bias: tensor<19xf32>,
                    %a: tensor<9x33xf32>, %b: tensor<33x17xf32>,
                    %ba: tensor<3x7x11xf32>, %bb: tensor<3x11x13xf32>,
                    %dy: tensor<3x5x19xf32>)
    -> (tensor<3x5x19xf32>, tensor<9x17xf32>, tensor<3x7x13xf32>, tensor<19x37xf32>) {
  %y = rescale.linear %x, %w, %bias : (tensor<3x5x37xf32>, tensor<19x37xf32>, tensor<19xf32>) -> tensor<3x5x19xf32>
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<9x17xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<9x17xf32>) -> tensor<9x17xf32>
  %c = linalg.matmul ins(%a, %b : tensor<9x33xf32>, tensor<33x17xf32>) outs(%c0 : tensor<9x17xf32>) -> tensor<9x17xf32>
  %e1 = tensor.empty() : tensor<3x7x13xf32>
  %bc0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
  %bc = linalg.batch_matmul ins(%ba, %bb : tensor<3x7x11xf32>, tensor<3x11x13xf32>) outs(%bc0 : tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
  %e2 = tensor.empty() : tensor<19x37xf32>
  %dw0 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<19x37xf32>) -> tensor<19x37xf32>
  %dw = linalg.generic {indexing_maps = [#map_dy, #map_x, #map_dw], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%dy, %x : tensor<3x5x19xf32>, tensor<3x5x37xf32>) outs(%dw0 : tensor<19x37xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<19x37xf32>
  return %y, %c, %bc, %dw : tensor<3x5x19xf32>, tensor<9x17xf32>, tensor<3x7x13xf32>, tensor<19x37xf32>
}
