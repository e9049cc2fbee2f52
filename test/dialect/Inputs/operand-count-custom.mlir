func.func @gated_norm_three_operands(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x2xf32>) -> tensor<2x8xf32> {
  %0 = rescale.gated_norm %x, %w, %wd : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x2xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
