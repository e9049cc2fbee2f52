// RUN: rescale-opt %s --split-input-file --convert-elementwise-to-linalg --linalg-generalize-named-ops --linalg-fuse-elementwise-ops --canonicalize --convert-rescale-to-gpu | FileCheck %s

// Glue between the kernels: a SwiGLU written as arith/math on tensors is
// fused into one linalg.generic upstream, then becomes one kernel that reads
// each input once and writes once; the captured constant is cloned in.

// CHECK-LABEL: func.func @swiglu_is_one_kernel
// CHECK-COUNT-1: gpu.launch_func
// CHECK-NOT:     gpu.launch_func
// CHECK:       gpu.func @swiglu_is_one_kernel_elementwise(%{{.+}}: memref<4096xbf16>, %{{.+}}: memref<4096xbf16>, %{{.+}}: memref<4096xbf16>) kernel
// CHECK:           %[[ONE:.+]] = arith.constant 1.000000e+00 : bf16
// CHECK:           scf.if
// CHECK:             %[[G:.+]] = memref.load %arg0
// CHECK:             %[[U:.+]] = memref.load %arg1
// CHECK:             arith.negf %[[G]]
// CHECK:             math.exp
// CHECK:             arith.addf %{{.+}}, %[[ONE]]
// CHECK:             arith.divf %[[G]]
// CHECK:             %[[Y:.+]] = arith.mulf %{{.+}}, %[[U]]
// CHECK:             memref.store %[[Y]], %arg2
func.func @swiglu_is_one_kernel(%g: tensor<16x256xbf16>, %u: tensor<16x256xbf16>) -> tensor<16x256xbf16> {
  %n = arith.negf %g : tensor<16x256xbf16>
  %e = math.exp %n : tensor<16x256xbf16>
  %one = arith.constant dense<1.0> : tensor<16x256xbf16>
  %d = arith.addf %one, %e : tensor<16x256xbf16>
  %s = arith.divf %g, %d : tensor<16x256xbf16>
  %y = arith.mulf %s, %u : tensor<16x256xbf16>
  return %y : tensor<16x256xbf16>
}

// -----

// A transpose: the output is written in order, the input read at the
// permuted index (thread id -> (i, j, k) of the [2, 3, 4] output; the input
// [2, 4, 3] is read at (i, k, j)).

// CHECK-LABEL: func.func @transpose_kernel
// CHECK:       gpu.func @transpose_kernel_elementwise(%[[IN:.+]]: memref<24xf32>, %[[OUT:.+]]: memref<24xf32>)
// CHECK:           %[[K:.+]] = arith.remui %{{.+}}, %c4 : index
// CHECK:           %[[R:.+]] = arith.divui %{{.+}}, %c4 : index
// CHECK:           %[[J:.+]] = arith.remui %[[R]], %c3 : index
// CHECK:           %[[V:.+]] = memref.load %[[IN]]
// CHECK:           memref.store %[[V]], %[[OUT]]
func.func @transpose_kernel(%x: tensor<2x4x3xf32>) -> tensor<2x3x4xf32> {
  %e = tensor.empty() : tensor<2x3x4xf32>
  %t = linalg.transpose ins(%x : tensor<2x4x3xf32>) outs(%e : tensor<2x3x4xf32>) permutation = [0, 2, 1]
  return %t : tensor<2x3x4xf32>
}
