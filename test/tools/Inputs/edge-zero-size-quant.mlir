// Quantization of tensors with a zero-size dimension (issue 16, class 2): a
// scale group spanning the empty dimension is one group with scale 1.
func.func @zero_width(%x: tensor<4x0xf32>) -> (tensor<4x0xf32>, tensor<4x0xi8>, tensor<4x1xf32>) {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<4x0xf32>) -> tensor<4x0xf32>
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<4x0xf32>) -> (tensor<4x0xi8>, tensor<4x1xf32>)
  return %y, %q, %s : tensor<4x0xf32>, tensor<4x0xi8>, tensor<4x1xf32>
}
func.func @zero_rows_nvfp4(%x: tensor<0x32xf32>) -> (tensor<0x32xf4E2M1FN>, tensor<0x2xf8E4M3FN>, tensor<1x1xf32>) {
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<0x32xf32>) -> (tensor<0x32xf4E2M1FN>, tensor<0x2xf8E4M3FN>, tensor<1x1xf32>)
  return %q, %s, %g : tensor<0x32xf4E2M1FN>, tensor<0x2xf8E4M3FN>, tensor<1x1xf32>
}
