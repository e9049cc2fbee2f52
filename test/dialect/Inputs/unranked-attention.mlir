func.func @unranked(%q: tensor<*xf32>, %k: tensor<*xf32>, %v: tensor<*xf32>) -> tensor<*xf32> {
  %0 = "rescale.attention"(%q, %k, %v) {causal} : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
