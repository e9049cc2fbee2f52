// Every verifier error of the norm ops, one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @rms_norm_integer_input(%x: tensor<2x8xi32>, %w: tensor<8xf32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'rescale.rms_norm' op 'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xi32>, tensor<8xf32>) -> tensor<2x8xi32>
  return %0 : tensor<2x8xi32>
}

// -----

func.func @rms_norm_f64_input(%x: tensor<2x8xf64>, %w: tensor<8xf64>) -> tensor<2x8xf64> {
  // expected-error @+1 {{'x' must have element type f32, f16 or bf16, but has 'f64'}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xf64>, tensor<8xf64>) -> tensor<2x8xf64>
  return %0 : tensor<2x8xf64>
}

// -----

func.func @rms_norm_unranked(%x: tensor<*xf32>, %w: tensor<8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of f32, f16 or bf16, but got 'tensor<*xf32>'}}
  %0 = rescale.rms_norm %x, %w : (tensor<*xf32>, tensor<8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @rms_norm_rank0(%x: tensor<f32>, %w: tensor<1xf32>) -> tensor<f32> {
  // expected-error @+1 {{'x' must have rank >= 1, but has rank 0}}
  %0 = rescale.rms_norm %x, %w : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @rms_norm_weight_shape(%x: tensor<2x128xf32>, %w: tensor<64xf32>) -> tensor<2x128xf32> {
  // expected-error @+1 {{'weight' must have shape [128] (the last dimension of 'x'), but has shape [64]}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x128xf32>, tensor<64xf32>) -> tensor<2x128xf32>
  return %0 : tensor<2x128xf32>
}

// -----

func.func @rms_norm_weight_rank(%x: tensor<2x8xf32>, %w: tensor<1x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have shape [8] (the last dimension of 'x'), but has shape [1, 8]}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Weights may be the type of x or f32, nothing else.
func.func @rms_norm_weight_type(%x: tensor<2x8xbf16>, %w: tensor<8xf16>) -> tensor<2x8xbf16> {
  // expected-error @+1 {{'weight' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xbf16>, tensor<8xf16>) -> tensor<2x8xbf16>
  return %0 : tensor<2x8xbf16>
}

// -----

func.func @rms_norm_f32_weight_type(%x: tensor<2x8xf32>, %w: tensor<8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have element type f32 (like 'x'), but has 'bf16'}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_result_type(%x: tensor<2x8xbf16>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'result' must have element type 'bf16' like 'x', but has 'f32'}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xbf16>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_result_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'result' must have shape [2, 8] like 'x', but has shape [4, 8]}}
  %0 = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_negative_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be finite and non-negative, but is -1}}
  %0 = rescale.rms_norm %x, %w {epsilon = -1.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_nan_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be finite and non-negative, but is nan}}
  %0 = rescale.rms_norm %x, %w {epsilon = 0x7FC00000 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Float attributes are f32 or f64.
func.func @rms_norm_f16_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{attribute 'epsilon' failed to satisfy constraint: 32-bit or 64-bit float attribute}}
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-3 : f16} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_integer_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{attribute 'epsilon' failed to satisfy constraint: 32-bit or 64-bit float attribute}}
  %0 = rescale.rms_norm %x, %w {epsilon = 1 : i32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_pre_scale_shape(%x: tensor<4x64xf32>, %l1: tensor<32xf32>, %w: tensor<64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'rescale.preaffine_rms_norm' op 'pre_scale' must have shape [64] (the last dimension of 'x'), but has shape [32]}}
  %0 = rescale.preaffine_rms_norm %x, %l1, %w : (tensor<4x64xf32>, tensor<32xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @preaffine_pre_scale_type(%x: tensor<4x64xf16>, %l1: tensor<64xbf16>, %w: tensor<64xf16>) -> tensor<4x64xf16> {
  // expected-error @+1 {{'pre_scale' must have element type 'f16' (like 'x') or f32, but has 'bf16'}}
  %0 = rescale.preaffine_rms_norm %x, %l1, %w : (tensor<4x64xf16>, tensor<64xbf16>, tensor<64xf16>) -> tensor<4x64xf16>
  return %0 : tensor<4x64xf16>
}

// -----

func.func @gated_norm_w_down_rank(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64xf32>, %wu: tensor<16x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'rescale.gated_norm' op 'w_down' must have rank 2 ([d, r]), but has rank 1}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_w_up_rank(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64x1xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'w_up' must have rank 2 ([r, d] or [r, 1]), but has rank 3}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64x1xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_w_down_shape(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<32x16xf32>, %wu: tensor<16x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'w_down' must have shape [64, 16] ([d, r] with d the last dimension of 'x'), but has shape [32, 16]}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<32x16xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_zero_rank(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x0xf32>, %wu: tensor<0x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'w_down' must have a gate rank r >= 1 (shape [d, r]), but has shape [64, 0]}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x0xf32>, tensor<0x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_w_up_rank_mismatch(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<8x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'w_up' must have shape [16, 64] or [16, 1] for a tensorwise gate ([r, d] with r = 16 from 'w_down'), but has shape [8, 64]}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<8x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_w_up_width(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x32xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{'w_up' must have shape [16, 64] or [16, 1] for a tensorwise gate ([r, d] with r = 16 from 'w_down'), but has shape [16, 32]}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x32xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @gated_norm_w_down_type(%x: tensor<4x64xbf16>, %w: tensor<64xbf16>, %wd: tensor<64x16xf16>, %wu: tensor<16x64xbf16>) -> tensor<4x64xbf16> {
  // expected-error @+1 {{'w_down' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xbf16>, tensor<64xbf16>, tensor<64x16xf16>, tensor<16x64xbf16>) -> tensor<4x64xbf16>
  return %0 : tensor<4x64xbf16>
}

// -----

func.func @gated_norm_w_up_type(%x: tensor<4x64xbf16>, %w: tensor<64xbf16>, %wd: tensor<64x16xbf16>, %wu: tensor<16x64xf16>) -> tensor<4x64xbf16> {
  // expected-error @+1 {{'w_up' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x64xbf16>, tensor<64xbf16>, tensor<64x16xbf16>, tensor<16x64xf16>) -> tensor<4x64xbf16>
  return %0 : tensor<4x64xbf16>
}

// -----

func.func @gated_norm_bad_activation(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+2 {{unknown gate_activation 'relu'; expected sigmoid, tanh, silu or identity}}
  // expected-error @+1 {{failed to parse Rescale_GateActivationAttr parameter 'value'}}
  %0 = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<relu>} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}

// -----

func.func @add_rms_norm_residual_shape(%x: tensor<4x64xf32>, %r: tensor<2x64xf32>, %w: tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  // expected-error @+1 {{'rescale.add_rms_norm' op 'residual' must have shape [4, 64] like 'x', but has shape [2, 64]}}
  %s, %y = rescale.add_rms_norm %x, %r, %w : (tensor<4x64xf32>, tensor<2x64xf32>, tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>)
  return %s, %y : tensor<4x64xf32>, tensor<4x64xf32>
}

// -----

func.func @add_rms_norm_residual_type(%x: tensor<4x64xbf16>, %r: tensor<4x64xf32>, %w: tensor<64xf32>) -> (tensor<4x64xbf16>, tensor<4x64xbf16>) {
  // expected-error @+1 {{'residual' must have element type 'bf16' like 'x', but has 'f32'}}
  %s, %y = rescale.add_rms_norm %x, %r, %w : (tensor<4x64xbf16>, tensor<4x64xf32>, tensor<64xf32>) -> (tensor<4x64xbf16>, tensor<4x64xbf16>)
  return %s, %y : tensor<4x64xbf16>, tensor<4x64xbf16>
}

// -----

func.func @add_rms_norm_sum_type(%x: tensor<4x64xbf16>, %r: tensor<4x64xbf16>, %w: tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xbf16>) {
  // expected-error @+1 {{'sum' must have element type 'bf16' like 'x', but has 'f32'}}
  %s, %y = rescale.add_rms_norm %x, %r, %w : (tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xbf16>)
  return %s, %y : tensor<4x64xf32>, tensor<4x64xbf16>
}

// -----

func.func @gated_norm_activation_string(%x: tensor<4x64xf32>, %w: tensor<64xf32>, %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{attribute 'gate_activation' failed to satisfy constraint: GatedNorm gate activation (#rescale.gate_activation: sigmoid, tanh, silu or identity)}}
  %0 = "rescale.gated_norm"(%x, %w, %wd, %wu) {gate_activation = "tanh"} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  return %0 : tensor<4x64xf32>
}
