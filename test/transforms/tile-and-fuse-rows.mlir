// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg --rescale-fuse-elementwise-without-recompute --rescale-tile-and-fuse-rows --canonicalize --cse | FileCheck %s
// RUN: rescale-opt %s --split-input-file --convert-rescale-to-linalg --rescale-fuse-elementwise-without-recompute --rescale-tile-and-fuse-rows=tile-rows=4 --canonicalize --cse | FileCheck %s --check-prefix=FOUR
// A tile of no rows is one error on each function, nothing else:
// RUN: not rescale-opt %s --split-input-file --convert-rescale-to-linalg --rescale-tile-and-fuse-rows=tile-rows=0 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: rescale-tile-and-fuse-rows: tile-rows must be at least 1, got 0
// The CPU pipeline's option: untiled, GatedNorm's two products over all 37
// rows are OpenBLAS calls; tiled (the default), the ragged tiles' products
// are loops.
// RUN: rescale-opt %s --split-input-file --rescale-lower-to-cpu="tile-rows=false" | FileCheck %s --check-prefix=UNTILED
// RUN: rescale-opt %s --split-input-file --rescale-lower-to-cpu | FileCheck %s --check-prefix=TILED
// UNTILED-LABEL: llvm.func @gated_norm(
// UNTILED-COUNT-2: llvm.call @cblas_sgemm(
// TILED-LABEL: llvm.func @gated_norm(
// TILED-NOT: llvm.call @cblas_sgemm(
// TILED: llvm.return

// GatedNorm: the row statistic, the normalized y, both low-rank products and
// the gate all run in one loop over tiles of 16 rows; nothing of all rows
// but x and the result is left outside it.

// CHECK-LABEL: func.func @gated_norm(
// CHECK-NOT:     linalg.
// CHECK:         scf.forall (%[[I:.+]]) = (0) to (37) step (16)
// CHECK:           tensor.extract_slice %arg0[%[[I]], 0] [%{{.+}}, 24] [1, 1]
// CHECK:           linalg.generic {{.*}}"reduction"
// CHECK:           math.rsqrt
// CHECK:           linalg.generic {{.*}}"reduction"
// CHECK:           linalg.generic {{.*}}"reduction"
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %{{.+}} into %{{.+}}[%[[I]], 0]
// CHECK-NOT:     linalg.
// CHECK:         return
// FOUR-LABEL: func.func @gated_norm(
// FOUR:         scf.forall (%{{.+}}) = (0) to (37) step (4)
func.func @gated_norm(%x: tensor<37x24xf32>, %w: tensor<24xf32>, %wd: tensor<24x3xf32>,
                      %wu: tensor<3x24xf32>) -> tensor<37x24xf32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : (tensor<37x24xf32>, tensor<24xf32>, tensor<24x3xf32>, tensor<3x24xf32>) -> tensor<37x24xf32>
  return %y : tensor<37x24xf32>
}

// -----

// Attention: one tile is one head and 16 queries; the scores of a tile
// ([1, 1, 16, T]) are the only S x T data, and the keys and values are read
// per head, not recomputed per tile.

// CHECK-LABEL: func.func @attention(
// CHECK-NOT:     linalg.
// CHECK:         scf.forall (%[[H:.+]], %[[S:.+]]) = (0, 0) to (3, 40) step (1, 16)
// CHECK:           linalg.fill {{.*}} -> tensor<1x1x?x40xf32>
// CHECK:           math.exp
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.
// CHECK:         return
func.func @attention(%q: tensor<1x3x40x8xf32>, %k: tensor<1x3x40x8xf32>,
                     %v: tensor<1x3x40x8xf32>) -> tensor<1x3x40x8xf32> {
  %o = rescale.attention %q, %k, %v {causal}
      : (tensor<1x3x40x8xf32>, tensor<1x3x40x8xf32>, tensor<1x3x40x8xf32>) -> tensor<1x3x40x8xf32>
  return %o : tensor<1x3x40x8xf32>
}

// -----

// A headwise gate projected from a normalized input: the gate's column for
// (head, rows) moves with both loops of attention's tiles and joins them, but
// the norm's slice of rows is the same for every head. It is not fused (it
// would be computed once per head) and runs in its own tiles, before.
// CHECK-LABEL: func.func @norm_before_headwise_gate(
// CHECK:         scf.forall (%{{.+}}) = (0) to (40) step (16)
// CHECK:           math.rsqrt
// CHECK:         scf.forall (%{{.+}}, %{{.+}}) = (0, 0) to (3, 40) step (1, 16)
// CHECK-NOT:       math.rsqrt
// CHECK:           math.exp
// CHECK:           scf.forall.in_parallel
func.func @norm_before_headwise_gate(%x: tensor<1x40x8xf32>, %w: tensor<8xf32>,
    %wg: tensor<3x8xf32>, %q: tensor<1x3x40x8xf32>, %k: tensor<1x3x40x8xf32>,
    %v: tensor<1x3x40x8xf32>) -> tensor<1x3x40x8xf32> {
  %n = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
      : (tensor<1x40x8xf32>, tensor<8xf32>) -> tensor<1x40x8xf32>
  %g_flat = rescale.linear %n, %wg : (tensor<1x40x8xf32>, tensor<3x8xf32>) -> tensor<1x40x3xf32>
  %g_init = tensor.empty() : tensor<1x3x40xf32>
  %gate = linalg.transpose ins(%g_flat : tensor<1x40x3xf32>)
      outs(%g_init : tensor<1x3x40xf32>) permutation = [0, 2, 1]
  %o = rescale.attention %q, %k, %v, %gate {causal, gate_kind = #rescale.gate_kind<headwise>}
      : (tensor<1x3x40x8xf32>, tensor<1x3x40x8xf32>, tensor<1x3x40x8xf32>, tensor<1x3x40xf32>)
      -> tensor<1x3x40x8xf32>
  return %o : tensor<1x3x40x8xf32>
}

// -----

// A linear whose weight is larger than max-invariant-bytes (here 512 KiB) stays
// one product over all rows (one OpenBLAS GEMM, not one per tile); the norm
// that feeds it is tiled on its own.

// CHECK-LABEL: func.func @norm_then_large_linear(
// CHECK:         scf.forall
// CHECK:           math.rsqrt
// CHECK:         linalg.generic {{.*}}"reduction"]} ins(%{{.+}}, %arg2 : tensor<64x512xf32>, tensor<512x512xf32>)
func.func @norm_then_large_linear(%x: tensor<64x512xf32>, %w: tensor<512xf32>,
                                  %wl: tensor<512x512xf32>) -> tensor<64x512xf32> {
  %n = rescale.rms_norm %x, %w : (tensor<64x512xf32>, tensor<512xf32>) -> tensor<64x512xf32>
  %y = rescale.linear %n, %wl : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// Rows that fit in one tile are left alone.

// CHECK-LABEL: func.func @one_tile(
// CHECK-NOT:     scf.forall
// CHECK:         return
func.func @one_tile(%x: tensor<16x8xf32>, %w: tensor<8xf32>) -> tensor<16x8xf32> {
  %y = rescale.rms_norm %x, %w : (tensor<16x8xf32>, tensor<8xf32>) -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}
