// RUN: rescale-opt %s --split-input-file --canonicalize | FileCheck %s

// The bounds of rescale.quantize's folder (dialect/QuantizeFold.cpp); its
// numerics are checked against the run-time path in quantize-fold.test.

// A splat of 2^32 elements folds as one value: a splat of codes and one of
// scales (it is never expanded).
// CHECK-LABEL: func.func @huge_splat
// CHECK-NOT: rescale.quantize
// CHECK-DAG: arith.constant dense<127> : tensor<65536x65536xi8>
// CHECK-DAG: arith.constant dense<0.00393700786> : tensor<65536x1xf32>
func.func @huge_splat() -> (tensor<65536x65536xi8>, tensor<65536x1xf32>) {
  %w = arith.constant dense<0.5> : tensor<65536x65536xf32>
  %q, %s = rescale.quantize %w {scheme = #rescale.quant<int8, per_channel>} : (tensor<65536x65536xf32>) -> (tensor<65536x65536xi8>, tensor<65536x1xf32>)
  return %q, %s : tensor<65536x65536xi8>, tensor<65536x1xf32>
}

// -----

// nvfp4 per token on a splat: every row has the same global scale.
// CHECK-LABEL: func.func @splat_nvfp4_token
// CHECK-NOT: rescale.quantize
// CHECK-DAG: arith.constant dense<{{.+}}> : tensor<4x32xf4E2M1FN>
// CHECK-DAG: arith.constant dense<{{.+}}> : tensor<4x2xf8E4M3FN>
// CHECK-DAG: arith.constant dense<{{.+}}> : tensor<4x1xf32>
func.func @splat_nvfp4_token() -> (tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<4x1xf32>) {
  %w = arith.constant dense<-1.5> : tensor<4x32xf32>
  %q, %s, %g = rescale.quantize %w {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<4x32xf32>) -> (tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<4x1xf32>)
  return %q, %s, %g : tensor<4x32xf4E2M1FN>, tensor<4x2xf8E4M3FN>, tensor<4x1xf32>
}

// -----

// Zero-size tensors fold as at run time: rows of no elements have amax 0 and
// scale 1; a dimension of 0 blocks has no scales.
// CHECK-LABEL: func.func @zero_size
// CHECK-NOT: rescale.quantize
// CHECK-DAG: arith.constant dense<1.000000e+00> : tensor<3x1xf32>
// CHECK-DAG: arith.constant dense<> : tensor<0x1xf8E8M0FNU>
func.func @zero_size() -> (tensor<3x0xi8>, tensor<3x1xf32>, tensor<0x32xf4E2M1FN>, tensor<0x1xf8E8M0FNU>) {
  %a = arith.constant dense<> : tensor<3x0xf32>
  %q0, %s0 = rescale.quantize %a {scheme = #rescale.quant<int8, per_token>} : (tensor<3x0xf32>) -> (tensor<3x0xi8>, tensor<3x1xf32>)
  %b = arith.constant dense<> : tensor<0x32xf32>
  %q1, %s1 = rescale.quantize %b {scheme = #rescale.quant<mxfp4>} : (tensor<0x32xf32>) -> (tensor<0x32xf4E2M1FN>, tensor<0x1xf8E8M0FNU>)
  return %q0, %s0, %q1, %s1 : tensor<3x0xi8>, tensor<3x1xf32>, tensor<0x32xf4E2M1FN>, tensor<0x1xf8E8M0FNU>
}

// -----

// A NaN or an infinity is left to run time (the decomposition propagates a
// NaN through its max; the folder does not guess).
// CHECK-LABEL: func.func @non_finite
// CHECK-COUNT-2: rescale.quantize
func.func @non_finite() -> (tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x4xi8>, tensor<2x1xf32>) {
  %n = arith.constant dense<[[1.0, 0x7FC00000, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %q0, %s0 = rescale.quantize %n {scheme = #rescale.quant<int8, per_token>} : (tensor<2x4xf32>) -> (tensor<2x4xi8>, tensor<2x1xf32>)
  %i = arith.constant dense<[[1.0, 0x7F800000, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %q1, %s1 = rescale.quantize %i {scheme = #rescale.quant<int8, per_token>} : (tensor<2x4xf32>) -> (tensor<2x4xi8>, tensor<2x1xf32>)
  return %q0, %s0, %q1, %s1 : tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x4xi8>, tensor<2x1xf32>
}
