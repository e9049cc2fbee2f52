// The ops that reach the GPU as their reference decomposition (generic
// kernels), run by gpu-quant-ops.test on the GPU against the CPU path: every
// quantization format and granularity on odd sizes, bf16/f16/f32, clip and
// the sink probe. Quantization is bit-exact on both paths (f64 math, same
// operation order), so its outputs are compared exactly.

// Quantize: the codes and the scales.
func.func @quantize_int8_per_token_bf16(%x: tensor<13x37xbf16>) -> (tensor<13x37xi8>, tensor<13x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<13x37xbf16>) -> (tensor<13x37xi8>, tensor<13x1xf32>)
  return %q, %s : tensor<13x37xi8>, tensor<13x1xf32>
}
func.func @quantize_int4_per_tensor_f16(%x: tensor<7x45xf16>) -> (tensor<7x45xi8>, tensor<1x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_tensor>} : (tensor<7x45xf16>) -> (tensor<7x45xi8>, tensor<1x1xf32>)
  return %q, %s : tensor<7x45xi8>, tensor<1x1xf32>
}
func.func @quantize_int4_i4_per_channel_f32(%x: tensor<9x33xf32>) -> (tensor<9x33xi4>, tensor<9x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_channel>} : (tensor<9x33xf32>) -> (tensor<9x33xi4>, tensor<9x1xf32>)
  return %q, %s : tensor<9x33xi4>, tensor<9x1xf32>
}
func.func @quantize_fp8_per_token_f16(%x: tensor<11x40xf16>) -> (tensor<11x40xf8E4M3FN>, tensor<11x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<11x40xf16>) -> (tensor<11x40xf8E4M3FN>, tensor<11x1xf32>)
  return %q, %s : tensor<11x40xf8E4M3FN>, tensor<11x1xf32>
}
func.func @quantize_fp8_per_block_bf16(%x: tensor<48x80xbf16>) -> (tensor<48x80xf8E4M3FN>, tensor<3x5xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_block, block = [16, 16]>} : (tensor<48x80xbf16>) -> (tensor<48x80xf8E4M3FN>, tensor<3x5xf32>)
  return %q, %s : tensor<48x80xf8E4M3FN>, tensor<3x5xf32>
}
func.func @quantize_nvfp4_per_tensor_bf16(%x: tensor<9x48xbf16>) -> (tensor<9x48xf4E2M1FN>, tensor<9x3xf8E4M3FN>, tensor<1x1xf32>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<9x48xbf16>) -> (tensor<9x48xf4E2M1FN>, tensor<9x3xf8E4M3FN>, tensor<1x1xf32>)
  return %q, %sb, %sg : tensor<9x48xf4E2M1FN>, tensor<9x3xf8E4M3FN>, tensor<1x1xf32>
}
func.func @quantize_nvfp4_per_token_f32(%x: tensor<7x80xf32>) -> (tensor<7x80xf4E2M1FN>, tensor<7x5xf8E4M3FN>, tensor<7x1xf32>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<7x80xf32>) -> (tensor<7x80xf4E2M1FN>, tensor<7x5xf8E4M3FN>, tensor<7x1xf32>)
  return %q, %sb, %sg : tensor<7x80xf4E2M1FN>, tensor<7x5xf8E4M3FN>, tensor<7x1xf32>
}
func.func @quantize_mxfp4_f16(%x: tensor<5x96xf16>) -> (tensor<5x96xf4E2M1FN>, tensor<5x3xf8E8M0FNU>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<mxfp4>} : (tensor<5x96xf16>) -> (tensor<5x96xf4E2M1FN>, tensor<5x3xf8E8M0FNU>)
  return %q, %s : tensor<5x96xf4E2M1FN>, tensor<5x3xf8E8M0FNU>
}

// Group maxima over >= 64 elements take a warp per group (the lanes' maxima
// combined by shuffles): rows of 96 over two blocks of 8 warps with idle
// warps in the second, rows of 200, and nvfp4's per-tensor maximum over 80
// block maxima.
func.func @quantize_int8_per_token_wide_bf16(%x: tensor<13x96xbf16>) -> (tensor<13x96xi8>, tensor<13x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<13x96xbf16>) -> (tensor<13x96xi8>, tensor<13x1xf32>)
  return %q, %s : tensor<13x96xi8>, tensor<13x1xf32>
}
func.func @fake_quant_fp8_per_token_wide_f32(%x: tensor<9x200xf32>) -> tensor<9x200xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<9x200xf32>) -> tensor<9x200xf32>
  return %y : tensor<9x200xf32>
}
func.func @quantize_nvfp4_per_tensor_wide_f16(%x: tensor<16x80xf16>) -> (tensor<16x80xf4E2M1FN>, tensor<16x5xf8E4M3FN>, tensor<1x1xf32>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<16x80xf16>) -> (tensor<16x80xf4E2M1FN>, tensor<16x5xf8E4M3FN>, tensor<1x1xf32>)
  return %q, %sb, %sg : tensor<16x80xf4E2M1FN>, tensor<16x5xf8E4M3FN>, tensor<1x1xf32>
}

// Round trips: dequantize on the codes quantize made.
func.func @roundtrip_nvfp4_per_token_bf16(%x: tensor<3x2x32xbf16>) -> (tensor<3x2x32xf4E2M1FN>, tensor<3x2x2xf8E4M3FN>, tensor<3x2x1xf32>, tensor<3x2x32xbf16>) {
  %q, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<3x2x32xbf16>) -> (tensor<3x2x32xf4E2M1FN>, tensor<3x2x2xf8E4M3FN>, tensor<3x2x1xf32>)
  %y = rescale.dequantize %q, %sb, %sg {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<3x2x32xf4E2M1FN>, tensor<3x2x2xf8E4M3FN>, tensor<3x2x1xf32>) -> tensor<3x2x32xbf16>
  return %q, %sb, %sg, %y : tensor<3x2x32xf4E2M1FN>, tensor<3x2x2xf8E4M3FN>, tensor<3x2x1xf32>, tensor<3x2x32xbf16>
}
func.func @roundtrip_int8_per_token_f32(%x: tensor<6x19xf32>) -> (tensor<6x19xi8>, tensor<6x1xf32>, tensor<6x19xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<6x19xf32>) -> (tensor<6x19xi8>, tensor<6x1xf32>)
  %y = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_token>} : (tensor<6x19xi8>, tensor<6x1xf32>) -> tensor<6x19xf32>
  return %q, %s, %y : tensor<6x19xi8>, tensor<6x1xf32>, tensor<6x19xf32>
}

// Dequantize of arbitrary codes and scales (every code, negative scales).
func.func @dequantize_int8_per_channel_f16(%q: tensor<17x24xi8>, %s: tensor<17x1xf32>) -> tensor<17x24xf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_channel>} : (tensor<17x24xi8>, tensor<17x1xf32>) -> tensor<17x24xf16>
  return %x : tensor<17x24xf16>
}
func.func @dequantize_int4_i4_per_tensor_bf16(%q: tensor<5x27xi4>, %s: tensor<1x1xf32>) -> tensor<5x27xbf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int4, per_tensor>} : (tensor<5x27xi4>, tensor<1x1xf32>) -> tensor<5x27xbf16>
  return %x : tensor<5x27xbf16>
}
func.func @dequantize_fp8_per_block_f32(%q: tensor<32x48xf8E4M3FN>, %s: tensor<2x3xf32>) -> tensor<32x48xf32> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<fp8, per_block, block = [16, 16]>} : (tensor<32x48xf8E4M3FN>, tensor<2x3xf32>) -> tensor<32x48xf32>
  return %x : tensor<32x48xf32>
}
func.func @dequantize_nvfp4_per_tensor_bf16(%q: tensor<7x64xf4E2M1FN>, %sb: tensor<7x4xf8E4M3FN>, %sg: tensor<1x1xf32>) -> tensor<7x64xbf16> {
  %x = rescale.dequantize %q, %sb, %sg {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<7x64xf4E2M1FN>, tensor<7x4xf8E4M3FN>, tensor<1x1xf32>) -> tensor<7x64xbf16>
  return %x : tensor<7x64xbf16>
}
func.func @dequantize_mxfp4_f16(%q: tensor<3x64xf4E2M1FN>, %s: tensor<3x2xf8E8M0FNU>) -> tensor<3x64xf16> {
  %x = rescale.dequantize %q, %s {scheme = #rescale.quant<mxfp4>} : (tensor<3x64xf4E2M1FN>, tensor<3x2xf8E8M0FNU>) -> tensor<3x64xf16>
  return %x : tensor<3x64xf16>
}

// fake_quant: one rounding from the f64 scales.
func.func @fake_quant_int4_per_token_bf16(%x: tensor<13x37xbf16>) -> tensor<13x37xbf16> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int4, per_token>} : (tensor<13x37xbf16>) -> tensor<13x37xbf16>
  return %y : tensor<13x37xbf16>
}
func.func @fake_quant_fp8_per_token_f32(%x: tensor<11x29xf32>) -> tensor<11x29xf32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<11x29xf32>) -> tensor<11x29xf32>
  return %y : tensor<11x29xf32>
}
func.func @fake_quant_nvfp4_per_tensor_f16(%x: tensor<5x48xf16>) -> tensor<5x48xf16> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<5x48xf16>) -> tensor<5x48xf16>
  return %y : tensor<5x48xf16>
}
func.func @fake_quant_mxfp4_bf16(%x: tensor<3x5x64xbf16>) -> tensor<3x5x64xbf16> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4>} : (tensor<3x5x64xbf16>) -> tensor<3x5x64xbf16>
  return %y : tensor<3x5x64xbf16>
}

// clip: a clamp, exact.
func.func @clip_f16(%x: tensor<13x37xf16>) -> tensor<13x37xf16> {
  %y = rescale.clip %x {threshold = 1.5 : f32} : (tensor<13x37xf16>) -> tensor<13x37xf16>
  return %y : tensor<13x37xf16>
}

// The sink probe (f32 softmax sums: compared with the f32 tolerance).
func.func @first_token_share_causal_gqa_bf16(%q: tensor<2x6x9x24xbf16>, %k: tensor<2x2x13x24xbf16>) -> tensor<2x6xf32> {
  %s = rescale.attention_first_token_share %q, %k {causal} : (tensor<2x6x9x24xbf16>, tensor<2x2x13x24xbf16>) -> tensor<2x6xf32>
  return %s : tensor<2x6xf32>
}
func.func @first_token_share_learned_sink_f32(%q: tensor<1x3x7x20xf32>, %k: tensor<1x3x11x20xf32>, %sinks: tensor<3xf32>) -> tensor<1x3xf32> {
  %s = rescale.attention_first_token_share %q, %k, %sinks {softmax = #rescale.softmax<learned_sink>} : (tensor<1x3x7x20xf32>, tensor<1x3x11x20xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %s : tensor<1x3xf32>
}
func.func @first_token_output_share_causal_gqa_bf16(%q: tensor<2x6x9x24xbf16>, %k: tensor<2x2x13x24xbf16>, %v: tensor<2x2x13x20xbf16>) -> tensor<2x6xf32> {
  %s = rescale.attention_first_token_output_share %q, %k, %v {causal} : (tensor<2x6x9x24xbf16>, tensor<2x2x13x24xbf16>, tensor<2x2x13x20xbf16>) -> tensor<2x6xf32>
  return %s : tensor<2x6xf32>
}
func.func @first_token_output_share_learned_sink_f32(%q: tensor<1x3x7x20xf32>, %k: tensor<1x3x11x20xf32>, %v: tensor<1x3x11x12xf32>, %sinks: tensor<3xf32>) -> tensor<1x3xf32> {
  %s = rescale.attention_first_token_output_share %q, %k, %v, %sinks {softmax = #rescale.softmax<learned_sink>} : (tensor<1x3x7x20xf32>, tensor<1x3x11x20xf32>, tensor<1x3x11x12xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %s : tensor<1x3xf32>
}

// Rows as long as the benchmark's (K = 4096): the per-token maximum runs
// 128 strided steps per lane before the butterfly.
func.func @quantize_int4_per_token_k4096_bf16(%x: tensor<512x4096xbf16>) -> (tensor<512x4096xi8>, tensor<512x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<int4, per_token>} : (tensor<512x4096xbf16>) -> (tensor<512x4096xi8>, tensor<512x1xf32>)
  return %q, %s : tensor<512x4096xi8>, tensor<512x1xf32>
}
func.func @quantize_fp8_per_token_k4096_bf16(%x: tensor<64x4096xbf16>) -> (tensor<64x4096xf8E4M3FN>, tensor<64x1xf32>) {
  %q, %s = rescale.quantize %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<64x4096xbf16>) -> (tensor<64x4096xf8E4M3FN>, tensor<64x1xf32>)
  return %q, %s : tensor<64x4096xf8E4M3FN>, tensor<64x1xf32>
}
func.func @quantize_nvfp4_per_token_k4096_bf16(%x: tensor<64x4096xbf16>) -> (tensor<64x4096xf4E2M1FN>, tensor<64x256xf8E4M3FN>, tensor<64x1xf32>) {
  %q, %s, %g = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<64x4096xbf16>) -> (tensor<64x4096xf4E2M1FN>, tensor<64x256xf8E4M3FN>, tensor<64x1xf32>)
  return %q, %s, %g : tensor<64x4096xf4E2M1FN>, tensor<64x256xf8E4M3FN>, tensor<64x1xf32>
}
