func.func @truncated(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>, tensor<8x