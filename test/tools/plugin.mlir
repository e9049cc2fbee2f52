// The system mlir-opt-22 loads the rescale dialect and passes from the plugin,
// parses a module holding every rescale op, prints it back, and runs the
// reference decomposition through it (the training ops included).
// RUN: %system_mlir_opt %s --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin | FileCheck %s
// RUN: %system_mlir_opt %s --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin --mlir-print-op-generic \
// RUN:   | %system_mlir_opt --load-dialect-plugin=%rescale_plugin | FileCheck %s
// RUN: %system_mlir_opt %s --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin \
// RUN:   --pass-pipeline="builtin.module(convert-rescale-to-linalg)" | FileCheck %s --check-prefix=LOWER --implicit-check-not=rescale.

// The pass is registered: it shows in --help.
// RUN: %system_mlir_opt --load-pass-plugin=%rescale_plugin --help | FileCheck %s --check-prefix=HELP
// HELP: --convert-rescale-to-linalg

// After the decomposition no rescale op is left (--implicit-check-not).

// CHECK-LABEL: func.func @norms
// LOWER-LABEL: func.func @norms
func.func @norms(%x: tensor<4x64xbf16>, %res: tensor<4x64xbf16>, %l1: tensor<64xf32>, %w: tensor<64xbf16>,
                 %wd: tensor<64x16xf32>, %wu: tensor<16x64xf32>, %wt: tensor<16x1xf32>)
    -> (tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>) {
  // CHECK: rescale.rms_norm
  // CHECK: rescale.preaffine_rms_norm
  // CHECK: rescale.gated_norm {{.*}}gate_activation = #rescale.gate_activation<silu>
  // CHECK: rescale.gated_norm {{.*}}tensor<16x1xf32>
  // CHECK: rescale.add_rms_norm
  // LOWER: linalg.generic
  %0 = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x64xbf16>, tensor<64xbf16>) -> tensor<4x64xbf16>
  %1 = rescale.preaffine_rms_norm %x, %l1, %w : (tensor<4x64xbf16>, tensor<64xf32>, tensor<64xbf16>) -> tensor<4x64xbf16>
  %2 = rescale.gated_norm %x, %w, %wd, %wu {gate_activation = #rescale.gate_activation<silu>} : (tensor<4x64xbf16>, tensor<64xbf16>, tensor<64x16xf32>, tensor<16x64xf32>) -> tensor<4x64xbf16>
  %3 = rescale.gated_norm %x, %w, %wd, %wt : (tensor<4x64xbf16>, tensor<64xbf16>, tensor<64x16xf32>, tensor<16x1xf32>) -> tensor<4x64xbf16>
  %4:2 = rescale.add_rms_norm %x, %res, %w : (tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<64xbf16>) -> (tensor<4x64xbf16>, tensor<4x64xbf16>)
  return %0, %1, %2, %3, %4#0, %4#1 : tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>, tensor<4x64xbf16>
}

// CHECK-LABEL: func.func @attention
// LOWER-LABEL: func.func @attention
func.func @attention(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>,
                     %gh: tensor<1x4x8xf32>, %ge: tensor<1x4x8x16xf32>, %s: tensor<4xf32>)
    -> (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) {
  // CHECK: rescale.attention {{.*}}{causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>}
  // CHECK: rescale.attention {{.*}}{gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<off_by_one>}
  // CHECK: rescale.attention {{.*}}{scale = 2.500000e-01 : f32}
  // LOWER: linalg.generic
  %0 = rescale.attention %q, %k, %v, %gh, %s {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x4x8xf32>, tensor<4xf32>) -> tensor<1x4x8x16xf32>
  %1 = rescale.attention %q, %k, %v, %ge {gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<off_by_one>} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  %2 = rescale.attention %q, %k, %v {scale = 0.25 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %0, %1, %2 : tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>
}

// CHECK-LABEL: func.func @linear_and_ablations
// LOWER-LABEL: func.func @linear_and_ablations
func.func @linear_and_ablations(%x: tensor<4x64xf16>, %w: tensor<32x64xf16>, %b: tensor<32xf16>,
                                %a: tensor<1xf32>, %g: tensor<64xf16>, %bb: tensor<64xf16>)
    -> (tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x64xf16>, tensor<4x64xf16>) {
  // CHECK: rescale.linear
  // CHECK: rescale.linear
  // CHECK: rescale.dyt
  // CHECK: rescale.clip
  // LOWER: linalg.generic
  %0 = rescale.linear %x, %w, %b : (tensor<4x64xf16>, tensor<32x64xf16>, tensor<32xf16>) -> tensor<4x32xf16>
  %1 = rescale.linear %x, %w : (tensor<4x64xf16>, tensor<32x64xf16>) -> tensor<4x32xf16>
  %2 = rescale.dyt %x, %a, %g, %bb : (tensor<4x64xf16>, tensor<1xf32>, tensor<64xf16>, tensor<64xf16>) -> tensor<4x64xf16>
  %3 = rescale.clip %x {threshold = 4.0 : f32} : (tensor<4x64xf16>) -> tensor<4x64xf16>
  return %0, %1, %2, %3 : tensor<4x32xf16>, tensor<4x32xf16>, tensor<4x64xf16>, tensor<4x64xf16>
}

// CHECK-LABEL: func.func @quantization
// LOWER-LABEL: func.func @quantization
func.func @quantization(%x: tensor<4x128xf32>, %w: tensor<128x128xf32>)
    -> (tensor<4x128xf32>, tensor<4x128xf32>, tensor<4x128xbf16>, tensor<4x128xf32>, tensor<128x128xf32>, tensor<4x128xf32>) {
  // CHECK: rescale.quantize {{.*}}#rescale.quant<int8, per_token>
  // CHECK: rescale.dequantize {{.*}}#rescale.quant<int8, per_token>
  // CHECK: rescale.fake_quant {{.*}}#rescale.quant<int4, per_tensor>
  // CHECK: rescale.quantize {{.*}}#rescale.quant<nvfp4, per_token>
  // CHECK: rescale.dequantize {{.*}}#rescale.quant<nvfp4, per_token>
  // CHECK: rescale.fake_quant {{.*}}#rescale.quant<fp8, per_token>
  // CHECK: rescale.fake_quant {{.*}}#rescale.quant<fp8, per_block>
  // CHECK: rescale.fake_quant {{.*}}#rescale.quant<mxfp4>
  // LOWER: linalg.generic
  %q:2 = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>} : (tensor<4x128xf32>) -> (tensor<4x128xi8>, tensor<4x1xf32>)
  %d = rescale.dequantize %q#0, %q#1 {scheme = #rescale.quant<int8, per_token>} : (tensor<4x128xi8>, tensor<4x1xf32>) -> tensor<4x128xf32>
  %f4 = rescale.fake_quant %x {scheme = #rescale.quant<int4, per_tensor>} : (tensor<4x128xf32>) -> tensor<4x128xf32>
  %n:3 = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<4x128xf32>) -> (tensor<4x128xf4E2M1FN>, tensor<4x8xf8E4M3FN>, tensor<4x1xf32>)
  %dn = rescale.dequantize %n#0, %n#1, %n#2 {scheme = #rescale.quant<nvfp4, per_token>} : (tensor<4x128xf4E2M1FN>, tensor<4x8xf8E4M3FN>, tensor<4x1xf32>) -> tensor<4x128xbf16>
  %f8 = rescale.fake_quant %x {scheme = #rescale.quant<fp8, per_token>} : (tensor<4x128xf32>) -> tensor<4x128xf32>
  %fb = rescale.fake_quant %w {scheme = #rescale.quant<fp8, per_block>} : (tensor<128x128xf32>) -> tensor<128x128xf32>
  %mx = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4>} : (tensor<4x128xf32>) -> tensor<4x128xf32>
  return %d, %f4, %dn, %f8, %fb, %mx : tensor<4x128xf32>, tensor<4x128xf32>, tensor<4x128xbf16>, tensor<4x128xf32>, tensor<128x128xf32>, tensor<4x128xf32>
}

// CHECK-LABEL: func.func @training
// LOWER-LABEL: func.func @training
func.func @training(%ids: tensor<2x4xi32>, %t: tensor<16x8xbf16>, %l: tensor<2x4x16xf32>, %x: tensor<1x2x4x8xf32>,
                    %pos: tensor<4xi64>, %dl: tensor<f32>, %p: tensor<16x8xf32>, %h: tensor<f32>)
    -> (tensor<2x4x8xbf16>, tensor<16x8xbf16>, tensor<f32>, tensor<2x4x16xf32>, tensor<1x2x4x8xf32>, tensor<16x8xf32>) {
  // CHECK: rescale.embedding
  // CHECK: rescale.embedding_grad {{.*}}{num_embeddings = 16 : i64}
  // CHECK: rescale.cross_entropy {{.*}}{z_loss = 5.000000e-01 : f32}
  // CHECK: rescale.cross_entropy_grad
  // CHECK: rescale.rope {{.*}}{inverse}
  // CHECK: rescale.adamw
  // LOWER: linalg.generic
  %e = rescale.embedding %ids, %t : (tensor<2x4xi32>, tensor<16x8xbf16>) -> tensor<2x4x8xbf16>
  %dt = rescale.embedding_grad %ids, %e {num_embeddings = 16 : i64} : (tensor<2x4xi32>, tensor<2x4x8xbf16>) -> tensor<16x8xbf16>
  %ce = rescale.cross_entropy %l, %ids {z_loss = 0.5 : f32} : (tensor<2x4x16xf32>, tensor<2x4xi32>) -> tensor<f32>
  %dce = rescale.cross_entropy_grad %l, %ids, %dl : (tensor<2x4x16xf32>, tensor<2x4xi32>, tensor<f32>) -> tensor<2x4x16xf32>
  %r = rescale.rope %x, %pos {inverse} : tensor<1x2x4x8xf32>, tensor<4xi64>
  %p1, %m1, %v1 = rescale.adamw %p, %p, %p, %p lr(%h) beta1(%h) beta2(%h) eps(%h) weight_decay(%h) step(%h) : tensor<16x8xf32>
  return %e, %dt, %ce, %dce, %r, %p1 : tensor<2x4x8xbf16>, tensor<16x8xbf16>, tensor<f32>, tensor<2x4x16xf32>, tensor<1x2x4x8xf32>, tensor<16x8xf32>
}
