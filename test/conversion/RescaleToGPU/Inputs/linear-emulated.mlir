// Small tensor-core linears for the emulator (linear-emulated.test): ragged
// M, N and K (the path needs K % 8 == 0), so that cp.async fills zeros past
// a row's end in the last K tile and rows past M and N are clamped.
func.func @linear_bf16_ragged_bias(%x: tensor<2x21x88xbf16>, %w: tensor<36x88xbf16>, %b: tensor<36xbf16>) -> tensor<2x21x36xbf16> {
  %y = rescale.linear %x, %w, %b : (tensor<2x21x88xbf16>, tensor<36x88xbf16>, tensor<36xbf16>) -> tensor<2x21x36xbf16>
  return %y : tensor<2x21x36xbf16>
}
func.func @linear_f16_k40(%x: tensor<19x40xf16>, %w: tensor<20x40xf16>) -> tensor<19x20xf16> {
  %y = rescale.linear %x, %w : (tensor<19x40xf16>, tensor<20x40xf16>) -> tensor<19x20xf16>
  return %y : tensor<19x20xf16>
}
