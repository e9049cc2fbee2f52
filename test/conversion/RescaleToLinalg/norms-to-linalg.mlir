// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg \
// RUN:   --mlir-print-local-scope --verify-diagnostics | FileCheck %s

// The reference decomposition of the norm ops: every operand is read as f32,
// the sum of squares accumulates in f32, rsqrt(mean + eps) is computed once
// per row, and only the final value is rounded to the element type.

// CHECK-LABEL: func.func @rms_norm_bf16_with_f32_weight(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<8xf32>)
// CHECK:         %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<4xf32>)
// CHECK:         %[[SUMSQ:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>]
// CHECK-SAME:      iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<4x8xbf16>) outs(%[[ACC]] : tensor<4xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: bf16, %[[A:.+]]: f32):
// CHECK-NEXT:      %[[XF:.+]] = arith.extf %[[XE]] : bf16 to f32
// CHECK-NEXT:      %[[SQ:.+]] = arith.mulf %[[XF]], %[[XF]] : f32
// CHECK-NEXT:      %[[NEW:.+]] = arith.addf %[[A]], %[[SQ]] : f32
// CHECK-NEXT:      linalg.yield %[[NEW]] : f32
// CHECK:         %[[INV:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[SUMSQ]] : tensor<4xf32>) outs(%{{.+}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[S:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[D:.+]] = arith.constant 8.000000e+00 : f32
// CHECK-NEXT:      %[[MEAN:.+]] = arith.divf %[[S]], %[[D]] : f32
// CHECK-NEXT:      %[[EPS:.+]] = arith.constant 9.99999997E-7 : f32
// CHECK-NEXT:      %[[VAR:.+]] = arith.addf %[[MEAN]], %[[EPS]] : f32
// CHECK-NEXT:      %[[RS:.+]] = math.rsqrt %[[VAR]] : f32
// CHECK-NEXT:      linalg.yield %[[RS]] : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel"]
// CHECK-SAME:      ins(%[[X]], %[[W]], %[[INV]] : tensor<4x8xbf16>, tensor<8xf32>, tensor<4xf32>) outs(%{{.+}} : tensor<4x8xbf16>)
// CHECK:         ^bb0(%[[XE2:.+]]: bf16, %[[WE:.+]]: f32, %[[IE:.+]]: f32, %{{.+}}: bf16):
// CHECK-NEXT:      %[[XF2:.+]] = arith.extf %[[XE2]] : bf16 to f32
// CHECK-NEXT:      %[[XN:.+]] = arith.mulf %[[XF2]], %[[IE]] : f32
// CHECK-NEXT:      %[[YF:.+]] = arith.mulf %[[WE]], %[[XN]] : f32
// CHECK-NEXT:      %[[YB:.+]] = arith.truncf %[[YF]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[YB]] : bf16
// CHECK:         return %[[Y]] : tensor<4x8xbf16>
func.func @rms_norm_bf16_with_f32_weight(%x: tensor<4x8xbf16>, %w: tensor<8xf32>) -> tensor<4x8xbf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xbf16>, tensor<8xf32>) -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

// A rank-1 x is a single row: the statistic is a rank-0 tensor.
// CHECK-LABEL: func.func @rms_norm_rank1(
// CHECK-SAME:    %[[X:.+]]: tensor<8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK:         %[[SUMSQ:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>]
// CHECK-SAME:      iterator_types = ["reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<8xf32>) outs(%{{.+}} : tensor<f32>)
// CHECK:         %[[INV:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[SUMSQ]] : tensor<f32>) outs(%{{.+}} : tensor<f32>)
// CHECK:           math.rsqrt
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>]
// CHECK-SAME:      ins(%[[X]], %[[W]], %[[INV]] : tensor<8xf32>, tensor<8xf32>, tensor<f32>)
// CHECK-NOT:       arith.truncf
// CHECK:         return %[[Y]] : tensor<8xf32>
func.func @rms_norm_rank1(%x: tensor<8xf32>, %w: tensor<8xf32>) -> tensor<8xf32> {
  %y = rescale.rms_norm %x, %w : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Leading dimensions are independent rows; the weight broadcasts along them.
// CHECK-LABEL: func.func @rms_norm_rank3_f16(
// CHECK-SAME:    %[[X:.+]]: tensor<2x3x7xf16>, %[[W:.+]]: tensor<7xf16>)
// CHECK:         linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[X]] : tensor<2x3x7xf16>) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK:           arith.extf %{{.+}} : f16 to f32
// CHECK:         arith.constant 7.000000e+00 : f32
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// CHECK:           arith.truncf %{{.+}} : f32 to f16
// CHECK:         return %[[Y]] : tensor<2x3x7xf16>
func.func @rms_norm_rank3_f16(%x: tensor<2x3x7xf16>, %w: tensor<7xf16>) -> tensor<2x3x7xf16> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32}
      : (tensor<2x3x7xf16>, tensor<7xf16>) -> tensor<2x3x7xf16>
  return %y : tensor<2x3x7xf16>
}

// -----

// PreAffine RMSNorm (§3.3): pre_scale multiplies x inside the statistic.
// CHECK-LABEL: func.func @preaffine_rms_norm(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xf32>, %[[L1:.+]]: tensor<8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK:         %[[SUMSQ:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[L1]] : tensor<4x8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: f32, %[[LE:.+]]: f32, %[[A:.+]]: f32):
// CHECK-NEXT:      %[[U:.+]] = arith.mulf %[[LE]], %[[XE]] : f32
// CHECK-NEXT:      %[[U2:.+]] = arith.mulf %[[U]], %[[U]] : f32
// CHECK-NEXT:      arith.addf %[[A]], %[[U2]] : f32
// CHECK:         %[[INV:.+]] = linalg.generic
// CHECK:           math.rsqrt
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[L1]], %[[W]], %[[INV]] : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4xf32>)
// CHECK:         ^bb0(%[[XE2:.+]]: f32, %[[LE2:.+]]: f32, %[[WE:.+]]: f32, %[[IE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[U3:.+]] = arith.mulf %[[LE2]], %[[XE2]] : f32
// CHECK-NEXT:      %[[UN:.+]] = arith.mulf %[[U3]], %[[IE]] : f32
// CHECK-NEXT:      %[[YF:.+]] = arith.mulf %[[WE]], %[[UN]] : f32
// CHECK-NEXT:      linalg.yield %[[YF]] : f32
// CHECK:         return %[[Y]]
func.func @preaffine_rms_norm(%x: tensor<4x8xf32>, %l1: tensor<8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = rescale.preaffine_rms_norm %x, %l1, %w {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// add_rms_norm: the norm reads the f32 sum, not the sum rounded to bf16; one
// generic writes both the rounded sum and the rounded norm.
// CHECK-LABEL: func.func @add_rms_norm_bf16(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xbf16>, %[[R:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<8xbf16>)
// CHECK:         %[[SUMSQ:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[R]] : tensor<4x8xbf16>, tensor<4x8xbf16>) outs(%{{.+}} : tensor<4xf32>)
// CHECK:         ^bb0(%[[XE:.+]]: bf16, %[[RE:.+]]: bf16, %[[A:.+]]: f32):
// CHECK-NEXT:      %[[XF:.+]] = arith.extf %[[XE]] : bf16 to f32
// CHECK-NEXT:      %[[RF:.+]] = arith.extf %[[RE]] : bf16 to f32
// CHECK-NEXT:      %[[S:.+]] = arith.addf %[[XF]], %[[RF]] : f32
// CHECK-NEXT:      %[[S2:.+]] = arith.mulf %[[S]], %[[S]] : f32
// CHECK-NEXT:      arith.addf %[[A]], %[[S2]] : f32
// CHECK:         %[[INV:.+]] = linalg.generic
// CHECK:           math.rsqrt
// CHECK:         %[[OUT:.+]]:2 = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[R]], %[[W]], %[[INV]] : tensor<4x8xbf16>, tensor<4x8xbf16>, tensor<8xbf16>, tensor<4xf32>)
// CHECK-SAME:      outs(%{{.+}}, %{{.+}} : tensor<4x8xbf16>, tensor<4x8xbf16>)
// CHECK:           %[[SF:.+]] = arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT:      %[[SN:.+]] = arith.mulf %[[SF]], %{{.+}} : f32
// CHECK-NEXT:      %[[YF:.+]] = arith.mulf %{{.+}}, %[[SN]] : f32
// CHECK-NEXT:      %[[SB:.+]] = arith.truncf %[[SF]] : f32 to bf16
// CHECK-NEXT:      %[[YB:.+]] = arith.truncf %[[YF]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[SB]], %[[YB]] : bf16, bf16
// CHECK:         return %[[OUT]]#0, %[[OUT]]#1
func.func @add_rms_norm_bf16(%x: tensor<4x8xbf16>, %r: tensor<4x8xbf16>, %w: tensor<8xbf16>)
    -> (tensor<4x8xbf16>, tensor<4x8xbf16>) {
  %sum, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xbf16>, tensor<4x8xbf16>, tensor<8xbf16>)
      -> (tensor<4x8xbf16>, tensor<4x8xbf16>)
  return %sum, %y : tensor<4x8xbf16>, tensor<4x8xbf16>
}

// -----

// GatedNorm (§3.4), the paper's sigmoid gate: y = rms_norm(x) stays f32,
// h = y·w_down, g = σ(swish(h)·w_up), out = g ⊙ y.
// CHECK-LABEL: func.func @gated_norm_bf16_sigmoid(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<8xbf16>, %[[WD:.+]]: tensor<8x2xbf16>, %[[WU:.+]]: tensor<2x8xbf16>)
// CHECK:         %[[SUMSQ:.+]] = linalg.generic
// CHECK:         %[[INV:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[SUMSQ]] : tensor<4xf32>)
// CHECK:           math.rsqrt
// y in f32, not rounded to bf16:
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]], %[[W]], %[[INV]] : tensor<4x8xbf16>, tensor<8xbf16>, tensor<4xf32>) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK-NOT:       arith.truncf
// CHECK:           linalg.yield %{{.+}} : f32
// h[i,j] = Σ_k y[i,k] · w_down[k,j]:
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[Y]], %[[WD]] : tensor<4x8xf32>, tensor<8x2xbf16>) outs(%{{.+}} : tensor<4x2xf32>)
// CHECK:         ^bb0(%[[YE:.+]]: f32, %[[WDE:.+]]: bf16, %[[HA:.+]]: f32):
// CHECK-NEXT:      %[[WDF:.+]] = arith.extf %[[WDE]] : bf16 to f32
// CHECK-NEXT:      %[[P:.+]] = arith.mulf %[[YE]], %[[WDF]] : f32
// CHECK-NEXT:      arith.addf %[[HA]], %[[P]] : f32
// swish(h) = h · σ(h):
// CHECK:         %[[SW:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[H]] : tensor<4x2xf32>) outs(%{{.+}} : tensor<4x2xf32>)
// CHECK:         ^bb0(%[[HE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[NEG:.+]] = arith.negf %[[HE]] : f32
// CHECK-NEXT:      %[[EXP:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:      %[[DEN:.+]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:      %[[SIG:.+]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT:      %[[SWE:.+]] = arith.mulf %[[HE]], %[[SIG]] : f32
// CHECK-NEXT:      linalg.yield %[[SWE]] : f32
// z[i,k] = Σ_j swish(h)[i,j] · w_up[j,k]:
// CHECK:         %[[Z:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[SW]], %[[WU]] : tensor<4x2xf32>, tensor<2x8xbf16>) outs(%{{.+}} : tensor<4x8xf32>)
// out = σ(z) ⊙ y, rounded once:
// CHECK:         %[[OUT:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[Z]], %[[Y]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<4x8xbf16>)
// CHECK:         ^bb0(%[[ZE:.+]]: f32, %[[YE2:.+]]: f32, %{{.+}}: bf16):
// CHECK:           %[[G:.+]] = arith.divf
// CHECK-NEXT:      %[[O:.+]] = arith.mulf %[[G]], %[[YE2]] : f32
// CHECK-NEXT:      %[[OB:.+]] = arith.truncf %[[O]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[OB]] : bf16
// CHECK:         return %[[OUT]] : tensor<4x8xbf16>
func.func @gated_norm_bf16_sigmoid(%x: tensor<4x8xbf16>, %w: tensor<8xbf16>,
                                   %wd: tensor<8x2xbf16>, %wu: tensor<2x8xbf16>) -> tensor<4x8xbf16> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : (tensor<4x8xbf16>, tensor<8xbf16>, tensor<8x2xbf16>, tensor<2x8xbf16>) -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// -----

// A tensorwise gate (w_up [r, 1]): one gate value per token, read at column 0
// for every channel.
// CHECK-LABEL: func.func @gated_norm_tensorwise_rank3_r16(
// CHECK-SAME:    %[[X:.+]]: tensor<2x3x32xf32>, %[[W:.+]]: tensor<32xf32>, %[[WD:.+]]: tensor<32x16xf32>, %[[WU:.+]]: tensor<16x1xf32>)
// CHECK:         %[[Y:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[W]], %{{.+}} : tensor<2x3x32xf32>, tensor<32xf32>, tensor<2x3xf32>) outs(%{{.+}} : tensor<2x3x32xf32>)
// CHECK:         %[[H:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[Y]], %[[WD]] : tensor<2x3x32xf32>, tensor<32x16xf32>) outs(%{{.+}} : tensor<2x3x16xf32>)
// CHECK:         %[[SW:.+]] = linalg.generic
// CHECK:         %[[Z:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[SW]], %[[WU]] : tensor<2x3x16xf32>, tensor<16x1xf32>) outs(%{{.+}} : tensor<2x3x1xf32>)
// CHECK:         %[[OUT:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// CHECK-SAME:      ins(%[[Z]], %[[Y]] : tensor<2x3x1xf32>, tensor<2x3x32xf32>)
// CHECK:           math.exp
// CHECK:         return %[[OUT]] : tensor<2x3x32xf32>
func.func @gated_norm_tensorwise_rank3_r16(%x: tensor<2x3x32xf32>, %w: tensor<32xf32>,
                                           %wd: tensor<32x16xf32>, %wu: tensor<16x1xf32>) -> tensor<2x3x32xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu
      : (tensor<2x3x32xf32>, tensor<32xf32>, tensor<32x16xf32>, tensor<16x1xf32>) -> tensor<2x3x32xf32>
  return %y : tensor<2x3x32xf32>
}

// -----

// The gate ablation (§3.4): tanh, silu and identity in place of σ. Only the
// last generic differs.
// CHECK-LABEL: func.func @gated_norm_tanh(
// CHECK:         linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<8xf32>)
// CHECK-NEXT:    ^bb0(%[[ZE:[a-z0-9_]+]]: f32, %[[YE:[a-z0-9_]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[G:.+]] = math.tanh %[[ZE]] : f32
// CHECK-NEXT:      %[[O:.+]] = arith.mulf %[[G]], %[[YE]] : f32
// CHECK-NEXT:      linalg.yield %[[O]] : f32
func.func @gated_norm_tanh(%x: tensor<8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>) -> tensor<8xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<tanh>}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @gated_norm_silu(
// CHECK:         linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<8xf32>)
// CHECK-NEXT:    ^bb0(%[[ZE:[a-z0-9_]+]]: f32, %[[YE:[a-z0-9_]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %[[NEG:.+]] = arith.negf %[[ZE]] : f32
// CHECK-NEXT:      %[[EXP:.+]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:      %[[DEN:.+]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:      %[[SIG:.+]] = arith.divf %[[ONE]], %[[DEN]] : f32
// CHECK-NEXT:      %[[G:.+]] = arith.mulf %[[ZE]], %[[SIG]] : f32
// CHECK-NEXT:      %[[O:.+]] = arith.mulf %[[G]], %[[YE]] : f32
// CHECK-NEXT:      linalg.yield %[[O]] : f32
func.func @gated_norm_silu(%x: tensor<8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>) -> tensor<8xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<silu>}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @gated_norm_identity(
// CHECK:         linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<8xf32>)
// CHECK-NEXT:    ^bb0(%[[ZE:[a-z0-9_]+]]: f32, %[[YE:[a-z0-9_]+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[O:.+]] = arith.mulf %[[ZE]], %[[YE]] : f32
// CHECK-NEXT:      linalg.yield %[[O]] : f32
func.func @gated_norm_identity(%x: tensor<8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>) -> tensor<8xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<identity>}
      : (tensor<8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// DyT: weight ⊙ tanh(alpha · x) + bias, with alpha of shape [] or [1].
// CHECK-LABEL: func.func @dyt_scalar_alpha(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xbf16>, %[[AL:.+]]: tensor<f32>, %[[W:.+]]: tensor<8xbf16>, %[[B:.+]]: tensor<8xbf16>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK-SAME:      ins(%[[X]], %[[AL]], %[[W]], %[[B]] : tensor<4x8xbf16>, tensor<f32>, tensor<8xbf16>, tensor<8xbf16>)
// CHECK:         ^bb0(%{{.+}}: bf16, %[[ALE:.+]]: f32, %{{.+}}: bf16, %{{.+}}: bf16, %{{.+}}: bf16):
// CHECK:           %[[XF:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK-NEXT:      %[[WF:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK-NEXT:      %[[BF:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK-NEXT:      %[[AX:.+]] = arith.mulf %[[ALE]], %[[XF]] : f32
// CHECK-NEXT:      %[[T:.+]] = math.tanh %[[AX]] : f32
// CHECK-NEXT:      %[[WT:.+]] = arith.mulf %[[WF]], %[[T]] : f32
// CHECK-NEXT:      %[[YF:.+]] = arith.addf %[[WT]], %[[BF]] : f32
// CHECK-NEXT:      %[[YB:.+]] = arith.truncf %[[YF]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[YB]] : bf16
// CHECK:         return %[[Y]]
func.func @dyt_scalar_alpha(%x: tensor<4x8xbf16>, %a: tensor<f32>, %w: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<4x8xbf16> {
  %y = rescale.dyt %x, %a, %w, %b
      : (tensor<4x8xbf16>, tensor<f32>, tensor<8xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

// CHECK-LABEL: func.func @dyt_alpha_of_shape_1(
// CHECK:         linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (0)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// CHECK:           math.tanh
func.func @dyt_alpha_of_shape_1(%x: tensor<2x4x8xf32>, %a: tensor<1xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %y = rescale.dyt %x, %a, %w, %b
      : (tensor<2x4x8xf32>, tensor<1xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// clip: min(max(x, -t), t), NaN-propagating like torch.clamp.
// CHECK-LABEL: func.func @clip_f16(
// CHECK-SAME:    %[[X:.+]]: tensor<4x8xf16>)
// CHECK:         %[[Y:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[X]] : tensor<4x8xf16>) outs(%{{.+}} : tensor<4x8xf16>)
// CHECK:         ^bb0(%[[XE:.+]]: f16, %{{.+}}: f16):
// CHECK-NEXT:      %[[XF:.+]] = arith.extf %[[XE]] : f16 to f32
// CHECK-NEXT:      %[[LO:.+]] = arith.constant -6.000000e+00 : f32
// CHECK-NEXT:      %[[MX:.+]] = arith.maximumf %[[XF]], %[[LO]] : f32
// CHECK-NEXT:      %[[HI:.+]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT:      %[[MN:.+]] = arith.minimumf %[[MX]], %[[HI]] : f32
// CHECK-NEXT:      %[[YB:.+]] = arith.truncf %[[MN]] : f32 to f16
// CHECK-NEXT:      linalg.yield %[[YB]] : f16
// CHECK:         return %[[Y]]
func.func @clip_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = rescale.clip %x {threshold = 6.0 : f32} : (tensor<4x8xf16>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// -----

// The reference decomposition needs static shapes: refused, on the op.
func.func @rms_norm_dynamic_rows(%x: tensor<?x8xf32>, %w: tensor<8xf32>) -> tensor<?x8xf32> {
  // expected-error @below {{cannot decompose 'rescale.rms_norm' into linalg: the reference decomposition needs static shapes, but operand #0 of type 'tensor<?x8xf32>' is dynamic}}
  %y = rescale.rms_norm %x, %w : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

func.func @gated_norm_dynamic_low_rank(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x?xf32>, %wu: tensor<?x8xf32>) -> tensor<4x8xf32> {
  // expected-error @below {{the reference decomposition needs static shapes, but operand #2 of type 'tensor<8x?xf32>' is dynamic}}
  %y = rescale.gated_norm %x, %w, %wd, %wu
      : (tensor<4x8xf32>, tensor<8xf32>, tensor<8x?xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
