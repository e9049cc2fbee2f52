// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-instrument-sinks | FileCheck %s
// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-instrument-sinks=norm-outputs | FileCheck %s --check-prefix=OUT

// Each attention gets its first-token share and output share (same q, k,
// sinks and softmax attributes, and v for the output; the gate does not
// enter p), each norm the |x| of its input.
// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x8xbf16>, %[[Q:.+]]: tensor<1x4x4x8xbf16>, %[[K:.+]]: tensor<1x2x4x8xbf16>, %[[V:.+]]: tensor<1x2x4x8xbf16>, %[[G:.+]]: tensor<1x4x4xbf16>, %[[S:.+]]: tensor<4xbf16>, %[[W:.+]]: tensor<8xbf16>)
// CHECK-SAME: -> (tensor<1x4x8xbf16>, tensor<1x4x4x8xbf16>,
// CHECK-SAME: tensor<1x4xf32> {rescale.probe = {kind = "first_token_share", name = "block/attention0"}},
// CHECK-SAME: tensor<1x4xf32> {rescale.probe = {kind = "first_token_output_share", name = "block/attention0"}},
// CHECK-SAME: tensor<1x4x8xf32> {rescale.probe = {kind = "norm_input", name = "block/norm0"}})
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]]
// CHECK: %[[O:.+]] = rescale.attention
// CHECK: %[[SHARE:.+]] = rescale.attention_first_token_share %[[Q]], %[[K]], %[[S]] {causal, scale = 5.000000e-01 : f32, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<4xbf16>) -> tensor<1x4xf32>
// CHECK: %[[OSHARE:.+]] = rescale.attention_first_token_output_share %[[Q]], %[[K]], %[[V]], %[[S]] {causal, scale = 5.000000e-01 : f32, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<4xbf16>) -> tensor<1x4xf32>
// CHECK: %[[ABS:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x4x8xbf16>)
// CHECK: arith.extf
// CHECK: math.absf
// CHECK: return %[[Y]], %[[O]], %[[SHARE]], %[[OSHARE]], %[[ABS]]
func.func @block(%x: tensor<1x4x8xbf16>, %q: tensor<1x4x4x8xbf16>, %k: tensor<1x2x4x8xbf16>, %v: tensor<1x2x4x8xbf16>, %g: tensor<1x4x4xbf16>, %s: tensor<4xbf16>, %w: tensor<8xbf16>) -> (tensor<1x4x8xbf16>, tensor<1x4x4x8xbf16>) {
  %y = rescale.rms_norm %x, %w : (tensor<1x4x8xbf16>, tensor<8xbf16>) -> tensor<1x4x8xbf16>
  %o = rescale.attention %q, %k, %v, %g, %s {causal, scale = 0.5 : f32, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<1x2x4x8xbf16>, tensor<1x4x4xbf16>, tensor<4xbf16>) -> tensor<1x4x4x8xbf16>
  return %y, %o : tensor<1x4x8xbf16>, tensor<1x4x4x8xbf16>
}

// -----

// add_rms_norm's residual stream is its sum; two norms reading one value
// share a probe; NameLocs name the probes.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", names = ["residual/norm0", "final_norm"]}}
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "residual/norm2"}}
// CHECK: %[[SUM:.+]], %{{.+}} = rescale.add_rms_norm
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<2x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x8xf32>)
func.func @residual(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %a = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %b = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32> loc("final_norm")
  %sum, %y = rescale.add_rms_norm %a, %r, %w : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>)
  return %a, %b, %sum, %y : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// dyt's input is a residual-stream value too. With norm-outputs, each norm
// also returns |y| of what it hands on: dyt's result, add_rms_norm's
// normalized result (not the sum).
// CHECK-LABEL: func.func @outputs
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "outputs/norm0"}}
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "outputs/norm1"}})
// CHECK-NOT: norm_output
// OUT-LABEL: func.func @outputs
// OUT-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "outputs/norm0"}}
// OUT-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "outputs/norm1"}}
// OUT-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_output", name = "outputs/norm0"}}
// OUT-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_output", name = "outputs/norm1"}})
// OUT: %[[D:.+]] = rescale.dyt
// OUT: %[[SUM:.+]], %[[Y:.+]] = rescale.add_rms_norm
// OUT: linalg.generic {{.*}} ins(%arg0 : tensor<2x8xf32>)
// OUT: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x8xf32>)
// OUT: linalg.generic {{.*}} ins(%[[D]] : tensor<2x8xf32>)
// OUT: linalg.generic {{.*}} ins(%[[Y]] : tensor<2x8xf32>)
func.func @outputs(%x: tensor<2x8xf32>, %r: tensor<2x8xf32>, %w: tensor<8xf32>, %alpha: tensor<f32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %d = rescale.dyt %x, %alpha, %w, %w : (tensor<2x8xf32>, tensor<f32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  %sum, %y = rescale.add_rms_norm %d, %x, %w : (tensor<2x8xf32>, tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>)
  return %sum, %y : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Any op marked rescale.norm_site is probed as a norm: the identity "norm"
// (x * w) of a model without normalization.
// CHECK-LABEL: func.func @norm_site
// CHECK-SAME: tensor<2x8xf32> {rescale.probe = {kind = "norm_input", name = "layers.0.input_layernorm"}})
// OUT-LABEL: func.func @norm_site
// OUT-SAME: {rescale.probe = {kind = "norm_input", name = "layers.0.input_layernorm"}}
// OUT-SAME: {rescale.probe = {kind = "norm_output", name = "layers.0.input_layernorm"}})
// OUT: %[[Y:.+]] = arith.mulf %arg0, %arg1 {rescale.norm_site}
// OUT: linalg.generic {{.*}} ins(%arg0 : tensor<2x8xf32>)
// OUT: linalg.generic {{.*}} ins(%[[Y]] : tensor<2x8xf32>)
func.func @norm_site(%x: tensor<2x8xf32>, %w: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = arith.mulf %x, %w {rescale.norm_site} : tensor<2x8xf32> loc("layers.0.input_layernorm")
  return %y : tensor<2x8xf32>
}

// -----

// A norm marked rescale.inner_norm (the per-head output norm of a linear
// attention layer) does not read the residual stream: no probe, and no
// gated delta rule probe either (it has no attention probabilities).
// CHECK-LABEL: func.func @inner_norm
// CHECK-SAME: tensor<1x3x2x4xf32> {rescale.probe = {kind = "norm_input", name = "layers.0.input_layernorm"}})
// CHECK-NOT: rescale.probe
// CHECK: return
func.func @inner_norm(%x: tensor<1x3x2x4xf32>, %w: tensor<4xf32>, %q: tensor<1x3x1x4xf32>, %g: tensor<1x3x2xf32>) -> (tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>) {
  %n = rescale.rms_norm %x, %w : (tensor<1x3x2x4xf32>, tensor<4xf32>) -> tensor<1x3x2x4xf32> loc("layers.0.input_layernorm")
  %o = rescale.gated_delta_rule %q, %q, %n, %g, %g : (tensor<1x3x1x4xf32>, tensor<1x3x1x4xf32>, tensor<1x3x2x4xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x3x2x4xf32> loc("layers.0.linear_attn")
  %y = rescale.rms_norm %o, %w {rescale.inner_norm} : (tensor<1x3x2x4xf32>, tensor<4xf32>) -> tensor<1x3x2x4xf32> loc("layers.0.linear_attn.norm")
  return %y, %o : tensor<1x3x2x4xf32>, tensor<1x3x2x4xf32>
}

// -----

// Only the function's own block can return a probe.
// CHECK-LABEL: func.func @nested
// CHECK-SAME: -> tensor<2x8xf32> {
func.func @nested(%c: i1, %x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  %r = scf.if %c -> tensor<2x8xf32> {
    // expected-warning @+1 {{norm 'nested/norm0' is inside a nested region; no sink probe}}
    %y = rescale.rms_norm %x, %w : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
    scf.yield %y : tensor<2x8xf32>
  } else {
    scf.yield %x : tensor<2x8xf32>
  }
  return %r : tensor<2x8xf32>
}

// -----

// Dynamic shapes (issue 16, class 7): the |x| probe's init carries the
// dynamic sizes of x (the pass used to emit a tensor.empty without them,
// which the verifier rejected), and the first-token share has the dynamic
// [B, Hq] of q.
// CHECK-LABEL: func.func @dynamic_shapes
// CHECK-SAME: -> (tensor<?x?xf32>, tensor<?x?x4x8xf32>,
// CHECK-SAME: tensor<?x?xf32> {rescale.probe = {kind = "first_token_share", name = "dynamic_shapes/attention0"}},
// CHECK-SAME: tensor<?x?xf32> {rescale.probe = {kind = "first_token_output_share", name = "dynamic_shapes/attention0"}},
// CHECK-SAME: tensor<?x?xf32> {rescale.probe = {kind = "norm_input", name = "dynamic_shapes/norm0"}})
// CHECK: %[[SHARE:.+]] = rescale.attention_first_token_share {{.*}} -> tensor<?x?xf32>
// CHECK: rescale.attention_first_token_output_share {{.*}} -> tensor<?x?xf32>
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[D0:.+]] = tensor.dim %arg0, %[[C0]] : tensor<?x?xf32>
// CHECK-DAG: %[[D1:.+]] = tensor.dim %arg0, %[[C1]] : tensor<?x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<?x?xf32>) outs(%[[E]] : tensor<?x?xf32>)
func.func @dynamic_shapes(%x: tensor<?x?xf32>, %w: tensor<?xf32>, %q: tensor<?x?x4x8xf32>, %k: tensor<?x?x4x8xf32>, %v: tensor<?x?x4x8xf32>) -> (tensor<?x?xf32>, tensor<?x?x4x8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %o = rescale.attention %q, %k, %v : (tensor<?x?x4x8xf32>, tensor<?x?x4x8xf32>, tensor<?x?x4x8xf32>) -> tensor<?x?x4x8xf32>
  return %y, %o : tensor<?x?xf32>, tensor<?x?x4x8xf32>
}


// -----

// Without gate-probes (instrument-sinks-gate-probes.mlir), a gated norm gets
// its norm_input probe only.
// CHECK-LABEL: func.func @gated_norm_without_gate_probes
// CHECK-SAME: {rescale.probe = {kind = "norm_input", name = "gated_norm_without_gate_probes/norm0"}})
// CHECK-NOT: gate_input
// CHECK: return
func.func @gated_norm_without_gate_probes(%x: tensor<2x3x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x4xf32>, %wu: tensor<4x8xf32>, %g: tensor<2x3x8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x8xf32>) {
  %a = rescale.gated_norm %x, %w, %wd, %wu : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32>
  %m = arith.mulf %g, %a {rescale.norm_gate} : tensor<2x3x8xf32>
  return %a, %m : tensor<2x3x8xf32>, tensor<2x3x8xf32>
}
