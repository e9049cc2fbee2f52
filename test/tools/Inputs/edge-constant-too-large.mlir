// A 4 TiB splat constant: refused at the op (LLVM would materialize it
// element by element and abort out of memory).
func.func @huge_constant() -> tensor<1099511627776xf32> {
  %c = arith.constant dense<1.0> : tensor<1099511627776xf32>
  return %c : tensor<1099511627776xf32>
}
