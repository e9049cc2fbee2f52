// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg \
// RUN:   --mlir-print-local-scope --verify-diagnostics | FileCheck %s

// The reference decomposition of rescale.attention (arXiv 2601.22966 §3.2):
// scores s = scale · q kᵀ in f32, the causal mask as -inf, a max-subtracted
// softmax whose max includes the normalizer's extra logit (0 for off_by_one,
// sinks[h] for learned_sink), p · v in f32, the sigmoid output gate, and one
// rounding to the result type at the end.

// The whole chain, for the standard softmax without mask or gate.
// CHECK-LABEL: func.func @attention_standard_f32(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: tensor<1x2x4x8xf32>, %[[K:[a-z0-9]+]]: tensor<1x2x6x8xf32>, %[[V:[a-z0-9]+]]: tensor<1x2x6x3xf32>)
// dot[b,h,i,j] = Σ_d q[b,h,i,d] · k[b,h,j,d]
// CHECK:         %[[DOT:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME:      ins(%[[Q]], %[[K]] : tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>) outs(%{{.+}} : tensor<1x2x4x6xf32>)
// CHECK:           arith.mulf
// CHECK-NEXT:      arith.addf
// The default scale is 1/sqrt(D) = 1/sqrt(8); no mask without causal.
// CHECK:         %[[S:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[DOT]] : tensor<1x2x4x6xf32>)
// CHECK:         ^bb0(%[[DE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[SC:.+]] = arith.constant 0.353553385 : f32
// CHECK-NEXT:      %[[SE:.+]] = arith.mulf %[[SC]], %[[DE]] : f32
// CHECK-NEXT:      linalg.yield %[[SE]] : f32
// Row max from -inf.
// CHECK:         %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MINIT:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<1x2x4xf32>)
// CHECK:         %[[MRAW:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[S]] : tensor<1x2x4x6xf32>) outs(%[[MINIT]] : tensor<1x2x4xf32>)
// CHECK:           arith.maximumf
// A row with no key (m = -inf) subtracts 0 instead.
// CHECK:         %[[M:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[MRAW]] : tensor<1x2x4xf32>)
// CHECK:         ^bb0(%[[MR:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[NI:.+]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:      %[[EMPTY:.+]] = arith.cmpf oeq, %[[MR]], %[[NI]] : f32
// CHECK-NEXT:      %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[MS:.+]] = arith.select %[[EMPTY]], %[[Z]], %[[MR]] : f32
// CHECK:         %[[E:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      ins(%[[S]], %[[M]] : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>)
// CHECK:           %[[DIFF:.+]] = arith.subf
// CHECK-NEXT:      math.exp %[[DIFF]] : f32
// CHECK:         %[[L:.+]] = linalg.generic
// CHECK-SAME:      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:      ins(%[[E]] : tensor<1x2x4x6xf32>) outs(%{{.+}} : tensor<1x2x4xf32>)
// CHECK:           arith.addf
// acc[b,h,i,c] = Σ_j e[b,h,i,j] · v[b,h,j,c]
// CHECK:         %[[ACC:.+]] = linalg.generic
// CHECK-SAME:      indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      ins(%[[E]], %[[V]] : tensor<1x2x4x6xf32>, tensor<1x2x6x3xf32>) outs(%{{.+}} : tensor<1x2x4x3xf32>)
// out = acc / l, or 0 when l = 0 (a fully masked row).
// CHECK:         %[[OUT:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[ACC]], %[[L]] : tensor<1x2x4x3xf32>, tensor<1x2x4xf32>)
// CHECK:         ^bb0(%[[AE:.+]]: f32, %[[LE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[NOKEY:.+]] = arith.cmpf oeq, %[[LE]], %[[ZERO]] : f32
// CHECK-NEXT:      %[[DIV:.+]] = arith.divf %[[AE]], %[[LE]] : f32
// CHECK-NEXT:      %[[O:.+]] = arith.select %[[NOKEY]], %[[ZERO]], %[[DIV]] : f32
// CHECK-NEXT:      linalg.yield %[[O]] : f32
// CHECK:         return %[[OUT]] : tensor<1x2x4x3xf32>
func.func @attention_standard_f32(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x6x8xf32>,
                                  %v: tensor<1x2x6x3xf32>) -> tensor<1x2x4x3xf32> {
  %o = rescale.attention %q, %k, %v
      : (tensor<1x2x4x8xf32>, tensor<1x2x6x8xf32>, tensor<1x2x6x3xf32>) -> tensor<1x2x4x3xf32>
  return %o : tensor<1x2x4x3xf32>
}

// -----

// Causal with S = 3 queries over T = 5 keys: key j is kept for query i iff
// j <= i + (T - S) = i + 2. An explicit scale replaces 1/sqrt(D).
// CHECK-LABEL: func.func @attention_causal_queries_are_the_last_positions(
// CHECK:         linalg.generic
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[DE:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[SC:.+]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT:      %[[SE:.+]] = arith.mulf %[[SC]], %[[DE]] : f32
// CHECK-NEXT:      %[[I:.+]] = linalg.index 2 : index
// CHECK-NEXT:      %[[J:.+]] = linalg.index 3 : index
// CHECK-NEXT:      %[[OFF:.+]] = arith.constant 2 : index
// CHECK-NEXT:      %[[LAST:.+]] = arith.addi %[[I]], %[[OFF]] : index
// CHECK-NEXT:      %[[KEEP:.+]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK-NEXT:      %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-NEXT:      %[[MASKED:.+]] = arith.select %[[KEEP]], %[[SE]], %[[NEGINF]] : f32
// CHECK-NEXT:      linalg.yield %[[MASKED]] : f32
func.func @attention_causal_queries_are_the_last_positions(
    %q: tensor<1x1x3x4xf32>, %k: tensor<1x1x5x4xf32>, %v: tensor<1x1x5x4xf32>)
    -> tensor<1x1x3x4xf32> {
  %o = rescale.attention %q, %k, %v {causal, scale = 0.125 : f32}
      : (tensor<1x1x3x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>) -> tensor<1x1x3x4xf32>
  return %o : tensor<1x1x3x4xf32>
}

// -----

// Causal with more queries than keys (S = 5, T = 3): the offset T - S is
// negative, and rows i < 2 keep no key (they produce 0, see the op doc).
// CHECK-LABEL: func.func @attention_causal_more_queries_than_keys(
// CHECK:         linalg.index 2 : index
// CHECK:         linalg.index 3 : index
// CHECK-NEXT:    arith.constant -2 : index
func.func @attention_causal_more_queries_than_keys(
    %q: tensor<1x1x5x4xf32>, %k: tensor<1x1x3x4xf32>, %v: tensor<1x1x3x4xf32>)
    -> tensor<1x1x5x4xf32> {
  %o = rescale.attention %q, %k, %v {causal}
      : (tensor<1x1x5x4xf32>, tensor<1x1x3x4xf32>, tensor<1x1x3x4xf32>) -> tensor<1x1x5x4xf32>
  return %o : tensor<1x1x5x4xf32>
}

// -----

// Grouped-query attention, Hq = 8 over Hkv = 2: query head h reads kv head
// floor(h / 4), in the q·k and in the p·v contractions.
// CHECK-LABEL: func.func @attention_gqa_reads_kv_head_h_floordiv_group(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: tensor<2x8x4x16xf32>, %[[K:[a-z0-9]+]]: tensor<2x2x4x16xf32>, %[[V:[a-z0-9]+]]: tensor<2x2x4x16xf32>)
// CHECK:         linalg.generic {{.*}}affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-SAME:      ins(%[[Q]], %[[K]] :
// CHECK:         arith.constant 2.500000e-01 : f32
// CHECK:         linalg.generic {{.*}}affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d4, d3)>
// CHECK-SAME:      ins(%{{.+}}, %[[V]] :
func.func @attention_gqa_reads_kv_head_h_floordiv_group(
    %q: tensor<2x8x4x16xf32>, %k: tensor<2x2x4x16xf32>, %v: tensor<2x2x4x16xf32>)
    -> tensor<2x8x4x16xf32> {
  %o = rescale.attention %q, %k, %v
      : (tensor<2x8x4x16xf32>, tensor<2x2x4x16xf32>, tensor<2x2x4x16xf32>) -> tensor<2x8x4x16xf32>
  return %o : tensor<2x8x4x16xf32>
}

// -----

// off_by_one: p_j = exp(s_j) / (1 + Σ exp(s)). The implicit logit 0 enters
// the max (m >= 0), and the denominator gains exp(0 - m).
// CHECK-LABEL: func.func @attention_off_by_one(
// CHECK:         %[[MRAW:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:         %[[M:.+]] = linalg.generic
// CHECK-SAME:      ins(%[[MRAW]] : tensor<1x2x3xf32>)
// CHECK:         ^bb0(%[[MR:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[ZL:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %{{.+}} = arith.maximumf %[[MR]], %[[ZL]] : f32
// CHECK:         %[[L:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:         %[[ACC:.+]] = linalg.generic
// CHECK:         linalg.generic {{.*}} ins(%[[ACC]], %[[L]], %[[M]] : tensor<1x2x3x4xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>)
// CHECK:         ^bb0(%[[AE:.+]]: f32, %[[LE:.+]]: f32, %[[ME:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[ZM:.+]] = arith.subf %[[Z]], %[[ME]] : f32
// CHECK-NEXT:      %[[EZ:.+]] = math.exp %[[ZM]] : f32
// CHECK-NEXT:      %[[DEN:.+]] = arith.addf %[[EZ]], %[[LE]] : f32
// CHECK:           arith.divf %[[AE]], %[[DEN]] : f32
func.func @attention_off_by_one(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x3x4xf32>,
                                %v: tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> {
  %o = rescale.attention %q, %k, %v {softmax = #rescale.softmax<off_by_one>}
      : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return %o : tensor<1x2x3x4xf32>
}

// -----

// learned_sink (GPT-OSS) with a headwise gate, in bf16: sinks[h] is read
// per head both in the max and in the denominator, the gate [B,Hq,S] is
// broadcast over Dv, bf16 operands are extended to f32 and only the output
// is truncated.
// CHECK-LABEL: func.func @attention_learned_sink_headwise_gate_bf16(
// CHECK-SAME:    %[[Q:[a-z0-9]+]]: tensor<1x2x3x4xbf16>, %[[K:[a-z0-9]+]]: tensor<1x2x3x4xbf16>, %[[V:[a-z0-9]+]]: tensor<1x2x3x4xbf16>, %[[G:[a-z0-9]+]]: tensor<1x2x3xbf16>, %[[SINKS:[a-z0-9]+]]: tensor<2xf32>)
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[Q]], %[[K]] :
// CHECK:           arith.extf %{{.+}} : bf16 to f32
// CHECK:         %[[MRAW:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:         %[[M:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>]
// CHECK-SAME:      ins(%[[MRAW]], %[[SINKS]] : tensor<1x2x3xf32>, tensor<2xf32>)
// CHECK:         ^bb0(%[[MR:.+]]: f32, %[[SK:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT:      %{{.+}} = arith.maximumf %[[MR]], %[[SK]] : f32
// CHECK:         %[[OUT:.+]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      ins(%{{.+}}, %{{.+}}, %[[M]], %[[SINKS]], %[[G]] : tensor<1x2x3x4xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>, tensor<2xf32>, tensor<1x2x3xbf16>) outs(%{{.+}} : tensor<1x2x3x4xbf16>)
// CHECK:         ^bb0(%[[AE:.+]]: f32, %[[LE:.+]]: f32, %[[ME:.+]]: f32, %[[SE:.+]]: f32, %[[GB:.+]]: bf16, %{{.+}}: bf16):
// CHECK-NEXT:      %[[GE:.+]] = arith.extf %[[GB]] : bf16 to f32
// CHECK-NEXT:      %[[ZM:.+]] = arith.subf %[[SE]], %[[ME]] : f32
// CHECK-NEXT:      %[[EZ:.+]] = math.exp %[[ZM]] : f32
// CHECK-NEXT:      %[[DEN:.+]] = arith.addf %[[EZ]], %[[LE]] : f32
// CHECK:           %[[O:.+]] = arith.select
// σ(gate) = 1 / (1 + exp(-gate))
// CHECK:           %[[NG:.+]] = arith.negf %[[GE]] : f32
// CHECK-NEXT:      %[[ENG:.+]] = math.exp %[[NG]] : f32
// CHECK-NEXT:      %[[D1:.+]] = arith.addf %{{.+}}, %[[ENG]] : f32
// CHECK-NEXT:      %[[SIG:.+]] = arith.divf %{{.+}}, %[[D1]] : f32
// CHECK-NEXT:      %[[GATED:.+]] = arith.mulf %[[O]], %[[SIG]] : f32
// CHECK-NEXT:      %[[R:.+]] = arith.truncf %[[GATED]] : f32 to bf16
// CHECK-NEXT:      linalg.yield %[[R]] : bf16
// CHECK:         return %[[OUT]] : tensor<1x2x3x4xbf16>
func.func @attention_learned_sink_headwise_gate_bf16(
    %q: tensor<1x2x3x4xbf16>, %k: tensor<1x2x3x4xbf16>, %v: tensor<1x2x3x4xbf16>,
    %g: tensor<1x2x3xbf16>, %sinks: tensor<2xf32>) -> tensor<1x2x3x4xbf16> {
  %o = rescale.attention %q, %k, %v, %g, %sinks {
         gate_kind = #rescale.gate_kind<headwise>,
         softmax = #rescale.softmax<learned_sink>}
      : (tensor<1x2x3x4xbf16>, tensor<1x2x3x4xbf16>, tensor<1x2x3x4xbf16>,
         tensor<1x2x3xbf16>, tensor<2xf32>) -> tensor<1x2x3x4xbf16>
  return %o : tensor<1x2x3x4xbf16>
}

// -----

// An elementwise gate [B,Hq,S,Dv] is read with the output's own index.
// CHECK-LABEL: func.func @attention_elementwise_gate_f16(
// CHECK-SAME:    %[[G:[a-z0-9]+]]: tensor<1x1x2x5xf16>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK-SAME:      ins(%{{.+}}, %{{.+}}, %[[G]] : tensor<1x1x2x5xf32>, tensor<1x1x2xf32>, tensor<1x1x2x5xf16>) outs(%{{.+}} : tensor<1x1x2x5xf16>)
// CHECK:           math.exp
// CHECK:           arith.mulf
// CHECK-NEXT:      arith.truncf %{{.+}} : f32 to f16
func.func @attention_elementwise_gate_f16(
    %q: tensor<1x1x2x4xf16>, %k: tensor<1x1x3x4xf16>, %v: tensor<1x1x3x5xf16>,
    %g: tensor<1x1x2x5xf16>) -> tensor<1x1x2x5xf16> {
  %o = rescale.attention %q, %k, %v, %g {gate_kind = #rescale.gate_kind<elementwise>}
      : (tensor<1x1x2x4xf16>, tensor<1x1x3x4xf16>, tensor<1x1x3x5xf16>,
         tensor<1x1x2x5xf16>) -> tensor<1x1x2x5xf16>
  return %o : tensor<1x1x2x5xf16>
}

// -----

// The decomposition needs static shapes (here a dynamic key length).
func.func @attention_dynamic_key_length(%q: tensor<1x1x2x4xf32>, %k: tensor<1x1x?x4xf32>,
                                        %v: tensor<1x1x?x4xf32>) -> tensor<1x1x2x4xf32> {
  // expected-error @below {{the reference decomposition needs static shapes, but operand #1 of type 'tensor<1x1x?x4xf32>' is dynamic}}
  %o = rescale.attention %q, %k, %v
      : (tensor<1x1x2x4xf32>, tensor<1x1x?x4xf32>, tensor<1x1x?x4xf32>) -> tensor<1x1x2x4xf32>
  return %o : tensor<1x1x2x4xf32>
}
