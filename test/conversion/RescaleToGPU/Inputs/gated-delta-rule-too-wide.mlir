// dk = dv = 256: the [dk, dv] f32 state alone exceeds sm_90's 227 KiB of
// shared memory, so no chunk fits (gated-delta-rule-to-gpu.mlir).
func.func @huge(%q: tensor<1x16x1x256xf32>, %k: tensor<1x16x1x256xf32>, %v: tensor<1x16x1x256xf32>, %g: tensor<1x16x1xf32>, %b: tensor<1x16x1xf32>) -> tensor<1x16x1x256xf32> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x16x1x256xf32>, tensor<1x16x1x256xf32>, tensor<1x16x1x256xf32>, tensor<1x16x1xf32>, tensor<1x16x1xf32>) -> tensor<1x16x1x256xf32>
  return %o : tensor<1x16x1x256xf32>
}
