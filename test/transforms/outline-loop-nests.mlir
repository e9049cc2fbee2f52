// --rescale-outline-loop-nests (transforms/OutlineLoopNests.cpp): in a
// function with at least min-nests top-level loop nests, each nest becomes a
// private noinline function called in its place; the values it reads become
// arguments in order of first use, constants are cloned, results returned.
// RUN: rescale-opt %s --rescale-outline-loop-nests=min-nests=2 -split-input-file | FileCheck %s
// Below the threshold (the default, 16) nothing changes.
// RUN: rescale-opt %s --rescale-outline-loop-nests -split-input-file | FileCheck %s --check-prefix=SMALL
// RUN: not rescale-opt %s --rescale-outline-loop-nests=min-nests=0 -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: rescale-outline-loop-nests: min-nests must be at least 1, got 0

// CHECK-LABEL: func.func @step(
// CHECK-SAME:      %[[A:.+]]: memref<4xf32>, %[[B:.+]]: memref<4xf32>, %[[N:.+]]: index, %[[S:.+]]: f32)
// CHECK:         %[[SUM:.+]] = arith.addf %[[S]], %[[S]]
// CHECK-NEXT:    call @step__nest0(%[[SUM]], %[[A]]) : (f32, memref<4xf32>) -> ()
// CHECK-NEXT:    %[[R:.+]] = call @step__nest1(%[[N]], %[[A]], %[[B]]) : (index, memref<4xf32>, memref<4xf32>) -> f32
// CHECK-NEXT:    call @step__nest2() : () -> ()
// CHECK-NEXT:    return %[[R]]
// CHECK:       func.func private @step__nest0(%[[V0:.+]]: f32, %[[A0:.+]]: memref<4xf32>) attributes {passthrough = ["noinline"]}
// CHECK-DAG:     arith.constant 0 : index
// CHECK-DAG:     arith.constant 4 : index
// CHECK-DAG:     arith.constant 1 : index
// CHECK:         scf.for
// CHECK:           memref.store %[[V0]], %[[A0]]
// CHECK:         return
// CHECK:       func.func private @step__nest1(%[[N1:.+]]: index, %{{.+}}: memref<4xf32>, %{{.+}}: memref<4xf32>) -> f32 attributes {passthrough = ["noinline"]}
// CHECK:         %[[F:.+]] = scf.for %{{.+}} = %{{.+}} to %[[N1]]
// CHECK:         return %[[F]] : f32
// CHECK:       func.func private @step__nest2() attributes {passthrough = ["noinline"]}
// CHECK-NEXT:    omp.parallel
// SMALL-LABEL: func.func @step(
// SMALL-NOT:   call
// SMALL:       scf.for
// SMALL-NOT:   __nest
func.func @step(%a: memref<4xf32>, %b: memref<4xf32>, %n: index, %s: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %sum = arith.addf %s, %s : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %sum, %a[%i] : memref<4xf32>
  }
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> f32 {
    %j = arith.remui %i, %c4 : index
    %x = memref.load %a[%j] : memref<4xf32>
    %y = memref.load %b[%j] : memref<4xf32>
    %p = arith.mulf %x, %y : f32
    %t = arith.addf %acc, %p : f32
    scf.yield %t : f32
  }
  omp.parallel {
    omp.terminator
  }
  return %r : f32
}

// -----

// One nest: below min-nests=2, left alone.
// CHECK-LABEL: func.func @one_nest(
// SMALL-LABEL: func.func @one_nest(
// CHECK-NOT:   call
// CHECK:       scf.for
func.func @one_nest(%a: memref<4xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %a[%i] : memref<4xf32>
  }
  return
}

// -----

// A name the module already has: the outlined function gets a fresh one
// (SymbolTable's renaming) instead of a second @step__nest0, which the
// verifier rejected.
// CHECK-LABEL: func.func @step__nest0(
// CHECK:       func.func @step(
// CHECK:         call @step__nest0_0(
// CHECK-NEXT:    call @step__nest1(
// CHECK:       func.func private @step__nest0_0(
// CHECK:       func.func private @step__nest1(
func.func @step__nest0(%x: f32) -> f32 {
  return %x : f32
}
func.func @step(%a: memref<4xf32>, %s: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %a[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %a[%i] : memref<4xf32>
  }
  return
}
