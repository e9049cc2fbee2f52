// Every linear kernel (Inputs/linear.mlir) assembles for sm_80 and sm_90 with
// no spills; the bf16/f16 kernels run on tensor cores.
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/Inputs/linear.mlir --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s < %t.sm80.log && FileCheck %s --check-prefix=SPILLS < %t.sm80.log
// RUN: rescale-opt %S/Inputs/linear.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s < %t.sm90.log && FileCheck %s --check-prefix=SPILLS < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// No kernel of the module spills or has a stack frame (the whole log).
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS-NOT: {{[1-9][0-9]*}} bytes stack frame
// CHECK-DAG: Compiling entry function 'linear_bf16_linear_mma'
// CHECK-DAG: Compiling entry function 'linear_f16_ragged_linear_mma'
// CHECK-DAG: Compiling entry function 'linear_f32_linear'

// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// Tiles staged by 16-byte cp.async into 16-byte aligned shared buffers.
// PTX-DAG: cp.async.cg.shared.global [%{{.+}}], [%{{.+}}], 16, %{{.+}};
// PTX-DAG: cp.async.wait_group 0;
// PTX-DAG: .shared .align 16 .b8 __wg_linear_bf16_linear_mma_0[10240];
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
