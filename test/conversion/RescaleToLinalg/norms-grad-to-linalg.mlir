// The CPU decomposition of the norms' backward ops
// (conversion/RescaleToLinalg/NormsGradToLinalg.cpp): every op of Inputs/norms-grad.mlir
// becomes linalg on tensors with no rescale op left, computing in f32 and
// rounding each gradient once, inside a generic (a narrow gradient ends in
// one scalar truncf, never a tensor-level one the NVPTX path cannot take).
// The numbers are checked through the rules that emit these ops:
// test/autodiff/rescale-ops.test, rescale-ops-narrow.test, decoder*.test.
// RUN: rescale-opt %S/../Inputs/norms-grad.mlir --convert-rescale-to-linalg | FileCheck %s
// RUN: rescale-opt %S/../Inputs/norms-grad.mlir --convert-rescale-to-linalg --canonicalize | FileCheck %s --check-prefix=NORESCALE

// NORESCALE-NOT: rescale.

// CHECK-LABEL: func.func @rms_norm_grad(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @rms_norm_grad_bf16(
// CHECK-NOT:     rescale.
// CHECK:         math.rsqrt
// CHECK:         arith.truncf %{{.+}} : f32 to bf16
// CHECK:         return

// CHECK-LABEL: func.func @preaffine_rms_norm_grad(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @add_rms_norm_grad(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @gated_norm_grad_sigmoid(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @gated_norm_grad_tanh(
// CHECK-NOT:     rescale.
// CHECK:         math.tanh
// CHECK:         return

// CHECK-LABEL: func.func @gated_norm_grad_silu(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @gated_norm_grad_identity(
// CHECK-NOT:     rescale.
// CHECK:         return

// CHECK-LABEL: func.func @gated_norm_grad_tensorwise_bf16(
// CHECK-NOT:     rescale.
// CHECK:         tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<4x1xf32> into tensor<4xf32>
// CHECK:         tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [4, 1] : tensor<4xf32> into tensor<4x1xf32>
// CHECK:         return
