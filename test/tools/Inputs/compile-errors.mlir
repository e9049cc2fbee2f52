// An entry signature rescale-compile rejects: entries take only tensors.
func.func @scalar_input(%x: tensor<4xf32>, %s: f32) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
