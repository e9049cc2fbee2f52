// The chunked decomposition of the gated delta rule and its backward
// (conversion/RescaleToLinalg/GatedDeltaRuleToLinalg.cpp, docs/linear-attention.md):
// operands read as f32 and padded with zero tokens to whole chunks (T = 130:
// three chunks of 44), one scf.forall iteration per (batch, value head)
// around a sequential loop over the chunks, the forward substitution over
// the 44 rows of a chunk; the backward first saves the state at the start
// of each chunk, then walks the chunks again carrying dS, with the forward
// and the transposed substitution; dq and dk sum the two value heads of each
// key head. The numbers are checked against the float64 recurrence in
// test/autodiff/gated-delta-rule.test.
// RUN: rescale-opt %S/../Inputs/gated-delta-rule.mlir --convert-rescale-to-linalg | FileCheck %s
// Every product is an sgemm call through the CPU pipeline (6 in the
// forward; 3 + 4 + 13 in the backward's two passes):
// RUN: rescale-opt %S/../Inputs/gated-delta-rule.mlir --rescale-lower-to-cpu | FileCheck %s --check-prefix=BLAS

// CHECK-LABEL: func.func @forward(
// CHECK:         tensor.pad {{.+}} high[0, 2, 0, 0]
// CHECK:         scf.forall ({{.+}}) in (1, 4) shared_outs({{.+}}) -> (tensor<1x132x4x3xf32>)
// CHECK:           scf.for {{.+}} to %c3 {{.+}} -> (tensor<8x3xf32>, tensor<132x3xf32>)
// CHECK:             scf.for {{.+}} to %c44{{.*}} {{.+}} -> (tensor<44x3xf32>)
// CHECK:         tensor.extract_slice {{.+}}[0, 0, 0, 0] [1, 130, 4, 3]
// CHECK:         arith.truncf {{.+}} to bf16
// CHECK:         return

// CHECK-LABEL: func.func @backward(
// CHECK:         scf.forall ({{.+}}) in (1, 4) shared_outs(
// CHECK:           scf.for {{.+}} to %c3 {{.+}} -> (tensor<8x3xf32>, tensor<3x8x3xf32>)
// CHECK:           scf.for {{.+}} to %c3 {{.+}} -> (tensor<8x3xf32>, tensor<132x8xf32>, tensor<132x8xf32>, tensor<132x3xf32>, tensor<132xf32>, tensor<132xf32>)
// CHECK:             scf.for {{.+}} to %c44
// CHECK:             scf.for {{.+}} to %c44
// CHECK:         tensor.expand_shape {{.+}} into tensor<1x132x2x2x8xf32>
// CHECK:         tensor.expand_shape {{.+}} into tensor<1x132x2x2x8xf32>
// CHECK:         return

// CHECK-LABEL: func.func @empty(
// CHECK-NOT:     scf.forall
// CHECK:         linalg.fill
// CHECK:         return

// BLAS-COUNT-26: llvm.call @cblas_sgemm
// BLAS-NOT:      llvm.call @cblas_sgemm
