// One linear whose calibration absmax is near the end of f32's range
// (Inputs/quant-calibration-overflow.json): with a subnormal weight column,
// or alpha = 1, the SmoothQuant factor s, 1/s or max|W|·s leaves f32.
func.func @overflow(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = arith.constant dense<[[1.0e-40, 1.0], [1.0e-40, 2.0]]> : tensor<2x2xf32>
  %y = rescale.linear %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
