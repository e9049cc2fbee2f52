// The one TOSA->linalg sequence (pipelines/Pipelines.cpp, buildTosaToLinalg):
// registered as rescale-tosa-to-linalg for --rescale-raise, and the first
// step of the CPU and NVPTX pipelines.
// RUN: rescale-opt %s --rescale-tosa-to-linalg | FileCheck %s
// RUN: rescale-opt %s --rescale-tosa-to-linalg --rescale-raise | FileCheck %s --check-prefix=RAISED
// RUN: not rescale-opt %s --pass-pipeline='builtin.module(func.func(rescale-tosa-to-linalg))' 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not rescale-opt %s --pass-pipeline='builtin.module(rescale-tosa-to-linalg{fast=1})' 2>&1 | FileCheck %s --check-prefix=OPTIONS

// CHECK-LABEL: func.func @rms_norm_tosa
// CHECK-NOT: tosa.
// CHECK: linalg.generic
// CHECK-NOT: tosa.
// RAISED-LABEL: func.func @rms_norm_tosa
// RAISED: rescale.rms_norm
// RAISED-NOT: tosa.
// NESTED: rescale-tosa-to-linalg lowers a whole module and must run on 'builtin.module', not nested on 'func.func'
// NESTED-NOT: LLVM ERROR
// OPTIONS: rescale-tosa-to-linalg takes no options
func.func @rms_norm_tosa(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %invd = "tosa.const"() <{values = dense<0.125> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %eps = "tosa.const"() <{values = dense<1.0e-6> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %w = "tosa.const"() <{values = dense<[[1.0, 2.0, 0.5, 1.5, 1.0, 0.25, 3.0, 1.0]]> : tensor<1x8xf32>}> : () -> tensor<1x8xf32>
  %sq = tosa.mul %x, %x, %shift : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  %sum = tosa.reduce_sum %sq {axis = 1 : i32} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %ms = tosa.mul %sum, %invd, %shift : (tensor<4x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<4x1xf32>
  %a = tosa.add %ms, %eps : (tensor<4x1xf32>, tensor<1x1xf32>) -> tensor<4x1xf32>
  %r = tosa.rsqrt %a : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %n = tosa.mul %x, %r, %shift : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  %y = tosa.mul %n, %w, %shift : (tensor<4x8xf32>, tensor<1x8xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
