// RUN: rescale-opt %s --split-input-file --rescale-fold-scales | FileCheck %s
// Nested under func.func the pass must not touch the module's symbol table
// (issue 16, class 3): a weight from a global folds into an arith.constant.
// RUN: rescale-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(rescale-fold-scales))' | FileCheck %s --check-prefix=NESTED

// (a) QK-norm after the q projection, constants: λ₁ scales W's rows and the
// bias at compile time; the op becomes rms_norm.
// CHECK-LABEL: func.func @fold_pre_scale_constant_linear
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>, %[[W:.+]]: tensor<4xf32>)
// CHECK-DAG: %[[WQ:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [-3.000000e+00, -4.000000e+00], [5.000000e-01, 1.000000e+00], [0.000000e+00, 0.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[2.000000e+00, -1.000000e+00, 5.000000e-01, 0.000000e+00]> : tensor<4xf32>
// CHECK: %[[H:.+]] = rescale.linear %[[X]], %[[WQ]], %[[B]]
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[H]], %[[W]]
// CHECK-NOT: preaffine
func.func @fold_pre_scale_constant_linear(%x: tensor<3x2xf32>, %w: tensor<4xf32>) -> tensor<3x4xf32> {
  %wq = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [5.0, 2.0]]> : tensor<4x2xf32>
  %b = arith.constant dense<[1.0, 1.0, 1.0, 1.0]> : tensor<4xf32>
  %l = arith.constant dense<[2.0, -1.0, 0.5, 0.0]> : tensor<4xf32>
  %h = rescale.linear %x, %wq, %b : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %y = rescale.preaffine_rms_norm %h, %l, %w : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// (a) with a weight that is a function argument: an explicit row scaling.
// CHECK-LABEL: func.func @fold_pre_scale_argument_weight
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>, %[[WQ:.+]]: tensor<4x2xbf16>, %[[L:.+]]: tensor<4xf32>, %[[W:.+]]: tensor<4xf32>)
// CHECK: %[[S:.+]] = linalg.generic {{.*}} ins(%[[WQ]], %[[L]] : tensor<4x2xbf16>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.truncf
// CHECK: %[[H:.+]] = rescale.linear %{{.+}}, %[[S]]
// CHECK: %[[HF:.+]] = arith.extf %[[H]]
// CHECK: rescale.rms_norm %[[HF]], %[[W]]
func.func @fold_pre_scale_argument_weight(%x: tensor<3x2xf32>, %wq: tensor<4x2xbf16>, %l: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<3x4xf32> {
  %xb = arith.truncf %x : tensor<3x2xf32> to tensor<3x2xbf16>
  %h = rescale.linear %xb, %wq : (tensor<3x2xbf16>, tensor<4x2xbf16>) -> tensor<3x4xbf16>
  %hf = arith.extf %h : tensor<3x4xbf16> to tensor<3x4xf32>
  %y = rescale.preaffine_rms_norm %hf, %l, %w : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// (b) every consumer is a linear: λ scales their weight columns, λ = 1.
// CHECK-LABEL: func.func @fold_post_scale_into_linears
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[WK:.+]]: tensor<2x4xf32>)
// CHECK-DAG: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK-DAG: %[[WQ:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]]> : tensor<1x4xf32>
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[ONES]]
// CHECK: rescale.linear %[[Y]], %[[WQ]]
// CHECK: %[[SK:.+]] = linalg.generic {{.*}} ins(%[[WK]], %{{.+}} : tensor<2x4xf32>, tensor<4xf32>)
// CHECK: rescale.linear %[[Y]], %[[SK]]
func.func @fold_post_scale_into_linears(%x: tensor<3x4xf32>, %wk: tensor<2x4xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>) {
  %lambda = arith.constant dense<[2.0, 1.0, 1.0, 1.0]> : tensor<4xf32>
  %wq = arith.constant dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>
  %y = rescale.rms_norm %x, %lambda : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %q = rescale.linear %y, %wq : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x1xf32>
  %k = rescale.linear %y, %wk : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return %q, %k : tensor<3x1xf32>, tensor<3x2xf32>
}

// -----

// (b) for gated_norm with weights in ml_program globals: λ goes into the
// consumer's columns and w_down's rows, both as new folded globals.
// CHECK-DAG: ml_program.global private @w_down_folded(dense<{{\[}}[2.000000e+00], [3.000000e+00]]> : tensor<2x1xf32>)
// CHECK-DAG: ml_program.global private @w_out_folded(dense<{{\[}}[2.000000e+00, 6.000000e+00]]> : tensor<1x2xf32>)
// CHECK-LABEL: func.func @fold_post_scale_gated_norm_globals
// CHECK: %[[WD:.+]] = ml_program.global_load_const @w_down_folded
// CHECK: %[[G:.+]] = rescale.gated_norm %{{.+}}, %{{.+}}, %[[WD]], %{{.+}}
// CHECK: %[[WO:.+]] = ml_program.global_load_const @w_out_folded
// CHECK: rescale.linear %[[G]], %[[WO]]
// NESTED-NOT: ml_program.global private @w_down_folded
// NESTED-LABEL: func.func @fold_post_scale_gated_norm_globals
// NESTED-DAG: %[[WD:.+]] = arith.constant dense<{{\[}}[2.000000e+00], [3.000000e+00]]> : tensor<2x1xf32>
// NESTED-DAG: %[[WO:.+]] = arith.constant dense<{{\[}}[2.000000e+00, 6.000000e+00]]> : tensor<1x2xf32>
// NESTED: %[[G:.+]] = rescale.gated_norm %{{.+}}, %{{.+}}, %[[WD]], %{{.+}}
// NESTED: rescale.linear %[[G]], %[[WO]]
ml_program.global private @lambda(dense<[2.0, 3.0]> : tensor<2xf32>) : tensor<2xf32>
ml_program.global private @w_down(dense<[[1.0], [1.0]]> : tensor<2x1xf32>) : tensor<2x1xf32>
ml_program.global private @w_up(dense<[[0.5, 0.5]]> : tensor<1x2xf32>) : tensor<1x2xf32>
ml_program.global private @w_out(dense<[[1.0, 2.0]]> : tensor<1x2xf32>) : tensor<1x2xf32>
func.func @fold_post_scale_gated_norm_globals(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  %l = ml_program.global_load_const @lambda : tensor<2xf32>
  %wd = ml_program.global_load_const @w_down : tensor<2x1xf32>
  %wu = ml_program.global_load_const @w_up : tensor<1x2xf32>
  %wo = ml_program.global_load_const @w_out : tensor<1x2xf32>
  %g = rescale.gated_norm %x, %l, %wd, %wu : (tensor<3x2xf32>, tensor<2xf32>, tensor<2x1xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  %o = rescale.linear %g, %wo : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %o : tensor<3x1xf32>
}

// -----

// Near-miss for (b): the norm output is also returned, so λ must stay; and
// for (a): the producing linear has a second use.
// CHECK-LABEL: func.func @no_fold_other_uses
// CHECK: rescale.preaffine_rms_norm %[[H:.+]], %{{.+}}, %[[L:.+]] :
// CHECK-NOT: dense<1.000000e+00>
func.func @no_fold_other_uses(%x: tensor<3x2xf32>, %wq: tensor<4x2xf32>, %l1: tensor<4xf32>, %l: tensor<4xf32>, %wo: tensor<1x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x1xf32>) {
  %h = rescale.linear %x, %wq : (tensor<3x2xf32>, tensor<4x2xf32>) -> tensor<3x4xf32>
  %y = rescale.preaffine_rms_norm %h, %l1, %l : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %o = rescale.linear %y, %wo : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x1xf32>
  return %h, %y, %o : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x1xf32>
}

// -----

// Weights of GBs as splats (issue 16, class 4): the fold stays a splat and
// expands nothing (65536 x 65536 elements would take 32 GiB as doubles).
// CHECK-LABEL: func.func @fold_post_scale_huge_splats
// CHECK-DAG: %[[W:.+]] = arith.constant dense<1.500000e+00> : tensor<65536x65536xf32>
// CHECK-DAG: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<65536xf32>
// CHECK: %[[Y:.+]] = rescale.rms_norm %arg0, %[[ONES]]
// CHECK: rescale.linear %[[Y]], %[[W]]
func.func @fold_post_scale_huge_splats(%x: tensor<1x65536xf32>) -> tensor<1x65536xf32> {
  %l = arith.constant dense<2.0> : tensor<65536xf32>
  %w = arith.constant dense<0.75> : tensor<65536x65536xf32>
  %y = rescale.rms_norm %x, %l : (tensor<1x65536xf32>, tensor<65536xf32>) -> tensor<1x65536xf32>
  %o = rescale.linear %y, %w : (tensor<1x65536xf32>, tensor<65536x65536xf32>) -> tensor<1x65536xf32>
  return %o : tensor<1x65536xf32>
}

// -----

// A product that would not be a splat and has more elements than the
// compile-time bound (2^24): scaled on its path at run time instead of being
// expanded into a 2^25-element constant.
// CHECK-LABEL: func.func @fold_post_scale_over_bound
// CHECK: %[[S:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<16777216x2xf32>, tensor<2xf32>)
// CHECK: rescale.linear %{{.+}}, %[[S]]
// CHECK-NOT: arith.constant dense<{{\[}}
func.func @fold_post_scale_over_bound(%x: tensor<3x2xf32>) -> tensor<3x16777216xf32> {
  %l = arith.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %w = arith.constant dense<0.75> : tensor<16777216x2xf32>
  %y = rescale.rms_norm %x, %l : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %o = rescale.linear %y, %w : (tensor<3x2xf32>, tensor<16777216x2xf32>) -> tensor<3x16777216xf32>
  return %o : tensor<3x16777216xf32>
}
