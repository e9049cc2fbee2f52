// Every verifier error of the fused backward ops of the norms
// (rms_norm_grad, preaffine_rms_norm_grad, add_rms_norm_grad,
// gated_norm_grad; dialect/RescaleBackwardOps.td), one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @rms_norm_grad_integer_x(%x: tensor<2x8xi32>, %w: tensor<8xf32>, %dy: tensor<2x8xi32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'rescale.rms_norm_grad' op 'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xi32>, tensor<8xf32>, tensor<2x8xi32>) -> (tensor<2x8xi32>, tensor<8xf32>)
  return %r0 : tensor<2x8xi32>
}

// -----

func.func @rms_norm_grad_rank0(%x: tensor<f32>, %w: tensor<1xf32>, %dy: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'x' must have rank >= 1, but has rank 0}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<f32>, tensor<1xf32>, tensor<f32>) -> (tensor<f32>, tensor<1xf32>)
  return %r0 : tensor<f32>
}

// -----

func.func @rms_norm_grad_weight_shape(%x: tensor<2x8xf32>, %w: tensor<4xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have shape [8] (the last dimension of 'x'), but has shape [4]}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<4xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<4xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_grad_weight_f16_with_bf16_x(%x: tensor<2x8xbf16>, %w: tensor<8xf16>, %dy: tensor<2x8xbf16>) -> tensor<2x8xbf16> {
  // expected-error @+1 {{'weight' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xbf16>, tensor<8xf16>, tensor<2x8xbf16>) -> (tensor<2x8xbf16>, tensor<8xf16>)
  return %r0 : tensor<2x8xbf16>
}

// -----

func.func @rms_norm_grad_dx_element_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf16> {
  // expected-error @+1 {{'dx' must have element type 'f32' like 'x', but has 'f16'}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf16>, tensor<8xf32>)
  return %r0 : tensor<2x8xf16>
}

// -----

func.func @rms_norm_grad_dx_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'dx' must have shape [2, 8] like 'x', but has shape [4, 8]}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>)
  return %r0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_grad_negative_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be finite and non-negative, but is}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy {epsilon = -1.0e-6 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_grad_dy_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<3x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dy' must have shape [2, 8] like 'x', but has shape [3, 8]}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<3x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_grad_dy_element_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dy' must have element type 'f32' like 'x', but has 'bf16'}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xbf16>) -> (tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @rms_norm_grad_dweight_element_type(%x: tensor<2x8xbf16>, %w: tensor<8xf32>, %dy: tensor<2x8xbf16>) -> tensor<2x8xbf16> {
  // expected-error @+1 {{'dweight' must have element type 'f32' like 'weight', but has 'bf16'}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xbf16>, tensor<8xf32>, tensor<2x8xbf16>) -> (tensor<2x8xbf16>, tensor<8xbf16>)
  return %r0 : tensor<2x8xbf16>
}

// -----

func.func @rms_norm_grad_dweight_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dweight' must have shape [8] like 'weight', but has shape [4]}}
  %r0, %r1 = rescale.rms_norm_grad %x, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<4xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_rms_norm_grad_pre_scale_shape(%x: tensor<2x8xf32>, %s: tensor<4xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'rescale.preaffine_rms_norm_grad' op 'pre_scale' must have shape [8] (the last dimension of 'x'), but has shape [4]}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_rms_norm_grad_weight_shape(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %w: tensor<4xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have shape [8] (the last dimension of 'x'), but has shape [4]}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<4xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<4xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_rms_norm_grad_dx_type(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xbf16> {
  // expected-error @+1 {{'dx' must have element type 'f32' like 'x', but has 'bf16'}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xbf16>, tensor<8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xbf16>
}

// -----

func.func @preaffine_rms_norm_grad_dy_type(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %w: tensor<8xf32>, %dy: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dy' must have shape [2, 8] like 'x', but has shape [2, 4]}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_rms_norm_grad_dpre_scale_type(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dpre_scale' must have element type 'f32' like 'pre_scale', but has 'f16'}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf16>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @preaffine_rms_norm_grad_dweight_shape(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %w: tensor<8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dweight' must have shape [8] like 'weight', but has shape [2]}}
  %r0, %r1, %r2 = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<2xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_integer_x(%x: tensor<2x8xi8>, %r: tensor<2x8xi8>, %w: tensor<8xf32>, %ds: tensor<2x8xi8>, %dy: tensor<2x8xi8>) -> tensor<2x8xi8> {
  // expected-error @+1 {{'rescale.add_rms_norm_grad' op 'x' must have element type f32, f16 or bf16, but has 'i8'}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xi8>, tensor<2x8xi8>, tensor<8xf32>, tensor<2x8xi8>, tensor<2x8xi8>) -> (tensor<2x8xi8>, tensor<2x8xi8>, tensor<8xf32>)
  return %r0 : tensor<2x8xi8>
}

// -----

func.func @add_rms_norm_grad_residual_type(%x: tensor<2x8xf32>, %r: tensor<2x8xf16>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'residual' must have element type 'f32' like 'x', but has 'f16'}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf16>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_dsum_shape(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<1x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dsum' must have shape [2, 8] like 'x', but has shape [1, 8]}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<1x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_dy_type(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dy' must have element type 'f32' like 'x', but has 'f16'}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf16>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_weight_shape(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<7xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have shape [8] (the last dimension of 'x'), but has shape [7]}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<7xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<7xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_dx_shape(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{'dx' must have shape [2, 8] like 'x', but has shape [2, 9]}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x9xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x9xf32>
}

// -----

func.func @add_rms_norm_grad_dresidual_type(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dresidual' must have element type 'f32' like 'x', but has 'bf16'}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xbf16>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_dweight_type(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dweight' must have element type 'f32' like 'weight', but has 'f16'}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf16>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @add_rms_norm_grad_epsilon(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %ds: tensor<2x8xf32>, %dy: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be finite and non-negative, but is}}
  %r0, %r1, %r2 = rescale.add_rms_norm_grad %x, %r, %w, %ds, %dy {epsilon = 0x7FC00000 : f32} : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_integer_x(%x: tensor<2x8xi32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xi32>) -> tensor<2x8xi32> {
  // expected-error @+1 {{'rescale.gated_norm_grad' op 'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xi32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xi32>) -> (tensor<2x8xi32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xi32>
}

// -----

func.func @gated_norm_grad_weight_shape(%x: tensor<2x8xf32>, %w: tensor<4xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'weight' must have shape [8] (the last dimension of 'x'), but has shape [4]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_down_rank(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_down' must have rank 2 ([d, r]), but has rank 1}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_up_rank(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8x1xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_up' must have rank 2 ([r, d] or [r, 1]), but has rank 3}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8x1xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8x1xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_down_element_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf16>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_down' must have element type f32 (like 'x'), but has 'f16'}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf16>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf16>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_up_element_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xbf16>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_up' must have element type f32 (like 'x'), but has 'bf16'}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xbf16>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xbf16>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_rank_zero(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x0xf32>, %wu: tensor<0x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_down' must have a gate rank r >= 1 (shape [d, r]), but has shape [8, 0]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x0xf32>, tensor<0x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x0xf32>, tensor<0x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_down_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<6x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_down' must have shape [8, 4] ([d, r] with d the last dimension of 'x'), but has shape [6, 4]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<6x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<6x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_w_up_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x5xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'w_up' must have shape [4, 8] or [4, 1] for a tensorwise gate ([r, d] with r = 4 from 'w_down'), but has shape [4, 5]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x5xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x5xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_dx_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf16> {
  // expected-error @+1 {{'dx' must have element type 'f32' like 'x', but has 'f16'}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf16>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf16>
}

// -----

func.func @gated_norm_grad_dout_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dout' must have shape [2, 8] like 'x', but has shape [2, 4]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x4xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_dweight_type(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dweight' must have element type 'f32' like 'weight', but has 'f16'}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf16>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_dw_down_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dw_down' must have shape [8, 4] like 'w_down', but has shape [4, 8]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_dw_up_shape(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'dw_up' must have shape [4, 8] like 'w_up', but has shape [4, 1]}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x1xf32>)
  return %r0 : tensor<2x8xf32>
}

// -----

func.func @gated_norm_grad_epsilon(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %dout: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'epsilon' must be finite and non-negative, but is}}
  %r0, %r1, %r2, %r3 = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout {epsilon = -1.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>, tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>)
  return %r0 : tensor<2x8xf32>
}
