// Losses through rescale.gated_delta_rule for the gradient checks
// (gated-delta-rule.test, rescale-ops.test); the float64 formulas are in
// ../models.py. Each loss is Σ r ⊙ o with r a no_grad weighting.

// One chunk of 9 tokens, GQA (2 value heads over 1 key head), inputs as drawn.
func.func @gdr_loss(%q: tensor<1x9x1x3xf32>, %k: tensor<1x9x1x3xf32>, %v: tensor<1x9x2x2xf32>, %g: tensor<1x9x2xf32>, %beta: tensor<1x9x2xf32>, %r: tensor<1x9x2x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %beta : (tensor<1x9x1x3xf32>, tensor<1x9x1x3xf32>, tensor<1x9x2x2xf32>, tensor<1x9x2xf32>, tensor<1x9x2xf32>) -> tensor<1x9x2x2xf32>
  %p = arith.mulf %o, %r : tensor<1x9x2x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x9x2x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// Two chunks of 35 tokens under a Gated DeltaNet's conditions: unit keys
// (an RMSNorm of weight 1/sqrt(3) is k / sqrt(|k|² + 3ε)), g = −0.1 g_raw²,
// beta = 0.3 b_raw.
func.func @gdr_chunks_loss(%q: tensor<1x70x1x3xf32>, %k: tensor<1x70x1x3xf32>, %v: tensor<1x70x1x2xf32>, %graw: tensor<1x70x1xf32>, %braw: tensor<1x70x1xf32>, %r: tensor<1x70x1x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %w = arith.constant dense<0.577350269> : tensor<3xf32>
  %kn = rescale.rms_norm %k, %w {epsilon = 1.0e-06 : f32} : (tensor<1x70x1x3xf32>, tensor<3xf32>) -> tensor<1x70x1x3xf32>
  %c01 = arith.constant dense<-0.1> : tensor<1x70x1xf32>
  %c03 = arith.constant dense<0.3> : tensor<1x70x1xf32>
  %gsq = arith.mulf %graw, %graw : tensor<1x70x1xf32>
  %g = arith.mulf %gsq, %c01 : tensor<1x70x1xf32>
  %beta = arith.mulf %braw, %c03 : tensor<1x70x1xf32>
  %o = rescale.gated_delta_rule %q, %kn, %v, %g, %beta : (tensor<1x70x1x3xf32>, tensor<1x70x1x3xf32>, tensor<1x70x1x2xf32>, tensor<1x70x1xf32>, tensor<1x70x1xf32>) -> tensor<1x70x1x2xf32>
  %p = arith.mulf %o, %r : tensor<1x70x1x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x70x1x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}
