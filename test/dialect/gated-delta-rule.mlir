// Round trip of the gated delta rule and its fused backward
// (dialect/RescaleLinearAttentionOps.td): custom form, through the generic
// form and bytecode, and --verify-roundtrip.
// RUN: rescale-opt %s --verify-roundtrip | FileCheck %s
// RUN: rescale-opt %s | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --mlir-print-op-generic | rescale-opt | FileCheck %s
// RUN: rescale-opt %s --emit-bytecode | rescale-opt | FileCheck %s

// CHECK-LABEL: func.func @gqa_bf16
// CHECK: rescale.gated_delta_rule %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} :
// CHECK-SAME: (tensor<2x100x2x16xbf16>, tensor<2x100x2x16xbf16>, tensor<2x100x4x8xbf16>, tensor<2x100x4xf32>, tensor<2x100x4xbf16>) -> tensor<2x100x4x8xbf16>
func.func @gqa_bf16(%q: tensor<2x100x2x16xbf16>, %k: tensor<2x100x2x16xbf16>, %v: tensor<2x100x4x8xbf16>, %g: tensor<2x100x4xf32>, %b: tensor<2x100x4xbf16>) -> tensor<2x100x4x8xbf16> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<2x100x2x16xbf16>, tensor<2x100x2x16xbf16>, tensor<2x100x4x8xbf16>, tensor<2x100x4xf32>, tensor<2x100x4xbf16>) -> tensor<2x100x4x8xbf16>
  return %o : tensor<2x100x4x8xbf16>
}

// CHECK-LABEL: func.func @grad
// CHECK: rescale.gated_delta_rule_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} :
// CHECK-SAME: -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>)
func.func @grad(%q: tensor<1x5x1x3xf32>, %k: tensor<1x5x1x3xf32>, %v: tensor<1x5x2x7xf32>, %g: tensor<1x5x2xf32>, %b: tensor<1x5x2xf32>, %do: tensor<1x5x2x7xf32>) -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>) {
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>, tensor<1x5x2x7xf32>) -> (tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>)
  return %dq, %dk, %dv, %dg, %db : tensor<1x5x1x3xf32>, tensor<1x5x1x3xf32>, tensor<1x5x2x7xf32>, tensor<1x5x2xf32>, tensor<1x5x2xf32>
}

// Dynamic sizes verify (the decomposition reports them).
// CHECK-LABEL: func.func @dynamic
func.func @dynamic(%q: tensor<?x?x2x4xf32>, %k: tensor<?x?x2x4xf32>, %v: tensor<?x?x4x4xf32>, %g: tensor<?x?x4xf32>, %b: tensor<?x?x4xf32>) -> tensor<?x?x4x4xf32> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<?x?x2x4xf32>, tensor<?x?x2x4xf32>, tensor<?x?x4x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4x4xf32>
  return %o : tensor<?x?x4x4xf32>
}
