// The rescale ops with no hand-scheduled kernel, which reach the GPU as their
// reference decomposition (generic kernels): quantize, dequantize and
// fake_quant for every format and granularity, clip, and the sink probe.
// quant-ops-ptxas.mlir assembles them.

func.func @quantize_int4_per_tensor(%x: tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<1x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_tensor>} : (tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<1x1xf32>)
  return %q, %s : tensor<8x64xi8>, tensor<1x1xf32>
}
func.func @quantize_int4_i4_per_token(%x: tensor<8x64xf16>) -> (tensor<8x64xi4>, tensor<8x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<8x64xf16>) -> (tensor<8x64xi4>, tensor<8x1xf32>)
  return %q, %s : tensor<8x64xi4>, tensor<8x1xf32>
}
func.func @dequantize_int4_i4_per_token(%q: tensor<8x64xi4>, %s: tensor<8x1xf32>) -> tensor<8x64xbf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int4, per_token>} : (tensor<8x64xi4>, tensor<8x1xf32>) -> tensor<8x64xbf16>
  return %x : tensor<8x64xbf16>
}
func.func @quantize_int8_per_token(%x: tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<8x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xbf16>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
  return %q, %s : tensor<8x64xi8>, tensor<8x1xf32>
}
func.func @dequantize_int8_per_channel(%q: tensor<64x32xi8>, %s: tensor<64x1xf32>) -> tensor<64x32xbf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_channel>} : (tensor<64x32xi8>, tensor<64x1xf32>) -> tensor<64x32xbf16>
  return %x : tensor<64x32xbf16>
}
func.func @fake_quant_int8_per_token(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
func.func @quantize_fp8_per_token(%x: tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x64xbf16>) -> (tensor<8x64xf8E4M3FN>, tensor<8x1xf32>)
  return %q, %s : tensor<8x64xf8E4M3FN>, tensor<8x1xf32>
}
func.func @quantize_fp8_per_block(%x: tensor<32x64xf32>) -> (tensor<32x64xf8E4M3FN>, tensor<2x2xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block, block = [16, 32]>} : (tensor<32x64xf32>) -> (tensor<32x64xf8E4M3FN>, tensor<2x2xf32>)
  return %q, %s : tensor<32x64xf8E4M3FN>, tensor<2x2xf32>
}
func.func @dequantize_fp8_per_block(%q: tensor<32x64xf8E4M3FN>, %s: tensor<2x2xf32>) -> tensor<32x64xf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<fp8, per_block, block = [16, 32]>} : (tensor<32x64xf8E4M3FN>, tensor<2x2xf32>) -> tensor<32x64xf16>
  return %x : tensor<32x64xf16>
}
func.func @fake_quant_fp8_per_token(%x: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<8x64xbf16>) -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}
func.func @quantize_nvfp4_per_tensor(%x: tensor<8x64xbf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xbf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
  return %q, %sb, %sg : tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>
}
func.func @dequantize_nvfp4_per_tensor(%q: tensor<8x64xf4E2M1FN>, %sb: tensor<8x4xf8E4M3FN>, %sg: tensor<1x1xf32>) -> tensor<8x64xbf16> {
  %x = rescale.dequantize %q, %sb, %sg {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>) -> tensor<8x64xbf16>
  return %x : tensor<8x64xbf16>
}
func.func @quantize_nvfp4_per_token(%x: tensor<8x64xf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<8x1xf32>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x64xf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<8x1xf32>)
  return %q, %sb, %sg : tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<8x1xf32>
}
func.func @fake_quant_nvfp4_per_token(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<8x64xf32>) -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}
func.func @quantize_mxfp4(%x: tensor<8x64xbf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xbf16>) -> (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>)
  return %q, %s : tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>
}
func.func @dequantize_mxfp4(%q: tensor<8x64xf4E2M1FN>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xf4E2M1FN>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32>
  return %x : tensor<8x64xf32>
}
func.func @fake_quant_mxfp4(%x: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4>} : (tensor<8x64xbf16>) -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}
func.func @quantize_int8_per_token_wide(%x: tensor<16x256xbf16>) -> (tensor<16x256xi8>, tensor<16x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<16x256xbf16>) -> (tensor<16x256xi8>, tensor<16x1xf32>)
  return %q, %s : tensor<16x256xi8>, tensor<16x1xf32>
}
func.func @clip_bf16(%x: tensor<8x64xbf16>) -> tensor<8x64xbf16> {
  %y = rescale.clip %x {threshold = 6.0 : f32} : (tensor<8x64xbf16>) -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}
func.func @first_token_share_causal_gqa(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x32x64xbf16>) -> tensor<2x8xf32> {
  %s = rescale.attention_first_token_share %q, %k {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>) -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}
func.func @first_token_share_learned_sink(%q: tensor<1x4x16x32xf32>, %k: tensor<1x4x16x32xf32>, %sinks: tensor<4xf32>) -> tensor<1x4xf32> {
  %s = rescale.attention_first_token_share %q, %k, %sinks {softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x16x32xf32>, tensor<1x4x16x32xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}
func.func @first_token_output_share_causal_gqa(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x32x64xbf16>, %v: tensor<2x2x32x64xbf16>) -> tensor<2x8xf32> {
  %s = rescale.attention_first_token_output_share %q, %k, %v {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>, tensor<2x2x32x64xbf16>) -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}
