// A one-kernel module for target-check.test: the chip and its PTX version
// are what is checked, not the kernel.
func.func @clip(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %y = rescale.clip %x {threshold = 2.0 : f32} : (tensor<4x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
