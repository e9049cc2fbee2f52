func.func @per_row(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %0 = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_row>} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}
