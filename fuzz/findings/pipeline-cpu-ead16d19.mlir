
func.func @quantize_nvfp4_global_scale_type(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{'global_scale' must have element type f32, but has 'bf16'}}
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xbf16>)
  return
}
