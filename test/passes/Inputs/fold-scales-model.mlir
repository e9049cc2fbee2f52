// Norm scales next to linears, with constant, global and argument weights:
// the input of --rescale-fold-scales.
// QK-norm after the q projection, constant weights: (a) and (b).
func.func @qk_norm_constants(%x: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %wq = arith.constant dense<[[0.1, 0.2, 0.3, 0.4], [0.5, -0.6, 0.7, 0.8], [0.9, 1.0, -1.1, 1.2], [1.3, 1.4, 1.5, -1.6],
                              [-0.1, 0.3, 0.5, 0.7], [0.2, 0.4, 0.6, 0.8], [1.0, -0.5, 0.25, 0.125], [0.3, 0.3, -0.3, 0.3]]> : tensor<8x4xf32>
  %bq = arith.constant dense<[0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4]> : tensor<8xf32>
  %l1 = arith.constant dense<[2.0, 0.5, 1.5, 3.0, 0.25, 1.0, 4.0, 0.75]> : tensor<8xf32>
  %w = arith.constant dense<[1.5, 0.5, 2.0, 1.0, 0.75, 1.25, 3.0, 0.25]> : tensor<8xf32>
  %wo = arith.constant dense<[[0.5, -1.0, 0.25, 2.0, 1.0, 0.0, -0.5, 1.5]]> : tensor<1x8xf32>
  %h = rescale.linear %x, %wq, %bq : (tensor<3x4xf32>, tensor<8x4xf32>, tensor<8xf32>) -> tensor<3x8xf32>
  %y = rescale.preaffine_rms_norm %h, %l1, %w : (tensor<3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<3x8xf32>
  %o = rescale.linear %y, %wo : (tensor<3x8xf32>, tensor<1x8xf32>) -> tensor<3x1xf32>
  return %o : tensor<3x1xf32>
}

// Every weight a function argument: explicit scaling on the weight paths.
func.func @argument_weights(%x: tensor<3x4xf32>, %wq: tensor<8x4xf32>, %l1: tensor<8xf32>, %w: tensor<8xf32>,
                            %wa: tensor<2x8xf32>, %wb: tensor<5x8xf32>) -> (tensor<3x2xf32>, tensor<3x5xf32>) {
  %h = rescale.linear %x, %wq : (tensor<3x4xf32>, tensor<8x4xf32>) -> tensor<3x8xf32>
  %y = rescale.preaffine_rms_norm %h, %l1, %w : (tensor<3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<3x8xf32>
  %a = rescale.linear %y, %wa : (tensor<3x8xf32>, tensor<2x8xf32>) -> tensor<3x2xf32>
  %b = rescale.linear %y, %wb : (tensor<3x8xf32>, tensor<5x8xf32>) -> tensor<3x5xf32>
  return %a, %b : tensor<3x2xf32>, tensor<3x5xf32>
}

// GatedNorm: λ goes into w_down and the consumer.
func.func @gated_norm_arguments(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<8x2xf32>, %wu: tensor<2x8xf32>, %wo: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %g = rescale.gated_norm %x, %w, %wd, %wu : (tensor<4x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  %o = rescale.linear %g, %wo : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x3xf32>
  return %o : tensor<4x3xf32>
}

// (b) for gated_norm with weights in ml_program globals, as importers emit
// them: the folded weights land in new *_folded globals.
ml_program.global private @g_lambda(dense<[1.5, -0.5, 2.0, 0.25]> : tensor<4xf32>) : tensor<4xf32>
ml_program.global private @g_w_down(dense<[[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.25, 0.125]]> : tensor<4x2xf32>) : tensor<4x2xf32>
ml_program.global private @g_w_up(dense<[[0.5, -0.25, 0.75, 1.0], [0.2, 0.4, -0.6, 0.8]]> : tensor<2x4xf32>) : tensor<2x4xf32>
ml_program.global private @g_w_out(dense<[[1.0, 2.0, -1.0, 0.5], [0.3, -0.7, 0.9, 1.1], [0.0, 0.5, 0.25, -2.0]]> : tensor<3x4xf32>) : tensor<3x4xf32>
func.func @gated_norm_globals(%x: tensor<5x4xf32>) -> tensor<5x3xf32> {
  %l = ml_program.global_load_const @g_lambda : tensor<4xf32>
  %wd = ml_program.global_load_const @g_w_down : tensor<4x2xf32>
  %wu = ml_program.global_load_const @g_w_up : tensor<2x4xf32>
  %wo = ml_program.global_load_const @g_w_out : tensor<3x4xf32>
  %g = rescale.gated_norm %x, %l, %wd, %wu : (tensor<5x4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<2x4xf32>) -> tensor<5x4xf32>
  %o = rescale.linear %g, %wo : (tensor<5x4xf32>, tensor<3x4xf32>) -> tensor<5x3xf32>
  return %o : tensor<5x3xf32>
}
