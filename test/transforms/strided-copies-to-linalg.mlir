// RUN: rescale-opt %s --split-input-file --rescale-strided-copies-to-linalg | FileCheck %s
// A tensor.concat, compiled and run: its copies into strided views no longer
// call memrefCopy, which the module would not find when loaded.
// RUN: rescale-run %S/Inputs/concat.mlir --entry concat_last_dim --random-inputs --output-dir %t --print-summary | FileCheck %s --check-prefix=RAN
// RUN: %python %S/Inputs/check_concat.py %t
// RUN: rescale-compile %S/Inputs/concat.mlir -o %t.so && nm -D --undefined-only %t.so | FileCheck %s --check-prefix=SYMBOLS
// RAN: out0: f32[1,2,4,7]
// SYMBOLS-NOT: memrefCopy

// A copy into a strided view becomes linalg.copy.
// CHECK-LABEL: func.func @into_view
// CHECK: linalg.copy ins(%{{.+}} : memref<2x3xf32>) outs(%{{.+}} : memref<2x3xf32, strided<[4, 1]>>)
// CHECK-NOT: memref.copy
func.func @into_view(%src: memref<2x3xf32>, %dst: memref<2x4xf32>) {
  %view = memref.subview %dst[0, 0] [2, 3] [1, 1] : memref<2x4xf32> to memref<2x3xf32, strided<[4, 1]>>
  memref.copy %src, %view : memref<2x3xf32> to memref<2x3xf32, strided<[4, 1]>>
  return
}

// -----

// Contiguous copies stay memref.copy (LLVM turns them into a memcpy), also a
// contiguous view with an offset.
// CHECK-LABEL: func.func @contiguous
// CHECK-COUNT-2: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<2x4xf32>, %b: memref<2x4xf32>, %c: memref<4x4xf32>) {
  memref.copy %a, %b : memref<2x4xf32> to memref<2x4xf32>
  %rows = memref.subview %c[2, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  memref.copy %a, %rows : memref<2x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  return
}
