// Every norm-family kernel assembles with ptxas for sm_80 and sm_90 with no
// spills (issue 5 §3). The kernels come from Inputs/norms.mlir: the bench
// shapes plus ragged rows, mixed precision, the row-per-warp and row-per-CTA
// schedules, and GatedNorm with staged and with global weights.
// `ptxas -v` also reports registers and shared memory; run
// bench/ptxas-report.sh for the table.
//
// REQUIRES: ptxas
// RUN: rescale-opt %S/Inputs/norms.mlir --rescale-lower-to-nvptx="chip=sm_80 format=isa" -o %t.sm80.mlir
// RUN: rm -rf %t.sm80 && python3 %S/Inputs/extract_ptx.py %t.sm80.mlir %t.sm80
// RUN: %ptxas -v --gpu-name sm_80 %t.sm80/rescale_kernels.ptx -o %t.sm80.cubin > %t.sm80.log 2>&1
// RUN: FileCheck %s --check-prefixes=CHECK,SM80 < %t.sm80.log && FileCheck %s --check-prefix=SPILLS < %t.sm80.log
// RUN: rescale-opt %S/Inputs/norms.mlir --rescale-lower-to-nvptx="chip=sm_90 format=isa" -o %t.sm90.mlir
// RUN: rm -rf %t.sm90 && python3 %S/Inputs/extract_ptx.py %t.sm90.mlir %t.sm90
// RUN: %ptxas -v --gpu-name sm_90 %t.sm90/rescale_kernels.ptx -o %t.sm90.cubin > %t.sm90.log 2>&1
// RUN: FileCheck %s --check-prefixes=CHECK,SM90 < %t.sm90.log && FileCheck %s --check-prefix=SPILLS < %t.sm90.log
// RUN: FileCheck %s --check-prefix=PTX < %t.sm90/rescale_kernels.ptx

// No kernel of the module spills or has a stack frame (the whole log).
// SPILLS-NOT: {{[1-9][0-9]*}} bytes spill
// SPILLS-NOT: {{[1-9][0-9]*}} bytes stack frame

// SM80: Compiling entry function 'rms_bf16_d1024_rms_norm' for 'sm_80'
// SM90: Compiling entry function 'rms_bf16_d1024_rms_norm' for 'sm_90'
// CHECK-NEXT: Function properties for rms_bf16_d1024_rms_norm
// CHECK-NEXT: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_bf16_d8192_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_f16_d4096_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_f32_d4096_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_bf16_f32_weight_d1000_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'rms_f32_d96_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'preaffine_bf16_d2048_preaffine_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'add_rms_bf16_d4096_add_rms_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'dyt_bf16_d4096_dyt'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'gated_bf16_d2048_smem_gated_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'gated_bf16_d8192_global_gated_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'gated_f32_d256_warp_tanh_gated_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK: Compiling entry function 'gated_f16_d1024_tensorwise_gated_norm'
// CHECK: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

// The PTX itself: 16-byte global accesses, butterfly shuffles, dynamic
// shared memory for GatedNorm's weights.
// PTX: .target sm_90
// The dynamic shared memory base is extern, so it follows the static
// buffers instead of overlapping them (--rescale-extern-dynamic-shared-memory).
// PTX: .extern .shared .align 16 .b8 __dynamic_shmem__{{[0-9]*}}[];
// PTX-NOT: .shared .align 16 .b8 __dynamic_shmem__{{[0-9]*}};
// PTX: .entry rms_bf16_d1024_rms_norm(
// PTX: ld.global.v4.b32
// PTX: shfl.sync.bfly.b32 {{.*}}, 16, 31, -1;
// PTX: st.global.v4.b32
