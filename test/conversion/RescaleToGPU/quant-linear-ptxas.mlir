// Every quantized linear kernel (Inputs/quant-linear.mlir) assembles for
// sm_80 and sm_90 with no spills: W8A8/W4A4 on the int8 tensor cores, FP8,
// NVFP4 and MXFP4 decoded in registers before the bf16/f16 ones. The
// quantize kernels of the run-time operands are in the same module and are
// checked too.
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/Inputs/quant-linear.mlir --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s < %t.sm80.log && FileCheck %s --check-prefix=SPILLS < %t.sm80.log
// RUN: rescale-opt %S/Inputs/quant-linear.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s < %t.sm90.log && FileCheck %s --check-prefix=SPILLS < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// No kernel of the module spills or has a stack frame (the whole log).
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS-NOT: {{[1-9][0-9]*}} bytes stack frame
// CHECK-DAG: Compiling entry function 'w8a8_qlinear_int_int'
// CHECK-DAG: Compiling entry function 'w4a4_pack_int4'
// CHECK-DAG: Compiling entry function 'w4a4_qlinear_int_int'
// CHECK-DAG: Compiling entry function 'w4a4_constant_qlinear_int_int'
// CHECK-DAG: Compiling entry function 'int8_weight_only_f16_qlinear_f16_int'
// CHECK-DAG: Compiling entry function 'fp8_channel_qlinear_fp8_fp8'
// CHECK-DAG: Compiling entry function 'fp8_block_weight_only_qlinear_bf16_fp8'
// CHECK-DAG: Compiling entry function 'nvfp4_qlinear_nvfp4_nvfp4'
// CHECK-DAG: Compiling entry function 'mxfp4_f16_qlinear_mxfp4_mxfp4'

// PTX-DAG: mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// PTX-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
