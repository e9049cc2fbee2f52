// Input of RescaleToLinalg/attention-to-flash-tiles.mlir: attention with
// dynamic shapes is left to the reference decomposition (which reports them).

// CHECK-LABEL: func.func @dynamic(
// CHECK-NOT:     scf.forall
// CHECK:         rescale.attention
func.func @dynamic(%q: tensor<1x1x?x8xf32>, %k: tensor<1x1x?x8xf32>,
                   %v: tensor<1x1x?x8xf32>) -> tensor<1x1x?x8xf32> {
  %o = rescale.attention %q, %k, %v
      : (tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>) -> tensor<1x1x?x8xf32>
  return %o : tensor<1x1x?x8xf32>
}
