// rescale.gated_delta_rule and its fused backward become one kernel each
// (GatedDeltaRuleToGPU.cpp): a CTA of 256 threads per (batch, value head),
// the chunk's matrices in dynamic shared memory. The backward keeps the
// chunk start states in a scratch buffer [B·Hv·chunks, dk·dv] and writes dq,
// dk per value head in f32; the sum over each key head's value heads and the
// rounding to the operand type are generic kernels after it. Nothing is left
// on the host.
//
// RUN: rescale-opt %S/../Inputs/gated-delta-rule.mlir --convert-rescale-to-gpu=chip=sm_90 | FileCheck %s
// RUN: rescale-opt %s --convert-rescale-to-gpu=chip=sm_90 | FileCheck %s --check-prefix=SM90
// RUN: rescale-opt %s --convert-rescale-to-gpu=chip=sm_80 | FileCheck %s --check-prefix=SM80
//
// A rule whose matrices fit no chunk in shared memory: one error on the op
// that says so (not an anonymous one on its CPU decomposition).
// RUN: not rescale-opt %S/Inputs/gated-delta-rule-too-wide.mlir --convert-rescale-to-gpu=chip=sm_90 2>&1 | FileCheck %s --check-prefix=TOOWIDE
// RUN: not rescale-opt %S/Inputs/gated-delta-rule-too-wide.mlir --convert-rescale-to-gpu=chip=sm_90 2>&1 | grep -c "error:" | FileCheck %s --check-prefix=ONE
// TOOWIDE: gated-delta-rule-too-wide.mlir:4:8: error: no GPU kernel for 'rescale.gated_delta_rule' with dk = 256, dv = 256: its matrices need 266400 bytes of shared memory even in chunks of one token, and the chip has 232448
// ONE: {{^1$}}

// T = 130: three chunks of 44 (the CPU path's chunking), B·Hv = 4 CTAs.
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.
// CHECK: gpu.launch_func @rescale_kernels::@forward_gated_delta_rule blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size
// CHECK-SAME: memref<1560xbf16>)
// CHECK: return
// CHECK-LABEL: func.func @backward
// CHECK: memref.alloc() : memref<12x24xf32>
// CHECK: gpu.launch_func @rescale_kernels::@backward_gated_delta_rule_grad blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
// CHECK: gpu.launch_func @rescale_kernels::@backward_reduction
// CHECK: gpu.launch_func @rescale_kernels::@backward_reduction
// CHECK: return
// No token: the reference decomposition's zeros.
// CHECK-LABEL: func.func @empty
// CHECK-NOT: gated_delta_rule
// CHECK: return

// dk = dv = 128: the backward's matrices of 64-token chunks exceed the
// chip's shared memory, so the chunks shrink until they fit: 16 tokens on
// sm_90 (227 KiB; 4 chunks), 4 on sm_80 (163 KiB; 16 chunks). The forward
// keeps its 64-token chunk on sm_90 (195 KiB) and halves it on sm_80.
// SM90-LABEL: func.func @wide_backward
// SM90: memref.alloc() : memref<4x16384xf32>
// SM90-LABEL: func.func @wide_forward
// SM90: gpu.launch_func @rescale_kernels::@wide_forward_gated_delta_rule blocks in (%c1, %c1, %c1) threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c199680_i32
// SM80-LABEL: func.func @wide_backward
// SM80: memref.alloc() : memref<16x16384xf32>
// SM80-LABEL: func.func @wide_forward
// SM80: gpu.launch_func @rescale_kernels::@wide_forward_gated_delta_rule {{.*}} dynamic_shared_memory_size %c124672_i32
func.func @wide_backward(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x64x1x128xbf16>, %v: tensor<1x64x1x128xbf16>, %g: tensor<1x64x1xf32>, %b: tensor<1x64x1xf32>, %do: tensor<1x64x1x128xbf16>) -> (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>) {
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>, tensor<1x64x1x128xbf16>) -> (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>)
  return %dq, %dk, %dv, %dg, %db : tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>
}

func.func @wide_forward(%q: tensor<1x64x1x128xbf16>, %k: tensor<1x64x1x128xbf16>, %v: tensor<1x64x1x128xbf16>, %g: tensor<1x64x1xf32>, %b: tensor<1x64x1xf32>) -> tensor<1x64x1x128xbf16> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1x128xbf16>, tensor<1x64x1xf32>, tensor<1x64x1xf32>) -> tensor<1x64x1x128xbf16>
  return %o : tensor<1x64x1x128xbf16>
}
