// Used by instrument-sinks.test. No inputs: the tensors are crafted.
// @first_key_dominates: every query's score on key 0 is 28.3 above the
// others, so p[:, 0] ~ 1 in every head. @uniform: all scores equal, p = 1/T.
func.func @first_key_dominates() -> tensor<1x2x4x8xf32> {
  %q = arith.constant dense<1.0> : tensor<1x2x4x8xf32>
  %k = arith.constant dense<[[[[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], [[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<1x2x4x8xf32>
  %v = arith.constant dense<0.5> : tensor<1x2x4x8xf32>
  %o = rescale.attention %q, %k, %v : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
func.func @uniform() -> tensor<1x2x4x8xf32> {
  %q = arith.constant dense<1.0> : tensor<1x2x4x8xf32>
  %k = arith.constant dense<0.0> : tensor<1x2x4x8xf32>
  %v = arith.constant dense<0.5> : tensor<1x2x4x8xf32>
  %o = rescale.attention %q, %k, %v : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %o : tensor<1x2x4x8xf32>
}
// @small_value_sink: the rescale-factor case. With scale 1, q = e0 and key 0
// = ln(3)·e0 (the other keys 0), p = [1/2, 1/6, 1/6, 1/6]; v[0] = 0.02 and
// the other values 1 (every dim), so o = 0.51, t = p0·v0 = 0.01 and the rest
// 0.5 per dim: key 0 holds half of the probability and 0.01 / 0.51 =
// 0.0196078 of the output (both norms scale by sqrt(8)).
func.func @small_value_sink() -> tensor<1x1x4x8xf32> {
  %q = arith.constant dense<[[[[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<1x1x4x8xf32>
  %k = arith.constant dense<[[[[1.0986122886681098, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]]]> : tensor<1x1x4x8xf32>
  %v = arith.constant dense<[[[[0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]]]> : tensor<1x1x4x8xf32>
  %o = rescale.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}
// A residual stream with a massive activation in hidden dimension 1:
// |x| sorted is 0 0 1 1 2 3 4 8 (peak 8, median 1.5), mean |x| per dimension
// [2, 4, 1.5, 2], so the top dimensions are 1, 0, 3.
func.func @residual_outlier() -> tensor<2x4xf32> {
  %x = arith.constant dense<[[1.0, -8.0, 2.0, 0.0], [3.0, 0.0, -1.0, 4.0]]> : tensor<2x4xf32>
  %w = arith.constant dense<1.0> : tensor<4xf32>
  %y = rescale.rms_norm %x, %w : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> loc("layers.0.input_norm")
  return %y : tensor<2x4xf32>
}
// A gate against the magnitude it rescales (a gate written out of ops, the
// multiplication marked rescale.norm_gate): |y| = [[1, 2, 3, 4], [3, 4, 5, 0]]
// has the channel means [2, 3, 4, 2] (average ranks 1.5, 3, 4, 1.5), the
// gate the channel means [0.8, 0.5, 0.3, 0.8] (ranks 3.5, 2, 1, 3.5): the
// rank deviations are exact opposites, so the channel rank correlation is
// -1. Per token, mean |y| 2.5 and 3 against mean gate 0.575 and 0.625: +1.
// Mean gate 0.6; channels by mean |y|: 2, 1, then 0 and 3 (ties by dim).
func.func @gate_against_magnitude() -> tensor<2x4xf32> {
  %y = arith.constant dense<[[1.0, -2.0, 3.0, 4.0], [3.0, 4.0, -5.0, 0.0]]> : tensor<2x4xf32>
  %g = arith.constant dense<[[0.9, 0.5, 0.2, 0.7], [0.7, 0.5, 0.4, 0.9]]> : tensor<2x4xf32>
  %o = arith.mulf %g, %y {rescale.norm_gate} : tensor<2x4xf32> loc("layers.0.input_norm")
  return %o : tensor<2x4xf32>
}
// One gate per token, broadcast over the channels: no channel correlation
// (null, not 0); per token, mean |y| 2.5 and 3 against 0.9 and 0.1: -1.
func.func @gate_per_token() -> tensor<2x4xf32> {
  %y = arith.constant dense<[[1.0, -2.0, 3.0, 4.0], [3.0, 4.0, -5.0, 0.0]]> : tensor<2x4xf32>
  %g = arith.constant dense<[[0.9, 0.9, 0.9, 0.9], [0.1, 0.1, 0.1, 0.1]]> : tensor<2x4xf32>
  %o = arith.mulf %g, %y {rescale.norm_gate} : tensor<2x4xf32> loc("model.norm")
  return %o : tensor<2x4xf32>
}
// A causal attention with a learned sink (GPT-OSS) and GQA: the decomposition
// path of the other softmax kinds. Nothing to report but not crashing.
func.func @causal_learned_sink(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %s: tensor<4xf32>) -> tensor<1x4x4x8xf32> {
  %o = rescale.attention %q, %k, %v, %s {causal, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<4xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}
