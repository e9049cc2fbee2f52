// The training ops on odd shapes, for training-to-linalg.mlir's numerics
// (check_training.py holds the float64 references). rescale-run's random
// integers are round(3·n): ids and targets land both inside and outside
// [0, V), so zero rows, ignored and out-of-range targets are all exercised.

func.func @embedding_i32(%ids: tensor<3x5xi32>, %t: tensor<7x6xf32>) -> tensor<3x5x6xf32> {
  %y = rescale.embedding %ids, %t : (tensor<3x5xi32>, tensor<7x6xf32>) -> tensor<3x5x6xf32>
  return %y : tensor<3x5x6xf32>
}

func.func @embedding_i64_bf16(%ids: tensor<4xi64>, %t: tensor<9x3xbf16>) -> tensor<4x3xbf16> {
  %y = rescale.embedding %ids, %t : (tensor<4xi64>, tensor<9x3xbf16>) -> tensor<4x3xbf16>
  return %y : tensor<4x3xbf16>
}

func.func @embedding_grad(%ids: tensor<2x7xi32>, %dy: tensor<2x7x3xf32>) -> tensor<5x3xf32> {
  %d = rescale.embedding_grad %ids, %dy {num_embeddings = 5 : i64} : (tensor<2x7xi32>, tensor<2x7x3xf32>) -> tensor<5x3xf32>
  return %d : tensor<5x3xf32>
}

func.func @cross_entropy(%l: tensor<3x4x7xf32>, %t: tensor<3x4xi32>) -> tensor<f32> {
  %loss = rescale.cross_entropy %l, %t {ignore_index = 2 : i64, z_loss = 1.0e-2 : f32} : (tensor<3x4x7xf32>, tensor<3x4xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @cross_entropy_i64_bf16(%l: tensor<5x9xbf16>, %t: tensor<5xi64>) -> tensor<f32> {
  %loss = rescale.cross_entropy %l, %t : (tensor<5x9xbf16>, tensor<5xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// Every target ignored: a defined 0 (PyTorch: NaN).
func.func @cross_entropy_all_ignored(%l: tensor<3x5xf32>) -> tensor<f32> {
  %t = arith.constant dense<-100> : tensor<3xi32>
  %loss = rescale.cross_entropy %l, %t : (tensor<3x5xf32>, tensor<3xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}

func.func @cross_entropy_grad(%l: tensor<6x7xf32>, %t: tensor<6xi64>, %g: tensor<f32>) -> tensor<6x7xf32> {
  %d = rescale.cross_entropy_grad %l, %t, %g {ignore_index = 1 : i64, z_loss = 1.0e-2 : f32} : (tensor<6x7xf32>, tensor<6xi64>, tensor<f32>) -> tensor<6x7xf32>
  return %d : tensor<6x7xf32>
}

func.func @rope_offset(%x: tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32> {
  %y = rescale.rope %x {theta = 100.0 : f64, offset = 3 : i64} : tensor<2x3x5x6xf32>
  return %y : tensor<2x3x5x6xf32>
}

func.func @rope_positions_f16(%x: tensor<2x2x4x8xf16>, %p: tensor<2x4xi64>) -> tensor<2x2x4x8xf16> {
  %y = rescale.rope %x, %p : tensor<2x2x4x8xf16>, tensor<2x4xi64>
  return %y : tensor<2x2x4x8xf16>
}

func.func @rope_positions_inverse(%x: tensor<1x3x5x4xf32>, %p: tensor<5xi32>) -> tensor<1x3x5x4xf32> {
  %y = rescale.rope %x, %p {theta = 50.0 : f64, inverse} : tensor<1x3x5x4xf32>, tensor<5xi32>
  return %y : tensor<1x3x5x4xf32>
}

// AdamW with fixed hyperparameters (random ones would make β^step NaN);
// v is made non-negative, as a second moment is.
func.func @adamw(%p: tensor<3x5xf32>, %g: tensor<3x5xf32>, %m: tensor<3x5xf32>, %v0: tensor<3x5xf32>)
    -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>) {
  %v = math.absf %v0 : tensor<3x5xf32>
  %lr = arith.constant dense<1.0e-2> : tensor<f32>
  %b1 = arith.constant dense<0.9> : tensor<f32>
  %b2 = arith.constant dense<0.999> : tensor<f32>
  %eps = arith.constant dense<1.0e-8> : tensor<f32>
  %wd = arith.constant dense<0.1> : tensor<f32>
  %step = arith.constant dense<3.0> : tensor<f32>
  %p1, %m1, %v1 = rescale.adamw %p, %g, %m, %v lr(%lr) beta1(%b1) beta2(%b2) eps(%eps) weight_decay(%wd) step(%step) : tensor<3x5xf32>
  return %p1, %m1, %v1 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>
}

// The hyperparameters as run-time inputs, as the trainer passes them; a
// large eps and step 1 (no bias correction left in m̂ beyond 1 − β1).
func.func @adamw_bf16(%p: tensor<7x3xbf16>, %g: tensor<7x3xbf16>, %m: tensor<7x3xbf16>, %v0: tensor<7x3xbf16>,
                      %lr0: tensor<f32>) -> (tensor<7x3xbf16>, tensor<7x3xbf16>, tensor<7x3xbf16>) {
  %v = math.absf %v0 : tensor<7x3xbf16>
  %lr = math.absf %lr0 : tensor<f32>
  %b1 = arith.constant dense<0.8> : tensor<f32>
  %b2 = arith.constant dense<0.95> : tensor<f32>
  %eps = arith.constant dense<1.0e-1> : tensor<f32>
  %wd = arith.constant dense<0.0> : tensor<f32>
  %step = arith.constant dense<1.0> : tensor<f32>
  %p1, %m1, %v1 = rescale.adamw %p, %g, %m, %v lr(%lr) beta1(%b1) beta2(%b2) eps(%eps) weight_decay(%wd) step(%step) : tensor<7x3xbf16>
  return %p1, %m1, %v1 : tensor<7x3xbf16>, tensor<7x3xbf16>, tensor<7x3xbf16>
}
