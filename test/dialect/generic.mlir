// Every op written by hand in the generic form, with the operand order and
// attribute names of the dialect's specification (issue 2): it parses,
// verifies, and prints in custom form with the operands in the same places.
// Attributes are given both as a plain dictionary `{...}` and as properties
// `<{...}>`; attention's gate and sinks are a positional tail whose presence
// the attributes decide (no operandSegmentSizes).
// RUN: rescale-opt %s | FileCheck %s
// RUN: rescale-opt %s --verify-roundtrip --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @norms
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x64xf32>, %[[R:[^:]+]]: tensor<4x64xf32>, %[[L:[^:]+]]: tensor<64xf32>, %[[W:[^:]+]]: tensor<64xf32>, %[[WD:[^:]+]]: tensor<64x16xf32>, %[[WU:[^:]+]]: tensor<16x64xf32>, %[[WT:[^:]+]]: tensor<16x1xf32>)
func.func @norms(%x: tensor<4x64xf32>, %res: tensor<4x64xf32>, %l1: tensor<64xf32>, %w: tensor<64xf32>,
                 %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>, %wt: tensor<16x1xf32>) {
  // CHECK: rescale.rms_norm %[[X]], %[[W]] {epsilon = 9.99999974E-6 : f32}
  // GENERIC: "rescale.rms_norm"(%{{.+}}, %{{.+}}) <{epsilon = 9.99999974E-6 : f32}>
  %0 = "rescale.rms_norm"(%x, %w) {epsilon = 1.0e-5 : f32} : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  // The epsilon defaults to 1e-6.
  // CHECK: rescale.rms_norm %[[X]], %[[W]] :
  // GENERIC: "rescale.rms_norm"(%{{.+}}, %{{.+}}) <{epsilon = 9.99999997E-7 : f32}>
  %1 = "rescale.rms_norm"(%x, %w) : (tensor<4x64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  // CHECK: rescale.preaffine_rms_norm %[[X]], %[[L]], %[[W]] {epsilon = 1.000000e-05 : f64}
  // GENERIC: "rescale.preaffine_rms_norm"(%{{.+}}, %{{.+}}, %{{.+}}) <{epsilon = 1.000000e-05 : f64}>
  %2 = "rescale.preaffine_rms_norm"(%x, %l1, %w) <{epsilon = 1.0e-5}> : (tensor<4x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<4x64xf32>
  // CHECK: rescale.gated_norm %[[X]], %[[W]], %[[WD]], %[[WU]] {gate_activation = #rescale.gate_activation<tanh>}
  // GENERIC: "rescale.gated_norm"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{epsilon = 9.99999997E-7 : f32, gate_activation = #rescale.gate_activation<tanh>}>
  %3 = "rescale.gated_norm"(%x, %w, %wd, %wu) {epsilon = 1.0e-6 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<4x64xf32>
  // Tensorwise gate: w_up is [r, 1].
  // CHECK: rescale.gated_norm %[[X]], %[[W]], %[[WD]], %[[WT]] :
  %4 = "rescale.gated_norm"(%x, %w, %wd, %wt) : (tensor<4x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x1xf32>) -> tensor<4x64xf32>
  // CHECK: %{{.+}}, %{{.+}} = rescale.add_rms_norm %[[X]], %[[R]], %[[W]] {epsilon = 9.99999974E-6 : f32}
  // GENERIC: "rescale.add_rms_norm"(%{{.+}}, %{{.+}}, %{{.+}}) <{epsilon = 9.99999974E-6 : f32}> : (tensor<4x64xf32>, tensor<4x64xf32>, tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>)
  %5:2 = "rescale.add_rms_norm"(%x, %res, %w) {epsilon = 1.0e-5 : f32} : (tensor<4x64xf32>, tensor<4x64xf32>, tensor<64xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>)
  return
}

// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:[^:]+]]: tensor<1x8x16x32xbf16>, %[[K:[^:]+]]: tensor<1x2x16x32xbf16>, %[[V:[^:]+]]: tensor<1x2x16x32xbf16>, %[[GH:[^:]+]]: tensor<1x8x16xbf16>, %[[GE:[^:]+]]: tensor<1x8x16x32xbf16>, %[[S:[^:]+]]: tensor<8xf32>)
func.func @attention(%q: tensor<1x8x16x32xbf16>, %k: tensor<1x2x16x32xbf16>, %v: tensor<1x2x16x32xbf16>,
                     %gh: tensor<1x8x16xbf16>, %ge: tensor<1x8x16x32xbf16>, %s: tensor<8xf32>) {
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]] :
  // Defaults are materialized as properties in the generic form.
  // GENERIC: "rescale.attention"(%{{.+}}, %{{.+}}, %{{.+}}) <{gate_kind = #rescale.gate_kind<none>, softmax = #rescale.softmax<standard>}> : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>) -> tensor<1x8x16x32xbf16>
  %0 = "rescale.attention"(%q, %k, %v) : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>) -> tensor<1x8x16x32xbf16>
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 1.250000e-01 : f32, softmax = #rescale.softmax<off_by_one>}
  %1 = "rescale.attention"(%q, %k, %v) {causal, scale = 0.125 : f32, softmax = #rescale.softmax<off_by_one>} : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>) -> tensor<1x8x16x32xbf16>
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]], %[[GH]] {causal, gate_kind = #rescale.gate_kind<headwise>}
  // GENERIC: "rescale.attention"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<standard>}>
  %2 = "rescale.attention"(%q, %k, %v, %gh) {causal, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x8x16xbf16>) -> tensor<1x8x16x32xbf16>
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]], %[[GE]] {gate_kind = #rescale.gate_kind<elementwise>, scale = 2.500000e-01 : f64}
  %3 = "rescale.attention"(%q, %k, %v, %ge) <{gate_kind = #rescale.gate_kind<elementwise>, scale = 0.25}> : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x8x16x32xbf16>) -> tensor<1x8x16x32xbf16>
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]], %[[S]] {softmax = #rescale.softmax<learned_sink>}
  %4 = "rescale.attention"(%q, %k, %v, %s) {softmax = #rescale.softmax<learned_sink>} : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<8xf32>) -> tensor<1x8x16x32xbf16>
  // CHECK: rescale.attention %[[Q]], %[[K]], %[[V]], %[[GH]], %[[S]] {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>}
  // GENERIC: "rescale.attention"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>}>
  %5 = "rescale.attention"(%q, %k, %v, %gh, %s) {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x8x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x2x16x32xbf16>, tensor<1x8x16xbf16>, tensor<8xf32>) -> tensor<1x8x16x32xbf16>
  return
}

// CHECK-LABEL: func.func @linear_and_ablations
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x64xf16>, %[[W:[^:]+]]: tensor<32x64xf16>, %[[B:[^:]+]]: tensor<32xf16>, %[[A:[^:]+]]: tensor<f32>, %[[A1:[^:]+]]: tensor<1xf16>, %[[G:[^:]+]]: tensor<64xf16>, %[[BB:[^:]+]]: tensor<64xf16>)
func.func @linear_and_ablations(%x: tensor<4x64xf16>, %w: tensor<32x64xf16>, %b: tensor<32xf16>,
                                %alpha: tensor<f32>, %alpha1: tensor<1xf16>, %g: tensor<64xf16>, %beta: tensor<64xf16>) {
  // CHECK: rescale.linear %[[X]], %[[W]], %[[B]] : (tensor<4x64xf16>, tensor<32x64xf16>, tensor<32xf16>) -> tensor<4x32xf16>
  %0 = "rescale.linear"(%x, %w, %b) : (tensor<4x64xf16>, tensor<32x64xf16>, tensor<32xf16>) -> tensor<4x32xf16>
  // CHECK: rescale.linear %[[X]], %[[W]] : (tensor<4x64xf16>, tensor<32x64xf16>) -> tensor<4x32xf16>
  %1 = "rescale.linear"(%x, %w) : (tensor<4x64xf16>, tensor<32x64xf16>) -> tensor<4x32xf16>
  // CHECK: rescale.dyt %[[X]], %[[A]], %[[G]], %[[BB]] :
  %2 = "rescale.dyt"(%x, %alpha, %g, %beta) : (tensor<4x64xf16>, tensor<f32>, tensor<64xf16>, tensor<64xf16>) -> tensor<4x64xf16>
  // CHECK: rescale.dyt %[[X]], %[[A1]], %[[G]], %[[BB]] :
  %3 = "rescale.dyt"(%x, %alpha1, %g, %beta) : (tensor<4x64xf16>, tensor<1xf16>, tensor<64xf16>, tensor<64xf16>) -> tensor<4x64xf16>
  // CHECK: rescale.clip %[[X]] {threshold = 4.000000e+00 : f32}
  // GENERIC: "rescale.clip"(%{{.+}}) <{threshold = 4.000000e+00 : f32}> : (tensor<4x64xf16>) -> tensor<4x64xf16>
  %4 = "rescale.clip"(%x) {threshold = 4.0 : f32} : (tensor<4x64xf16>) -> tensor<4x64xf16>
  return
}

// CHECK-LABEL: func.func @quantization
// CHECK-SAME: (%[[X:[^:]+]]: tensor<4x64xf32>)
func.func @quantization(%x: tensor<4x64xf32>) {
  // CHECK: %[[Q:.+]], %[[S:.+]] = rescale.quantize %[[X]] {scheme = #rescale.quant<int8, per_token>}
  // GENERIC: "rescale.quantize"(%{{.+}}) <{scheme = #rescale.quant<int8, per_token>}> : (tensor<4x64xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>)
  %q:2 = "rescale.quantize"(%x) {scheme = #rescale.quant<int8, per_token>} : (tensor<4x64xf32>) -> (tensor<4x64xi8>, tensor<4x1xf32>)
  // CHECK: rescale.dequantize %[[Q]], %[[S]] {scheme = #rescale.quant<int8, per_token>}
  %d = "rescale.dequantize"(%q#0, %q#1) {scheme = #rescale.quant<int8, per_token>} : (tensor<4x64xi8>, tensor<4x1xf32>) -> tensor<4x64xf32>
  // CHECK: %[[Q4:.+]], %[[S4:.+]] = rescale.quantize %[[X]] {scheme = #rescale.quant<int4, per_tensor>} : (tensor<4x64xf32>) -> (tensor<4x64xi4>, tensor<1x1xf32>)
  %q4:2 = "rescale.quantize"(%x) {scheme = #rescale.quant<int4, per_tensor>} : (tensor<4x64xf32>) -> (tensor<4x64xi4>, tensor<1x1xf32>)
  // CHECK: rescale.dequantize %[[Q4]], %[[S4]] {scheme = #rescale.quant<int4, per_tensor>}
  %d4 = "rescale.dequantize"(%q4#0, %q4#1) {scheme = #rescale.quant<int4, per_tensor>} : (tensor<4x64xi4>, tensor<1x1xf32>) -> tensor<4x64xf32>
  // CHECK: %[[QN:.+]], %[[SN:.+]], %[[GN:.+]] = rescale.quantize %[[X]] {scheme = #rescale.quant<nvfp4, per_token>}
  %n:3 = "rescale.quantize"(%x) {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<4x64xf32>) -> (tensor<4x64xf4E2M1FN>, tensor<4x4xf8E4M3FN>, tensor<4x1xf32>)
  // CHECK: rescale.dequantize %[[QN]], %[[SN]], %[[GN]] {scheme = #rescale.quant<nvfp4, per_token>}
  // GENERIC: "rescale.dequantize"(%{{.+}}, %{{.+}}, %{{.+}}) <{scheme = #rescale.quant<nvfp4, per_token>}> : (tensor<4x64xf4E2M1FN>, tensor<4x4xf8E4M3FN>, tensor<4x1xf32>) -> tensor<4x64xbf16>
  %dn = "rescale.dequantize"(%n#0, %n#1, %n#2) {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<4x64xf4E2M1FN>, tensor<4x4xf8E4M3FN>, tensor<4x1xf32>) -> tensor<4x64xbf16>
  // CHECK: rescale.quantize %[[X]] {scheme = #rescale.quant<fp8, per_token>} : (tensor<4x64xf32>) -> (tensor<4x64xf8E4M3FN>, tensor<4x1xf32>)
  %f:2 = "rescale.quantize"(%x) {scheme = #rescale.quant<fp8, per_token>} : (tensor<4x64xf32>) -> (tensor<4x64xf8E4M3FN>, tensor<4x1xf32>)
  // CHECK: rescale.quantize %[[X]] {scheme = #rescale.quant<mxfp4>} : (tensor<4x64xf32>) -> (tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>)
  %m:2 = "rescale.quantize"(%x) {scheme = #rescale.quant<mxfp4>} : (tensor<4x64xf32>) -> (tensor<4x64xf4E2M1FN>, tensor<4x2xf8E8M0FNU>)
  // CHECK: rescale.fake_quant %[[X]] {scheme = #rescale.quant<mxfp4>} : (tensor<4x64xf32>) -> tensor<4x64xf32>
  // GENERIC: "rescale.fake_quant"(%{{.+}}) <{scheme = #rescale.quant<mxfp4>}> : (tensor<4x64xf32>) -> tensor<4x64xf32>
  %fq = "rescale.fake_quant"(%x) {scheme = #rescale.quant<mxfp4>} : (tensor<4x64xf32>) -> tensor<4x64xf32>
  return
}
