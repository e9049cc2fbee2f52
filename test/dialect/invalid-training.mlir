// Every verifier error of the training ops (embedding, embedding_grad,
// cross_entropy, cross_entropy_grad, rope, adamw), one case per diagnostic.
// RUN: rescale-opt %s -split-input-file -verify-diagnostics

func.func @embedding_float_ids(%ids: tensor<4xf32>, %t: tensor<10x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'rescale.embedding' op 'ids' must have element type i32 or i64, but has 'f32'}}
  %y = rescale.embedding %ids, %t : (tensor<4xf32>, tensor<10x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @embedding_i16_ids(%ids: tensor<4xi16>, %t: tensor<10x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'ids' must have element type i32 or i64, but has 'i16'}}
  %y = rescale.embedding %ids, %t : (tensor<4xi16>, tensor<10x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @embedding_integer_table(%ids: tensor<4xi32>, %t: tensor<10x8xi8>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'table' must have element type f32, f16 or bf16, but has 'i8'}}
  %y = rescale.embedding %ids, %t : (tensor<4xi32>, tensor<10x8xi8>) -> tensor<4x8xi8>
  return %y : tensor<4x8xi8>
}

// -----

func.func @embedding_table_rank(%ids: tensor<4xi32>, %t: tensor<10x8x2xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'table' must have rank 2 ([V, D]), but has rank 3}}
  %y = rescale.embedding %ids, %t : (tensor<4xi32>, tensor<10x8x2xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @embedding_result_shape(%ids: tensor<4x3xi32>, %t: tensor<10x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'result' must have shape [4, 3, 8] (the shape of 'ids' followed by D of 'table'), but has shape [4, 8]}}
  %y = rescale.embedding %ids, %t : (tensor<4x3xi32>, tensor<10x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @embedding_result_type(%ids: tensor<4xi32>, %t: tensor<10x8xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'result' must have element type 'bf16' (like 'table'), but has 'f32'}}
  %y = rescale.embedding %ids, %t : (tensor<4xi32>, tensor<10x8xbf16>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @embedding_grad_float_ids(%ids: tensor<4xf32>, %dy: tensor<4x8xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'ids' must have element type i32 or i64, but has 'f32'}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 10 : i64} : (tensor<4xf32>, tensor<4x8xf32>) -> tensor<10x8xf32>
  return %d : tensor<10x8xf32>
}

// -----

func.func @embedding_grad_negative_v(%ids: tensor<4xi32>, %dy: tensor<4x8xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'num_embeddings' must be non-negative, but is -1}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = -1 : i64} : (tensor<4xi32>, tensor<4x8xf32>) -> tensor<10x8xf32>
  return %d : tensor<10x8xf32>
}

// -----

func.func @embedding_grad_dy_rank(%ids: tensor<4xi32>, %dy: tensor<4xf32>) -> tensor<10x1xf32> {
  // expected-error @+1 {{'dy' must have rank 2 (the shape of 'ids' followed by D), but has rank 1}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 10 : i64} : (tensor<4xi32>, tensor<4xf32>) -> tensor<10x1xf32>
  return %d : tensor<10x1xf32>
}

// -----

func.func @embedding_grad_dy_shape(%ids: tensor<4xi32>, %dy: tensor<5x8xf32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'dy' must have shape [4, 8] (the shape of 'ids' followed by D), but has shape [5, 8]}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 10 : i64} : (tensor<4xi32>, tensor<5x8xf32>) -> tensor<10x8xf32>
  return %d : tensor<10x8xf32>
}

// -----

func.func @embedding_grad_result_shape(%ids: tensor<4xi32>, %dy: tensor<4x8xf32>) -> tensor<11x8xf32> {
  // expected-error @+1 {{'result' must have shape [10, 8] ([num_embeddings, D]), but has shape [11, 8]}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 10 : i64} : (tensor<4xi32>, tensor<4x8xf32>) -> tensor<11x8xf32>
  return %d : tensor<11x8xf32>
}

// -----

func.func @embedding_grad_result_type(%ids: tensor<4xi32>, %dy: tensor<4x8xf16>) -> tensor<10x8xf32> {
  // expected-error @+1 {{'result' must have element type 'f16' (like 'dy'), but has 'f32'}}
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 10 : i64} : (tensor<4xi32>, tensor<4x8xf16>) -> tensor<10x8xf32>
  return %d : tensor<10x8xf32>
}

// -----

func.func @cross_entropy_integer_logits(%l: tensor<4x10xi32>, %t: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{'rescale.cross_entropy' op 'logits' must have element type f32, f16 or bf16, but has 'i32'}}
  %loss = rescale.cross_entropy %l, %t : (tensor<4x10xi32>, tensor<4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_float_targets(%l: tensor<4x10xf32>, %t: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'targets' must have element type i32 or i64, but has 'f32'}}
  %loss = rescale.cross_entropy %l, %t : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_logits_rank0(%l: tensor<f32>, %t: tensor<i32>) -> tensor<f32> {
  // expected-error @+1 {{'logits' must have rank >= 1 ([..., V]), but has rank 0}}
  %loss = rescale.cross_entropy %l, %t : (tensor<f32>, tensor<i32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_targets_shape(%l: tensor<4x8x10xf32>, %t: tensor<4x7xi32>) -> tensor<f32> {
  // expected-error @+1 {{'targets' must have shape [4, 8] (the leading dimensions of 'logits'), but has shape [4, 7]}}
  %loss = rescale.cross_entropy %l, %t : (tensor<4x8x10xf32>, tensor<4x7xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_targets_rank(%l: tensor<4x8x10xf32>, %t: tensor<32xi32>) -> tensor<f32> {
  // expected-error @+1 {{'targets' must have shape [4, 8] (the leading dimensions of 'logits'), but has shape [32]}}
  %loss = rescale.cross_entropy %l, %t : (tensor<4x8x10xf32>, tensor<32xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_negative_z(%l: tensor<4x10xf32>, %t: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{'z_loss' must be finite and non-negative, but is -1}}
  %loss = rescale.cross_entropy %l, %t {z_loss = -1.0 : f32} : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

func.func @cross_entropy_result(%l: tensor<4x10xf32>, %t: tensor<4xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{result #0 must be 0-d tensor<f32>, but got 'tensor<1xf32>'}}
  %loss = rescale.cross_entropy %l, %t : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<1xf32>
  return %loss : tensor<1xf32>
}

// -----

func.func @cross_entropy_grad_dloss(%l: tensor<4x10xf32>, %t: tensor<4xi32>, %g: tensor<f16>) -> tensor<4x10xf32> {
  // expected-error @+1 {{operand #2 must be 0-d tensor<f32>, but got 'tensor<f16>'}}
  %d = rescale.cross_entropy_grad %l, %t, %g : (tensor<4x10xf32>, tensor<4xi32>, tensor<f16>) -> tensor<4x10xf32>
  return %d : tensor<4x10xf32>
}

// -----

func.func @cross_entropy_grad_result(%l: tensor<4x10xbf16>, %t: tensor<4xi32>, %g: tensor<f32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'result' must have the type of 'logits' ('tensor<4x10xbf16>'), but has 'tensor<4x10xf32>'}}
  %d = rescale.cross_entropy_grad %l, %t, %g : (tensor<4x10xbf16>, tensor<4xi32>, tensor<f32>) -> tensor<4x10xf32>
  return %d : tensor<4x10xf32>
}

// -----

func.func @cross_entropy_grad_targets(%l: tensor<4x10xf32>, %t: tensor<5xi64>, %g: tensor<f32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'targets' must have shape [4] (the leading dimensions of 'logits'), but has shape [5]}}
  %d = rescale.cross_entropy_grad %l, %t, %g : (tensor<4x10xf32>, tensor<5xi64>, tensor<f32>) -> tensor<4x10xf32>
  return %d : tensor<4x10xf32>
}

// -----

func.func @rope_rank(%x: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  // expected-error @+1 {{'rescale.rope' op 'x' must have rank 4 ([B, H, S, D]), but has rank 3}}
  %y = rescale.rope %x : tensor<4x8x16xf32>
  return %y : tensor<4x8x16xf32>
}

// -----

func.func @rope_odd_d(%x: tensor<1x2x8x15xf32>) -> tensor<1x2x8x15xf32> {
  // expected-error @+1 {{the head dimension D of 'x' must be even and positive (rotate_half splits it in two), but is 15}}
  %y = rescale.rope %x : tensor<1x2x8x15xf32>
  return %y : tensor<1x2x8x15xf32>
}

// -----

func.func @rope_zero_d(%x: tensor<1x2x8x0xf32>) -> tensor<1x2x8x0xf32> {
  // expected-error @+1 {{the head dimension D of 'x' must be even and positive (rotate_half splits it in two), but is 0}}
  %y = rescale.rope %x : tensor<1x2x8x0xf32>
  return %y : tensor<1x2x8x0xf32>
}

// -----

func.func @rope_integer_x(%x: tensor<1x2x8x16xi32>) -> tensor<1x2x8x16xi32> {
  // expected-error @+1 {{'x' must have element type f32, f16 or bf16, but has 'i32'}}
  %y = rescale.rope %x : tensor<1x2x8x16xi32>
  return %y : tensor<1x2x8x16xi32>
}

// -----

func.func @rope_theta(%x: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'theta' must be finite and positive, but is 0}}
  %y = rescale.rope %x {theta = 0.0 : f64} : tensor<1x2x8x16xf32>
  return %y : tensor<1x2x8x16xf32>
}

// -----

func.func @rope_offset_and_positions(%x: tensor<1x2x8x16xf32>, %p: tensor<8xi32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'offset' must be 0 when 'positions' is given, but is 2}}
  %y = rescale.rope %x, %p {offset = 2 : i64} : tensor<1x2x8x16xf32>, tensor<8xi32>
  return %y : tensor<1x2x8x16xf32>
}

// -----

func.func @rope_float_positions(%x: tensor<1x2x8x16xf32>, %p: tensor<8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'positions' must have element type i32 or i64, but has 'f32'}}
  %y = rescale.rope %x, %p : tensor<1x2x8x16xf32>, tensor<8xf32>
  return %y : tensor<1x2x8x16xf32>
}

// -----

func.func @rope_positions_length(%x: tensor<1x2x8x16xf32>, %p: tensor<9xi32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{'positions' must have shape [8] ([S] of 'x'), but has shape [9]}}
  %y = rescale.rope %x, %p : tensor<1x2x8x16xf32>, tensor<9xi32>
  return %y : tensor<1x2x8x16xf32>
}

// -----

func.func @rope_positions_batch(%x: tensor<2x2x8x16xf32>, %p: tensor<3x8xi64>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{'positions' must have shape [2, 8] ([B, S] of 'x'), but has shape [3, 8]}}
  %y = rescale.rope %x, %p : tensor<2x2x8x16xf32>, tensor<3x8xi64>
  return %y : tensor<2x2x8x16xf32>
}

// -----

func.func @rope_positions_rank(%x: tensor<2x2x8x16xf32>, %p: tensor<2x2x8xi64>) -> tensor<2x2x8x16xf32> {
  // expected-error @+1 {{'positions' must have rank 1 ([S]) or 2 ([B, S]), but has rank 3}}
  %y = rescale.rope %x, %p : tensor<2x2x8x16xf32>, tensor<2x2x8xi64>
  return %y : tensor<2x2x8x16xf32>
}

// -----

func.func @rope_result_type(%x: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xbf16> {
  // expected-error @+1 {{failed to verify that all of {x, result} have same type}}
  %y = "rescale.rope"(%x) : (tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xbf16>
  return %y : tensor<1x2x8x16xbf16>
}

// -----

func.func @adamw_integer(%p: tensor<4xi32>, %s: tensor<f32>) -> tensor<4xi32> {
  // expected-error @+1 {{'param' must have element type f32, f16 or bf16, but has 'i32'}}
  %p1, %m1, %v1 = rescale.adamw %p, %p, %p, %p lr(%s) beta1(%s) beta2(%s) eps(%s) weight_decay(%s) step(%s) : tensor<4xi32>
  return %p1 : tensor<4xi32>
}

// -----

func.func @adamw_mismatched(%p: tensor<4xf32>, %g: tensor<5xf32>, %s: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{failed to verify that all of {param, grad, m, v, new_param, new_m, new_v} have same type}}
  %p1, %m1, %v1 = "rescale.adamw"(%p, %g, %p, %p, %s, %s, %s, %s, %s, %s) : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %p1 : tensor<4xf32>
}

// -----

func.func @adamw_hyper_not_scalar(%p: tensor<4xf32>, %s: tensor<f32>, %lr: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #4 must be 0-d tensor<f32>, but got 'tensor<1xf32>'}}
  %p1, %m1, %v1 = "rescale.adamw"(%p, %p, %p, %p, %lr, %s, %s, %s, %s, %s) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %p1 : tensor<4xf32>
}
