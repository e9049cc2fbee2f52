// Losses over the training ops, for the gradient checks (training.test);
// the float64 models are in ../models.py. Σ r ⊙ op(...) with r a no_grad
// weighting, except cross_entropy, which is a loss itself. rescale-run's
// random integers are round(3·n), so ids, targets and positions fall both in
// and out of [0, V): zero rows, ignore_index hits and out-of-range targets
// are all in these checks.

func.func @embedding(%ids: tensor<3x4xi32>, %t: tensor<7x5xf32>, %r: tensor<3x4x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.embedding %ids, %t : (tensor<3x4xi32>, tensor<7x5xf32>) -> tensor<3x4x5xf32>
  %p = arith.mulf %y, %r : tensor<3x4x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x4x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @embedding_i64_f16(%ids: tensor<6xi64>, %t: tensor<5x3xf16>, %r: tensor<6x3xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.embedding %ids, %t : (tensor<6xi64>, tensor<5x3xf16>) -> tensor<6x3xf16>
  %yf = arith.extf %y : tensor<6x3xf16> to tensor<6x3xf32>
  %p = arith.mulf %yf, %r : tensor<6x3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<6x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @cross_entropy(%logits: tensor<3x4x7xf32>, %t: tensor<3x4xi32>) -> tensor<f32> {
  %l = rescale.cross_entropy %logits, %t {ignore_index = 2 : i64, z_loss = 1.0e-2 : f32} : (tensor<3x4x7xf32>, tensor<3x4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @cross_entropy_i64(%logits: tensor<5x9xf32>, %t: tensor<5xi64>) -> tensor<f32> {
  %l = rescale.cross_entropy %logits, %t : (tensor<5x9xf32>, tensor<5xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @cross_entropy_bf16(%logits: tensor<4x6xbf16>, %t: tensor<4xi32>) -> tensor<f32> {
  %l = rescale.cross_entropy %logits, %t {ignore_index = 1 : i64, z_loss = 1.0e-1 : f32} : (tensor<4x6xbf16>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @rope_offset(%x: tensor<2x3x5x6xf32>, %r: tensor<2x3x5x6xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rope %x {theta = 100.0 : f64, offset = 3 : i64} : tensor<2x3x5x6xf32>
  %p = arith.mulf %y, %r : tensor<2x3x5x6xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x5x6xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @rope_positions(%x: tensor<1x2x4x8xf32>, %pos: tensor<4xi32>, %r: tensor<1x2x4x8xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rope %x, %pos : tensor<1x2x4x8xf32>, tensor<4xi32>
  %p = arith.mulf %y, %r : tensor<1x2x4x8xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x2x4x8xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @rope_inverse_batch_positions(%x: tensor<2x1x3x4xf32>, %pos: tensor<2x3xi64>, %r: tensor<2x1x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rope %x, %pos {theta = 50.0 : f64, inverse} : tensor<2x1x3x4xf32>, tensor<2x3xi64>
  %p = arith.mulf %y, %r : tensor<2x1x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x1x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @rope_bf16(%x: tensor<1x2x3x4xbf16>, %r: tensor<1x2x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rope %x {offset = 1 : i64} : tensor<1x2x3x4xbf16>
  %yf = arith.extf %y : tensor<1x2x3x4xbf16> to tensor<1x2x3x4xf32>
  %p = arith.mulf %yf, %r : tensor<1x2x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x2x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

// The other narrow type of each case above (the same function, f16 and bf16
// swapped), so that every rule is checked in every dtype its forward takes.
func.func @embedding_i64_bf16(%ids: tensor<6xi64>, %t: tensor<5x3xbf16>, %r: tensor<6x3xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.embedding %ids, %t : (tensor<6xi64>, tensor<5x3xbf16>) -> tensor<6x3xbf16>
  %yf = arith.extf %y : tensor<6x3xbf16> to tensor<6x3xf32>
  %p = arith.mulf %yf, %r : tensor<6x3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<6x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}

func.func @cross_entropy_f16(%logits: tensor<4x6xf16>, %t: tensor<4xi32>) -> tensor<f32> {
  %l = rescale.cross_entropy %logits, %t {ignore_index = 1 : i64, z_loss = 1.0e-1 : f32} : (tensor<4x6xf16>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

func.func @rope_f16(%x: tensor<1x2x3x4xf16>, %r: tensor<1x2x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rope %x {offset = 1 : i64} : tensor<1x2x3x4xf16>
  %yf = arith.extf %y : tensor<1x2x3x4xf16> to tensor<1x2x3x4xf32>
  %p = arith.mulf %yf, %r : tensor<1x2x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x2x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %s = arith.addf %a, %acc : f32
      linalg.yield %s : f32
    }
  return %l : tensor<f32>
}
