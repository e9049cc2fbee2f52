// rescale.attention_lse and rescale.attention_grad have no hand-scheduled
// kernel yet (the FlashAttention-2-style tiled backward is future work, see
// docs/autodiff.md): they run as the generic kernels of their reference
// decomposition (conversion/RescaleToLinalg/AttentionGradToLinalg.cpp; row max and
// sum for lse, then the probabilities recomputed from lse, dV = Pᵀ·dO,
// dP = dO·Vᵀ, D = rowsum(dO ⊙ O), dS = P ⊙ (dP − D), dQ and dK). Every kernel
// of ../Inputs/attention-grad.mlir (three softmax kinds, causal, GQA, both
// gate kinds, f32/bf16/f16) assembles with ptxas for sm_90 with no spills
// and no stack frame, and exp lowers to ex2 and log to native arithmetic with no call left.
// (Compiled only; the numerics are the CPU path's, checked through the
// gradient rule in test/autodiff/attention.test.)
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/../Inputs/attention-grad.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm90.log
// RUN: FileCheck %s < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

// CHECK-DAG: Compiling entry function 'attention_lse_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_lse_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_lse_causal_sinks_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_lse_off_by_one_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_headwise_sinks_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_headwise_sinks_bf16_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_elementwise_f16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'attention_grad_elementwise_f16_elementwise' for 'sm_90'

// PTX: .target sm_90
// PTX: ex2.approx
// PTX-NOT: call
