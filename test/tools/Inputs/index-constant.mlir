func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<[0, 1, 2, 3]> : tensor<4xindex>
  return %x : tensor<4xf32>
}
