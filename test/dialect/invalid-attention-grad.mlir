// Every verifier error of rescale.attention_lse and rescale.attention_grad
// (dialect/RescaleBackwardOps.td) that is theirs; the operand checks they
// share with rescale.attention are test/dialect/invalid-attention.mlir's.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @lse_not_f32(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>) -> tensor<1x2x3xbf16> {
  // expected-error @+1 {{'lse' must have element type f32, but has 'bf16'}}
  %l = rescale.attention_lse %q, %k : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3xbf16>
  return %l : tensor<1x2x3xbf16>
}

// -----

func.func @lse_shape(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>) -> tensor<1x2x5xf32> {
  // expected-error @+1 {{'lse' must have shape [1, 2, 3] ([B, Hq, S]), but has shape [1, 2, 5]}}
  %l = rescale.attention_lse %q, %k : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x5xf32>
  return %l : tensor<1x2x5xf32>
}

// -----

func.func @lse_missing_sinks(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{softmax = learned_sink needs a 'sinks' operand of shape [Hq]}}
  %l = rescale.attention_lse %q, %k {softmax = #rescale.softmax<learned_sink>} : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3xf32>
  return %l : tensor<1x2x3xf32>
}

// -----

func.func @lse_extra_sinks(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %s: tensor<2xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{a 'sinks' operand needs softmax = learned_sink}}
  %l = rescale.attention_lse %q, %k, %s : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>
  return %l : tensor<1x2x3xf32>
}

// -----

func.func @lse_gqa(%q: tensor<1x3x3x4xf32>, %k: tensor<1x2x5x4xf32>) -> tensor<1x3x3xf32> {
  // expected-error @+1 {{grouped-query attention needs the query heads (3) to be a multiple of the kv heads (2)}}
  %l = rescale.attention_lse %q, %k : (tensor<1x3x3x4xf32>, tensor<1x2x5x4xf32>) -> tensor<1x3x3xf32>
  return %l : tensor<1x3x3xf32>
}

// -----

func.func @grad_missing_gate(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xf32>) {
  // expected-error @+1 {{expects 6 operands (q, k, v, lse, dout, gate) for gate_kind = headwise and softmax = standard, but has 5}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout {gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return
}

// -----

func.func @grad_dout_shape(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x4xf32>) {
  // expected-error @+1 {{'dout' must have shape [1, 2, 3, 2] ([B, Hq, S, Dv], the forward's result), but has shape [1, 2, 3, 4]}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x4xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return
}

// -----

func.func @grad_dout_type(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xbf16>) {
  // expected-error @+1 {{'dout' must have element type 'f32' like 'q', but has 'bf16'}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xbf16>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return
}

// -----

func.func @grad_lse_shape(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x5xf32>, %dout: tensor<1x2x3x2xf32>) {
  // expected-error @+1 {{'lse' must have shape [1, 2, 3] ([B, Hq, S]), but has shape [1, 2, 5]}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x5xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return
}

// -----

func.func @grad_result_count(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xf32>, %g: tensor<1x2x3xf32>) {
  // expected-error @+1 {{expects 4 results (the gradients of q, k, v and of the gate and sinks it has), but has 3}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout, %g {gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xf32>, tensor<1x2x3xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return
}

// -----

func.func @grad_result_type(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xf32>) {
  // expected-error @+1 {{the gradient of 'k' must have its type 'tensor<1x2x5x4xf32>', but has 'tensor<1x2x5x4xbf16>'}}
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xf32>)
  return
}
