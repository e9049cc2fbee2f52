// Products that the CPU pipeline splits by rows across OpenMP threads
// (rescale-contractions-to-blas{split-rows}): M = 300 (parts of 150, 100, 75,
// ... rows, ragged for some thread counts) with B transposed, a weight
// gradient with A transposed (M = 130: at most 2 parts of 65 and 65), and
// M = 129 (parts of 65 and 64).

func.func @x_wt(%x: tensor<300x40xf32>, %w: tensor<24x40xf32>) -> tensor<300x24xf32> {
  %y = rescale.linear %x, %w : (tensor<300x40xf32>, tensor<24x40xf32>) -> tensor<300x24xf32>
  return %y : tensor<300x24xf32>
}

func.func @weight_grad(%dy: tensor<2x9x130xf32>, %x: tensor<2x9x20xf32>) -> tensor<130x20xf32> {
  %z = tensor.empty() : tensor<130x20xf32>
  %c0 = arith.constant 0.0 : f32
  %zero = linalg.fill ins(%c0 : f32) outs(%z : tensor<130x20xf32>) -> tensor<130x20xf32>
  %dw = linalg.generic {indexing_maps = [affine_map<(n, k, b, s) -> (b, s, n)>, affine_map<(n, k, b, s) -> (b, s, k)>, affine_map<(n, k, b, s) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%dy, %x : tensor<2x9x130xf32>, tensor<2x9x20xf32>) outs(%zero : tensor<130x20xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<130x20xf32>
  return %dw : tensor<130x20xf32>
}

func.func @matmul_129(%a: tensor<129x33xf32>, %b: tensor<33x17xf32>) -> tensor<129x17xf32> {
  %z = tensor.empty() : tensor<129x17xf32>
  %c0 = arith.constant 0.0 : f32
  %zero = linalg.fill ins(%c0 : f32) outs(%z : tensor<129x17xf32>) -> tensor<129x17xf32>
  %c = linalg.matmul ins(%a, %b : tensor<129x33xf32>, tensor<33x17xf32>) outs(%zero : tensor<129x17xf32>) -> tensor<129x17xf32>
  return %c : tensor<129x17xf32>
}
