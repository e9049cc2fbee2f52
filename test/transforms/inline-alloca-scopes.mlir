// --rescale-inline-alloca-scopes (transforms/InlineAllocaScopes.cpp): a
// memref.alloca_scope with no alloca inside is replaced by its body, calls
// included (upstream's canonicalizer keeps such a scope when an op inside has
// no memory effects interface, as llvm.inttoptr); a scope that holds an
// alloca, directly or nested, stays.
// RUN: rescale-opt %s --rescale-inline-alloca-scopes -split-input-file | FileCheck %s
// The canonicalizer alone keeps the first scope, which is why the pass exists.
// RUN: rescale-opt %s --canonicalize -split-input-file | FileCheck %s --check-prefix=UPSTREAM

// A scope per iteration of an OpenMP worksharing loop, as
// convert-scf-to-openmp makes them, around a cblas-style call through a raw
// pointer (as rescale-contractions-to-blas emits it).
// CHECK-LABEL: func.func @call_in_scope(
// CHECK-NOT:   alloca_scope
// CHECK:       omp.loop_nest
// CHECK-NEXT:    memref.extract_aligned_pointer_as_index
// CHECK-NEXT:    arith.index_cast
// CHECK-NEXT:    llvm.inttoptr
// CHECK-NEXT:    call @work(%{{.+}})
// CHECK-NEXT:    omp.yield
// CHECK:       return
// UPSTREAM-LABEL: func.func @call_in_scope(
// UPSTREAM:       omp.loop_nest
// UPSTREAM-NEXT:    memref.alloca_scope
func.func private @work(!llvm.ptr)
func.func @call_in_scope(%m: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%t) : index = (%c0) to (%n) step (%c1) {
        memref.alloca_scope {
          %p = memref.extract_aligned_pointer_as_index %m : memref<4xf32> -> index
          %i64 = arith.index_cast %p : index to i64
          %ptr = llvm.inttoptr %i64 : i64 to !llvm.ptr
          func.call @work(%ptr) : (!llvm.ptr) -> ()
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// The scope's results become the values it returned.
// CHECK-LABEL: func.func @results(
// CHECK-NOT:   alloca_scope
// CHECK:       %[[S:.+]] = arith.addf %arg0, %arg0
// CHECK:       return %[[S]]
func.func @results(%x: f32) -> f32 {
  %r = memref.alloca_scope -> (f32) {
    %s = arith.addf %x, %x : f32
    memref.alloca_scope.return %s : f32
  }
  return %r : f32
}

// -----

// An alloca inside, even in a nested loop: the scope stays.
// CHECK-LABEL: func.func @alloca_in_scope(
// CHECK:       memref.alloca_scope
// CHECK:         memref.alloca()
func.func @alloca_in_scope(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  memref.alloca_scope {
    scf.for %i = %c0 to %n step %c1 {
      %a = memref.alloca() : memref<4xf32>
      func.call @use(%a) : (memref<4xf32>) -> ()
    }
  }
  return
}
func.func private @use(memref<4xf32>)

// -----

// Nested scopes: the inner one holds the alloca and stays; the outer one
// contains it and stays too.
// CHECK-LABEL: func.func @nested(
// CHECK:       memref.alloca_scope {
// CHECK:         memref.alloca_scope {
// CHECK:           memref.alloca()
func.func @nested() {
  memref.alloca_scope {
    memref.alloca_scope {
      %a = memref.alloca() : memref<4xf32>
      func.call @use(%a) : (memref<4xf32>) -> ()
    }
  }
  return
}
func.func private @use(memref<4xf32>)
