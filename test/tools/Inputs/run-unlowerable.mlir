// complex.* has no lowering in the CPU pipeline (the rescale programs never
// need complex numbers): rescale-run must print the diagnostic.
func.func @complex_abs(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = complex.create %a, %a : complex<f32>
    %z = complex.abs %c : complex<f32>
    linalg.yield %z : f32
  } -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
