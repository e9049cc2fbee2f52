// RUN: rescale-opt %s --rescale-lower-to-nvptx="chip=sm_90 format=isa" | FileCheck %s
// RUN: rescale-opt %s --rescale-lower-to-nvptx="chip=sm_90a format=isa" | FileCheck %s --check-prefix=SM90A
// RUN: rescale-opt %s --rescale-lower-to-nvptx="chip=sm_80 features=+ptx75 opt-level=2 format=isa" | FileCheck %s --check-prefix=SM80
// RUN: not rescale-opt %s --pass-pipeline='builtin.module(func.func(rescale-lower-to-nvptx{chip=sm_90 format=isa}))' 2>&1 | FileCheck %s --check-prefix=NESTED
// NESTED: rescale-lower-to-nvptx lowers a whole module and must run on 'builtin.module', not nested on 'func.func' (write --pass-pipeline='builtin.module(rescale-lower-to-nvptx)')
// NESTED-NOT: LLVM ERROR

// The whole pipeline on a residual block: add_rms_norm then rms_norm with a
// constant weight. Entry arguments are device pointers (the NVPTX ABI): the
// results are out-params the kernels write directly, the intermediate `y` is
// a device temporary, the constant is uploaded for the call, and everything
// is ordered on one stream.

// CHECK-LABEL: llvm.func @block(
// CHECK:         %[[S:.+]] = llvm.call @mgpuStreamCreate()
// CHECK:         %[[W2:.+]] = llvm.call @mgpuMemAlloc(%{{.+}}, %[[S]], %{{.+}})
// CHECK:         llvm.call @mgpuMemcpy(%[[W2]], %{{.+}}, %{{.+}}, %[[S]])
// CHECK:         %[[Y:.+]] = llvm.call @mgpuMemAlloc(%{{.+}}, %[[S]], %{{.+}})
// CHECK:         gpu.launch_func <%[[S]] : !llvm.ptr> @rescale_kernels::@block_add_rms_norm
// CHECK-SAME:      args(%arg1 : !llvm.ptr, %arg8 : !llvm.ptr, %arg15 : !llvm.ptr, %arg20 : !llvm.ptr, %[[Y]] : !llvm.ptr)
// CHECK:         gpu.launch_func <%[[S]] : !llvm.ptr> @rescale_kernels::@block_rms_norm
// CHECK-SAME:      args(%[[Y]] : !llvm.ptr, %[[W2]] : !llvm.ptr, %arg27 : !llvm.ptr)
// CHECK:         llvm.call @mgpuMemFree(%[[W2]], %[[S]])
// CHECK:         llvm.call @mgpuMemFree(%[[Y]], %[[S]])
// CHECK:         llvm.call @mgpuStreamSynchronize(%[[S]])
// CHECK:         llvm.call @mgpuStreamDestroy(%[[S]])

// The packed entry point of the module ABI.
// CHECK-LABEL: llvm.func @_rescale_entry_block(%{{.+}}: !llvm.ptr)
// CHECK:         llvm.call @block(

// The kernels are embedded as PTX for the chosen SM.
// With no features, the target names the chip's minimum PTX version, the one
// LLVM picks (PTX 7.8 for sm_90).
// CHECK: gpu.binary @rescale_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx78">
// CHECK-SAME: .version 7.8
// CHECK-SAME: .target sm_90
// CHECK-SAME: .entry block_rms_norm
// CHECK-SAME: .entry block_add_rms_norm

// sm_90a needs PTX 8.0.
// SM90A: gpu.binary @rescale_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">
// SM90A-SAME: .target sm_90a

// SM80: gpu.binary @rescale_kernels  [#gpu.object<#nvvm.target<chip = "sm_80", features = "+ptx75">, properties = {{[{].*}}O = 2 : i32}
// SM80-SAME: .version 7.5
// SM80-SAME: .target sm_80

func.func @block(%x: tensor<8x64xf32>, %r: tensor<8x64xf32>, %w: tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>) {
  %s, %y = rescale.add_rms_norm %x, %r, %w {epsilon = 1.0e-06 : f32} : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>) -> (tensor<8x64xf32>, tensor<8x64xf32>)
  %c = arith.constant dense<2.0> : tensor<64xf32>
  %z = rescale.rms_norm %y, %c {epsilon = 1.0e-06 : f32} : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  return %s, %z : tensor<8x64xf32>, tensor<8x64xf32>
}
