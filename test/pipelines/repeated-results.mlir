// The NVPTX pipeline shares the CPU pipeline's bufferization steps
// (buildBufferizeToOutParams): a tensor returned twice gets a copy, so
// buffer-results-to-out-params sees two buffers instead of crashing.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: rescale-compile %s --target=nvptx --chip=sm_90 -o %t/rep.so
// RUN: FileCheck %s < %t/rep.manifest.json

// CHECK: "name":"repeated"
// CHECK-SAME: "outputs":[{"dtype":"f32","shape":[4,8]},{"dtype":"f32","shape":[4,8]}]
func.func @repeated(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %y = rescale.rms_norm %x, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %y : tensor<4x8xf32>, tensor<4x8xf32>
}
