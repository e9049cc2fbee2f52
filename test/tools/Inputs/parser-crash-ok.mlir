// Parses as it is: the guard refuses nothing here (parser-crash-guard.test).
// A comment with `outs(%b) permutation = [1,` is not code.
func.func @ok(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %t = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%b : tensor<3x2xf32>) permutation = [1, 0]
  "test.op"() {dimensions = [1 : i64], note = "outs(%b) permutation = [1,"} : () -> ()
  return %t : tensor<3x2xf32>
}
