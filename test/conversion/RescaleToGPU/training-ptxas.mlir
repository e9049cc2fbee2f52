// The training ops (embedding, embedding_grad, cross_entropy,
// cross_entropy_grad, rope, adamw) have no hand-scheduled kernel: they run as
// the generic kernels of their reference decomposition (one-hot select
// chains, serial row reductions, elementwise passes). Every kernel of
// ../Inputs/training.mlir assembles with ptxas for sm_90 with no spills and
// no stack frame, and the math (cos, sin, pow, exp, log, sqrt) lowers to
// native PTX, with no call left. (Compiled only; the numerics are the CPU
// path's, training-to-linalg.mlir, from the same decomposition.)
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/../Inputs/training.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefix=NOSPILL < %t.sm90.log
// RUN: FileCheck %s < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// NOSPILL-NOT: {{[1-9][0-9]*}} bytes spill
// NOSPILL-NOT: {{[1-9][0-9]*}} bytes stack frame

// CHECK-DAG: Compiling entry function 'embedding_i32_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'embedding_i64_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'embedding_grad_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'cross_entropy_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'cross_entropy_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'cross_entropy_i64_bf16_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'cross_entropy_all_ignored_reduction' for 'sm_90'
// CHECK-DAG: Compiling entry function 'cross_entropy_grad_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rope_offset_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rope_positions_f16_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'rope_positions_inverse_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'adamw_elementwise' for 'sm_90'
// CHECK-DAG: Compiling entry function 'adamw_bf16_elementwise' for 'sm_90'

// PTX: .target sm_90
// PTX-NOT: call
