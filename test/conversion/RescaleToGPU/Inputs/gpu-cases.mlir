// Programs the GPU execution tests run on the device and on the CPU
// reference path (the linalg decomposition), on the same random inputs.

func.func @rms_norm_bf16_warp(%x: tensor<67x1024xbf16>, %w: tensor<1024xbf16>) -> tensor<67x1024xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<67x1024xbf16>, tensor<1024xbf16>) -> tensor<67x1024xbf16>
  return %y : tensor<67x1024xbf16>
}
func.func @rms_norm_f32_cta_ragged(%x: tensor<33x3000xf32>, %w: tensor<3000xf32>) -> tensor<33x3000xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<33x3000xf32>, tensor<3000xf32>) -> tensor<33x3000xf32>
  return %y : tensor<33x3000xf32>
}
func.func @preaffine_f16(%x: tensor<40x2048xf16>, %p: tensor<2048xf16>, %w: tensor<2048xf16>) -> tensor<40x2048xf16> {
  %y = rescale.preaffine_rms_norm %x, %p, %w {epsilon = 1.0e-06 : f32} : (tensor<40x2048xf16>, tensor<2048xf16>, tensor<2048xf16>) -> tensor<40x2048xf16>
  return %y : tensor<40x2048xf16>
}
func.func @add_rms_norm_bf16_f32w(%x: tensor<50x4096xbf16>, %r: tensor<50x4096xbf16>, %w: tensor<4096xf32>) -> (tensor<50x4096xbf16>, tensor<50x4096xbf16>) {
  %s, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32} : (tensor<50x4096xbf16>, tensor<50x4096xbf16>, tensor<4096xf32>) -> (tensor<50x4096xbf16>, tensor<50x4096xbf16>)
  return %s, %y : tensor<50x4096xbf16>, tensor<50x4096xbf16>
}
func.func @dyt_f32(%x: tensor<20x768xf32>, %a: tensor<1xf32>, %w: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<20x768xf32> {
  %y = rescale.dyt %x, %a, %w, %b : (tensor<20x768xf32>, tensor<1xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<20x768xf32>
  return %y : tensor<20x768xf32>
}
// A rank-0 alpha: the kernel reads it through a memref<1xbf16> view.
func.func @dyt_bf16_scalar_alpha(%x: tensor<13x257xbf16>, %a: tensor<bf16>, %w: tensor<257xbf16>, %b: tensor<257xbf16>) -> tensor<13x257xbf16> {
  %y = rescale.dyt %x, %a, %w, %b : (tensor<13x257xbf16>, tensor<bf16>, tensor<257xbf16>, tensor<257xbf16>) -> tensor<13x257xbf16>
  return %y : tensor<13x257xbf16>
}
func.func @gated_norm_bf16_staged(%x: tensor<300x2048xbf16>, %w: tensor<2048xbf16>, %wd: tensor<2048x16xbf16>, %wu: tensor<16x2048xbf16>) -> tensor<300x2048xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<300x2048xbf16>, tensor<2048xbf16>, tensor<2048x16xbf16>, tensor<16x2048xbf16>) -> tensor<300x2048xbf16>
  return %y : tensor<300x2048xbf16>
}
func.func @gated_norm_f32_global_tanh(%x: tensor<9x8192xf32>, %w: tensor<8192xf32>, %wd: tensor<8192x16xf32>, %wu: tensor<16x8192xf32>) -> tensor<9x8192xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<9x8192xf32>, tensor<8192xf32>, tensor<8192x16xf32>, tensor<16x8192xf32>) -> tensor<9x8192xf32>
  return %y : tensor<9x8192xf32>
}
func.func @gated_norm_f16_tensorwise(%x: tensor<64x256xf16>, %w: tensor<256xf16>, %wd: tensor<256x16xf16>, %wu: tensor<16x1xf16>) -> tensor<64x256xf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<64x256xf16>, tensor<256xf16>, tensor<256x16xf16>, tensor<16x1xf16>) -> tensor<64x256xf16>
  return %y : tensor<64x256xf16>
}
func.func @attn_bf16_d128_causal_gqa(%q: tensor<1x4x200x128xbf16>, %k: tensor<1x2x260x128xbf16>, %v: tensor<1x2x260x128xbf16>) -> tensor<1x4x200x128xbf16> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x4x200x128xbf16>, tensor<1x2x260x128xbf16>, tensor<1x2x260x128xbf16>) -> tensor<1x4x200x128xbf16>
  return %o : tensor<1x4x200x128xbf16>
}
func.func @attn_f16_d64_sink_headwise(%q: tensor<2x2x128x64xf16>, %k: tensor<2x2x128x64xf16>, %v: tensor<2x2x128x64xf16>, %g: tensor<2x2x128xf16>, %s: tensor<2xf32>) -> tensor<2x2x128x64xf16> {
  %o = rescale.attention %q, %k, %v, %g, %s {gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<2x2x128x64xf16>, tensor<2x2x128x64xf16>, tensor<2x2x128x64xf16>, tensor<2x2x128xf16>, tensor<2xf32>) -> tensor<2x2x128x64xf16>
  return %o : tensor<2x2x128x64xf16>
}
func.func @attn_bf16_d64_off_by_one_elementwise(%q: tensor<1x2x64x64xbf16>, %k: tensor<1x2x96x64xbf16>, %v: tensor<1x2x96x64xbf16>, %g: tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16> {
  %o = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<off_by_one>} : (tensor<1x2x64x64xbf16>, tensor<1x2x96x64xbf16>, tensor<1x2x96x64xbf16>, tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16>
  return %o : tensor<1x2x64x64xbf16>
}
func.func @attn_f32_d80_general(%q: tensor<1x4x50x80xf32>, %k: tensor<1x2x70x80xf32>, %v: tensor<1x2x70x48xf32>) -> tensor<1x4x50x48xf32> {
  %o = rescale.attention %q, %k, %v {causal, scale = 0.2 : f32} : (tensor<1x4x50x80xf32>, tensor<1x2x70x80xf32>, tensor<1x2x70x48xf32>) -> tensor<1x4x50x48xf32>
  return %o : tensor<1x4x50x48xf32>
}
func.func @attn_bf16_d64_sigmoid_causal_gqa(%q: tensor<1x4x100x64xbf16>, %k: tensor<1x2x130x64xbf16>, %v: tensor<1x2x130x64xbf16>) -> tensor<1x4x100x64xbf16> {
  %o = rescale.attention %q, %k, %v {causal, softmax = #rescale.softmax<sigmoid>} : (tensor<1x4x100x64xbf16>, tensor<1x2x130x64xbf16>, tensor<1x2x130x64xbf16>) -> tensor<1x4x100x64xbf16>
  return %o : tensor<1x4x100x64xbf16>
}
func.func @attn_f32_d80_sigmoid_elementwise(%q: tensor<1x4x50x80xf32>, %k: tensor<1x2x70x80xf32>, %v: tensor<1x2x70x48xf32>, %g: tensor<1x4x50x48xf32>) -> tensor<1x4x50x48xf32> {
  %o = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<sigmoid>} : (tensor<1x4x50x80xf32>, tensor<1x2x70x80xf32>, tensor<1x2x70x48xf32>, tensor<1x4x50x48xf32>) -> tensor<1x4x50x48xf32>
  return %o : tensor<1x4x50x48xf32>
}
func.func @linear_bf16_ragged_bias(%x: tensor<3x70x200xbf16>, %w: tensor<130x200xbf16>, %b: tensor<130xbf16>) -> tensor<3x70x130xbf16> {
  %y = rescale.linear %x, %w, %b : (tensor<3x70x200xbf16>, tensor<130x200xbf16>, tensor<130xbf16>) -> tensor<3x70x130xbf16>
  return %y : tensor<3x70x130xbf16>
}
func.func @linear_f16_tiles(%x: tensor<256x512xf16>, %w: tensor<384x512xf16>) -> tensor<256x384xf16> {
  %y = rescale.linear %x, %w : (tensor<256x512xf16>, tensor<384x512xf16>) -> tensor<256x384xf16>
  return %y : tensor<256x384xf16>
}
func.func @linear_f32_bias(%x: tensor<33x100xf32>, %w: tensor<65x100xf32>, %b: tensor<65xf32>) -> tensor<33x65xf32> {
  %y = rescale.linear %x, %w, %b : (tensor<33x100xf32>, tensor<65x100xf32>, tensor<65xf32>) -> tensor<33x65xf32>
  return %y : tensor<33x65xf32>
}
