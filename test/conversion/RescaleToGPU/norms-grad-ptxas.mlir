// The fused backward ops of the norms (rms_norm_grad, preaffine_rms_norm_grad,
// add_rms_norm_grad, gated_norm_grad with every gate activation and the
// tensorwise gate) have no hand-scheduled kernel yet: they run as the generic
// kernels of their reference decomposition
// (conversion/RescaleToLinalg/NormsGradToLinalg.cpp; row reductions, low-rank
// contractions, elementwise passes). Every kernel of
// ../Inputs/norms-grad.mlir assembles with ptxas for sm_90 with no spills and
// no stack frame, and the math (rsqrt, exp, tanh) lowers to native PTX, with
// no call left. (Compiled only; the numerics are the CPU path's, checked
// through the gradient rules in test/autodiff.)
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/../Inputs/norms-grad.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm90.log
// RUN: FileCheck %s < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

// CHECK-DAG: Compiling entry function 'rms_norm_grad_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rms_norm_grad_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rms_norm_grad_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rms_norm_grad_bf16_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'preaffine_rms_norm_grad_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'preaffine_rms_norm_grad_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'add_rms_norm_grad_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'add_rms_norm_grad_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_sigmoid_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_sigmoid_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_tanh_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_tanh_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_silu_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_silu_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_identity_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_identity_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_tensorwise_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'gated_norm_grad_tensorwise_bf16_elementwise' for 'sm_90'

// PTX: .target sm_90
// PTX-NOT: call
