func.func @rms_norm_one_operand(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = "rescale.rms_norm"(%x) {epsilon = 1.0e-5 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
