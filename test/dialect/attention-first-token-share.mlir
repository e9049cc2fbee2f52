// RUN: rescale-opt %s --split-input-file --verify-diagnostics | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @gqa_causal
// CHECK: rescale.attention_first_token_share %{{.+}}, %{{.+}} {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>) -> tensor<2x8xf32>
func.func @gqa_causal(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x32x64xbf16>) -> tensor<2x8xf32> {
  %s = rescale.attention_first_token_share %q, %k {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>) -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @sinks_without_learned_sink(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %s: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'rescale.attention_first_token_share' op a 'sinks' operand needs softmax = learned_sink}}
  %r = rescale.attention_first_token_share %q, %k, %s : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @learned_sink_without_sinks(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{softmax = learned_sink needs a 'sinks' operand of shape [Hq]}}
  %r = rescale.attention_first_token_share %q, %k {softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @wrong_result_shape(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'result' must have shape [1, 4] ([B, Hq]), but has shape [4]}}
  %r = rescale.attention_first_token_share %q, %k : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @heads_not_grouped(%q: tensor<1x3x8x16xf32>, %k: tensor<1x2x8x16xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{grouped-query attention needs the query heads (3) to be a multiple of the kv heads (2)}}
  %r = rescale.attention_first_token_share %q, %k : (tensor<1x3x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x3xf32>
  return %r : tensor<1x3xf32>
}

// -----

func.func @bf16_result(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>) -> tensor<1x4xbf16> {
  // expected-error @+1 {{'result' must have element type f32, but has 'bf16'}}
  %r = rescale.attention_first_token_share %q, %k : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4xbf16>
  return %r : tensor<1x4xbf16>
}

// -----

// rescale.attention_first_token_output_share: the first key's share of the
// output reads v at the kv head of each query head.
// CHECK-LABEL: func.func @output_share_gqa
// CHECK: rescale.attention_first_token_output_share %{{.+}}, %{{.+}}, %{{.+}} {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>, tensor<2x2x32x48xbf16>) -> tensor<2x8xf32>
func.func @output_share_gqa(%q: tensor<2x8x16x64xbf16>, %k: tensor<2x2x32x64xbf16>, %v: tensor<2x2x32x48xbf16>) -> tensor<2x8xf32> {
  %s = rescale.attention_first_token_output_share %q, %k, %v {causal} : (tensor<2x8x16x64xbf16>, tensor<2x2x32x64xbf16>, tensor<2x2x32x48xbf16>) -> tensor<2x8xf32>
  return %s : tensor<2x8xf32>
}

// -----

func.func @output_share_v_length(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x7x16xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'v' must have shape [1, 4, 8, 16] (batch, kv heads and length of 'k'), but has shape [1, 4, 7, 16]}}
  %r = rescale.attention_first_token_output_share %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x7x16xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @output_share_v_type(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xbf16>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'v' must have the element type of 'q' ('f32'), but has 'bf16'}}
  %r = rescale.attention_first_token_output_share %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xbf16>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @output_share_v_rank(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<4x8x16xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{'v' must have rank 4}}
  %r = rescale.attention_first_token_output_share %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<4x8x16xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}

// -----

func.func @output_share_result(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4xf16> {
  // expected-error @+1 {{'result' must have element type f32, but has 'f16'}}
  %r = rescale.attention_first_token_output_share %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4xf16>
  return %r : tensor<1x4xf16>
}

// -----

func.func @output_share_learned_sink_without_sinks(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{softmax = learned_sink needs a 'sinks' operand of shape [Hq]}}
  %r = rescale.attention_first_token_output_share %q, %k, %v {softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
