// Nothing public: no entry point, nothing to compile.
func.func private @only_private(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
