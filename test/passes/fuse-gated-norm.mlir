// RUN: rescale-opt %s --split-input-file --rescale-fuse-gated-norm | FileCheck %s

// GatedNorm's self-gate written out (§3.4): y = rms_norm(x); h = y·Wdᵀ;
// g = σ(swish(h)·Wuᵀ); out = g ⊙ y, with σ and swish in arith.
// CHECK-LABEL: func.func @gated_norm_explicit_gate
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8xf32>, %[[WD:.+]]: tensor<2x8xf32>, %[[WU:.+]]: tensor<8x2xf32>)
// CHECK-DAG: %[[WDT:.+]] = linalg.transpose ins(%[[WD]] : tensor<2x8xf32>) {{.*}} permutation = [1, 0]
// CHECK-DAG: %[[WUT:.+]] = linalg.transpose ins(%[[WU]] : tensor<8x2xf32>) {{.*}} permutation = [1, 0]
// CHECK: %[[G:.+]] = rescale.gated_norm %[[X]], %[[W]], %[[WDT]], %[[WUT]] {epsilon = 9.99999974E-6 : f32} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gated_norm_explicit_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %nz = arith.negf %z : tensor<4x8xf32>
  %ez = math.exp %nz : tensor<4x8xf32>
  %dz = arith.addf %ez, %one8 : tensor<4x8xf32>
  %g = arith.divf %one8, %dz : tensor<4x8xf32>
  %out = arith.mulf %g, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// Constant weights (transposes folded), swish as h·σ(h), a tensorwise gate
// (Wu [1, r]: one value per token) and the tanh ablation.
// CHECK-LABEL: func.func @gated_norm_tensorwise_tanh_constants
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK-DAG: %[[WDT:.+]] = arith.constant dense<{{.*}}> : tensor<8x2xf32>
// CHECK-DAG: %[[WUT:.+]] = arith.constant dense<{{.*}}> : tensor<2x1xf32>
// CHECK: %[[G:.+]] = rescale.gated_norm %[[X]], %[[W]], %[[WDT]], %[[WUT]] {gate_activation = #rescale.gate_activation<tanh>}
// CHECK-NEXT: return %[[G]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#tok = affine_map<(d0, d1) -> (d0, 0)>
func.func @gated_norm_tensorwise_tanh_constants(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %wd = arith.constant dense<[[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]]> : tensor<2x8xf32>
  %wu = arith.constant dense<[[0.5, -0.25]]> : tensor<1x2xf32>
  %one = arith.constant dense<1.0> : tensor<4x2xf32>
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one, %eh : tensor<4x2xf32>
  %s = arith.divf %one, %dh : tensor<4x2xf32>
  %sw = arith.mulf %h, %s : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x1xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %out = linalg.generic {indexing_maps = [#tok, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%z, %y : tensor<4x1xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = math.tanh %a : f32
    %m = arith.mulf %t, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// The gate ablations of §3.4: silu(z) = z·σ(z), here z / (1 + e^-z), and the
// identity gate (no activation on the up-projection).
// CHECK-LABEL: func.func @gated_norm_silu_gate
// CHECK: %[[G:.+]] = rescale.gated_norm {{.*}}gate_activation = #rescale.gate_activation<silu>
// CHECK-NEXT: return %[[G]]
func.func @gated_norm_silu_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %nz = arith.negf %z : tensor<4x8xf32>
  %ez = math.exp %nz : tensor<4x8xf32>
  %dz = arith.addf %one8, %ez : tensor<4x8xf32>
  %g = arith.divf %z, %dz : tensor<4x8xf32>
  %out = arith.mulf %y, %g : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @gated_norm_identity_gate
// CHECK: %[[G:.+]] = rescale.gated_norm {{.*}}gate_activation = #rescale.gate_activation<identity>
// CHECK-NEXT: return %[[G]]
func.func @gated_norm_identity_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %out = arith.mulf %z, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// Near-misses for the ablations: σ of a different value than the factor it
// multiplies is not silu, and a gate that is not the up-projection of
// swish(down(y)) is not a gate.
// CHECK-LABEL: func.func @not_gated_norm_silu_of_other_value
// CHECK-NOT: rescale.gated_norm
func.func @not_gated_norm_silu_of_other_value(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>, %o: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %no = arith.negf %o : tensor<4x8xf32>
  %eo = math.exp %no : tensor<4x8xf32>
  %dz = arith.addf %one8, %eo : tensor<4x8xf32>
  %g = arith.divf %z, %dz : tensor<4x8xf32>
  %out = arith.mulf %y, %g : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @not_gated_norm_plain_linear_product
// CHECK-NOT: rescale.gated_norm
func.func @not_gated_norm_plain_linear_product(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wu: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %z = rescale.linear %y, %wu : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %out = arith.mulf %z, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// Near-miss: the gate is computed from x, not from the norm's output, so it
// is not a self-gate.
// CHECK-LABEL: func.func @not_gated_norm_gate_from_other_value
// CHECK-NOT: rescale.gated_norm
// CHECK: rescale.rms_norm
// CHECK-NOT: rescale.gated_norm
func.func @not_gated_norm_gate_from_other_value(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %x, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %nz = arith.negf %z : tensor<4x8xf32>
  %ez = math.exp %nz : tensor<4x8xf32>
  %dz = arith.addf %ez, %one8 : tensor<4x8xf32>
  %g = arith.divf %one8, %dz : tensor<4x8xf32>
  %out = arith.mulf %g, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// -----

// Residual add + norm -> add_rms_norm; the sum keeps feeding the residual.
// CHECK-LABEL: func.func @add_rms_norm_residual
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xbf16>, %[[R:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<8xf32>)
// CHECK: %[[S:.+]], %[[Y:.+]] = rescale.add_rms_norm %[[X]], %[[R]], %[[W]] : (tensor<4x8xbf16>, tensor<4x8xbf16>, tensor<8xf32>) -> (tensor<4x8xbf16>, tensor<4x8xbf16>)
// CHECK: %[[N:.+]] = arith.addf %[[S]], %[[Y]]
// CHECK: return %[[N]]
func.func @add_rms_norm_residual(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %w: tensor<8xf32>) -> tensor<4x8xbf16> {
  %s = arith.addf %x, %r : tensor<4x8xbf16>
  %y = rescale.rms_norm %s, %w : (tensor<4x8xbf16>, tensor<8xf32>) -> tensor<4x8xbf16>
  %n = arith.addf %s, %y : tensor<4x8xbf16>
  return %n : tensor<4x8xbf16>
}

// -----

// Near-miss: the norm's input is a product, not a residual add.
// CHECK-LABEL: func.func @not_add_rms_norm_product_input
// CHECK-NOT: rescale.add_rms_norm
// CHECK: rescale.rms_norm
func.func @not_add_rms_norm_product_input(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %s = arith.mulf %x, %r : tensor<4x8xf32>
  %y = rescale.rms_norm %s, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Dynamic widths (issue 16, class 7): the run-time transposes of w_down and
// w_up get their dynamic sizes (the pass used to build a tensor.empty without
// them, so its own output did not verify).
// CHECK-LABEL: func.func @gated_norm_dynamic_width
// CHECK-SAME: (%[[X:.+]]: tensor<4x?xf32>, %[[W:.+]]: tensor<?xf32>, %[[WD:.+]]: tensor<2x?xf32>, %[[WU:.+]]: tensor<?x2xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: %[[D:.+]] = tensor.dim %[[WD]], %[[C1]] : tensor<2x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<?x2xf32>
// CHECK: %[[WDT:.+]] = linalg.transpose ins(%[[WD]] : tensor<2x?xf32>) outs(%[[E]] : tensor<?x2xf32>)
// CHECK: %[[D2:.+]] = tensor.dim %[[WU]], %[[C0]] : tensor<?x2xf32>
// CHECK: %[[E2:.+]] = tensor.empty(%[[D2]]) : tensor<2x?xf32>
// CHECK: %[[WUT:.+]] = linalg.transpose ins(%[[WU]] : tensor<?x2xf32>) outs(%[[E2]] : tensor<2x?xf32>)
// CHECK: rescale.gated_norm %[[X]], %[[W]], %[[WDT]], %[[WUT]]
func.func @gated_norm_dynamic_width(%x: tensor<4x?xf32>, %w: tensor<?xf32>, %wd: tensor<2x?xf32>, %wu: tensor<?x2xf32>) -> tensor<4x?xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %c1 = arith.constant 1 : index
  %f1 = arith.constant 1.0 : f32
  %d = tensor.dim %x, %c1 : tensor<4x?xf32>
  %e = tensor.empty(%d) : tensor<4x?xf32>
  %one8 = linalg.fill ins(%f1 : f32) outs(%e : tensor<4x?xf32>) -> tensor<4x?xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x?xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  %h = rescale.linear %y, %wd : (tensor<4x?xf32>, tensor<2x?xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<?x2xf32>) -> tensor<4x?xf32>
  %nz = arith.negf %z : tensor<4x?xf32>
  %ez = math.exp %nz : tensor<4x?xf32>
  %dz = arith.addf %ez, %one8 : tensor<4x?xf32>
  %g = arith.divf %one8, %dz : tensor<4x?xf32>
  %out = arith.mulf %g, %y : tensor<4x?xf32>
  return %out : tensor<4x?xf32>
}
