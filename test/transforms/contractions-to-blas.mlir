// --rescale-contractions-to-blas (transforms/ContractionsToBlas.cpp): every
// f32 GEMM on buffers becomes one cblas_sgemm call, with the order, the
// transposes, M, N, K and the leading dimensions that its strides give; what
// is not a plain GEMM stays a linalg op. The numbers are checked end to end
// by every numerics and gradient test of the CPU path (linear, attention's
// products are generics with other bodies, the autodiff's x·Wᵀ, dY·W and
// dYᵀ·X), which compile through this pass; cpu-blas.test checks the module.
// RUN: rescale-opt %s --rescale-contractions-to-blas -split-input-file -verify-diagnostics | FileCheck %s
// RUN: rescale-opt %s --rescale-contractions-to-blas=split-rows=true -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=SPLIT
//
// split-rows, end to end: the CPU pipeline sets it (with openmp), so
// rescale-run splits the products of Inputs/split-rows.mlir across 1, 2, 3
// and 7 OpenMP threads (parts of 300 rows: 300, 150, 100, 75 capped at 4
// parts; of 130 and 129 rows: 2 parts at most), checked against a float64
// product (Inputs/check_split_rows.py; outputs poisoned with NaN first, so
// a row no part wrote fails).
// RUN: rm -rf %t && mkdir -p %t
// RUN: for t in 1 2 3 7; do for e in x_wt weight_grad matmul_129; do \
// RUN:   env OMP_NUM_THREADS=$t rescale-run -O 0 %S/Inputs/split-rows.mlir --entry $e --random-inputs --seed $t --output-dir %t/$t-$e > /dev/null && \
// RUN:   %python %S/Inputs/check_split_rows.py $e %t/$t-$e || echo FAILED $e $t; done; done | FileCheck %s --check-prefix=NUM
// NUM-COUNT-12: PASS
// NUM-NOT: FAIL

// CHECK-LABEL: func.func @matmul(
// CHECK:       call @cblas_sgemm(%[[ROW:c101_i32]], %c111_i32, %c111_i32_{{[0-9]+}}, %c5_i32, %c3_i32, %c7_i32, %cst, %{{.+}}, %c7_i32_{{[0-9]+}}, %{{.+}}, %c3_i32_{{[0-9]+}}, %cst, %{{.+}}, %c3_i32_{{[0-9]+}})
// CHECK-NOT:   linalg.
// CHECK:       func.func private @cblas_sgemm(i32, i32, i32, i32, i32, i32, f32, !llvm.ptr, i32, !llvm.ptr, i32, f32, !llvm.ptr, i32)
func.func @matmul(%a: memref<5x7xf32>, %b: memref<7x3xf32>, %c: memref<5x3xf32>) {
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%c : memref<5x3xf32>)
  return
}

// -----

// A linear, y[b, s, n] += x[b, s, k] · w[n, k]: (b, s) collapse into M = 6,
// w is passed transposed (112) with ldb = 5.
// CHECK-LABEL: func.func @linear(
// CHECK:       %[[A:.+]] = llvm.getelementptr
// CHECK:       call @cblas_sgemm(%c101_i32, %c111_i32, %c112_i32, %c6_i32, %c4_i32, %c5_i32, %cst, %{{.+}}, %c5_i32_{{[0-9]+}}, %{{.+}}, %c5_i32_{{[0-9]+}}, %cst, %{{.+}}, %c4_i32_{{[0-9]+}})
func.func @linear(%x: memref<2x3x5xf32>, %w: memref<4x5xf32>, %y: memref<2x3x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, s, n, k) -> (b, s, k)>, affine_map<(b, s, n, k) -> (n, k)>, affine_map<(b, s, n, k) -> (b, s, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
    ins(%x, %w : memref<2x3x5xf32>, memref<4x5xf32>) outs(%y : memref<2x3x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A weight gradient, dw[n, k] += dy[b, s, n] · x[b, s, k]: two reduction
// loops collapse into K = 6; dy is read transposed (lda = 4).
// CHECK-LABEL: func.func @weight_grad(
// CHECK:       call @cblas_sgemm(%c101_i32, %c112_i32, %c111_i32, %c4_i32, %c5_i32, %c6_i32, %cst, %{{.+}}, %c4_i32_{{[0-9]+}}, %{{.+}}, %c5_i32_{{[0-9]+}}, %cst, %{{.+}}, %c5_i32_{{[0-9]+}})
func.func @weight_grad(%dy: memref<2x3x4xf32>, %x: memref<2x3x5xf32>, %dw: memref<4x5xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, k, b, s) -> (b, s, n)>, affine_map<(n, k, b, s) -> (b, s, k)>, affine_map<(n, k, b, s) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
    ins(%dy, %x : memref<2x3x4xf32>, memref<2x3x5xf32>) outs(%dw : memref<4x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %b, %a : f32
    %s = arith.addf %m, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batch loop around the call: each operand's offset advances by its batch
// stride (35, 14, 10).
// CHECK-LABEL: func.func @batch_matmul(
// CHECK:       scf.for %[[I:.+]] = %c0 to %c3 step %c1 {
// CHECK:         %[[SA:.+]] = arith.constant 35 : index
// CHECK:         arith.muli %[[I]], %[[SA]] : index
// CHECK:         arith.constant 14 : index
// CHECK:         arith.constant 10 : index
// CHECK:         call @cblas_sgemm(%c101_i32, %c111_i32, %c111_i32_{{[0-9]+}}, %c5_i32, %c2_i32, %c7_i32,
// CHECK:       }
func.func @batch_matmul(%a: memref<3x5x7xf32>, %b: memref<3x7x2xf32>, %c: memref<3x5x2xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x5x7xf32>, memref<3x7x2xf32>) outs(%c : memref<3x5x2xf32>)
  return
}

// -----

// An output with unit stride along M (a transposed view): Cᵀ = Bᵀ·Aᵀ, the
// call with A and B swapped (M = 3, N = 5) and ldc = 5.
// CHECK-LABEL: func.func @transposed_output(
// CHECK:       call @cblas_sgemm(%c101_i32, %c112_i32, %c112_i32_{{[0-9]+}}, %c3_i32, %c5_i32, %c7_i32, %cst, %{{.+}}, %c3_i32_{{[0-9]+}}, %{{.+}}, %c7_i32_{{[0-9]+}}, %cst, %{{.+}}, %c5_i32_{{[0-9]+}})
func.func @transposed_output(%a: memref<5x7xf32>, %b: memref<7x3xf32>, %c: memref<5x3xf32, strided<[1, 5]>>) {
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%c : memref<5x3xf32, strided<[1, 5]>>)
  return
}

// -----

// A strided view with a dynamic offset (a subview in a loop): the offset is
// read at run time, the leading dimension is the parent's row stride.
// CHECK-LABEL: func.func @subview(
// CHECK:       %{{.+}}, %[[OFF:.+]], %{{.+}}:2, %{{.+}}:2 = memref.extract_strided_metadata %arg0
// CHECK:       arith.index_cast %[[OFF]] : index to i64
// CHECK:       call @cblas_sgemm(%c101_i32, %c111_i32, %c111_i32_{{[0-9]+}}, %c2_i32, %c3_i32, %c4_i32, %cst, %{{.+}}, %c9_i32,
func.func @subview(%a: memref<2x4xf32, strided<[9, 1], offset: ?>>, %b: memref<4x3xf32>, %c: memref<2x3xf32>) {
  linalg.matmul ins(%a, %b : memref<2x4xf32, strided<[9, 1], offset: ?>>, memref<4x3xf32>) outs(%c : memref<2x3xf32>)
  return
}

// -----

// What stays loops: another element type, a cast in the body, an operand
// broadcast along M (stride 0), loops that do not nest in memory, a
// dynamic shape, an empty product, a body that is not out + a·b.
// CHECK-LABEL: func.func @not_gemms(
// CHECK-NOT:   cblas_sgemm
// CHECK-COUNT-7: linalg.{{matmul|generic}}
// CHECK-NOT:   cblas_sgemm
func.func @not_gemms(%h: memref<5x7xbf16>, %hb: memref<7x3xbf16>, %hc: memref<5x3xbf16>,
                     %a: memref<5x7xf32>, %b: memref<7x3xf32>, %c: memref<5x3xf32>,
                     %bcast: memref<5x7xf32, strided<[0, 1]>>,
                     %interleaved: memref<2x4x3xf32, strided<[4, 8, 1]>>, %w: memref<3x6xf32>, %y: memref<2x4x6xf32>,
                     %dyn: memref<?x7xf32>, %dync: memref<?x3xf32>,
                     %e: memref<5x0xf32>, %eb: memref<0x3xf32>) {
  linalg.matmul ins(%h, %hb : memref<5x7xbf16>, memref<7x3xbf16>) outs(%hc : memref<5x3xbf16>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%h, %b : memref<5x7xbf16>, memref<7x3xf32>) outs(%c : memref<5x3xf32>) {
  ^bb0(%x: bf16, %z: f32, %o: f32):
    %xf = arith.extf %x : bf16 to f32
    %m = arith.mulf %xf, %z : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%bcast, %b : memref<5x7xf32, strided<[0, 1]>>, memref<7x3xf32>) outs(%c : memref<5x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(p, q, n, k) -> (p, q, k)>, affine_map<(p, q, n, k) -> (k, n)>, affine_map<(p, q, n, k) -> (p, q, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
    ins(%interleaved, %w : memref<2x4x3xf32, strided<[4, 8, 1]>>, memref<3x6xf32>) outs(%y : memref<2x4x6xf32>) {
  ^bb0(%x: f32, %z: f32, %o: f32):
    %m = arith.mulf %x, %z : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%dyn, %b : memref<?x7xf32>, memref<7x3xf32>) outs(%dync : memref<?x3xf32>)
  linalg.matmul ins(%e, %eb : memref<5x0xf32>, memref<0x3xf32>) outs(%c : memref<5x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%c : memref<5x3xf32>) {
  ^bb0(%x: f32, %z: f32, %o: f32):
    %m = arith.mulf %x, %z : f32
    %s = arith.maximumf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A program with its own cblas_sgemm keeps its products as loops, with a
// remark.
// CHECK-LABEL: func.func @cblas_sgemm(
// CHECK:       linalg.matmul
func.func @cblas_sgemm(%x: i32) -> i32 {
  return %x : i32
}
func.func @own_symbol(%a: memref<5x7xf32>, %b: memref<7x3xf32>, %c: memref<5x3xf32>) {
  // expected-remark @+1 {{matrix products stay loops: the module defines its own 'cblas_sgemm'}}
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%c : memref<5x3xf32>)
  return
}

// -----

// Products inside a tiled loop (scf.forall, whose iterations the CPU
// pipeline runs on OpenMP threads) run OpenBLAS on one thread per caller:
// the thread count is saved before the outermost loop, set to 1, and
// restored after it. A product outside any loop, and a loop without
// products, are left alone.
// CHECK-LABEL: func.func @tiled(
// CHECK:       call @cblas_sgemm(
// CHECK-NOT:   openblas
// CHECK:       %[[SAVED:.+]] = call @openblas_get_num_threads() : () -> i32
// CHECK:       %[[ONE:.+]] = arith.constant 1 : i32
// CHECK:       call @openblas_set_num_threads(%[[ONE]]) : (i32) -> ()
// CHECK:       scf.forall
// CHECK:         scf.forall
// CHECK:           call @cblas_sgemm(
// CHECK:       call @openblas_set_num_threads(%[[SAVED]]) : (i32) -> ()
// CHECK-NOT:   openblas
// CHECK:       scf.forall
// CHECK-NOT:   openblas
// CHECK:       return
// CHECK-DAG:   func.func private @openblas_get_num_threads() -> i32
// CHECK-DAG:   func.func private @openblas_set_num_threads(i32)
func.func @tiled(%a: memref<4x5x7xf32>, %b: memref<7x3xf32>, %c: memref<4x5x3xf32>) {
  %a0 = memref.subview %a[0, 0, 0] [1, 5, 7] [1, 1, 1] : memref<4x5x7xf32> to memref<5x7xf32, strided<[7, 1]>>
  %c0 = memref.subview %c[0, 0, 0] [1, 5, 3] [1, 1, 1] : memref<4x5x3xf32> to memref<5x3xf32, strided<[3, 1]>>
  linalg.matmul ins(%a0, %b : memref<5x7xf32, strided<[7, 1]>>, memref<7x3xf32>) outs(%c0 : memref<5x3xf32, strided<[3, 1]>>)
  scf.forall (%i) in (2) {
    scf.forall (%j) in (2) {
      %t = affine.apply affine_map<(i, j) -> (i * 2 + j)>(%i, %j)
      %at = memref.subview %a[%t, 0, 0] [1, 5, 7] [1, 1, 1] : memref<4x5x7xf32> to memref<5x7xf32, strided<[7, 1], offset: ?>>
      %ct = memref.subview %c[%t, 0, 0] [1, 5, 3] [1, 1, 1] : memref<4x5x3xf32> to memref<5x3xf32, strided<[3, 1], offset: ?>>
      linalg.matmul ins(%at, %b : memref<5x7xf32, strided<[7, 1], offset: ?>>, memref<7x3xf32>) outs(%ct : memref<5x3xf32, strided<[3, 1], offset: ?>>)
    }
  }
  scf.forall (%i) in (4) {
    %ct = memref.subview %c[%i, 0, 0] [1, 5, 3] [1, 1, 1] : memref<4x5x3xf32> to memref<5x3xf32, strided<[3, 1], offset: ?>>
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%ct : memref<5x3xf32, strided<[3, 1], offset: ?>>)
  }
  return
}

// -----

// A program with its own openblas_set_num_threads keeps OpenBLAS's threads in
// its tiled loops, with a remark; the products are still calls.
// CHECK-LABEL: func.func @openblas_set_num_threads(
// CHECK-LABEL: func.func @own_thread_symbol(
// CHECK:       scf.forall
// CHECK:         call @cblas_sgemm(
// CHECK-NOT:   call @openblas_get_num_threads
func.func @openblas_set_num_threads(%n: i32) {
  return
}
func.func @own_thread_symbol(%a: memref<2x5x7xf32>, %b: memref<7x3xf32>, %c: memref<2x5x3xf32>) {
  // expected-remark @+1 {{OpenBLAS keeps its own threads inside tiled loops: the module defines its own 'openblas_get_num_threads' or 'openblas_set_num_threads'}}
  scf.forall (%i) in (2) {
    %at = memref.subview %a[%i, 0, 0] [1, 5, 7] [1, 1, 1] : memref<2x5x7xf32> to memref<5x7xf32, strided<[7, 1], offset: ?>>
    %ct = memref.subview %c[%i, 0, 0] [1, 5, 3] [1, 1, 1] : memref<2x5x3xf32> to memref<5x3xf32, strided<[3, 1], offset: ?>>
    linalg.matmul ins(%at, %b : memref<5x7xf32, strided<[7, 1], offset: ?>>, memref<7x3xf32>) outs(%ct : memref<5x3xf32, strided<[3, 1], offset: ?>>)
  }
  return
}

// -----

// A tile of grouped-query attention: one query head h of a tile reads its key
// head through (h floordiv 2). Over a loop of one iteration that index is 0,
// so the scores are one GEMM of 16 queries by 9 keys over D = 8 (the key
// passed transposed). Over two heads, (h floordiv 2) is a real index map and
// the product stays a linalg op.
// CHECK-LABEL: func.func @gqa_tile(
// CHECK:       call @cblas_sgemm(%c101_i32, %c111_i32, %c112_i32, %c16_i32, %c9_i32, %c8_i32,
// CHECK-NOT:   linalg.generic
// CHECK-LABEL: func.func @gqa_two_heads(
// CHECK-NOT:   cblas_sgemm
// CHECK:       linalg.generic
func.func @gqa_tile(%q: memref<1x1x16x8xf32>, %k: memref<1x1x9x8xf32, strided<[144, 72, 8, 1], offset: ?>>, %s: memref<1x1x16x9xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h floordiv 2, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
    ins(%q, %k : memref<1x1x16x8xf32>, memref<1x1x9x8xf32, strided<[144, 72, 8, 1], offset: ?>>) outs(%s : memref<1x1x16x9xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  }
  return
}
func.func @gqa_two_heads(%q: memref<1x2x16x8xf32>, %k: memref<1x1x9x8xf32>, %s: memref<1x2x16x9xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h floordiv 2, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
    ins(%q, %k : memref<1x2x16x8xf32>, memref<1x1x9x8xf32>) outs(%s : memref<1x2x16x9xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// split-rows: a product of M = 300 rows outside any scf.forall becomes one
// sgemm per part in an scf.forall over clamp(omp_get_max_threads(), 1,
// 300 / 64 = 4) parts; part i takes rows [i·p, min((i+1)·p, 300)) with
// p = ceil(300 / parts): i·p·40 elements into A (lda 40) and i·p·24 into C
// (ldc 24), B whole. The split loop is a tiled loop like the row tiles:
// OpenBLAS on one thread around it. Without the option: one call.
// SPLIT-LABEL: func.func @split_rows(
// SPLIT:         %[[T:.+]] = call @omp_get_max_threads() : () -> i32
// SPLIT:         %[[TI:.+]] = arith.index_cast %[[T]] : i32 to index
// SPLIT:         %[[CAP:.+]] = arith.constant 4 : index
// SPLIT:         %[[CAPPED:.+]] = arith.minsi %[[TI]], %[[CAP]]
// SPLIT:         %[[PARTS:.+]] = arith.maxsi %[[CAPPED]], %{{.+}} : index
// SPLIT:         %[[M:.+]] = arith.constant 300 : index
// SPLIT:         %[[PER:.+]] = arith.ceildivsi %[[M]], %[[PARTS]] : index
// SPLIT:         call @openblas_set_num_threads(
// SPLIT:         scf.forall (%[[I:.+]]) in (%[[PARTS]]) {
// SPLIT:           %[[FIRST:.+]] = arith.muli %[[I]], %[[PER]] : index
// SPLIT:           %[[LEFT:.+]] = arith.subi %[[M]], %[[FIRST]] : index
// SPLIT:           %[[ROWS:.+]] = arith.minsi %[[PER]], %[[LEFT]] : index
// SPLIT:           %[[ANY:.+]] = arith.cmpi sgt, %[[ROWS]], %{{.+}} : index
// SPLIT:           scf.if %[[ANY]] {
// SPLIT:             %[[LDC:.+]] = arith.constant 24 : index
// SPLIT:             arith.muli %[[FIRST]], %[[LDC]] : index
// SPLIT:             %[[LDA:.+]] = arith.constant 40 : index
// SPLIT:             arith.muli %[[FIRST]], %[[LDA]] : index
// SPLIT:             %[[ROWS32:.+]] = arith.index_cast %[[ROWS]] : index to i32
// SPLIT:             call @cblas_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %[[ROWS32]], %c24_i32, %c40_i32,
// SPLIT:         call @openblas_set_num_threads(
// SPLIT:         func.func private @omp_get_max_threads() -> i32
// CHECK-LABEL: func.func @split_rows(
// CHECK-NOT:     omp_get_max_threads
// CHECK:         call @cblas_sgemm(%c101_i32, %c111_i32, %c112_i32, %c300_i32, %c24_i32, %c40_i32,
func.func @split_rows(%x: memref<300x40xf32>, %w: memref<24x40xf32>, %y: memref<300x24xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
    ins(%x, %w : memref<300x40xf32>, memref<24x40xf32>) outs(%y : memref<300x24xf32>)
  return
}

// -----

// A transposed A (a weight gradient's dyᵀ, [K, M] in memory): part i starts
// i·p columns into it, not i·p·lda.
// SPLIT-LABEL: func.func @split_rows_transposed_a(
// SPLIT:         scf.forall (%[[I:.+]]) in
// SPLIT:           %[[FIRST:.+]] = arith.muli %[[I]], %{{.+}} : index
// SPLIT:           scf.if
// SPLIT:             %[[LDC:.+]] = arith.constant 20 : index
// SPLIT:             arith.muli %[[FIRST]], %[[LDC]] : index
// SPLIT-NEXT:        arith.addi
// SPLIT-NEXT:        arith.addi %{{.+}}, %[[FIRST]] : index
// SPLIT:             call @cblas_sgemm(%{{.+}}, %c112_i32, %c111_i32,
func.func @split_rows_transposed_a(%dy: memref<9x130xf32>, %x: memref<9x20xf32>, %dw: memref<130x20xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, k, s) -> (s, n)>, affine_map<(n, k, s) -> (s, k)>, affine_map<(n, k, s) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction"]}
    ins(%dy, %x : memref<9x130xf32>, memref<9x20xf32>) outs(%dw : memref<130x20xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not split: fewer than 2 x 64 rows, a batch loop, or a product already in
// a tiled loop.
// SPLIT-LABEL: func.func @not_split(
// SPLIT-NOT:     omp_get_max_threads
// SPLIT:         call @cblas_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %c127_i32,
// SPLIT:         scf.for
// SPLIT:           call @cblas_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %c200_i32,
// SPLIT:         scf.forall
// SPLIT-NOT:       omp_get_max_threads
// SPLIT:           call @cblas_sgemm(%{{.+}}, %{{.+}}, %{{.+}}, %c256_i32,
// SPLIT:         return
func.func @not_split(%a: memref<127x8xf32>, %b: memref<8x4xf32>, %c: memref<127x4xf32>,
                     %ba: memref<2x200x8xf32>, %bb: memref<2x8x4xf32>, %bc: memref<2x200x4xf32>,
                     %ta: memref<2x256x8xf32>, %tc: memref<2x256x4xf32>) {
  linalg.matmul ins(%a, %b : memref<127x8xf32>, memref<8x4xf32>) outs(%c : memref<127x4xf32>)
  linalg.batch_matmul ins(%ba, %bb : memref<2x200x8xf32>, memref<2x8x4xf32>) outs(%bc : memref<2x200x4xf32>)
  scf.forall (%i) in (2) {
    %at = memref.subview %ta[%i, 0, 0] [1, 256, 8] [1, 1, 1] : memref<2x256x8xf32> to memref<256x8xf32, strided<[8, 1], offset: ?>>
    %ct = memref.subview %tc[%i, 0, 0] [1, 256, 4] [1, 1, 1] : memref<2x256x4xf32> to memref<256x4xf32, strided<[4, 1], offset: ?>>
    linalg.matmul ins(%at, %b : memref<256x8xf32, strided<[8, 1], offset: ?>>, memref<8x4xf32>) outs(%ct : memref<256x4xf32, strided<[4, 1], offset: ?>>)
  }
  return
}

// -----

// An output zeroed by the fill right before the product: the fill goes and
// the call gets beta = 0 (C written, not read). A fill of another value, or
// one with another op in between, stays and beta stays 1.
// CHECK-LABEL: func.func @zeroed_output(
// CHECK-NOT:     outs(%arg2
// CHECK:         %[[BETA0:cst_[0-9]+]] = arith.constant 0.000000e+00 : f32
// CHECK:         call @cblas_sgemm({{.*}}, %[[BETA0]], %{{[^,]+}}, %{{[^,]+}})
// CHECK:         linalg.fill ins(%cst_0 : f32) outs(%arg3
// CHECK:         %[[ONE2:cst_[0-9]+]] = arith.constant 1.000000e+00 : f32
// CHECK:         call @cblas_sgemm({{.*}}, %[[ONE2]], %{{[^,]+}}, %{{[^,]+}})
// CHECK:         linalg.fill ins(%cst : f32) outs(%arg4
// CHECK:         memref.store
// CHECK:         %[[ONE3:cst_[0-9]+]] = arith.constant 1.000000e+00 : f32
// CHECK:         call @cblas_sgemm({{.*}}, %[[ONE3]], %{{[^,]+}}, %{{[^,]+}})
func.func @zeroed_output(%a: memref<5x7xf32>, %b: memref<7x3xf32>, %c: memref<5x3xf32>, %d: memref<5x3xf32>, %e: memref<5x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %i = arith.constant 0 : index
  linalg.fill ins(%zero : f32) outs(%c : memref<5x3xf32>)
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%c : memref<5x3xf32>)
  linalg.fill ins(%one : f32) outs(%d : memref<5x3xf32>)
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%d : memref<5x3xf32>)
  linalg.fill ins(%zero : f32) outs(%e : memref<5x3xf32>)
  memref.store %one, %e[%i, %i] : memref<5x3xf32>
  linalg.matmul ins(%a, %b : memref<5x7xf32>, memref<7x3xf32>) outs(%e : memref<5x3xf32>)
  return
}
