// Every verifier error of rescale.linear and the ablation ops (dyt, clip),
// one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @linear_x_integer(%x: tensor<8x64xi8>, %w: tensor<16x64xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'rescale.linear' op 'x' must have element type f32, f16 or bf16, but has 'i8'}}
  %0 = rescale.linear %x, %w : (tensor<8x64xi8>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @linear_x_rank0(%x: tensor<f32>, %w: tensor<16x1xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{'x' must have rank >= 1, but has rank 0}}
  %0 = rescale.linear %x, %w : (tensor<f32>, tensor<16x1xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<8x64xf32>, %w: tensor<64xf32>) -> tensor<8x1xf32> {
  // expected-error @+1 {{'weight' must have rank 2 ([N, K]), but has rank 1}}
  %0 = rescale.linear %x, %w : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x1xf32>
  return %0 : tensor<8x1xf32>
}

// -----

// weight is [N, K] (PyTorch layout), not [K, N].
func.func @linear_weight_transposed(%x: tensor<8x64xf32>, %w: tensor<64x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'weight' must have shape [64, 64] ([N, K] with K the last dimension of 'x'), but has shape [64, 16]}}
  %0 = rescale.linear %x, %w : (tensor<8x64xf32>, tensor<64x16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @linear_weight_type(%x: tensor<8x64xbf16>, %w: tensor<16x64xf16>) -> tensor<8x16xbf16> {
  // expected-error @+1 {{'weight' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %0 = rescale.linear %x, %w : (tensor<8x64xbf16>, tensor<16x64xf16>) -> tensor<8x16xbf16>
  return %0 : tensor<8x16xbf16>
}

// -----

func.func @linear_bias_shape(%x: tensor<8x64xf32>, %w: tensor<16x64xf32>, %b: tensor<64xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'bias' must have shape [16] ([N] from 'weight'), but has shape [64]}}
  %0 = rescale.linear %x, %w, %b : (tensor<8x64xf32>, tensor<16x64xf32>, tensor<64xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @linear_bias_type(%x: tensor<8x64xf16>, %w: tensor<16x64xf16>, %b: tensor<16xbf16>) -> tensor<8x16xf16> {
  // expected-error @+1 {{'bias' must have element type 'f16' (like 'x') or f32, but has 'bf16'}}
  %0 = rescale.linear %x, %w, %b : (tensor<8x64xf16>, tensor<16x64xf16>, tensor<16xbf16>) -> tensor<8x16xf16>
  return %0 : tensor<8x16xf16>
}

// -----

func.func @linear_result_type(%x: tensor<8x64xbf16>, %w: tensor<16x64xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{'result' must have element type 'bf16' like 'x', but has 'f32'}}
  %0 = rescale.linear %x, %w : (tensor<8x64xbf16>, tensor<16x64xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @linear_result_shape(%x: tensor<2x8x64xf32>, %w: tensor<16x64xf32>) -> tensor<16x16xf32> {
  // expected-error @+1 {{'result' must have shape [2, 8, 16] ([..., N]), but has shape [16, 16]}}
  %0 = rescale.linear %x, %w : (tensor<2x8x64xf32>, tensor<16x64xf32>) -> tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}

// -----

// Too many operands for the optional bias.
func.func @linear_two_biases(%x: tensor<8x64xf32>, %w: tensor<16x64xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{operand group starting at #2 requires 0 or 1 element, but found 2}}
  %0 = "rescale.linear"(%x, %w, %b, %b) : (tensor<8x64xf32>, tensor<16x64xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

func.func @dyt_alpha_shape(%x: tensor<8x64xf32>, %a: tensor<2xf32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'rescale.dyt' op 'alpha' must be a scalar of shape [] or [1], but has shape [2]}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xf32>, tensor<2xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @dyt_alpha_rank(%x: tensor<8x64xf32>, %a: tensor<1x1xf32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'alpha' must be a scalar of shape [] or [1], but has shape [1, 1]}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xf32>, tensor<1x1xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @dyt_alpha_type(%x: tensor<8x64xbf16>, %a: tensor<f16>, %w: tensor<64xbf16>, %b: tensor<64xbf16>) -> tensor<8x64xbf16> {
  // expected-error @+1 {{'alpha' must have element type 'bf16' (like 'x') or f32, but has 'f16'}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xbf16>, tensor<f16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<8x64xbf16>
  return %0 : tensor<8x64xbf16>
}

// -----

func.func @dyt_weight_shape(%x: tensor<8x64xf32>, %a: tensor<f32>, %w: tensor<32xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'weight' must have shape [64] (the last dimension of 'x'), but has shape [32]}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xf32>, tensor<f32>, tensor<32xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @dyt_bias_shape(%x: tensor<8x64xf32>, %a: tensor<f32>, %w: tensor<64xf32>, %b: tensor<8x64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'bias' must have shape [64] (the last dimension of 'x'), but has shape [8, 64]}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xf32>, tensor<f32>, tensor<64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @dyt_result_type(%x: tensor<8x64xf16>, %a: tensor<f32>, %w: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  // expected-error @+1 {{'result' must have element type 'f16' like 'x', but has 'f32'}}
  %0 = rescale.dyt %x, %a, %w, %b : (tensor<8x64xf16>, tensor<f32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

func.func @clip_x_integer(%x: tensor<8xi32>) -> tensor<8xi32> {
  // expected-error @+1 {{'rescale.clip' op 'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %0 = rescale.clip %x {threshold = 6.0 : f32} : (tensor<8xi32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// -----

func.func @clip_threshold_zero(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'threshold' must be finite and positive, but is 0}}
  %0 = rescale.clip %x {threshold = 0.0 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @clip_threshold_negative(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'threshold' must be finite and positive, but is -2}}
  %0 = rescale.clip %x {threshold = -2.0} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @clip_threshold_missing(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{requires attribute 'threshold'}}
  %0 = rescale.clip %x : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @clip_result_shape(%x: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'result' must have shape [8] like 'x', but has shape [4]}}
  %0 = rescale.clip %x {threshold = 1.0 : f32} : (tensor<8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
