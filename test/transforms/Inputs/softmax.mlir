// linalg.softmax outside attention (a router or classifier head), as
// torch-mlir emits aten._softmax: odd sizes, f32 and bf16, over the last and
// over a middle dimension. For decompose-aggregated-ops.mlir.
func.func @softmax_last_f32(%x: tensor<3x37xf32>) -> tensor<3x37xf32> {
  %init = tensor.empty() : tensor<3x37xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<3x37xf32>) outs(%init : tensor<3x37xf32>) -> tensor<3x37xf32>
  return %y : tensor<3x37xf32>
}
func.func @softmax_middle_bf16(%x: tensor<2x19x5xbf16>) -> tensor<2x19x5xbf16> {
  %init = tensor.empty() : tensor<2x19x5xbf16>
  %y = linalg.softmax dimension(1) ins(%x : tensor<2x19x5xbf16>) outs(%init : tensor<2x19x5xbf16>) -> tensor<2x19x5xbf16>
  return %y : tensor<2x19x5xbf16>
}
