// RUN: rescale-opt %s --split-input-file --rescale-gpu-device-memory --verify-diagnostics | FileCheck %s

// Temporaries become device allocations freed before the return, copies
// become device-to-device memcpys, and constants are uploaded per call.

// CHECK-LABEL: func.func @buffers_become_device_buffers
// CHECK-SAME:    (%[[A:.+]]: memref<4xf32>, %[[OUT:.+]]: memref<4xf32>)
// CHECK:         %[[T:.+]] = gpu.alloc  () : memref<4xf32>
// CHECK:         %[[C:.+]] = gpu.alloc  () : memref<4xf32>
// CHECK:         %[[G:.+]] = memref.get_global @cst : memref<4xf32>
// CHECK:         gpu.memcpy  %[[C]], %[[G]] : memref<4xf32>, memref<4xf32>
// CHECK:         gpu.memcpy  %[[T]], %[[A]] : memref<4xf32>, memref<4xf32>
// CHECK:         gpu.memcpy  %[[OUT]], %[[C]] : memref<4xf32>, memref<4xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         gpu.dealloc  %[[T]] : memref<4xf32>
// CHECK:         gpu.dealloc  %[[C]] : memref<4xf32>
// CHECK-NEXT:    return
memref.global "private" constant @cst : memref<4xf32> = dense<1.0>
func.func @buffers_become_device_buffers(%a: memref<4xf32>, %out: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  %g = memref.get_global @cst : memref<4xf32>
  memref.copy %a, %t : memref<4xf32> to memref<4xf32>
  memref.copy %g, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return
}

// -----

// Host code that reads a buffer would dereference a device pointer.

func.func @host_load_is_an_error(%a: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.load' would run on the host over device buffers}}
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}
