// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-instrument-sinks=gate-probes | FileCheck %s

// --rescale-instrument-sinks=gate-probes, the probes of the sweep's
// gate-magnitude correlation (docs/sink-report.md, "Gates"). Kept apart
// from instrument-sinks.mlir because its warnings exist only with the option.

// gate-probes: a gated_norm is recomputed in parts beside it (y =
// rms_norm(x, w) before the gate; the gate act(swish(y · w_down) · w_up) from
// the two weights transposed into rescale.linear's [N, K] layout), and
// returns |y| (gate_input) and the gate (gate) under the norm's name; a
// tensorwise gate is [..., 1].
// CHECK-LABEL: func.func @gated_norms
// CHECK-SAME: tensor<2x3x8xf32> {rescale.probe = {kind = "gate_input", name = "layers.0.input_layernorm"}}
// CHECK-SAME: tensor<2x3x8xf32> {rescale.probe = {kind = "gate", name = "layers.0.input_layernorm"}}
// CHECK-SAME: tensor<2x3x8xf32> {rescale.probe = {kind = "gate_input", name = "gated_norms/norm1"}}
// CHECK-SAME: tensor<2x3x1xf32> {rescale.probe = {kind = "gate", name = "gated_norms/norm1"}})
// CHECK: %[[OUT:.+]] = rescale.gated_norm %arg0, %arg1, %arg2, %arg3 {epsilon = [[EPS:.+]] : f32, gate_activation = #rescale.gate_activation<tanh>}
// CHECK: %[[Y:.+]] = rescale.rms_norm %arg0, %arg1 {epsilon = [[EPS]] : f32}
// CHECK: %[[DOWN:.+]] = linalg.transpose ins(%arg2 : tensor<8x4xf32>) outs(%{{.+}} : tensor<4x8xf32>) permutation = [1, 0]
// CHECK: %[[H:.+]] = rescale.linear %[[Y]], %[[DOWN]] : (tensor<2x3x8xf32>, tensor<4x8xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[S:.+]] = linalg.generic {{.*}} ins(%[[H]] : tensor<2x3x4xf32>)
// CHECK: math.exp
// CHECK: %[[UP:.+]] = linalg.transpose ins(%arg3 : tensor<4x8xf32>) outs(%{{.+}} : tensor<8x4xf32>) permutation = [1, 0]
// CHECK: %[[Z:.+]] = rescale.linear %[[S]], %[[UP]] : (tensor<2x3x4xf32>, tensor<8x4xf32>) -> tensor<2x3x8xf32>
// CHECK: %[[G:.+]] = linalg.generic {{.*}} ins(%[[Z]] : tensor<2x3x8xf32>)
// CHECK: math.tanh
// CHECK: %[[ABS:.+]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x3x8xf32>)
// CHECK: math.absf
// CHECK: rescale.linear {{.*}} -> tensor<2x3x1xf32>
// CHECK: return %{{.+}}, %{{.+}}, %[[ABS]], %[[G]],
func.func @gated_norms(%x: tensor<2x3x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %wu1: tensor<4x1xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %a = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32> loc("layers.0.input_layernorm")
  %b = rescale.gated_norm %x, %w, %wd, %wu1 : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x1xf32>) -> tensor<2x3x8xf32>
  return %a, %b : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}

// -----

// gate-probes: a gate written out of ops is the multiplication marked
// rescale.norm_gate: operand 0 the gate (copied to a new value in f32),
// operand 1 y. Its name is its NameLoc, here the norm's.
// CHECK-LABEL: func.func @written_out_gate
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "model.norm"}}
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "gate_input", name = "model.norm"}}
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "gate", name = "model.norm"}})
// CHECK: %[[Y:.+]] = rescale.dyt
// CHECK: %[[OUT:.+]] = arith.mulf %arg4, %[[Y]] {rescale.norm_gate}
// CHECK: %[[G:.+]] = linalg.generic {{.*}} ins(%arg4 : tensor<2x8xf32>)
// CHECK: %[[ABS:.+]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x8xf32>)
// CHECK: return %[[OUT]], %{{.+}}, %[[ABS]], %[[G]]
func.func @written_out_gate(%x: tensor<2x8xf32>, %alpha: tensor<f32>, %w: tensor<8xf32>, %bias: tensor<8xf32>, %g: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = rescale.dyt %x, %alpha, %w, %bias : (tensor<2x8xf32>, tensor<f32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32> loc("model.norm")
  %o = arith.mulf %g, %y {rescale.norm_gate} : tensor<2x8xf32> loc("model.norm")
  return %o : tensor<2x8xf32>
}

// -----

// A gated norm with a dynamic shape, or a marked gate in a nested region,
// gets no gate probe (a warning says so).
// CHECK-LABEL: func.func @no_gate_probe
// CHECK-NOT: kind = "gate
// CHECK: return
func.func @no_gate_probe(%c: i1, %x: tensor<?x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %g: tensor<2x8xf32>) -> (tensor<?x8xf32>, tensor<2x8xf32>) {
  // expected-warning @+1 {{gated norm 'no_gate_probe/norm0' has a dynamic shape; no gate probe}}
  %a = rescale.gated_norm %x, %w, %wd, %wu : (tensor<?x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %r = scf.if %c -> tensor<2x8xf32> {
    // expected-warning @+1 {{gate 'no_gate_probe/gate0' is not a binary op of the function's body; no gate probe}}
    %m = arith.mulf %g, %g {rescale.norm_gate} : tensor<2x8xf32>
    scf.yield %m : tensor<2x8xf32>
  } else {
    scf.yield %g : tensor<2x8xf32>
  }
  return %a, %r : tensor<?x8xf32>, tensor<2x8xf32>
}
