// Entry points used by the rescale-run tests (test/tools/rescale-run-*.test).

// 2·x + 0.5 on a constant: no inputs, exact outputs 2.5, 4.5, 6.5, 8.5.
func.func @constant_affine() -> tensor<4xf32> {
  %x = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %two = arith.constant dense<2.0> : tensor<4xf32>
  %half = arith.constant dense<0.5> : tensor<4xf32>
  %y = arith.mulf %x, %two : tensor<4xf32>
  %z = arith.addf %y, %half : tensor<4xf32>
  return %z : tensor<4xf32>
}

// Identity on an f32 and a bf16 tensor, plus their product in f32: the
// outputs echo the inputs exactly, so a run with --random-inputs and a run
// on the in*.npy it wrote must agree.
func.func @echo(%x: tensor<2x3xf32>, %y: tensor<2x3xbf16>)
    -> (tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xf32>) {
  %yf = arith.extf %y : tensor<2x3xbf16> to tensor<2x3xf32>
  %p = arith.mulf %x, %yf : tensor<2x3xf32>
  return %x, %y, %p : tensor<2x3xf32>, tensor<2x3xbf16>, tensor<2x3xf32>
}

// rms_norm of [3, 4] with unit weight: [3, 4] / sqrt(12.5 + 1e-6).
func.func @rms_norm_of_constant() -> tensor<1x2xf32> {
  %x = arith.constant dense<[[3.0, 4.0]]> : tensor<1x2xf32>
  %w = arith.constant dense<1.0> : tensor<2xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
      : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// Takes a [3,2] f32 and an f64 tensor, to provoke shape and dtype mismatches
// with the files @echo writes.
func.func @transposed_shape(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  return %x : tensor<3x2xf32>
}
func.func @wants_f64(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  return %x : tensor<2x3xf64>
}

// Narrow floats at the file boundary: f32 files of their exact values.
func.func @wants_e4m3(%x: tensor<2x3xf8E4M3FN>) -> tensor<2x3xf8E4M3FN> {
  return %x : tensor<2x3xf8E4M3FN>
}
