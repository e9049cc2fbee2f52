// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-insert-quantization=scheme=w8a8 | FileCheck %s --check-prefix=W8A8
// RUN: rescale-opt %s --split-input-file --verify-diagnostics --rescale-insert-quantization=scheme=w4a4 | FileCheck %s --check-prefix=W4A4
// RUN: rescale-opt %s --split-input-file --rescale-insert-quantization=scheme=fp8 | FileCheck %s --check-prefix=FP8
// RUN: rescale-opt %s --split-input-file --rescale-insert-quantization="scheme=nvfp4 storage=real" 2>/dev/null | FileCheck %s --check-prefix=NVFP4
// RUN: rescale-opt %s --split-input-file --rescale-insert-quantization="scheme=mxfp4 storage=real skip=^lm_head$" 2>%t.mxfp4.err | FileCheck %s --check-prefix=MXFP4
// RUN: FileCheck %s --check-prefix=MXFP4-WARN < %t.mxfp4.err
// RUN: rescale-opt %s --split-input-file --rescale-insert-quantization="scheme=w8a8 storage=real" 2>/dev/null | FileCheck %s --check-prefix=REAL8

// Bad options: an error, non-zero exit. scheme and storage are enum options
// (passes/Passes.td): the option parser names the word it does not know, and
// `rescale-opt --help` lists the keywords.
// RUN: rescale-opt --help | FileCheck %s --check-prefix=HELP
// HELP: --rescale-insert-quantization
// HELP: =w4a4
// HELP: =mxfp4
// HELP: =real
// RUN: not rescale-opt %s --split-input-file --rescale-insert-quantization=scheme=int3 2>&1 | FileCheck %s --check-prefix=BAD-SCHEME
// BAD-SCHEME: for the --scheme option: Cannot find option named 'int3'!
// RUN: not rescale-opt %s --split-input-file --rescale-insert-quantization=storage=packed 2>&1 | FileCheck %s --check-prefix=BAD-STORAGE
// BAD-STORAGE: for the --storage option: Cannot find option named 'packed'!
// RUN: not rescale-opt %s --split-input-file "--rescale-insert-quantization=skip=(" 2>&1 | FileCheck %s --check-prefix=BAD-SKIP
// BAD-SKIP: error: --rescale-insert-quantization: invalid skip regex '(':

// Fake quantization (the default): the activation per token, the weight per
// output channel; the bias stays in full precision.
// W8A8-LABEL: func.func @fake_quant_argument_weight
// W8A8-SAME: (%[[X:.+]]: tensor<2x8x64xbf16>, %[[W:.+]]: tensor<32x64xf32>, %[[B:.+]]: tensor<32xf32>)
// W8A8: %[[XQ:.+]] = rescale.fake_quant %[[X]] {scheme = #rescale.quant<int8, per_token>} : (tensor<2x8x64xbf16>) -> tensor<2x8x64xbf16>
// W8A8: %[[WQ:.+]] = rescale.fake_quant %[[W]] {scheme = #rescale.quant<int8, per_channel>} : (tensor<32x64xf32>) -> tensor<32x64xf32>
// W8A8: rescale.linear %[[XQ]], %[[WQ]], %[[B]]
// W4A4-LABEL: func.func @fake_quant_argument_weight
// W4A4: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int4, per_token>}
// W4A4: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int4, per_channel>}
// FP8-LABEL: func.func @fake_quant_argument_weight
// FP8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_token>}
// FP8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_channel>}
// NVFP4-LABEL: func.func @fake_quant_argument_weight
// NVFP4: %[[XQ:.+]] = rescale.fake_quant %{{.+}} {scheme = #rescale.quant<nvfp4, per_token>}
// NVFP4: %[[V:.+]], %[[S:.+]], %[[G:.+]] = rescale.quantize %{{.+}} {scheme = #rescale.quant<nvfp4, per_tensor>} : (tensor<32x64xf32>) -> (tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<1x1xf32>)
// NVFP4: %[[WQ:.+]] = rescale.dequantize %[[V]], %[[S]], %[[G]]
// NVFP4: rescale.linear %[[XQ]], %[[WQ]]
// MXFP4-LABEL: func.func @fake_quant_argument_weight
// MXFP4: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<mxfp4>}
// MXFP4: rescale.quantize %{{.+}} {scheme = #rescale.quant<mxfp4>} : (tensor<32x64xf32>) -> (tensor<32x64xf4E2M1FN>, tensor<32x2xf8E8M0FNU>)
func.func @fake_quant_argument_weight(%x: tensor<2x8x64xbf16>, %w: tensor<32x64xf32>, %b: tensor<32xf32>) -> tensor<2x8x32xbf16> {
  %y = rescale.linear %x, %w, %b : (tensor<2x8x64xbf16>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<2x8x32xbf16>
  return %y : tensor<2x8x32xbf16>
}

// -----

// FP8 weights use 128x128 blocks where they tile the weight.
// FP8-LABEL: func.func @fp8_block_weight
// FP8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_token>} : (tensor<4x128xf32>)
// FP8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<fp8, per_block>} : (tensor<256x128xf32>)
func.func @fp8_block_weight(%x: tensor<4x128xf32>, %w: tensor<256x128xf32>) -> tensor<4x256xf32> {
  %y = rescale.linear %x, %w : (tensor<4x128xf32>, tensor<256x128xf32>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// -----

// storage=real: a constant weight is quantized at compile time into its
// storage types. Row 0 is [3, -6, 0, ...], row 1 zeros.
// With nvfp4: per_tensor S = 6/2688, the first block's s_b = e4m3(6/6/S) = 448,
// so 448·S = 1 and the elements stay 3, -6; all-zero blocks get s_b = 1.
// With mxfp4: row 0's scale is 2^(floor(log2 6) - 2) = 1, row 1's (amax 0) is 1.
// NVFP4-LABEL: func.func @real_storage_constant_weight
// NVFP4-DAG: %[[V:.+]] = arith.constant dense<{{\[}}[3.000000e+00, -6.000000e+00, 0.000000e+00, {{.*}}]]> : tensor<2x32xf4E2M1FN>
// NVFP4-DAG: %[[S:.+]] = arith.constant dense<{{\[}}[4.480000e+02, 1.000000e+00], [1.000000e+00, 1.000000e+00]]> : tensor<2x2xf8E4M3FN>
// NVFP4-DAG: %[[G:.+]] = arith.constant dense<0.00223214296> : tensor<1x1xf32>
// NVFP4: %[[WQ:.+]] = rescale.dequantize %[[V]], %[[S]], %[[G]] {scheme = #rescale.quant<nvfp4, per_tensor>}
// NVFP4: rescale.linear %{{.+}}, %[[WQ]]
// MXFP4-LABEL: func.func @real_storage_constant_weight
// MXFP4-DAG: %[[V:.+]] = arith.constant dense<{{\[}}[3.000000e+00, -6.000000e+00, 0.000000e+00, {{.*}}]]> : tensor<2x32xf4E2M1FN>
// MXFP4-DAG: %[[S:.+]] = arith.constant dense<1.000000e+00> : tensor<2x1xf8E8M0FNU>
// MXFP4: rescale.dequantize %[[V]], %[[S]] {scheme = #rescale.quant<mxfp4>}
// W8A8-LABEL: func.func @real_storage_constant_weight
// W8A8-NOT: arith.constant {{.*}}xi8>
func.func @real_storage_constant_weight(%x: tensor<4x32xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[3.0, -6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<2x32xf32>
  %y = rescale.linear %x, %w : (tensor<4x32xf32>, tensor<2x32xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Names: a NameLoc names the linear; skip (a regex) leaves it alone. The
// other linear is "skip_by_name/linear1".
// MXFP4-LABEL: func.func @skip_by_name
// MXFP4: rescale.fake_quant
// MXFP4: rescale.linear %{{.+}}, %{{.+}} : (tensor<4x32xf32>, tensor<32x32xf32>)
// MXFP4-NOT: rescale.fake_quant
// MXFP4: rescale.linear %arg0, %arg2 : (tensor<4x32xf32>, tensor<8x32xf32>)
// MXFP4-NOT: rescale.fake_quant
func.func @skip_by_name(%x: tensor<4x32xf32>, %w: tensor<32x32xf32>, %head: tensor<8x32xf32>) -> (tensor<4x32xf32>, tensor<4x8xf32>) {
  %h = rescale.linear %x, %w : (tensor<4x32xf32>, tensor<32x32xf32>) -> tensor<4x32xf32>
  %o = rescale.linear %x, %head : (tensor<4x32xf32>, tensor<8x32xf32>) -> tensor<4x8xf32> loc("lm_head")
  return %h, %o : tensor<4x32xf32>, tensor<4x8xf32>
}

// -----

// K = 48 is not a multiple of MXFP4's 32-element blocks: the linear stays in
// full precision, with a warning (int8 has no blocks and quantizes it).
// MXFP4-WARN: warning: linear 'k_not_a_block_multiple/linear0' is not quantized: mxfp4 uses blocks of 32 along K, which do not divide K = 48
// MXFP4-LABEL: func.func @k_not_a_block_multiple
// MXFP4-NOT: rescale.fake_quant
// W8A8-LABEL: func.func @k_not_a_block_multiple
// W8A8: rescale.fake_quant
func.func @k_not_a_block_multiple(%x: tensor<4x48xf32>, %w: tensor<8x48xf32>) -> tensor<4x8xf32> {
  %y = rescale.linear %x, %w : (tensor<4x48xf32>, tensor<8x48xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Dynamic shapes (issue 16, class 7): the linear is declined with a warning
// (the groups, SmoothQuant's channels and stored weights need static
// shapes), never rewritten into IR that does not verify.
// W8A8-LABEL: func.func @dynamic_linear_declined
// MXFP4-LABEL: func.func @dynamic_linear_declined
// W8A8-NOT: rescale.fake_quant
// W8A8: rescale.linear %arg0, %arg1 :
func.func @dynamic_linear_declined(%x: tensor<?x64xf32>, %w: tensor<32x64xf32>) -> tensor<?x32xf32> {
  // expected-warning @+1 {{linear 'dynamic_linear_declined/linear0' is not quantized: its input or weight has a dynamic shape}}
  %y = rescale.linear %x, %w : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// K = 0 and N = 0 (issue 16, class 2): a group that spans an empty dimension
// is one group with amax 0 and scale 1 (it used to divide by zero).
// MXFP4-LABEL: func.func @zero_size_linears
// W8A8-LABEL: func.func @zero_size_linears
// W8A8: rescale.fake_quant %arg0 {scheme = #rescale.quant<int8, per_token>} : (tensor<4x0xf32>)
// W8A8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int8, per_channel>} : (tensor<8x0xf32>)
// W8A8: rescale.fake_quant %{{.+}} {scheme = #rescale.quant<int8, per_channel>} : (tensor<0x32xf32>)
// REAL8-LABEL: func.func @zero_size_linears
// REAL8-DAG: arith.constant dense<> : tensor<8x0xi8>
// REAL8-DAG: arith.constant dense<1.000000e+00> : tensor<8x1xf32>
// REAL8-DAG: arith.constant dense<> : tensor<0x32xi8>
// REAL8-DAG: arith.constant dense<> : tensor<0x1xf32>
// NVFP4-LABEL: func.func @zero_size_linears
// NVFP4-DAG: arith.constant dense<> : tensor<8x0xf4E2M1FN>
// NVFP4-DAG: arith.constant dense<> : tensor<8x0xf8E4M3FN>
// NVFP4-DAG: arith.constant dense<> : tensor<0x32xf4E2M1FN>
// NVFP4-DAG: arith.constant dense<> : tensor<0x2xf8E4M3FN>
// NVFP4-DAG: arith.constant dense<1.000000e+00> : tensor<1x1xf32>
func.func @zero_size_linears(%x: tensor<4x0xf32>, %x2: tensor<4x32xf32>) -> (tensor<4x8xf32>, tensor<4x0xf32>) {
  %w = arith.constant dense<0.5> : tensor<8x0xf32>
  %w2 = arith.constant dense<0.5> : tensor<0x32xf32>
  %y = rescale.linear %x, %w : (tensor<4x0xf32>, tensor<8x0xf32>) -> tensor<4x8xf32>
  %z = rescale.linear %x2, %w2 : (tensor<4x32xf32>, tensor<0x32xf32>) -> tensor<4x0xf32>
  return %y, %z : tensor<4x8xf32>, tensor<4x0xf32>
}

// -----

// A constant weight of GBs as a splat (issue 16, class 4): storage=real
// quantizes it as one value, a splat of codes and a splat of scales (it used
// to expand 2^32 elements to f64).
// MXFP4-LABEL: func.func @huge_splat_weight
// REAL8-LABEL: func.func @huge_splat_weight
// REAL8-DAG: arith.constant dense<127> : tensor<65536x65536xi8>
// REAL8-DAG: arith.constant dense<0.00393700786> : tensor<65536x1xf32>
// NVFP4-LABEL: func.func @huge_splat_weight
// NVFP4: arith.constant dense<{{.+}}> : tensor<65536x65536xf4E2M1FN>
func.func @huge_splat_weight(%x: tensor<1x65536xf32>) -> tensor<1x65536xf32> {
  %w = arith.constant dense<0.5> : tensor<65536x65536xf32>
  %y = rescale.linear %x, %w : (tensor<1x65536xf32>, tensor<65536x65536xf32>) -> tensor<1x65536xf32>
  return %y : tensor<1x65536xf32>
}


// -----

// A weight in an immutable ml_program.global (as rescale-compile loads
// safetensors) is folded by the pass with rescale.quantize's folder, which
// cannot see a global's value itself; a mutable global stays a run-time
// quantize.
// REAL8-LABEL: func.func @global_weights
// REAL8-DAG: arith.constant dense<{{\[}}[127, -64], [0, 127]]> : tensor<2x2xi8>
// REAL8-DAG: arith.constant dense<{{\[}}[0.0157480314], [0.0314960629]]> : tensor<2x1xf32>
// REAL8: %[[M:.+]] = ml_program.global_load @mutable
// REAL8: rescale.quantize %[[M]]
// REAL8-NOT: rescale.quantize
module {
  ml_program.global private @frozen(dense<[[2.0, -1.0], [0.0, 4.0]]> : tensor<2x2xf32>) : tensor<2x2xf32>
  ml_program.global private mutable @mutable(dense<[[2.0, -1.0], [0.0, 4.0]]> : tensor<2x2xf32>) : tensor<2x2xf32>
  func.func @global_weights(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
    %w = ml_program.global_load_const @frozen : tensor<2x2xf32>
    %y = rescale.linear %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
    %m = ml_program.global_load @mutable : tensor<2x2xf32>
    %z = rescale.linear %x, %m : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
    return %y, %z : tensor<3x2xf32>, tensor<3x2xf32>
  }
}
