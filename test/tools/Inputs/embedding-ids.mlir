// Entries whose integer inputs feed rescale.embedding's ids
// (rescale-run-embedding-ids.test).
func.func @lookup(%ids: tensor<2x3xi32>, %t: tensor<5x4xf32>) -> tensor<2x3x4xf32> {
  %y = rescale.embedding %ids, %t : (tensor<2x3xi32>, tensor<5x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// Through a reshape, i64 ids.
func.func @lookup_reshaped(%ids: tensor<6xi64>, %t: tensor<5x4xf32>) -> tensor<2x3x4xf32> {
  %r = tensor.expand_shape %ids [[0, 1]] output_shape [2, 3] : tensor<6xi64> into tensor<2x3xi64>
  %y = rescale.embedding %r, %t : (tensor<2x3xi64>, tensor<5x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}
