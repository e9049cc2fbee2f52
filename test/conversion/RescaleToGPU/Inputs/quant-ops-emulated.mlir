// Per-token quantization of rows as long as the benchmark's (K = 4096), few
// enough rows to interpret the kernels thread by thread (quant-ops-emulated.test):
// the per-row maximum is a warp per row, 128 strided steps per lane, then the
// shuffle butterfly.
func.func @quantize_int4_per_token_k4096_bf16(%x: tensor<3x4096xbf16>) -> (tensor<3x4096xi8>, tensor<3x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<3x4096xbf16>) -> (tensor<3x4096xi8>, tensor<3x1xf32>)
  return %q, %s : tensor<3x4096xi8>, tensor<3x1xf32>
}
func.func @quantize_fp8_per_token_k4096_bf16(%x: tensor<2x4096xbf16>) -> (tensor<2x4096xf8E4M3FN>, tensor<2x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<2x4096xbf16>) -> (tensor<2x4096xf8E4M3FN>, tensor<2x1xf32>)
  return %q, %s : tensor<2x4096xf8E4M3FN>, tensor<2x1xf32>
}
func.func @quantize_nvfp4_per_token_k4096_bf16(%x: tensor<2x4096xbf16>) -> (tensor<2x4096xf4E2M1FN>, tensor<2x256xf8E4M3FN>, tensor<2x1xf32>) {
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<2x4096xbf16>) -> (tensor<2x4096xf4E2M1FN>, tensor<2x256xf8E4M3FN>, tensor<2x1xf32>)
  return %q, %s, %g : tensor<2x4096xf4E2M1FN>, tensor<2x256xf8E4M3FN>, tensor<2x1xf32>
}
