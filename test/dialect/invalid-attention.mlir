// Every verifier error of rescale.attention, one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @q_integer(%q: tensor<1x4x8x16xi8>, %k: tensor<1x4x8x16xi8>, %v: tensor<1x4x8x16xi8>) -> tensor<1x4x8x16xi8> {
  // expected-error @+1 {{'rescale.attention' op 'q' must have element type f32, f16 or bf16, but has 'i8'}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xi8>, tensor<1x4x8x16xi8>, tensor<1x4x8x16xi8>) -> tensor<1x4x8x16xi8>
  return %0 : tensor<1x4x8x16xi8>
}

// -----

func.func @q_rank(%q: tensor<4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'q' must have rank 4 ([B, Hq, S, D]), but has rank 3}}
  %0 = rescale.attention %q, %k, %v : (tensor<4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @k_rank(%q: tensor<1x4x8x16xf32>, %k: tensor<4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'k' must have rank 4 ([B, Hkv, T, D]), but has rank 3}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @v_rank(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'v' must have rank 4 ([B, Hkv, T, Dv]), but has rank 5}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @kv_element_type(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16> {
  // expected-error @+1 {{'q', 'k' and 'v' must share an element type, but have 'bf16', 'f32' and 'bf16'}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xbf16>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16>
  return %0 : tensor<1x4x8x16xbf16>
}

// -----

func.func @k_head_dim(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x32xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'k' must have shape [1, 4, 8, 16] (batch and head dim of 'q'), but has shape [1, 4, 8, 32]}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @k_batch(%q: tensor<2x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  // expected-error @+1 {{'k' must have shape [2, 4, 8, 16] (batch and head dim of 'q'), but has shape [1, 4, 8, 16]}}
  %0 = rescale.attention %q, %k, %v : (tensor<2x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %0 : tensor<2x4x8x16xf32>
}

// -----

func.func @v_length(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x12x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'v' must have shape [1, 4, 8, 16] (batch, kv heads and length of 'k'), but has shape [1, 4, 12, 16]}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x12x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// Grouped-query attention needs Hq % Hkv == 0.
func.func @gqa_divisibility(%q: tensor<1x6x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x6x8x16xf32> {
  // expected-error @+1 {{grouped-query attention needs the query heads (6) to be a multiple of the kv heads (4)}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x6x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x6x8x16xf32>
  return %0 : tensor<1x6x8x16xf32>
}

// -----

func.func @gqa_zero_kv_heads(%q: tensor<1x4x8x16xf32>, %k: tensor<1x0x8x16xf32>, %v: tensor<1x0x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{grouped-query attention needs the query heads (4) to be a multiple of the kv heads (0)}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x0x8x16xf32>, tensor<1x0x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @result_type(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'result' must have element type 'bf16' like 'q', but has 'f32'}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// The result has the value dim Dv of v, not the head dim D of q.
func.func @result_shape(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x32xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'result' must have shape [1, 4, 8, 32] ([B, Hq, S, Dv]), but has shape [1, 4, 8, 16]}}
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x32xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// gate_kind != none needs a gate operand.
func.func @gate_missing(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{expects 4 operands (q, k, v, gate) for gate_kind = headwise and softmax = standard, but has 3}}
  %0 = rescale.attention %q, %k, %v {gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// A fourth operand without a gate_kind or learned_sink softmax.
func.func @extra_operand(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %s: tensor<4xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{expects 3 operands (q, k, v) for gate_kind = none and softmax = standard, but has 4; a 'sinks' operand needs softmax = learned_sink}}
  %0 = rescale.attention %q, %k, %v, %s : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<4xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// softmax = learned_sink needs the sinks operand.
func.func @sinks_missing(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{expects 4 operands (q, k, v, sinks) for gate_kind = none and softmax = learned_sink, but has 3; softmax = learned_sink needs a 'sinks' operand of shape [Hq]}}
  %0 = rescale.attention %q, %k, %v {softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @gate_and_sinks_missing_one(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{expects 5 operands (q, k, v, gate, sinks) for gate_kind = headwise and softmax = learned_sink, but has 4}}
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @headwise_gate_shape(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'gate' must have shape [1, 4, 8] ([B, Hq, S] for a headwise gate), but has shape [1, 4, 8, 16]}}
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @elementwise_gate_shape(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'gate' must have shape [1, 4, 8, 16] ([B, Hq, S, Dv] for an elementwise gate), but has shape [1, 4, 8]}}
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<elementwise>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @gate_type(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>, %g: tensor<1x4x8xf16>) -> tensor<1x4x8x16xbf16> {
  // expected-error @+1 {{'gate' must have element type 'bf16' (like 'q') or f32, but has 'f16'}}
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8xf16>) -> tensor<1x4x8x16xbf16>
  return %0 : tensor<1x4x8x16xbf16>
}

// -----

// One sink logit per query head (Hq = 8), not per kv head.
func.func @sinks_shape(%q: tensor<1x8x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %s: tensor<2xf32>) -> tensor<1x8x8x16xf32> {
  // expected-error @+1 {{'sinks' must have shape [8] (one learned sink logit per query head), but has shape [2]}}
  %0 = rescale.attention %q, %k, %v, %s {softmax = #rescale.softmax<learned_sink>} : (tensor<1x8x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<2xf32>) -> tensor<1x8x8x16xf32>
  return %0 : tensor<1x8x8x16xf32>
}

// -----

func.func @sinks_type(%q: tensor<1x4x8x16xf16>, %k: tensor<1x4x8x16xf16>, %v: tensor<1x4x8x16xf16>, %s: tensor<4xbf16>) -> tensor<1x4x8x16xf16> {
  // expected-error @+1 {{'sinks' must have element type 'f16' (like 'q') or f32, but has 'bf16'}}
  %0 = rescale.attention %q, %k, %v, %s {softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf16>, tensor<1x4x8x16xf16>, tensor<1x4x8x16xf16>, tensor<4xbf16>) -> tensor<1x4x8x16xf16>
  return %0 : tensor<1x4x8x16xf16>
}

// -----

func.func @scale_infinite(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'scale' must be finite, but is INF}}
  %0 = rescale.attention %q, %k, %v {scale = 0x7F800000 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @scale_not_float(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{attribute 'scale' failed to satisfy constraint: 32-bit or 64-bit float attribute}}
  %0 = rescale.attention %q, %k, %v {scale = 1 : i32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @causal_not_a_flag(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{attribute 'causal' failed to satisfy constraint: unit attribute}}
  %0 = rescale.attention %q, %k, %v {causal = 1 : i32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// Enum attributes are the dialect's, not strings.
func.func @gate_kind_string(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{attribute 'gate_kind' failed to satisfy constraint: attention output gate shape (#rescale.gate_kind: none, headwise or elementwise)}}
  %0 = "rescale.attention"(%q, %k, %v, %g) {gate_kind = "headwise"} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @softmax_string(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{attribute 'softmax' failed to satisfy constraint: attention softmax normalizer (#rescale.softmax: standard, off_by_one, learned_sink or sigmoid)}}
  %0 = "rescale.attention"(%q, %k, %v) {softmax = "off_by_one"} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @gate_kind_unknown(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+2 {{unknown gate_kind 'rowwise'; expected none, headwise or elementwise}}
  // expected-error @+1 {{failed to parse Rescale_GateKindAttr parameter 'value'}}
  %0 = rescale.attention %q, %k, %v {gate_kind = #rescale.gate_kind<rowwise>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @softmax_unknown(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+2 {{unknown softmax 'sparsemax'; expected standard, off_by_one, learned_sink or sigmoid}}
  // expected-error @+1 {{failed to parse Rescale_SoftmaxKindAttr parameter 'value'}}
  %0 = rescale.attention %q, %k, %v {softmax = #rescale.softmax<sparsemax>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

// `causal` is a unit attribute: present means causal. The bool spellings are
// rejected where they are written.
func.func @causal_bool(%q: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'rescale.attention' op attribute 'causal' failed to satisfy constraint: unit attribute}}
  %0 = rescale.attention %q, %q, %q {causal = true} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @causal_bool_generic(%q: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{Invalid attribute `causal` in property conversion: false}}
  %0 = "rescale.attention"(%q, %q, %q) <{causal = false}> : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}
