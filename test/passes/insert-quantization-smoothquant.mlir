// SmoothQuant in --rescale-insert-quantization (scheme=none: smoothing only,
// so the constants below are exact). Calibration: Inputs/quant-calibration.json,
// activation absmax [4, 1] for every linear; α = 0.5, so
// s_j = sqrt(max|X_j|) / sqrt(max|W_j|).
// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-insert-quantization="scheme=none calibration=%S/Inputs/quant-calibration.json" | FileCheck %s

// A bad calibration file: one clear error, nothing else.
// RUN: not rescale-opt %s --rescale-insert-quantization="calibration=%t.missing.json" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: calibration file '{{.*}}missing.json': cannot read it: {{[Nn]}}o such file or directory
// RUN: not rescale-opt %s --rescale-insert-quantization="calibration=%S/Inputs/quant-calibration-truncated.json" 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// TRUNCATED: error: calibration file '{{.*}}quant-calibration-truncated.json': not valid JSON:
// RUN: not rescale-opt %s --rescale-insert-quantization="calibration=%S/Inputs/quant-calibration-negative.json" 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: error: calibration file '{{.*}}': "absmax"."a" must hold finite non-negative numbers
// RUN: not rescale-opt %s --rescale-insert-quantization="calibration=%S/insert-quantization-smoothquant.mlir" 2>&1 | FileCheck %s --check-prefix=NOT-JSON
// NOT-JSON: error: calibration file '{{.*}}': not valid JSON:
// RUN: not rescale-opt %s --rescale-insert-quantization="calibration=%S/Inputs/quant-calibration-wrong-format.json" 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: calibration file '{{.*}}': expected an object with "format": "rescale-calibration"
// An absmax near the end of f32's range (an activation that overflowed while
// calibrating) made s, 1/s or W·s overflow, and the model computed NaN with
// exit 0 (issue 16): now one error; beyond f32's range it is a file error.
// RUN: not rescale-opt %S/Inputs/quant-overflow.mlir --rescale-insert-quantization="scheme=w8a8 calibration=%S/Inputs/quant-calibration-overflow.json" 2>&1 | FileCheck %s --check-prefix=OVERFLOW
// OVERFLOW: error: SmoothQuant: channel 0 of linear 'overflow/linear0' (calibration '{{.*}}quant-calibration-overflow.json') gets s = max|X|^5.000000e-01 / max|W|^5.000000e-01 = 1.732055e+39 from absmax 3.000000e+38 and weight max 9.999946e-41, which f32 cannot hold with 1/s and max|W|·s (the model would compute inf or NaN); recalibrate on inputs without overflow, or lower smoothquant-alpha
// RUN: not rescale-opt %S/Inputs/quant-overflow.mlir --rescale-insert-quantization="scheme=w8a8 smoothquant-alpha=1 calibration=%S/Inputs/quant-calibration-overflow.json" 2>&1 | FileCheck %s --check-prefix=OVERFLOW-ALPHA1
// OVERFLOW-ALPHA1: error: SmoothQuant: channel 0 of linear 'overflow/linear0'
// RUN: not rescale-opt %S/Inputs/quant-overflow.mlir --rescale-insert-quantization="calibration=%S/Inputs/quant-calibration-beyond-f32.json" 2>&1 | FileCheck %s --check-prefix=BEYOND
// BEYOND: error: calibration file '{{.*}}': "absmax"."overflow/linear0" must hold finite non-negative numbers within f32's range

// Both linears read the norm and nothing else does: they share
// s = max over both of [4, 1] and of the weight column maxima [1, 4], so
// s = [2, 0.5]; the norm weight takes 1/s, the weight columns s.
// CHECK-LABEL: func.func @smooth_fold_into_norm
// CHECK: %[[G:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.+]] = rescale.rms_norm %{{.+}}, %[[G]]
// CHECK: %[[W1:.+]] = arith.constant dense<2.000000e+00> : tensor<1x2xf32>
// CHECK: rescale.linear %[[Y]], %[[W1]]
// CHECK: %[[W2:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [2.000000e+00, 5.000000e-01]]> : tensor<2x2xf32>
// CHECK: rescale.linear %[[Y]], %[[W2]]
func.func @smooth_fold_into_norm(%x: tensor<3x2xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>) {
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %w1 = arith.constant dense<[[1.0, 4.0]]> : tensor<1x2xf32>
  %w2 = arith.constant dense<[[0.5, 2.0], [1.0, 1.0]]> : tensor<2x2xf32>
  %y = rescale.rms_norm %x, %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %a = rescale.linear %y, %w1 : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %b = rescale.linear %y, %w2 : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %a, %b : tensor<3x1xf32>, tensor<3x2xf32>
}

// -----

// The input is a function argument: an explicit x·(1/s), and a remark.
// CHECK-LABEL: func.func @smooth_explicit_multiply
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xbf16>)
// CHECK: %[[INV:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[XS:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[INV]] : tensor<3x2xbf16>, tensor<2xf32>)
// CHECK: arith.mulf
// CHECK: arith.truncf
// CHECK: %[[W:.+]] = arith.constant dense<2.000000e+00> : tensor<1x2xf32>
// CHECK: rescale.linear %[[XS]], %[[W]]
func.func @smooth_explicit_multiply(%x: tensor<3x2xbf16>) -> tensor<3x1xbf16> {
  %w = arith.constant dense<[[1.0, 4.0]]> : tensor<1x2xf32>
  // expected-remark @+1 {{SmoothQuant: the input of linear 'smooth_explicit_multiply/linear0' does not come straight from a norm whose every use is a quantized linear; inserted an explicit x·(1/s)}}
  %a = rescale.linear %x, %w : (tensor<3x2xbf16>, tensor<1x2xf32>) -> tensor<3x1xbf16>
  return %a : tensor<3x1xbf16>
}

// -----

// The input comes from a norm, but the linear's run-time weight is computed
// after the norm, where s would be needed: an explicit x·(1/s), and a remark
// that says why the norm did not absorb it.
// CHECK-LABEL: func.func @smooth_weight_after_norm
// CHECK: %[[Y:.+]] = rescale.rms_norm
// CHECK: %[[YS:.+]] = linalg.generic {{.*}} ins(%[[Y]],
// CHECK: rescale.linear %[[YS]],
func.func @smooth_weight_after_norm(%x: tensor<3x2xf32>, %wt: tensor<2x1xf32>) -> tensor<3x1xf32> {
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %y = rescale.rms_norm %x, %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %init = tensor.empty() : tensor<1x2xf32>
  %w = linalg.transpose ins(%wt : tensor<2x1xf32>) outs(%init : tensor<1x2xf32>) permutation = [1, 0]
  // expected-remark @+1 {{SmoothQuant: the input of linear 'smooth_weight_after_norm/linear0' comes from a norm, but a weight of the linears reading it is computed after the norm, where s is needed; inserted an explicit x·(1/s)}}
  %a = rescale.linear %y, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a : tensor<3x1xf32>
}

// -----

// GatedNorm: its gate reads the weighted output, so w_down's rows take s.
// CHECK-LABEL: func.func @smooth_gated_norm
// CHECK-DAG: %[[G:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[WD:.+]] = arith.constant dense<{{\[}}[2.000000e+00], [5.000000e-01]]> : tensor<2x1xf32>
// CHECK: rescale.gated_norm %{{.+}}, %[[G]], %[[WD]], %{{.+}}
func.func @smooth_gated_norm(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  %g = arith.constant dense<1.0> : tensor<2xf32>
  %wd = arith.constant dense<1.0> : tensor<2x1xf32>
  %wu = arith.constant dense<1.0> : tensor<1x2xf32>
  %w = arith.constant dense<[[1.0, 4.0]]> : tensor<1x2xf32>
  %y = rescale.gated_norm %x, %g, %wd, %wu : (tensor<3x2xf32>, tensor<2xf32>, tensor<2x1xf32>, tensor<1x2xf32>) -> tensor<3x2xf32>
  %a = rescale.linear %y, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a : tensor<3x1xf32>
}

// -----

// A run-time weight: max|W_j| is a reduction on the weight path and s is
// computed at run time with the same formula (f64, rounded to f32 once);
// 1/s scales the norm weight (also an argument) and s the weight columns,
// both explicitly.
// CHECK-LABEL: func.func @argument_weight_smoothed_at_run_time
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>, %[[G:.+]]: tensor<2xf32>, %[[W:.+]]: tensor<1x2xf32>)
// CHECK: %[[WMAX:.+]] = linalg.generic {{{.*}}iterator_types = ["reduction", "parallel"]} ins(%[[W]] : tensor<1x2xf32>)
// CHECK: %[[A:.+]] = arith.constant dense<[4.000000e+00, 1.000000e+00]> : tensor<2xf64>
// CHECK: %[[S:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[WMAX]] : tensor<2xf64>, tensor<2xf32>)
// CHECK: math.powf
// CHECK: math.powf
// CHECK: arith.divf
// CHECK: arith.truncf
// CHECK: %[[INV:.+]] = linalg.generic {{.*}} ins(%[[S]] : tensor<2xf32>)
// CHECK: %[[GS:.+]] = linalg.generic {{.*}} ins(%[[G]], %[[INV]] : tensor<2xf32>, tensor<2xf32>)
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[GS]]
// CHECK: %[[WS:.+]] = linalg.generic {{.*}} ins(%[[W]], %[[S]] : tensor<1x2xf32>, tensor<2xf32>)
// CHECK: rescale.linear %[[Y]], %[[WS]]
func.func @argument_weight_smoothed_at_run_time(%x: tensor<3x2xf32>, %g: tensor<2xf32>, %w: tensor<1x2xf32>) -> tensor<3x1xf32> {
  %y = rescale.rms_norm %x, %g : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %a = rescale.linear %y, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a : tensor<3x1xf32>
}

// -----

func.func @not_in_calibration(%x: tensor<3x2xf32>, %w: tensor<1x2xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{calibration file '}}
  %a = rescale.linear %x, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a : tensor<3x1xf32>
}

// -----

func.func @wrong_channel_count(%x: tensor<3x2xf32>, %w: tensor<1x2xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{has 3 absmax values for linear 'wrong_channel_count/linear0', whose input has 2 channels}}
  %a = rescale.linear %x, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a : tensor<3x1xf32>
}
