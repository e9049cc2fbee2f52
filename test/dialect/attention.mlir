// Round trip of rescale.attention (custom form, through the generic form and
// bytecode, and --verify-roundtrip): every gate_kind, every softmax, causal as
// a unit or bool attribute, explicit and default scale, GQA, element types.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// Plain softmax attention, no gate, no sinks, scale = 1/sqrt(D) by default.
// CHECK-LABEL: func.func @attention_standard
// CHECK-SAME: (%[[Q:.+]]: tensor<1x4x8x16xf32>, %[[K:.+]]: tensor<1x4x8x16xf32>, %[[V:.+]]: tensor<1x4x8x16xf32>)
func.func @attention_standard(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]] : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  // CHECK: return %[[O]]
  %0 = rescale.attention %q, %k, %v : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// `causal` is a unit attribute (absent: not causal); an explicit scale in
// f32 and in f64.
// CHECK-LABEL: func.func @attention_causal_and_scale
func.func @attention_causal_and_scale(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  // CHECK: rescale.attention %{{.+}} {causal, scale = 1.250000e-01 : f32}
  %0 = rescale.attention %q, %k, %v {causal, scale = 0.125 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  // CHECK: rescale.attention %{{.+}} {causal, scale = 5.000000e-01 : f64}
  %1 = rescale.attention %q, %k, %v {causal, scale = 0.5} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  // CHECK: rescale.attention %{{.+}} : (tensor
  %2 = rescale.attention %q, %k, %v {} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0, %1, %2 : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// Causal attention with fewer queries than keys (decode with a KV cache):
// key j is kept for query i iff j <= i + (T - S).
// CHECK-LABEL: func.func @attention_causal_decode
func.func @attention_causal_decode(%q: tensor<2x4x1x16xf32>, %k: tensor<2x4x32x16xf32>, %v: tensor<2x4x32x16xf32>) -> tensor<2x4x1x16xf32> {
  // CHECK: rescale.attention {{.+}} {causal} : (tensor<2x4x1x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>) -> tensor<2x4x1x16xf32>
  %0 = rescale.attention %q, %k, %v {causal} : (tensor<2x4x1x16xf32>, tensor<2x4x32x16xf32>, tensor<2x4x32x16xf32>) -> tensor<2x4x1x16xf32>
  return %0 : tensor<2x4x1x16xf32>
}

// Grouped-query attention: 8 query heads read 2 kv heads; Dv (32) differs
// from D (16).
// CHECK-LABEL: func.func @attention_gqa_with_value_dim
func.func @attention_gqa_with_value_dim(%q: tensor<1x8x16x16xbf16>, %k: tensor<1x2x24x16xbf16>, %v: tensor<1x2x24x32xbf16>) -> tensor<1x8x16x32xbf16> {
  // CHECK: rescale.attention {{.+}} : (tensor<1x8x16x16xbf16>, tensor<1x2x24x16xbf16>, tensor<1x2x24x32xbf16>) -> tensor<1x8x16x32xbf16>
  %0 = rescale.attention %q, %k, %v : (tensor<1x8x16x16xbf16>, tensor<1x2x24x16xbf16>, tensor<1x2x24x32xbf16>) -> tensor<1x8x16x32xbf16>
  return %0 : tensor<1x8x16x32xbf16>
}

// Headwise gate (§3.2): one gate logit per (batch, head, query), [B, Hq, S].
// CHECK-LABEL: func.func @attention_headwise_gate
// CHECK-SAME: %[[G:[^:]+]]: tensor<1x8x16xbf16>
func.func @attention_headwise_gate(%q: tensor<1x8x16x64xbf16>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>, %g: tensor<1x8x16xbf16>) -> tensor<1x8x16x64xbf16> {
  // CHECK: rescale.attention %{{.+}}, %{{.+}}, %{{.+}}, %[[G]] {causal, gate_kind = #rescale.gate_kind<headwise>}
  // CHECK-SAME: : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x8x16xbf16>) -> tensor<1x8x16x64xbf16>
  %0 = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x8x16xbf16>) -> tensor<1x8x16x64xbf16>
  return %0 : tensor<1x8x16x64xbf16>
}

// Elementwise gate, [B, Hq, S, Dv], here in f32 under f16 attention.
// CHECK-LABEL: func.func @attention_elementwise_gate
func.func @attention_elementwise_gate(%q: tensor<2x4x8x16xf16>, %k: tensor<2x4x8x16xf16>, %v: tensor<2x4x8x16xf16>, %g: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf16> {
  // CHECK: rescale.attention {{.+}} {gate_kind = #rescale.gate_kind<elementwise>}
  // CHECK-SAME: : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf16>
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<elementwise>} : (tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf16>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf16>
  return %0 : tensor<2x4x8x16xf16>
}

// `gate_kind = none` spelled out is the default and is not printed.
// CHECK-LABEL: func.func @attention_gate_kind_none
func.func @attention_gate_kind_none(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: rescale.attention %{{[^{]+}} : (tensor<1x4x8x16xf32>
  %0 = rescale.attention %q, %k, %v {gate_kind = #rescale.gate_kind<none>, softmax = #rescale.softmax<standard>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// Off-by-one softmax: an implicit zero logit in the denominator.
// CHECK-LABEL: func.func @attention_off_by_one
func.func @attention_off_by_one(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: rescale.attention {{.+}} {softmax = #rescale.softmax<off_by_one>}
  %0 = rescale.attention %q, %k, %v {softmax = #rescale.softmax<off_by_one>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// Learned sink (GPT-OSS): sinks [Hq] is the operand after q, k, v.
// CHECK-LABEL: func.func @attention_learned_sink
// CHECK-SAME: %[[S:[^:]+]]: tensor<8xf32>
func.func @attention_learned_sink(%q: tensor<1x8x16x64xbf16>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>, %s: tensor<8xf32>) -> tensor<1x8x16x64xbf16> {
  // CHECK: rescale.attention %{{.+}}, %{{.+}}, %{{.+}}, %[[S]] {causal, softmax = #rescale.softmax<learned_sink>}
  %0 = rescale.attention %q, %k, %v, %s {causal, softmax = #rescale.softmax<learned_sink>} : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<8xf32>) -> tensor<1x8x16x64xbf16>
  return %0 : tensor<1x8x16x64xbf16>
}

// Gate and sinks together: the gate comes first, then the sinks.
// CHECK-LABEL: func.func @attention_gate_and_sinks
// CHECK-SAME: %[[G:[^:]+]]: tensor<1x8x16x64xbf16>, %[[S:[^:]+]]: tensor<8xbf16>
func.func @attention_gate_and_sinks(%q: tensor<1x8x16x64xbf16>, %k: tensor<1x2x16x64xbf16>, %v: tensor<1x2x16x64xbf16>, %g: tensor<1x8x16x64xbf16>, %s: tensor<8xbf16>) -> tensor<1x8x16x64xbf16> {
  // CHECK: rescale.attention %{{.+}}, %{{.+}}, %{{.+}}, %[[G]], %[[S]] {gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<learned_sink>}
  %0 = rescale.attention %q, %k, %v, %g, %s {gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x8x16x64xbf16>, tensor<8xbf16>) -> tensor<1x8x16x64xbf16>
  return %0 : tensor<1x8x16x64xbf16>
}

// Headwise gate with the off-by-one softmax.
// CHECK-LABEL: func.func @attention_headwise_off_by_one
func.func @attention_headwise_off_by_one(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: rescale.attention {{.+}} {gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<off_by_one>}
  %0 = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<off_by_one>} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// Dynamic batch and sequence lengths.
// CHECK-LABEL: func.func @attention_dynamic
func.func @attention_dynamic(%q: tensor<?x4x?x16xf32>, %k: tensor<?x4x?x16xf32>, %v: tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32> {
  // CHECK: rescale.attention {{.+}} : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  %0 = rescale.attention %q, %k, %v : (tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>, tensor<?x4x?x16xf32>) -> tensor<?x4x?x16xf32>
  return %0 : tensor<?x4x?x16xf32>
}
