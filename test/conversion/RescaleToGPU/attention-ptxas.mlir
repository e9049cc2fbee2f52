// Every attention kernel (Inputs/attention.mlir) assembles with ptxas for
// sm_80 and sm_90 with no spills, and the bf16/f16 kernels run on tensor
// cores. Registers and shared memory: bench/ptxas-report.sh.
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/Inputs/attention.mlir --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s < %t.sm80.log && FileCheck %s --check-prefix=SPILLS < %t.sm80.log
// RUN: rescale-opt %S/Inputs/attention.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s < %t.sm90.log && FileCheck %s --check-prefix=SPILLS < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// No kernel of the module spills or has a stack frame (the whole log).
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS-NOT: {{[1-9][0-9]*}} bytes stack frame
// CHECK: Compiling entry function 'attn_bf16_d128_causal_gqa_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_bf16_d64_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_f16_d128_headwise_gate_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_bf16_d64_elementwise_gate_sink_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_bf16_d128_off_by_one_ragged_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_f32_d80_general_attention'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_bf16_d64_sigmoid_causal_gqa_headwise_attention_mma'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'attn_f32_d80_sigmoid_general_attention'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// The tensor-core kernels use mma.sync for both 16-bit types; the softmax
// runs on ex2. (Which kernel uses what: attention-to-gpu.mlir.)
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// PTX-DAG: ex2.approx.f32
// PTX-DAG: .entry attn_f32_d80_general_attention(
