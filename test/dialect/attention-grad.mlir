// Round trip of attention's saved statistic and fused backward
// (rescale.attention_lse, rescale.attention_grad): custom form, through the
// generic form and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @lse_causal_gqa
// CHECK: rescale.attention_lse %{{.+}}, %{{.+}} {causal, scale = 2.500000e-01 : f32}
// CHECK-SAME: : (tensor<1x4x3x8xbf16>, tensor<1x2x5x8xbf16>) -> tensor<1x4x3xf32>
func.func @lse_causal_gqa(%q: tensor<1x4x3x8xbf16>, %k: tensor<1x2x5x8xbf16>) -> tensor<1x4x3xf32> {
  %l = rescale.attention_lse %q, %k {causal, scale = 0.25 : f32} : (tensor<1x4x3x8xbf16>, tensor<1x2x5x8xbf16>) -> tensor<1x4x3xf32>
  return %l : tensor<1x4x3xf32>
}

// CHECK-LABEL: func.func @lse_sinks
// CHECK: rescale.attention_lse %{{.+}}, %{{.+}}, %{{.+}} {softmax = #rescale.softmax<learned_sink>}
func.func @lse_sinks(%q: tensor<2x2x3x4xf32>, %k: tensor<2x1x4x4xf32>, %s: tensor<2xf32>) -> tensor<2x2x3xf32> {
  %l = rescale.attention_lse %q, %k, %s {softmax = #rescale.softmax<learned_sink>} : (tensor<2x2x3x4xf32>, tensor<2x1x4x4xf32>, tensor<2xf32>) -> tensor<2x2x3xf32>
  return %l : tensor<2x2x3xf32>
}

// CHECK-LABEL: func.func @grad_plain
// CHECK: %dq, %dk, %dv = rescale.attention_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} :
// CHECK-SAME: -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
func.func @grad_plain(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>) {
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return %dq, %dk, %dv : tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>
}

// Gate and sinks: five gradients, each of its operand's type (an f32 sink
// beside bf16 activations).
// CHECK-LABEL: func.func @grad_gate_sinks
// CHECK: %dq, %dk, %dv, %dgate_and_dsinks:2 = rescale.attention_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>}
// CHECK-SAME: -> (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>)
func.func @grad_gate_sinks(%q: tensor<1x4x3x4xbf16>, %k: tensor<1x2x5x4xbf16>, %v: tensor<1x2x5x2xbf16>, %lse: tensor<1x4x3xf32>, %dout: tensor<1x4x3x2xbf16>, %g: tensor<1x4x3xbf16>, %s: tensor<4xf32>) -> tensor<4xf32> {
  %dq, %dk, %dv, %dg, %ds = rescale.attention_grad %q, %k, %v, %lse, %dout, %g, %s {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xf32>, tensor<1x4x3x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>) -> (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>)
  return %ds : tensor<4xf32>
}
