// quant-outlier-block.mlir with its two weights as arguments (the same linear
// names, so one calibration file serves both).
func.func @main(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>, %w2: tensor<16x64xf32>) -> (tensor<8x32xf32>, tensor<8x16xf32>) {
  %c = arith.constant dense<[1.0, 1.0, 1.0, 1.0, 1.0, 30.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -25.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]> : tensor<64xf32>
  %g = arith.constant dense<[1.009, 0.939, 0.918, 0.925, 0.997, 1.068, 1.212, 1.127, 1.005, 0.922, 1.072, 0.954, 0.944, 1.122, 1.14, 1.03, 0.849, 1.15, 1.183, 1.034, 0.949, 1.112, 1.025, 1.015, 1.189, 0.953, 0.994, 0.999, 0.955, 1.046, 1.219, 0.954, 0.998, 1.214, 0.974, 0.937, 0.801, 1.039, 1.093, 1.052, 1.023, 0.895, 0.953, 1.076, 1.058, 1.0, 0.902, 0.859, 0.945, 1.008, 0.969, 1.027, 1.105, 1.014, 1.038, 0.97, 1.065, 0.73, 0.816, 0.998, 0.961, 0.972, 0.799, 1.024]> : tensor<64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x, %c : tensor<8x64xf32>, tensor<64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<8x64xf32>
  %y = rescale.rms_norm %h, %g : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %q = rescale.linear %y, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
  %k = rescale.linear %y, %w2 : (tensor<8x64xf32>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %q, %k : tensor<8x32xf32>, tensor<8x16xf32>
}
