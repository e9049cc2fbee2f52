// The linear shapes the ptxas test assembles: a bf16 MLP projection with an
// f32 bias (tensor cores), a ragged f16 one (M, N, K not tile multiples),
// and f32 (FMA general path).

func.func @linear_bf16(%x: tensor<4x1000x4096xbf16>, %w: tensor<11008x4096xbf16>, %b: tensor<11008xf32>) -> tensor<4x1000x11008xbf16> {
  %y = rescale.linear %x, %w, %b : (tensor<4x1000x4096xbf16>, tensor<11008x4096xbf16>, tensor<11008xf32>) -> tensor<4x1000x11008xbf16>
  return %y : tensor<4x1000x11008xbf16>
}
func.func @linear_f16_ragged(%x: tensor<77x200xf16>, %w: tensor<130x200xf16>) -> tensor<77x130xf16> {
  %y = rescale.linear %x, %w : (tensor<77x200xf16>, tensor<130x200xf16>) -> tensor<77x130xf16>
  return %y : tensor<77x130xf16>
}
func.func @linear_f32(%x: tensor<8x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>) -> tensor<8x128xf32> {
  %y = rescale.linear %x, %w, %b : (tensor<8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}
