// Slices of a non-contiguous region and concatenations become copy kernels
// (DataMovementToGPU.cpp), a thread per result element; a slice that is one
// contiguous block stays a slice (it bufferizes to a subview, moved by one
// gpu.memcpy where a kernel needs its own buffer). Values:
// data-movement-emulated.test.
//
// RUN: rescale-opt %S/Inputs/gpu-data-movement.mlir --convert-rescale-to-gpu=chip=sm_90 | FileCheck %s
// RUN: rescale-opt %s --convert-rescale-to-gpu=chip=sm_90 | FileCheck %s --check-prefix=CONTIGUOUS

// CHECK-LABEL: func.func @slices
// CHECK-NOT: tensor.extract_slice
// CHECK: gpu.launch_func @rescale_kernels::@slices_extract_slice
// CHECK: gpu.launch_func @rescale_kernels::@slices_extract_slice
// CHECK: gpu.launch_func @rescale_kernels::@slices_extract_slice
// CHECK-LABEL: func.func @concats
// CHECK-NOT: tensor.concat
// CHECK: gpu.launch_func @rescale_kernels::@concats_extract_slice
// CHECK: gpu.launch_func @rescale_kernels::@concats_concat
// CHECK: gpu.launch_func @rescale_kernels::@concats_concat
// CHECK-LABEL: func.func @inserts
// CHECK-NOT: tensor.insert_slice
// CHECK: gpu.launch_func @rescale_kernels::@inserts_insert_slice
// CHECK: gpu.launch_func @rescale_kernels::@inserts_insert_slice

// The kernel of the rank-reduced weight column reads element 3·i + 2.
// CHECK: gpu.func @slices_extract_slice_0(%{{.*}}: memref<66xbf16>, %{{.*}}: memref<22xbf16>)

// CONTIGUOUS-LABEL: func.func @contiguous
// CONTIGUOUS: tensor.extract_slice %{{.*}}[1, 2, 0] [1, 3, 22]
// CONTIGUOUS: tensor.insert_slice %{{.*}} into %{{.*}}[1, 0, 0] [1, 8, 22]
// CONTIGUOUS-NOT: gpu.launch_func
func.func @contiguous(%x: tensor<2x8x22xf32>, %y: tensor<1x8x22xf32>) -> (tensor<1x3x22xf32>, tensor<2x8x22xf32>) {
  %rows = tensor.extract_slice %x[1, 2, 0] [1, 3, 22] [1, 1, 1] : tensor<2x8x22xf32> to tensor<1x3x22xf32>
  %batch = tensor.insert_slice %y into %x[1, 0, 0] [1, 8, 22] [1, 1, 1] : tensor<1x8x22xf32> into tensor<2x8x22xf32>
  return %rows, %batch : tensor<1x3x22xf32>, tensor<2x8x22xf32>
}
