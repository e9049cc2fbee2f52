// Chains of row ops that rescale-tile-and-fuse-rows splits into tiles of 16
// rows, with a ragged last tile, for cpu-threads.test: a GatedNorm over 48
// rows (three tiles of 16; its low-rank products are OpenBLAS calls
// inside the tile) and a causal attention over 37 queries and 2 heads
// (a ragged last tile of 5 queries).
func.func @rows(%x: tensor<48x129xf32>, %w: tensor<129xf32>,
                %wd: tensor<129x16xf32>, %wu: tensor<16x129xf32>,
                %q: tensor<1x2x37x8xf32>, %k: tensor<1x2x37x8xf32>,
                %v: tensor<1x2x37x8xf32>)
    -> (tensor<48x129xf32>, tensor<1x2x37x8xf32>) {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : (tensor<48x129xf32>, tensor<129xf32>, tensor<129x16xf32>,
         tensor<16x129xf32>) -> tensor<48x129xf32>
  %o = rescale.attention %q, %k, %v {causal}
      : (tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32>, tensor<1x2x37x8xf32>)
      -> tensor<1x2x37x8xf32>
  return %y, %o : tensor<48x129xf32>, tensor<1x2x37x8xf32>
}
