// The rescale ops with no hand-scheduled kernel (quantize, dequantize and
// fake_quant in every format, clip, the sink probe) run as the generic
// kernels of their reference decomposition: every one assembles with ptxas
// for sm_80 and sm_90 with no spills and no stack frame, and the f64
// quantization math, roundeven, bitcasts and integer ops lower to native PTX
// (no unresolved extern calls). Kernels come from Inputs/quant-ops.mlir.
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/Inputs/quant-ops.mlir --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm80.log
// RUN: FileCheck %s < %t.sm80.log
// RUN: FileCheck %s --check-prefixes=REDUCE,SM80 < %t.sm80.log
// RUN: rescale-opt %S/Inputs/quant-ops.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm90.log
// RUN: FileCheck %s < %t.sm90.log
// RUN: FileCheck %s --check-prefixes=REDUCE,SM90 < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// No kernel spills or has a stack frame (a file of NOT lines checks all of
// the log).
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

// Every function's kernels are there.
// CHECK-DAG: Compiling entry function 'quantize_int4_per_tensor_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_int4_i4_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'dequantize_int4_i4_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_int8_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'dequantize_int8_per_channel_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'fake_quant_int8_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_fp8_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_fp8_per_block_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'dequantize_fp8_per_block_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'fake_quant_fp8_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_nvfp4_per_tensor_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'dequantize_nvfp4_per_tensor_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_nvfp4_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'fake_quant_nvfp4_per_token_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_mxfp4_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'dequantize_mxfp4_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'fake_quant_mxfp4_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'quantize_int8_per_token_wide_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'clip_bf16_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'first_token_share_causal_gqa_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'first_token_share_learned_sink_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// CHECK-DAG: Compiling entry function 'first_token_output_share_causal_gqa_{{[a-z]+(_[0-9]+)?}}' for 'sm_{{80|90}}'
// A serial-reduction kernel for each group maximum (quantize, fake_quant,
// nvfp4's two levels) and for the probe's softmax sums.
// SM80-DAG: Compiling entry function 'quantize_nvfp4_per_tensor_reduction' for 'sm_80'
// SM90-DAG: Compiling entry function 'quantize_nvfp4_per_tensor_reduction' for 'sm_90'
// REDUCE-DAG: Compiling entry function 'quantize_nvfp4_per_tensor_reduction_0'
// REDUCE-DAG: Compiling entry function 'quantize_mxfp4_reduction'
// REDUCE-DAG: Compiling entry function 'fake_quant_fp8_per_token_reduction'
// REDUCE-DAG: Compiling entry function 'first_token_share_causal_gqa_reduction'

// The quantization math is native: f64 division and round-to-nearest-even,
// no calls; fp4 codes are stored one byte per element (the runtime's layout),
// the nibble zero-extended.
// PTX-NOT: .extern
// PTX-NOT: call
// PTX-DAG: div.rn.f64
// A row maximum over 256 elements is a warp's: the f64 maxima meet in a
// butterfly of 32-bit shuffles (two per f64).
// PTX-DAG: shfl.sync.bfly.b32 {{%r[0-9]+}}, {{%r[0-9]+}}, 16, 31, -1;
// PTX-DAG: cvt.rni.f64.f64
// PTX-DAG: and.b16 [[NIBBLE:%rs[0-9]+]], %rs{{[0-9]+}}, 15;
// PTX-DAG: st.global.b8 [%rd{{[0-9]+}}], [[NIBBLE]];
