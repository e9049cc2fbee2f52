func.func @quantize_one_result(%x: tensor<8x64xf32>) -> tensor<8x64xi8> {
  %q = "rescale.quantize"(%x) {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> tensor<8x64xi8>
  return %q : tensor<8x64xi8>
}
