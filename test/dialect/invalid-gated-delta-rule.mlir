// Every verifier error of rescale.gated_delta_rule and
// rescale.gated_delta_rule_grad (dialect/RescaleLinearAttentionOps.cpp).
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @q_rank(%q: tensor<1x5x3xf32>, %k: tensor<1x5x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'q' must have rank 4 ([B, T, Hk, dk]), but has rank 3}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x3xf32>, tensor<1x5x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @k_shape(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x4xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'k' must have shape [1, 5, 1, 3] ([B, T, Hk, dk] like 'q'), but has shape [1, 5, 1, 4]}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x4xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @v_tokens(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x6x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x6x2x7xf32> {
  // expected-error @+1 {{'v' must have shape [1, 5, 2, 7] ([B, T, Hv, dv] with B and T of 'q'), but has shape [1, 6, 2, 7]}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x6x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x6x2x7xf32>
  return %o : tensor<1x6x2x7xf32>
}

// -----

func.func @g_shape(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x3xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'g' must have shape [1, 5, 2] ([B, T, Hv], one log decay per value head), but has shape [1, 5, 3]}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x3xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @beta_shape(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'beta' must have shape [1, 5, 2] ([B, T, Hv], one write strength per value head), but has shape [1, 5]}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @heads_not_multiple(%q: tensor<1x5x2x3xf32>, %k: tensor<1x5x2x3xf32>, %v: tensor<1x5x3x7xf32>, %g: tensor<1x5x3xf32>, %b: tensor<1x5x3xf32>) -> tensor<1x5x3x7xf32> {
  // expected-error @+1 {{the value heads (Hv = 3) must be a multiple of the key heads (Hk = 2): each key head serves Hv / Hk consecutive value heads}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x2x3xf32>, tensor<1x5x2x3xf32>, tensor<1x5x3x7xf32>, tensor<1x5x3xf32>, tensor<1x5x3xf32>) -> tensor<1x5x3x7xf32>
  return %o : tensor<1x5x3x7xf32>
}

// -----

func.func @int_q(%q: tensor<1x5x1x3xi32>, %k: tensor<1x5x1x3xi32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'q' must have element type f32, f16 or bf16, but has 'i32'}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xi32>, tensor<1x5x1x3xi32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @mixed_v(%q: tensor<1x5x1x3xbf16>, %k: tensor<1x5x1x3xbf16>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32> {
  // expected-error @+1 {{'v' must have element type 'bf16' like 'q', but has 'f32'}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xbf16>, tensor<1x5x1x3xbf16>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xf32>
  return %o : tensor<1x5x2x7xf32>
}

// -----

func.func @g_f16_with_bf16(%q: tensor<1x5x1x3xbf16>, %k: tensor<1x5x1x3xbf16>, %v: tensor<1x5x2x7xbf16>, %g: tensor<1x5x2xf16>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xbf16> {
  // expected-error @+1 {{'g' must have element type 'bf16' (like 'q') or f32, but has 'f16'}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xbf16>, tensor<1x5x1x3xbf16>, tensor<1x5x2x7xbf16>, tensor<1x5x2xf16>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xbf16>
  return %o : tensor<1x5x2x7xbf16>
}

// -----

func.func @result_shape(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x3xf32> {
  // expected-error @+1 {{'result' must have shape [1, 5, 2, 7] ([B, T, Hv, dv] like 'v'), but has shape [1, 5, 2, 3]}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x3xf32>
  return %o : tensor<1x5x2x3xf32>
}

// -----

func.func @result_type(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>) -> tensor<1x5x2x7xbf16> {
  // expected-error @+1 {{the result must have element type 'f32' like 'v', but has 'bf16'}}
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) -> tensor<1x5x2x7xbf16>
  return %o : tensor<1x5x2x7xbf16>
}

// -----

func.func @grad_dout_shape(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>, %do: tensor<1x5x2x6xf32>) {
  // expected-error @+1 {{'dout' must have shape [1, 5, 2, 7] ([B, T, Hv, dv], the forward's result), but has shape [1, 5, 2, 6]}}
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>, tensor<1x5x2x6xf32>) -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>)
  return
}

// -----

func.func @grad_dout_type(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>, %do: tensor<1x5x2x7xbf16>) {
  // expected-error @+1 {{'dout' must have element type 'f32' like 'v', but has 'bf16'}}
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>, tensor<1x5x2x7xbf16>) -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>)
  return
}

// -----

func.func @grad_result_type(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>, %do: tensor<1x5x2x7xf32>) {
  // expected-error @+1 {{the gradient of 'g' must have its type 'tensor<1x5x2xf32>', but has 'tensor<1x5x2xbf16>'}}
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>, tensor<1x5x2x7xf32>) -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xbf16>, tensor<1x5x2xf32>)
  return
}
