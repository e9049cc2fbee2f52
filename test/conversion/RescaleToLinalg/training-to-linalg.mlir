// The training ops' reference decomposition (TrainingToLinalg.cpp) on the
// CPU: every entry of Inputs/training.mlir compiles with the CPU pipeline and
// its outputs (poisoned with NaN by the runtime before the call, so an
// unwritten element fails) match a float64 reference written from the
// formulas (Inputs/check_training.py): embedding with i32 and i64 ids
// (zero rows for ids out of range), embedding_grad, cross_entropy with
// ignore_index hits, out-of-range targets, z_loss, every target ignored
// (loss 0) and bf16 logits, cross_entropy_grad, rope with an offset, with
// [B, S] and [S] positions, inverse, f16, and adamw in f32 (against
// torch.optim.AdamW's formula) and bf16 with a run-time learning rate.
// The CPU pipeline writes the embedding pair as a gather and a scatter-add
// (convert-rescale-embedding-to-gather); embedding-to-gather.mlir runs the
// dense decomposition checked below on the same entries.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry embedding_i32 --random-inputs --seed 1 --output-dir %t/embedding_i32
// RUN: %python %S/../Inputs/check_training.py embedding_i32 %t/embedding_i32 | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry embedding_i64_bf16 --random-inputs --seed 2 --output-dir %t/embedding_i64_bf16
// RUN: %python %S/../Inputs/check_training.py embedding_i64_bf16 %t/embedding_i64_bf16 | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry embedding_grad --random-inputs --seed 3 --output-dir %t/embedding_grad
// RUN: %python %S/../Inputs/check_training.py embedding_grad %t/embedding_grad | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry cross_entropy --random-inputs --seed 4 --output-dir %t/cross_entropy
// RUN: %python %S/../Inputs/check_training.py cross_entropy %t/cross_entropy | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry cross_entropy_i64_bf16 --random-inputs --seed 5 --output-dir %t/cross_entropy_i64_bf16
// RUN: %python %S/../Inputs/check_training.py cross_entropy_i64_bf16 %t/cross_entropy_i64_bf16 | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry cross_entropy_all_ignored --random-inputs --seed 6 --output-dir %t/cross_entropy_all_ignored
// RUN: %python %S/../Inputs/check_training.py cross_entropy_all_ignored %t/cross_entropy_all_ignored | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry cross_entropy_grad --random-inputs --seed 7 --output-dir %t/cross_entropy_grad
// RUN: %python %S/../Inputs/check_training.py cross_entropy_grad %t/cross_entropy_grad | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry rope_offset --random-inputs --seed 8 --output-dir %t/rope_offset
// RUN: %python %S/../Inputs/check_training.py rope_offset %t/rope_offset | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry rope_positions_f16 --random-inputs --seed 9 --output-dir %t/rope_positions_f16
// RUN: %python %S/../Inputs/check_training.py rope_positions_f16 %t/rope_positions_f16 | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry rope_positions_inverse --random-inputs --seed 10 --output-dir %t/rope_positions_inverse
// RUN: %python %S/../Inputs/check_training.py rope_positions_inverse %t/rope_positions_inverse | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry adamw --random-inputs --seed 11 --output-dir %t/adamw
// RUN: %python %S/../Inputs/check_training.py adamw %t/adamw | FileCheck %s --check-prefix=NUM
// RUN: rescale-run -O 0 %S/../Inputs/training.mlir --entry adamw_bf16 --random-inputs --seed 12 --output-dir %t/adamw_bf16
// RUN: %python %S/../Inputs/check_training.py adamw_bf16 %t/adamw_bf16 | FileCheck %s --check-prefix=NUM
// NUM: PASS
//
// The structure of the decomposition.
// RUN: rescale-opt %S/../Inputs/training.mlir --convert-rescale-to-linalg --mlir-print-local-scope | FileCheck %s
//
// embedding: a one-hot select chain over the vocabulary (the last loop, a
// reduction), table[v, d] read at (d3, d2); no tensor.extract at a
// data-dependent index.
// CHECK-LABEL: func.func @embedding_i32(
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:           linalg.index 3
// CHECK:           arith.cmpi eq
// CHECK:           arith.select
// CHECK-NOT:     tensor.extract
// CHECK:         return
//
// cross_entropy: row max, Σ exp(l − max), lse, the target's logit, then one
// reduction of all rows into (sum, count).
// CHECK-LABEL: func.func @cross_entropy(
// CHECK:         arith.maximumf
// CHECK:         math.exp
// CHECK:         math.log
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK:         arith.divf
// CHECK:         return
//
// rope: x viewed as its two halves [B, H, S, 2, D/2], read at constant
// indices 0 and 1; inv_freq a constant; one elementwise generic.
// CHECK-LABEL: func.func @rope_offset(
// CHECK:         tensor.expand_shape %{{.+}} {{\[\[}}0], [1], [2], [3, 4]] output_shape [2, 3, 5, 2, 3]
// CHECK:         arith.constant dense<[1.000000e+00, 0.215443462, 0.0464158878]> : tensor<3xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 0, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, 1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4)>
// CHECK:           math.cos
// CHECK:           math.sin
// CHECK:         tensor.collapse_shape
//
// adamw: one fused elementwise pass with three results.
// CHECK-LABEL: func.func @adamw(
// CHECK:         %{{.+}}:3 = linalg.generic
// CHECK:           math.powf
// CHECK:           math.sqrt
// CHECK:           linalg.yield %{{.+}}, %{{.+}}, %{{.+}} : f32, f32, f32
// CHECK-NOT:     linalg.generic
// CHECK:         return
