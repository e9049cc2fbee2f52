// The CPU decomposition of attention's saved statistic and backward
// (conversion/RescaleToLinalg/AttentionGradToLinalg.cpp): every op of
// Inputs/attention-grad.mlir becomes linalg on tensors with no rescale op
// left; lse is m + log Z with −inf for an empty row, the probabilities are
// exp(s − lse) (no second max or sum in the backward), and narrow gradients
// are rounded once, inside a generic. The numbers are checked through the
// rule that emits these ops: test/autodiff/attention.test and
// rescale-ops-narrow.test.
// RUN: rescale-opt %S/../Inputs/attention-grad.mlir --convert-rescale-to-linalg | FileCheck %s
// RUN: rescale-opt %S/../Inputs/attention-grad.mlir --convert-rescale-to-linalg --canonicalize | FileCheck %s --check-prefix=NORESCALE

// NORESCALE-NOT: rescale.

// CHECK-LABEL: func.func @attention_lse(
// CHECK:         arith.maximumf
// CHECK:         math.exp
// CHECK:         math.log
// CHECK:         arith.select
// CHECK:         return

// CHECK-LABEL: func.func @attention_lse_causal_sinks_bf16(
// CHECK:         linalg.index 3
// CHECK:         math.log
// CHECK:         return

// CHECK-LABEL: func.func @attention_grad(
// CHECK-NOT:     arith.maximumf
// CHECK-NOT:     math.log
// CHECK:         math.exp
// CHECK:         return

// CHECK-LABEL: func.func @attention_grad_headwise_sinks_bf16(
// CHECK-NOT:     rescale.
// CHECK:         arith.truncf %{{.+}} : f32 to bf16
// CHECK:         return

// CHECK-LABEL: func.func @attention_grad_elementwise_f16(
// CHECK-NOT:     rescale.
// CHECK:         arith.truncf %{{.+}} : f32 to f16
// CHECK:         return
