// Edge shapes of the embedding pair, for both of its CPU forms (the dense
// reference decomposition and convert-rescale-embedding-to-gather): a scalar
// id, an empty vocabulary (every id out of range), rank-3 ids with i64 and
// bf16, and an empty batch. --random-inputs draws ids as round(3·n), so
// negative ids and ids past the vocabulary occur.

func.func @embedding_scalar_id(%ids: tensor<i32>, %t: tensor<7x6xf32>) -> tensor<6xf32> {
  %y = rescale.embedding %ids, %t : (tensor<i32>, tensor<7x6xf32>) -> tensor<6xf32>
  return %y : tensor<6xf32>
}

func.func @embedding_empty_vocab(%ids: tensor<5xi32>, %t: tensor<0x4xf32>) -> tensor<5x4xf32> {
  %y = rescale.embedding %ids, %t : (tensor<5xi32>, tensor<0x4xf32>) -> tensor<5x4xf32>
  return %y : tensor<5x4xf32>
}

func.func @embedding_grad_rank3_bf16(%ids: tensor<2x3x5xi64>, %dy: tensor<2x3x5x4xbf16>) -> tensor<6x4xbf16> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 6 : i64} : (tensor<2x3x5xi64>, tensor<2x3x5x4xbf16>) -> tensor<6x4xbf16>
  return %d : tensor<6x4xbf16>
}

func.func @embedding_grad_scalar_id(%ids: tensor<i32>, %dy: tensor<3xf32>) -> tensor<4x3xf32> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 4 : i64} : (tensor<i32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %d : tensor<4x3xf32>
}

func.func @embedding_grad_empty_vocab(%ids: tensor<5xi32>, %dy: tensor<5x2xf32>) -> tensor<0x2xf32> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 0 : i64} : (tensor<5xi32>, tensor<5x2xf32>) -> tensor<0x2xf32>
  return %d : tensor<0x2xf32>
}

func.func @embedding_grad_no_ids(%ids: tensor<0x3xi32>, %dy: tensor<0x3x2xf32>) -> tensor<4x2xf32> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 4 : i64} : (tensor<0x3xi32>, tensor<0x3x2xf32>) -> tensor<4x2xf32>
  return %d : tensor<4x2xf32>
}
