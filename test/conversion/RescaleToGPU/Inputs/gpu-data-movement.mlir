// Slices and concatenations that are not one contiguous block of their
// tensor, as the short convolution of a linear-attention layer makes them
// (DataMovementToGPU.cpp): for data-movement-to-gpu.mlir (structure),
// data-movement-emulated.test and gpu-data-movement.test (values, against the
// CPU path, bit for bit: nothing is computed).

// A column range of every row, and a weight column of a [C, 1, K] kernel
// (rank-reduced, stride K in memory).
func.func @slices(%x: tensor<2x8x22xf32>, %w: tensor<22x1x3xbf16>) -> (tensor<2x8x10xf32>, tensor<22xbf16>, tensor<2x6x22xf32>) {
  %cols = tensor.extract_slice %x[0, 0, 12] [2, 8, 10] [1, 1, 1] : tensor<2x8x22xf32> to tensor<2x8x10xf32>
  %col = tensor.extract_slice %w[0, 0, 2] [22, 1, 1] [1, 1, 1] : tensor<22x1x3xbf16> to tensor<22xbf16>
  // Tokens 0..5 of both batches: not contiguous either.
  %win = tensor.extract_slice %x[0, 0, 0] [2, 6, 22] [1, 1, 1] : tensor<2x8x22xf32> to tensor<2x6x22xf32>
  return %cols, %col, %win : tensor<2x8x10xf32>, tensor<22xbf16>, tensor<2x6x22xf32>
}

// The causal shift: two zero tokens, then tokens 0..5, in both batches; and
// the q/k/v channels put back together.
func.func @concats(%x: tensor<2x8x22xf32>, %a: tensor<2x8x6xf32>, %b: tensor<2x8x10xf32>) -> (tensor<2x8x22xf32>, tensor<2x8x22xf32>) {
  %zeros = arith.constant dense<0.0> : tensor<2x2x22xf32>
  %win = tensor.extract_slice %x[0, 0, 0] [2, 6, 22] [1, 1, 1] : tensor<2x8x22xf32> to tensor<2x6x22xf32>
  %shifted = tensor.concat dim(1) %zeros, %win : (tensor<2x2x22xf32>, tensor<2x6x22xf32>) -> tensor<2x8x22xf32>
  %channels = tensor.concat dim(2) %a, %a, %b : (tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x8x10xf32>) -> tensor<2x8x22xf32>
  return %shifted, %channels : tensor<2x8x22xf32>, tensor<2x8x22xf32>
}

// A block of columns written into every row of a tensor (rank-reduced
// source: one token).
func.func @inserts(%x: tensor<2x8x22xf32>, %y: tensor<2x3x5xf32>, %t: tensor<2x22xf32>) -> (tensor<2x8x22xf32>, tensor<2x8x22xf32>) {
  %block = tensor.insert_slice %y into %x[0, 4, 7] [2, 3, 5] [1, 1, 1] : tensor<2x3x5xf32> into tensor<2x8x22xf32>
  %token = tensor.insert_slice %t into %x[0, 5, 0] [2, 1, 22] [1, 1, 1] : tensor<2x22xf32> into tensor<2x8x22xf32>
  return %block, %token : tensor<2x8x22xf32>, tensor<2x8x22xf32>
}
