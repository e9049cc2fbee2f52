// Compiles (recursion is allowed: see @recursion in edge-entries.mlir), but
// never stops: the native stack overflows when it runs.
func.func @unbounded_recursion(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = func.call @unbounded_recursion(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
