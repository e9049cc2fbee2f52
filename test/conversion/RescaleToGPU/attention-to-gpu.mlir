// RUN: rescale-opt %s --split-input-file --convert-rescale-to-gpu="chip=sm_90" | FileCheck %s

// bf16, D = 128, causal, GQA (8 query heads on 2 kv heads): the
// FlashAttention-2 tensor-core schedule. A CTA of 4 warps owns 64 query rows
// of one (batch, head): 16 row tiles x 8 heads = 128 CTAs.

// CHECK-LABEL: func.func @attention_bf16_causal_gqa
// CHECK:         gpu.launch_func @rescale_kernels::@attention_bf16_causal_gqa_attention_mma
// CHECK-SAME:      blocks in (%c128, %c1, %c1) threads in (%c128, %c1, %c1)
// K tile [64 keys][128 + 8] and V transposed [128][64 + 8] in shared memory.
// CHECK:       gpu.func @attention_bf16_causal_gqa_attention_mma
// CHECK-SAME:      workgroup(%[[KS:.+]] : memref<8704xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[VT:.+]] : memref<9216xbf16, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// GQA: kv head = head / 4.
// CHECK:           %[[HEAD:.+]] = arith.remui %{{.+}}, %c8 : index
// CHECK:           arith.divui %[[HEAD]], %c4 : index
// The Q tile: 8 k-steps x 4 fragment slots, loaded once, before the loop.
// CHECK-COUNT-32:  vector.load %arg0{{.*}} : memref<1048576xbf16>, vector<2xbf16>
// Causal: the key-tile loop stops at the CTA's last visible tile.
// CHECK:           %[[END:.+]] = arith.minui %{{.+}}, %c16 : index
// CHECK:           scf.for %{{.+}} = %c0 to %[[END]] step %c1
// CHECK:             gpu.barrier
// CHECK:             vector.store %{{.+}}, %[[KS]]
// CHECK:             memref.store %{{.+}}, %[[VT]]
// CHECK:             gpu.barrier
// S = Q Kt: 8 n-tiles x 8 k-steps of m16n8k16.
// CHECK-COUNT-64:    nvvm.mma.sync {{.*}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// Online softmax in base 2 with the causal mask.
// CHECK:             arith.cmpi sle
// CHECK:             gpu.shuffle  xor %{{.+}}, %c1_i32, %c32_i32
// CHECK:             gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32
// CHECK:             math.exp2
// O += P V: 4 k-steps x 16 n-tiles, B fragments from the transposed V tile.
// CHECK:             vector.load %[[VT]]
// CHECK-COUNT-64:    nvvm.mma.sync
// CHECK:             scf.yield
// Epilogue: the row sum is finished across the quad, then one divide.
// CHECK:           gpu.shuffle  xor %{{.+}}, %c1_i32, %c32_i32
// CHECK:           gpu.shuffle  xor %{{.+}}, %c2_i32, %c32_i32
// CHECK:           arith.divf
func.func @attention_bf16_causal_gqa(%q: tensor<1x8x1024x128xbf16>, %k: tensor<1x2x1024x128xbf16>, %v: tensor<1x2x1024x128xbf16>) -> tensor<1x8x1024x128xbf16> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x8x1024x128xbf16>, tensor<1x2x1024x128xbf16>, tensor<1x2x1024x128xbf16>) -> tensor<1x8x1024x128xbf16>
  return %o : tensor<1x8x1024x128xbf16>
}

// -----

// learned_sink (GPT-OSS) and the elementwise gate are fused in the epilogue:
// denominator l + exp2(sink*log2e - m), then out * sigmoid(gate).

// CHECK-LABEL: func.func @attention_sink_and_gate
// CHECK:       gpu.func @attention_sink_and_gate_attention_mma
// CHECK:           scf.for
// CHECK:           memref.load %arg4[%{{.+}}] : memref<4xf32>
// CHECK:           arith.mulf %{{.+}}, %cst{{.*}} : f32
// CHECK:           arith.subf
// CHECK:           math.exp2
// CHECK:           arith.addf
// CHECK:           arith.divf
// CHECK:           memref.load %arg3
// CHECK:           math.exp
func.func @attention_sink_and_gate(%q: tensor<1x4x256x64xbf16>, %k: tensor<1x4x256x64xbf16>, %v: tensor<1x4x256x64xbf16>, %g: tensor<1x4x256x64xbf16>, %s: tensor<4xf32>) -> tensor<1x4x256x64xbf16> {
  %o = rescale.attention %q, %k, %v, %g, %s {gate_kind = #rescale.gate_kind<elementwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<4xf32>) -> tensor<1x4x256x64xbf16>
  return %o : tensor<1x4x256x64xbf16>
}

// -----

// f32 (and head dims other than 64/128) take the general path: a warp per
// query row, lanes over the head dimension, FMA and a shuffle reduction per
// key; causal rows stop at their last visible key. No tensor cores.

// CHECK-LABEL: func.func @attention_f32_general
// CHECK:         gpu.launch_func @rescale_kernels::@attention_f32_general_attention
// CHECK-SAME:      blocks in (%c200, %c1, %c1) threads in (%c128, %c1, %c1)
// CHECK:       gpu.func @attention_f32_general_attention
// CHECK-NOT:       nvvm.mma.sync
// CHECK:           scf.for %{{.+}} = %c0 to %{{.+}} step %c1 iter_args
// CHECK:             math.fma
// CHECK-COUNT-5:     gpu.shuffle  xor
// CHECK:             math.exp2
func.func @attention_f32_general(%q: tensor<2x4x100x80xf32>, %k: tensor<2x2x120x80xf32>, %v: tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<2x4x100x80xf32>, tensor<2x2x120x80xf32>, tensor<2x2x120x80xf32>) -> tensor<2x4x100x80xf32>
  return %o : tensor<2x4x100x80xf32>
}
