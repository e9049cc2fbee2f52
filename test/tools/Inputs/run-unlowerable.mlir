// linalg.softmax bufferizes but has no loop lowering: the CPU pipeline cannot
// lower this function, and rescale-run must print the diagnostic.
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %init = tensor.empty() : tensor<2x8xf32>
  %y = linalg.softmax dimension(1) ins(%x : tensor<2x8xf32>)
      outs(%init : tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
