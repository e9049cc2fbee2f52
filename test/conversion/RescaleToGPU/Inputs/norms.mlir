// The norm-family shapes the ptxas test assembles (bench sizes plus ragged,
// mixed-precision and fallback cases). One function per schedule variant.

func.func @rms_bf16_d1024(%x: tensor<4096x1024xbf16>, %w: tensor<1024xbf16>) -> tensor<4096x1024xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<4096x1024xbf16>, tensor<1024xbf16>) -> tensor<4096x1024xbf16>
  return %y : tensor<4096x1024xbf16>
}
func.func @rms_bf16_d8192(%x: tensor<4096x8192xbf16>, %w: tensor<8192xbf16>) -> tensor<4096x8192xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<4096x8192xbf16>, tensor<8192xbf16>) -> tensor<4096x8192xbf16>
  return %y : tensor<4096x8192xbf16>
}
func.func @rms_f16_d4096(%x: tensor<2x512x4096xf16>, %w: tensor<4096xf16>) -> tensor<2x512x4096xf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<2x512x4096xf16>, tensor<4096xf16>) -> tensor<2x512x4096xf16>
  return %y : tensor<2x512x4096xf16>
}
func.func @rms_f32_d4096(%x: tensor<1024x4096xf32>, %w: tensor<4096xf32>) -> tensor<1024x4096xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<1024x4096xf32>, tensor<4096xf32>) -> tensor<1024x4096xf32>
  return %y : tensor<1024x4096xf32>
}
func.func @rms_bf16_f32_weight_d1000(%x: tensor<77x1000xbf16>, %w: tensor<1000xf32>) -> tensor<77x1000xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<77x1000xbf16>, tensor<1000xf32>) -> tensor<77x1000xbf16>
  return %y : tensor<77x1000xbf16>
}
func.func @rms_f32_d96(%x: tensor<10x96xf32>, %w: tensor<96xf32>) -> tensor<10x96xf32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : (tensor<10x96xf32>, tensor<96xf32>) -> tensor<10x96xf32>
  return %y : tensor<10x96xf32>
}
func.func @preaffine_bf16_d2048(%x: tensor<4096x2048xbf16>, %p: tensor<2048xbf16>, %w: tensor<2048xbf16>) -> tensor<4096x2048xbf16> {
  %y = rescale.preaffine_rms_norm %x, %p, %w {epsilon = 1.0e-06 : f32} : (tensor<4096x2048xbf16>, tensor<2048xbf16>, tensor<2048xbf16>) -> tensor<4096x2048xbf16>
  return %y : tensor<4096x2048xbf16>
}
func.func @add_rms_bf16_d4096(%x: tensor<4096x4096xbf16>, %r: tensor<4096x4096xbf16>, %w: tensor<4096xbf16>) -> (tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) {
  %s, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32} : (tensor<4096x4096xbf16>, tensor<4096x4096xbf16>, tensor<4096xbf16>) -> (tensor<4096x4096xbf16>, tensor<4096x4096xbf16>)
  return %s, %y : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>
}
func.func @dyt_bf16_d4096(%x: tensor<4096x4096xbf16>, %a: tensor<1xf32>, %w: tensor<4096xbf16>, %b: tensor<4096xbf16>) -> tensor<4096x4096xbf16> {
  %y = rescale.dyt %x, %a, %w, %b : (tensor<4096x4096xbf16>, tensor<1xf32>, tensor<4096xbf16>, tensor<4096xbf16>) -> tensor<4096x4096xbf16>
  return %y : tensor<4096x4096xbf16>
}
func.func @gated_bf16_d2048_smem(%x: tensor<4096x2048xbf16>, %w: tensor<2048xbf16>, %wd: tensor<2048x16xbf16>, %wu: tensor<16x2048xbf16>) -> tensor<4096x2048xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<4096x2048xbf16>, tensor<2048xbf16>, tensor<2048x16xbf16>, tensor<16x2048xbf16>) -> tensor<4096x2048xbf16>
  return %y : tensor<4096x2048xbf16>
}
func.func @gated_bf16_d8192_global(%x: tensor<4096x8192xbf16>, %w: tensor<8192xbf16>, %wd: tensor<8192x16xbf16>, %wu: tensor<16x8192xbf16>) -> tensor<4096x8192xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<4096x8192xbf16>, tensor<8192xbf16>, tensor<8192x16xbf16>, tensor<16x8192xbf16>) -> tensor<4096x8192xbf16>
  return %y : tensor<4096x8192xbf16>
}
func.func @gated_f32_d256_warp_tanh(%x: tensor<64x256xf32>, %w: tensor<256xf32>, %wd: tensor<256x16xf32>, %wu: tensor<16x256xf32>) -> tensor<64x256xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<64x256xf32>, tensor<256xf32>, tensor<256x16xf32>, tensor<16x256xf32>) -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}
func.func @gated_f16_d1024_tensorwise(%x: tensor<512x1024xf16>, %w: tensor<1024xf16>, %wd: tensor<1024x16xf16>, %wu: tensor<16x1xf16>) -> tensor<512x1024xf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32} : (tensor<512x1024xf16>, tensor<1024xf16>, tensor<1024x16xf16>, tensor<16x1xf16>) -> tensor<512x1024xf16>
  return %y : tensor<512x1024xf16>
}
