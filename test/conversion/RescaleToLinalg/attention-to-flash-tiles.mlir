// RUN: rescale-opt %s --split-input-file --convert-rescale-attention-to-flash-tiles | FileCheck %s
// RUN: rescale-opt %s --split-input-file --convert-rescale-attention-to-flash-tiles="query-tile=16 key-tile=16" | FileCheck %s --check-prefix=SMALL
// A tile of no queries or keys is one error, nothing else:
// RUN: not rescale-opt %s --split-input-file --convert-rescale-attention-to-flash-tiles="key-tile=0" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: convert-rescale-attention-to-flash-tiles: query-tile and key-tile must be at least 1, got 64 and 0
// Through the CPU pipeline, both products of a key tile are sgemm calls:
// RUN: rescale-opt %s --split-input-file --rescale-lower-to-cpu | FileCheck %s --check-prefix=CPU
// Dynamic shapes are left to the reference decomposition (which reports
// them):
// RUN: rescale-opt %S/../Inputs/attention-dynamic.mlir --convert-rescale-attention-to-flash-tiles | FileCheck %S/../Inputs/attention-dynamic.mlir
// The numerics of every variant over several tiles: test/numerics/attention.test.

// Causal, S = T = 128, at most 64 queries and 64 keys per tile: a forall
// over (batch, head, 2 query tiles); query tile t visits key tiles
// [0, ceil((64 t + 64) / 64)), i.e. none past the diagonal. The running max
// starts at -inf and the running sum at 0 (no extra logit).

// CHECK-LABEL: func.func @causal(
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall (%[[B:.+]], %[[H:.+]], %[[T:.+]]) in (1, 4, 2) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<1x4x128x16xf32>)
// CHECK:           %[[ROW:.+]] = arith.muli %[[T]], %c64
// CHECK:           %[[KVH:.+]] = arith.divui %[[H]], %c2
// CHECK:           tensor.extract_slice %{{.+}}[%[[B]], %[[H]], %[[ROW]], %{{.+}}] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x4x128x16xf32> to tensor<64x16xf32>
// CHECK:           linalg.fill ins(%cst{{.*}} : f32) outs(%{{.+}} : tensor<64xf32>)
// CHECK:           %[[BOUND:.+]] = arith.addi %[[ROW]], %c64
// CHECK:           %[[CEIL:.+]] = arith.ceildivsi %[[BOUND]], %c64
// CHECK:           %[[POS:.+]] = arith.maxsi %[[CEIL]], %c0
// CHECK:           %[[N:.+]] = arith.minsi %[[POS]], %c2
// CHECK:           scf.for %[[J:.+]] = %c0 to %[[N]] step %c1 iter_args(%[[ACC:.+]] = %{{.+}}, %[[M:.+]] = %{{.+}}, %[[L:.+]] = %{{.+}})
// CHECK:             %[[KEY:.+]] = arith.muli %[[J]], %c64
// CHECK:             tensor.extract_slice %{{.+}}[%[[B]], %[[KVH]], %[[KEY]], %{{.+}}] [1, 1, 64, 16] [1, 1, 1, 1] : tensor<1x2x128x16xf32> to tensor<64x16xf32>
// The scores: q·kᵀ, then scale and mask in place.
// CHECK:             linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}} outs(%{{.+}} : tensor<64x64xf32>)
// CHECK:               arith.mulf
// CHECK-NEXT:          arith.addf
// CHECK:             linalg.generic {{.*}}["parallel", "parallel"]{{.*}} outs(%{{.+}} : tensor<64x64xf32>)
// CHECK:               arith.cmpi sle
// CHECK:               arith.select
// m' and α, p = exp(s - m'), l and acc, each in place.
// CHECK:             arith.maximumf
// CHECK:             math.exp
// CHECK:             linalg.generic {{.*}} outs(%[[M]] : tensor<64xf32>)
// CHECK:             math.exp
// CHECK:             linalg.generic {{.*}} outs(%[[L]] : tensor<64xf32>)
// CHECK:             linalg.generic {{.*}} outs(%[[ACC]] : tensor<64x16xf32>)
// CHECK:             linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}} outs(%{{.+}} : tensor<64x16xf32>)
// CHECK:             scf.yield
// CHECK:           arith.divf
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[B]], %[[H]], %[[ROW]], 0] [1, 1, 64, 16] [1, 1, 1, 1]
// CHECK-NOT:     rescale.attention
// CHECK:         return
// CPU-LABEL: llvm.func @causal(
// CPU-COUNT-2: llvm.call @cblas_sgemm(
// CPU-NOT:     llvm.call @cblas_sgemm(
// CPU:         llvm.return
func.func @causal(%q: tensor<1x4x128x16xf32>, %k: tensor<1x2x128x16xf32>,
                  %v: tensor<1x2x128x16xf32>) -> tensor<1x4x128x16xf32> {
  %o = rescale.attention %q, %k, %v {causal}
      : (tensor<1x4x128x16xf32>, tensor<1x2x128x16xf32>, tensor<1x2x128x16xf32>) -> tensor<1x4x128x16xf32>
  return %o : tensor<1x4x128x16xf32>
}

// -----

// Not causal: every query tile visits all key tiles, and with tiles that
// divide T nothing is masked.

// CHECK-LABEL: func.func @full(
// CHECK-NOT:     arith.ceildivsi
// CHECK:         scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK-NOT:       arith.cmpi
// CHECK:           scf.yield
// CHECK:         return
func.func @full(%q: tensor<1x1x64x8xf32>, %k: tensor<1x1x128x8xf32>,
                %v: tensor<1x1x128x8xf32>) -> tensor<1x1x64x8xf32> {
  %o = rescale.attention %q, %k, %v
      : (tensor<1x1x64x8xf32>, tensor<1x1x128x8xf32>, tensor<1x1x128x8xf32>) -> tensor<1x1x64x8xf32>
  return %o : tensor<1x1x64x8xf32>
}

// -----

// Tiles that do not divide S and T: 37 queries and 37 keys in tiles of at
// most 16 are 3 tiles of 13; q, the gate, k and v get two zero rows, keys
// past T are masked (j < 37), and the 39 rows of the result are cut back to
// 37. The learned sink is the extra logit: the running max starts at
// sinks[h] and the running sum at exp(sinks[h] - sinks[h]) = 1. bf16
// operands are read as f32 and the result is rounded once.

// SMALL-LABEL: func.func @ragged_sink_gate(
// SMALL:         tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 2, 0]
// SMALL:         } : tensor<1x2x37x8xf32> to tensor<1x2x39x8xf32>
// SMALL:         } : tensor<1x2x37xbf16> to tensor<1x2x39xbf16>
// SMALL:         scf.forall (%{{.+}}, %[[H:.+]], %{{.+}}) in (1, 2, 3)
// SMALL:           %[[SINK:.+]] = tensor.extract %{{.+}}[%[[H]]] : tensor<2xf32>
// SMALL:           linalg.fill ins(%[[SINK]] : f32) outs(%{{.+}} : tensor<13xf32>)
// SMALL:           linalg.fill ins(%cst{{.*}} : f32) outs(%{{.+}} : tensor<13xf32>)
// SMALL:           scf.for
// SMALL:             arith.cmpi slt, %{{.+}}, %c37
// SMALL:           tensor.extract_slice {{.*}} : tensor<1x2x39xbf16> to tensor<13xbf16>
// SMALL:           arith.truncf {{.*}} : f32 to bf16
// SMALL:         tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 2, 37, 8] [1, 1, 1, 1] : tensor<1x2x39x8xbf16> to tensor<1x2x37x8xbf16>
func.func @ragged_sink_gate(%q: tensor<1x2x37x8xbf16>, %k: tensor<1x2x37x8xbf16>,
                            %v: tensor<1x2x37x8xbf16>, %g: tensor<1x2x37xbf16>,
                            %sinks: tensor<2xf32>) -> tensor<1x2x37x8xbf16> {
  %o = rescale.attention %q, %k, %v, %g, %sinks {
         causal, gate_kind = #rescale.gate_kind<headwise>,
         softmax = #rescale.softmax<learned_sink>}
      : (tensor<1x2x37x8xbf16>, tensor<1x2x37x8xbf16>, tensor<1x2x37x8xbf16>,
         tensor<1x2x37xbf16>, tensor<2xf32>) -> tensor<1x2x37x8xbf16>
  return %o : tensor<1x2x37x8xbf16>
}

// -----

// Sigmoid attention has no normalizer: the loop carries only the
// accumulator, and each key's weight is σ(s - log T) (log 32 = 3.4657...).

// CHECK-LABEL: func.func @sigmoid(
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{[^,]+}} = %{{[^,]+}}) -> (tensor<32x8xf32>)
// CHECK:           arith.constant -3.46573
// CHECK-NOT:       arith.maximumf
// CHECK:           scf.yield
func.func @sigmoid(%q: tensor<1x1x32x8xf32>, %k: tensor<1x1x32x8xf32>,
                   %v: tensor<1x1x32x8xf32>) -> tensor<1x1x32x8xf32> {
  %o = rescale.attention %q, %k, %v {causal, softmax = #rescale.softmax<sigmoid>}
      : (tensor<1x1x32x8xf32>, tensor<1x1x32x8xf32>, tensor<1x1x32x8xf32>) -> tensor<1x1x32x8xf32>
  return %o : tensor<1x1x32x8xf32>
}
