// RUN: rescale-opt %s --split-input-file --rescale-fuse-attention | FileCheck %s

// Elementwise output gate (§3.2): attention(q, k, v) ⊙ σ(g), g [B,H,S,Dv].
// CHECK-LABEL: func.func @attention_elementwise_gate
// CHECK-SAME: (%[[Q:.+]]: tensor<1x4x8x16xf32>, %[[K:.+]]: tensor<1x2x8x16xf32>, %[[V:.+]]: tensor<1x2x8x16xf32>, %[[G:.+]]: tensor<1x4x8x16xf32>)
// CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]], %[[G]] {causal, gate_kind = #rescale.gate_kind<elementwise>}
// CHECK-NEXT: return %[[O]]
func.func @attention_elementwise_gate(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %g: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x8x16xf32>
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  %n = arith.negf %g : tensor<1x4x8x16xf32>
  %e = math.exp %n : tensor<1x4x8x16xf32>
  %d = arith.addf %one, %e : tensor<1x4x8x16xf32>
  %s = arith.divf %one, %d : tensor<1x4x8x16xf32>
  %out = arith.mulf %o, %s : tensor<1x4x8x16xf32>
  return %out : tensor<1x4x8x16xf32>
}

// -----

// Headwise gate: one logit per (batch, head, query), broadcast over Dv and
// applied in one generic.
#id = affine_map<(b, h, s, d) -> (b, h, s, d)>
#head = affine_map<(b, h, s, d) -> (b, h, s)>
// CHECK-LABEL: func.func @attention_headwise_gate
// CHECK-SAME: (%[[Q:.+]]: tensor<1x4x8x16xbf16>, %[[K:.+]]: tensor<1x4x8x16xbf16>, %[[V:.+]]: tensor<1x4x8x16xbf16>, %[[G:.+]]: tensor<1x4x8xbf16>)
// CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]], %[[G]] {gate_kind = #rescale.gate_kind<headwise>, scale = 1.250000e-01 : f32}
// CHECK-NEXT: return %[[O]]
func.func @attention_headwise_gate(%q: tensor<1x4x8x16xbf16>, %k: tensor<1x4x8x16xbf16>, %v: tensor<1x4x8x16xbf16>, %g: tensor<1x4x8xbf16>) -> tensor<1x4x8x16xbf16> {
  %o = rescale.attention %q, %k, %v {scale = 0.125 : f32} : (tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>, tensor<1x4x8x16xbf16>) -> tensor<1x4x8x16xbf16>
  %e = tensor.empty() : tensor<1x4x8x16xbf16>
  %out = linalg.generic {indexing_maps = [#id, #head, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %g : tensor<1x4x8x16xbf16>, tensor<1x4x8xbf16>) outs(%e : tensor<1x4x8x16xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %c: bf16):
    %bf = arith.extf %b : bf16 to f32
    %af = arith.extf %a : bf16 to f32
    %one = arith.constant 1.0 : f32
    %n = arith.negf %bf : f32
    %x = math.exp %n : f32
    %d = arith.addf %one, %x : f32
    %s = arith.divf %af, %d : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<1x4x8x16xbf16>
  return %out : tensor<1x4x8x16xbf16>
}

// -----

// Near-miss: a tanh gate is not the sigmoid output gate.
// CHECK-LABEL: func.func @not_attention_gate_tanh
// CHECK: rescale.attention %{{.+}}, %{{.+}}, %{{.+}} :
// CHECK: math.tanh
func.func @not_attention_gate_tanh(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %o = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %t = math.tanh %g : tensor<1x4x8x16xf32>
  %out = arith.mulf %o, %t : tensor<1x4x8x16xf32>
  return %out : tensor<1x4x8x16xf32>
}

// -----

// Near-miss: the ungated output is also returned, so it must stay.
// CHECK-LABEL: func.func @not_attention_gate_output_used_twice
// CHECK-NOT: gate_kind
func.func @not_attention_gate_output_used_twice(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  %one = arith.constant dense<1.0> : tensor<1x4x8x16xf32>
  %o = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %n = arith.negf %g : tensor<1x4x8x16xf32>
  %e = math.exp %n : tensor<1x4x8x16xf32>
  %d = arith.addf %one, %e : tensor<1x4x8x16xf32>
  %out = arith.divf %o, %d : tensor<1x4x8x16xf32>
  return %out, %o : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// -----

// Gated attention in the projection layout (Qwen3-Next style): the output
// is transposed to [B, S, H, Dv], flattened to [B, S, H·Dv], and gated by
// σ(x W_θ) computed in that layout. The gate moves into the op's layout.
// CHECK-LABEL: func.func @attention_gate_sequence_layout
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x8xf32>, %[[K:.+]]: tensor<1x2x4x8xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>, %[[G:.+]]: tensor<1x4x16xf32>)
// CHECK: %[[G4:.+]] = tensor.expand_shape %[[G]] {{\[}}[0], [1], [2, 3]] output_shape [1, 4, 2, 8]
// CHECK: %[[GT:.+]] = linalg.transpose ins(%[[G4]] : tensor<1x4x2x8xf32>) {{.*}} permutation = [0, 2, 1, 3]
// CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]], %[[GT]] {causal, gate_kind = #rescale.gate_kind<elementwise>}
// CHECK: %[[OT:.+]] = linalg.transpose ins(%[[O]]
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[OT]]
// CHECK-NEXT: return %[[R]]
func.func @attention_gate_sequence_layout(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x16xf32>) -> tensor<1x4x16xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x16xf32>
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %f = tensor.collapse_shape %t [[0], [1], [2, 3]] : tensor<1x4x2x8xf32> into tensor<1x4x16xf32>
  %n = arith.negf %g : tensor<1x4x16xf32>
  %x = math.exp %n : tensor<1x4x16xf32>
  %d = arith.addf %one, %x : tensor<1x4x16xf32>
  %out = arith.divf %f, %d : tensor<1x4x16xf32>
  return %out : tensor<1x4x16xf32>
}

// -----

// Headwise gate in the [B, S, H, Dv] layout: attn.transpose(1, 2) *
// sigmoid(gate).unsqueeze(-1). The gate is transposed into the op's
// [B, H, S] layout and the output transposed back.
// CHECK-LABEL: func.func @headwise_gate_transposed_layout
// CHECK-SAME: %[[G:[^:]+]]: tensor<1x4x2xf32>)
// CHECK: %[[GT:.+]] = linalg.transpose ins(%[[G]] : tensor<1x4x2xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK: %[[A:.+]] = rescale.attention %{{.+}}, %{{.+}}, %{{.+}}, %[[GT]] {causal, gate_kind = #rescale.gate_kind<headwise>}
// CHECK: %[[B:.+]] = linalg.transpose ins(%[[A]] : tensor<1x2x4x8xf32>) {{.*}} permutation = [0, 2, 1, 3]
// CHECK-NOT: math.exp
// CHECK: return %[[B]]
func.func @headwise_gate_transposed_layout(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x2xf32>) -> tensor<1x4x2x8xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x2xf32>
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %n = arith.negf %g : tensor<1x4x2xf32>
  %x = math.exp %n : tensor<1x4x2xf32>
  %d = arith.addf %one, %x : tensor<1x4x2xf32>
  %s = arith.divf %one, %d : tensor<1x4x2xf32>
  %s4 = tensor.expand_shape %s [[0], [1], [2, 3]] output_shape [1, 4, 2, 1] : tensor<1x4x2xf32> into tensor<1x4x2x1xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, s, h, d) -> (b, s, h, d)>, affine_map<(b, s, h, d) -> (b, s, h, 0)>, affine_map<(b, s, h, d) -> (b, s, h, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %s4 : tensor<1x4x2x8xf32>, tensor<1x4x2x1xf32>) outs(%e : tensor<1x4x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x2x8xf32>
  return %m : tensor<1x4x2x8xf32>
}

// -----

// Near-miss: a [B, S, Dv] gate (per position and channel, shared by the
// heads) fits neither gate kind of the op.
// CHECK-LABEL: func.func @not_fused_gate_shared_by_heads
// CHECK: rescale.attention %{{[^,]+}}, %{{[^,]+}}, %{{[^,]+}} :
// CHECK: math.exp
func.func @not_fused_gate_shared_by_heads(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x2x8xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x8xf32>
  %o = rescale.attention %q, %k, %v : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %n = arith.negf %g : tensor<1x4x8xf32>
  %x = math.exp %n : tensor<1x4x8xf32>
  %d = arith.addf %one, %x : tensor<1x4x8xf32>
  %s = arith.divf %one, %d : tensor<1x4x8xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, s, h, d) -> (b, s, h, d)>, affine_map<(b, s, h, d) -> (b, s, d)>, affine_map<(b, s, h, d) -> (b, s, h, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %s : tensor<1x4x2x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x2x8xf32>
  return %m : tensor<1x4x2x8xf32>
}
