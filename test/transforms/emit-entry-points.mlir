// RUN: rescale-opt %s --rescale-emit-entry-points --split-input-file --verify-diagnostics | FileCheck %s

// Each public function with a body gains `_rescale_entry_<f>(!llvm.ptr)`,
// which loads the descriptor behind args[i] and calls @f; inputs come first,
// then the out-params.

// CHECK-LABEL: func.func @two_inputs_one_output(
// CHECK-SAME:      attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @_rescale_entry_two_inputs_one_output(
// CHECK-SAME:      %[[ARGS:.+]]: !llvm.ptr) {
// CHECK:         %[[P0:.+]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[D0P:.+]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[D0:.+]] = llvm.load %[[D0P]] : !llvm.ptr -> !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>
// CHECK:         %[[M0:.+]] = builtin.unrealized_conversion_cast %[[D0]] : {{.*}} to memref<2x3xf32>
// CHECK:         %[[P1:.+]] = llvm.getelementptr %[[ARGS]][1]
// CHECK:         %[[D1:.+]] = llvm.load {{.*}} -> !llvm.struct<(ptr, ptr, i64)>
// CHECK:         %[[M1:.+]] = builtin.unrealized_conversion_cast %[[D1]] : {{.*}} to memref<f32>
// CHECK:         %[[P2:.+]] = llvm.getelementptr %[[ARGS]][2]
// CHECK:         %[[M2:.+]] = builtin.unrealized_conversion_cast {{.*}} to memref<2x3xbf16>
// CHECK:         call @two_inputs_one_output(%[[M0]], %[[M1]], %[[M2]])
// CHECK-NEXT:    return
func.func @two_inputs_one_output(%a: memref<2x3xf32>, %s: memref<f32>,
                                 %out: memref<2x3xbf16>) {
  return
}

// Private functions and declarations are not entry points.
// CHECK-NOT: _rescale_entry_helper
// CHECK:     func.func private @helper(%{{.*}}: memref<4xf32>) {
// CHECK-NOT: _rescale_entry_external
func.func private @helper(%a: memref<4xf32>) {
  return
}
func.func private @external(%a: memref<4xf32>)

// -----

// expected-error @below {{entry point @dynamic: argument #0 has dynamic shape 'memref<?x3xf32>'; entry points need static shapes}}
func.func @dynamic(%a: memref<?x3xf32>) {
  return
}

// -----

// expected-error @below {{entry point @scalar_argument: argument #1 has type 'f32'; entry points take only tensors}}
func.func @scalar_argument(%a: memref<4xf32>, %s: f32) {
  return
}

// -----

// expected-error @below {{entry point @scalar_result still returns 1 value(s) after bufferization; only tensor results can be returned (they become caller-allocated out-params)}}
func.func @scalar_result(%a: memref<4xf32>) -> f32 {
  %c = arith.constant 1.0 : f32
  return %c : f32
}

// -----

// expected-error @below {{cannot emit the entry point of @f: the symbol _rescale_entry_f already exists}}
func.func @f(%a: memref<4xf32>) {
  return
}
func.func private @_rescale_entry_f(%p: !llvm.ptr)
