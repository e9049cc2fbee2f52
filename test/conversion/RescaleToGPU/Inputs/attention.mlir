// The attention shapes the ptxas test assembles: both tensor-core head dims
// in bf16 and f16, causal and not, GQA, the gates and sink normalizers,
// sigmoid attention, a ragged S/T, and the FMA general path (f32, D = 80).

func.func @attn_bf16_d128_causal_gqa(%q: tensor<1x8x1024x128xbf16>, %k: tensor<1x2x1024x128xbf16>, %v: tensor<1x2x1024x128xbf16>) -> tensor<1x8x1024x128xbf16> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x8x1024x128xbf16>, tensor<1x2x1024x128xbf16>, tensor<1x2x1024x128xbf16>) -> tensor<1x8x1024x128xbf16>
  return %o : tensor<1x8x1024x128xbf16>
}
func.func @attn_bf16_d64(%q: tensor<2x4x2048x64xbf16>, %k: tensor<2x4x2048x64xbf16>, %v: tensor<2x4x2048x64xbf16>) -> tensor<2x4x2048x64xbf16> {
  %o = rescale.attention %q, %k, %v : (tensor<2x4x2048x64xbf16>, tensor<2x4x2048x64xbf16>, tensor<2x4x2048x64xbf16>) -> tensor<2x4x2048x64xbf16>
  return %o : tensor<2x4x2048x64xbf16>
}
func.func @attn_f16_d128_headwise_gate(%q: tensor<1x4x512x128xf16>, %k: tensor<1x4x512x128xf16>, %v: tensor<1x4x512x128xf16>, %g: tensor<1x4x512xf16>) -> tensor<1x4x512x128xf16> {
  %o = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x512x128xf16>, tensor<1x4x512x128xf16>, tensor<1x4x512x128xf16>, tensor<1x4x512xf16>) -> tensor<1x4x512x128xf16>
  return %o : tensor<1x4x512x128xf16>
}
func.func @attn_bf16_d64_elementwise_gate_sink(%q: tensor<1x4x256x64xbf16>, %k: tensor<1x4x256x64xbf16>, %v: tensor<1x4x256x64xbf16>, %g: tensor<1x4x256x64xbf16>, %s: tensor<4xf32>) -> tensor<1x4x256x64xbf16> {
  %o = rescale.attention %q, %k, %v, %g, %s {gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<4xf32>) -> tensor<1x4x256x64xbf16>
  return %o : tensor<1x4x256x64xbf16>
}
func.func @attn_bf16_d128_off_by_one_ragged(%q: tensor<1x2x100x128xbf16>, %k: tensor<1x2x130x128xbf16>, %v: tensor<1x2x130x128xbf16>) -> tensor<1x2x100x128xbf16> {
  %o = rescale.attention %q, %k, %v {causal, softmax = #rescale.softmax<off_by_one>} : (tensor<1x2x100x128xbf16>, tensor<1x2x130x128xbf16>, tensor<1x2x130x128xbf16>) -> tensor<1x2x100x128xbf16>
  return %o : tensor<1x2x100x128xbf16>
}
func.func @attn_f32_d80_general(%q: tensor<2x4x100x80xf32>, %k: tensor<2x2x120x80xf32>, %v: tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<2x4x100x80xf32>, tensor<2x2x120x80xf32>, tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32>
  return %o : tensor<2x4x100x80xf32>
}
func.func @attn_bf16_d64_sigmoid_causal_gqa_headwise(%q: tensor<1x4x200x64xbf16>, %k: tensor<1x2x260x64xbf16>, %v: tensor<1x2x260x64xbf16>, %g: tensor<1x4x200xbf16>) -> tensor<1x4x200x64xbf16> {
  %o = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<sigmoid>} : (tensor<1x4x200x64xbf16>, tensor<1x2x260x64xbf16>, tensor<1x2x260x64xbf16>, tensor<1x4x200xbf16>) -> tensor<1x4x200x64xbf16>
  return %o : tensor<1x4x200x64xbf16>
}
func.func @attn_f32_d80_sigmoid_general(%q: tensor<2x4x100x80xf32>, %k: tensor<2x2x120x80xf32>, %v: tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32> {
  %o = rescale.attention %q, %k, %v {causal, softmax = #rescale.softmax<sigmoid>} : (tensor<2x4x100x80xf32>, tensor<2x2x120x80xf32>, tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32>
  return %o : tensor<2x4x100x80xf32>
}
