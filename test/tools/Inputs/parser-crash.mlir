// Inputs that crash MLIR 22's own parser (parser-crash-guard.test): the
// custom form of linalg.transpose, linalg.broadcast and linalg.reduce with a
// malformed integer list. One case per split.
func.func @transpose_cut(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %t = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%b : tensor<3x2xf32>) permutation = [1,
  return %t : tensor<3x2xf32>
}
// -----
func.func @broadcast_not_a_list(%a: tensor<3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = linalg.broadcast ins(%a : tensor<3xf32>) outs(%b : tensor<2x3xf32>) dimensions = x
  return %t : tensor<2x3xf32>
}
// -----
func.func @reduce_bad_item(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %r = linalg.reduce ins(%a : tensor<2x3xf32>) outs(%b : tensor<2xf32>) dimensions = [1, y]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<2xf32>
}
