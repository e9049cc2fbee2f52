// A tensor.concat along the last dimension (how a sink column is appended
// to attention scores): its bufferization copies into strided views.
func.func @concat_last_dim(%s: tensor<1x2x4x6xf32>, %c: tensor<1x2x4x1xf32>) -> tensor<1x2x4x7xf32> {
  %cat = tensor.concat dim(3) %s, %c : (tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) -> tensor<1x2x4x7xf32>
  return %cat : tensor<1x2x4x7xf32>
}
