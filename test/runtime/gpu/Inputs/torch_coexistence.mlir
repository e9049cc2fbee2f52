// The module of test/runtime/gpu/torch-coexistence.test: one RMSNorm, odd
// row count, compiled for the GPU and called from a PyTorch process.
func.func @rms_norm(%x: tensor<37x256xf32>, %w: tensor<256xf32>) -> tensor<37x256xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<37x256xf32>, tensor<256xf32>) -> tensor<37x256xf32>
  return %y : tensor<37x256xf32>
}
