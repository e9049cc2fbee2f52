// convert-rescale-embedding-to-gather: the CPU pipeline's embedding pair.
// rescale-run compiles with the CPU pipeline, which runs this pass, so these
// runs test the gather and the scatter-add; the same entries lowered first by
// --convert-rescale-to-linalg (the dense reference decomposition, which the
// GPU keeps) must give the same results. Every output is poisoned with NaN
// by the runtime and checked against the float64 reference of
// Inputs/check_training.py (embedding: exact; embedding_grad: 1e-6, bf16
// 2^-8 relative). --random-inputs draws ids as round(3·n): negative ids and
// ids past the vocabulary occur in every case.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: rescale-opt %S/../Inputs/embedding-edges.mlir --convert-rescale-to-linalg -o %t/dense.mlir
// RUN: rescale-opt %S/../Inputs/training.mlir --convert-rescale-to-linalg -o %t/dense-training.mlir
// RUN: for e in embedding_scalar_id embedding_empty_vocab embedding_grad_rank3_bf16 embedding_grad_scalar_id embedding_grad_empty_vocab embedding_grad_no_ids; do \
// RUN:   rescale-run -O 0 %S/../Inputs/embedding-edges.mlir --entry $e --random-inputs --seed 5 --output-dir %t/gather-$e 2>/dev/null && \
// RUN:   %python %S/../Inputs/check_training.py $e %t/gather-$e && \
// RUN:   rescale-run -O 0 %t/dense.mlir --entry $e --random-inputs --seed 5 --output-dir %t/dense-$e 2>/dev/null && \
// RUN:   %python %S/../Inputs/check_training.py $e %t/dense-$e || echo FAILED $e; done | FileCheck %s --check-prefix=NUM
// RUN: for e in embedding_i32 embedding_i64_bf16 embedding_grad; do \
// RUN:   rescale-run -O 0 %t/dense-training.mlir --entry $e --random-inputs --seed 7 --output-dir %t/dense-$e 2>/dev/null && \
// RUN:   %python %S/../Inputs/check_training.py $e %t/dense-$e || echo FAILED $e; done | FileCheck %s --check-prefix=NUM
// NUM-NOT: FAIL
// NUM: PASS
// NUM-NOT: FAIL
//
// The forms, on Inputs/training.mlir.
// RUN: rescale-opt %S/../Inputs/training.mlir --convert-rescale-embedding-to-gather --mlir-print-local-scope | FileCheck %s
//
// embedding: one parallel generic over [ids..., D] (no loop over the
// vocabulary); the body reads table[id, d] at a clamped row and selects 0 for
// ids outside [0, V).
// CHECK-LABEL: func.func @embedding_i32(
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK:           %[[ID:.*]] = arith.extsi %{{.*}} : i32 to i64
// CHECK-DAG:       %[[V:.*]] = arith.constant 7 : i64
// CHECK-DAG:       %[[GE:.*]] = arith.cmpi sge, %[[ID]]
// CHECK-DAG:       %[[LT:.*]] = arith.cmpi slt, %[[ID]], %[[V]]
// CHECK:           %[[IN:.*]] = arith.andi %[[GE]], %[[LT]]
// CHECK:           %[[SAFE:.*]] = arith.select %[[IN]], %[[ID]]
// CHECK:           %[[ROW:.*]] = arith.index_cast %[[SAFE]]
// CHECK:           %[[COL:.*]] = linalg.index 2
// CHECK:           %[[READ:.*]] = tensor.extract %{{.*}}[%[[ROW]], %[[COL]]] : tensor<7x6xf32>
// CHECK:           arith.select %[[IN]], %[[READ]], %{{.*}} : f32
// CHECK-NOT:     rescale.embedding
// CHECK:         return
//
// bf16 tables are copied in bf16 (no round trip through f32).
// CHECK-LABEL: func.func @embedding_i64_bf16(
// CHECK:         tensor.extract %{{.*}} : tensor<9x3xbf16>
// CHECK:         arith.select {{.*}} : bf16
//
// embedding_grad: zeros, then one row addition per id in range, in row-major
// order of the ids.
// CHECK-LABEL: func.func @embedding_grad(
// CHECK:         %[[ZEROS:.*]] = linalg.fill
// CHECK:         %[[IDS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x7xi32> into tensor<14xi32>
// CHECK:         %[[DY:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x7x3xf32> into tensor<14x3xf32>
// CHECK:         scf.for %[[N:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZEROS]])
// CHECK:           tensor.extract %[[IDS]][%[[N]]]
// CHECK:           scf.if
// CHECK:             %[[OLD:.*]] = tensor.extract_slice %[[ACC]][%[[R:.*]], 0] [1, 3] [1, 1]
// CHECK:             %[[ADD:.*]] = tensor.extract_slice %[[DY]][%[[N]], 0] [1, 3] [1, 1]
// CHECK:             %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[ADD]] : tensor<3xf32>) outs(%[[OLD]] : tensor<3xf32>)
// CHECK:               arith.addf
// CHECK:             tensor.insert_slice %[[SUM]] into %[[ACC]][%[[R]], 0] [1, 3] [1, 1]
// CHECK:           } else {
// CHECK:             scf.yield %[[ACC]]
// CHECK-NOT:     rescale.embedding_grad
// CHECK:         return
//
// Other ops are left to --convert-rescale-to-linalg.
// CHECK-LABEL: func.func @cross_entropy(
// CHECK:         rescale.cross_entropy
