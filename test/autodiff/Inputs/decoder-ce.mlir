// A two-layer decoder language model with a real LM loss (decoder-ce.test;
// the float64 model is decoder_lm_loss in ../models.py): token embedding;
// layer 1 opens with PreAffine RMSNorm, layer 2 with GatedNorm; each has
// rope'd q and k, causal GQA attention (Hq = 2, Hkv = 1, head dim 4) with a
// headwise output gate and learned sinks, the residual add fused with the
// MLP's norm (add_rms_norm) and a SwiGLU MLP in arith/math; a final RMSNorm,
// the tied head (rescale.linear against the embedding table: x·tableᵀ) and
// cross_entropy with a z-loss. V = 11, hidden 8, S = 5.

func.func @decoder_lm(%ids: tensor<1x5xi32>, %targets: tensor<1x5xi32>, %table: tensor<11x8xf32>, %pre1: tensor<8xf32>, %ln1_1: tensor<8xf32>, %wq1: tensor<8x8xf32>, %wk1: tensor<4x8xf32>, %wv1: tensor<4x8xf32>, %wg1: tensor<2x8xf32>, %sinks1: tensor<2xf32>, %wo1: tensor<8x8xf32>, %ln2_1: tensor<8xf32>, %wgate1: tensor<6x8xf32>, %wup1: tensor<6x8xf32>, %wdown1: tensor<8x6xf32>, %ln1_2: tensor<8xf32>, %wd_2: tensor<8x2xf32>, %wu_2: tensor<2x8xf32>, %wq2: tensor<8x8xf32>, %wk2: tensor<4x8xf32>, %wv2: tensor<4x8xf32>, %wg2: tensor<2x8xf32>, %sinks2: tensor<2xf32>, %wo2: tensor<8x8xf32>, %ln2_2: tensor<8xf32>, %wgate2: tensor<6x8xf32>, %wup2: tensor<6x8xf32>, %wdown2: tensor<8x6xf32>, %lnf: tensor<8xf32>) -> tensor<f32> {
  %x0 = rescale.embedding %ids, %table : (tensor<1x5xi32>, tensor<11x8xf32>) -> tensor<1x5x8xf32>
  %h1 = rescale.preaffine_rms_norm %x0, %pre1, %ln1_1 {epsilon = 1.0e-05 : f32} : (tensor<1x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x5x8xf32>
  %q1 = rescale.linear %h1, %wq1 : (tensor<1x5x8xf32>, tensor<8x8xf32>) -> tensor<1x5x8xf32>
  %q4_1 = tensor.expand_shape %q1 [[0], [1], [2, 3]] output_shape [1, 5, 2, 4] : tensor<1x5x8xf32> into tensor<1x5x2x4xf32>
  %qe1 = tensor.empty() : tensor<1x2x5x4xf32>
  %qt1 = linalg.transpose ins(%q4_1 : tensor<1x5x2x4xf32>) outs(%qe1 : tensor<1x2x5x4xf32>) permutation = [0, 2, 1, 3]
  %qr1 = rescale.rope %qt1 : tensor<1x2x5x4xf32>
  %k1 = rescale.linear %h1, %wk1 : (tensor<1x5x8xf32>, tensor<4x8xf32>) -> tensor<1x5x4xf32>
  %k4_1 = tensor.expand_shape %k1 [[0], [1], [2, 3]] output_shape [1, 5, 1, 4] : tensor<1x5x4xf32> into tensor<1x5x1x4xf32>
  %ke1 = tensor.empty() : tensor<1x1x5x4xf32>
  %kt1 = linalg.transpose ins(%k4_1 : tensor<1x5x1x4xf32>) outs(%ke1 : tensor<1x1x5x4xf32>) permutation = [0, 2, 1, 3]
  %kr1 = rescale.rope %kt1 : tensor<1x1x5x4xf32>
  %v1 = rescale.linear %h1, %wv1 : (tensor<1x5x8xf32>, tensor<4x8xf32>) -> tensor<1x5x4xf32>
  %v4_1 = tensor.expand_shape %v1 [[0], [1], [2, 3]] output_shape [1, 5, 1, 4] : tensor<1x5x4xf32> into tensor<1x5x1x4xf32>
  %ve1 = tensor.empty() : tensor<1x1x5x4xf32>
  %vt1 = linalg.transpose ins(%v4_1 : tensor<1x5x1x4xf32>) outs(%ve1 : tensor<1x1x5x4xf32>) permutation = [0, 2, 1, 3]
  %g1 = rescale.linear %h1, %wg1 : (tensor<1x5x8xf32>, tensor<2x8xf32>) -> tensor<1x5x2xf32>
  %ge1 = tensor.empty() : tensor<1x2x5xf32>
  %gt1 = linalg.transpose ins(%g1 : tensor<1x5x2xf32>) outs(%ge1 : tensor<1x2x5xf32>) permutation = [0, 2, 1]
  %o1 = rescale.attention %qr1, %kr1, %vt1, %gt1, %sinks1 {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x2x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x2x5xf32>, tensor<2xf32>) -> tensor<1x2x5x4xf32>
  %oe1 = tensor.empty() : tensor<1x5x2x4xf32>
  %ot1 = linalg.transpose ins(%o1 : tensor<1x2x5x4xf32>) outs(%oe1 : tensor<1x5x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc1 = tensor.collapse_shape %ot1 [[0], [1], [2, 3]] : tensor<1x5x2x4xf32> into tensor<1x5x8xf32>
  %a1 = rescale.linear %oc1, %wo1 : (tensor<1x5x8xf32>, tensor<8x8xf32>) -> tensor<1x5x8xf32>
  %sum1, %n1 = rescale.add_rms_norm %a1, %x0, %ln2_1 {epsilon = 1.0e-05 : f32} : (tensor<1x5x8xf32>, tensor<1x5x8xf32>, tensor<8xf32>) -> (tensor<1x5x8xf32>, tensor<1x5x8xf32>)
  %ug1 = rescale.linear %n1, %wgate1 : (tensor<1x5x8xf32>, tensor<6x8xf32>) -> tensor<1x5x6xf32>
  %uu1 = rescale.linear %n1, %wup1 : (tensor<1x5x8xf32>, tensor<6x8xf32>) -> tensor<1x5x6xf32>
  %un1 = arith.negf %ug1 : tensor<1x5x6xf32>
  %ue1 = math.exp %un1 : tensor<1x5x6xf32>
  %one1 = arith.constant dense<1.0> : tensor<1x5x6xf32>
  %den1 = arith.addf %one1, %ue1 : tensor<1x5x6xf32>
  %silu1 = arith.divf %ug1, %den1 : tensor<1x5x6xf32>
  %glu1 = arith.mulf %silu1, %uu1 : tensor<1x5x6xf32>
  %m1 = rescale.linear %glu1, %wdown1 : (tensor<1x5x6xf32>, tensor<8x6xf32>) -> tensor<1x5x8xf32>
  %x1 = arith.addf %sum1, %m1 : tensor<1x5x8xf32>
  %h2 = rescale.gated_norm %x1, %ln1_2, %wd_2, %wu_2 {epsilon = 1.0e-05 : f32} : (tensor<1x5x8xf32>, tensor<8xf32>, tensor<8x2xf32>, tensor<2x8xf32>) -> tensor<1x5x8xf32>
  %q2 = rescale.linear %h2, %wq2 : (tensor<1x5x8xf32>, tensor<8x8xf32>) -> tensor<1x5x8xf32>
  %q4_2 = tensor.expand_shape %q2 [[0], [1], [2, 3]] output_shape [1, 5, 2, 4] : tensor<1x5x8xf32> into tensor<1x5x2x4xf32>
  %qe2 = tensor.empty() : tensor<1x2x5x4xf32>
  %qt2 = linalg.transpose ins(%q4_2 : tensor<1x5x2x4xf32>) outs(%qe2 : tensor<1x2x5x4xf32>) permutation = [0, 2, 1, 3]
  %qr2 = rescale.rope %qt2 : tensor<1x2x5x4xf32>
  %k2 = rescale.linear %h2, %wk2 : (tensor<1x5x8xf32>, tensor<4x8xf32>) -> tensor<1x5x4xf32>
  %k4_2 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 5, 1, 4] : tensor<1x5x4xf32> into tensor<1x5x1x4xf32>
  %ke2 = tensor.empty() : tensor<1x1x5x4xf32>
  %kt2 = linalg.transpose ins(%k4_2 : tensor<1x5x1x4xf32>) outs(%ke2 : tensor<1x1x5x4xf32>) permutation = [0, 2, 1, 3]
  %kr2 = rescale.rope %kt2 : tensor<1x1x5x4xf32>
  %v2 = rescale.linear %h2, %wv2 : (tensor<1x5x8xf32>, tensor<4x8xf32>) -> tensor<1x5x4xf32>
  %v4_2 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 5, 1, 4] : tensor<1x5x4xf32> into tensor<1x5x1x4xf32>
  %ve2 = tensor.empty() : tensor<1x1x5x4xf32>
  %vt2 = linalg.transpose ins(%v4_2 : tensor<1x5x1x4xf32>) outs(%ve2 : tensor<1x1x5x4xf32>) permutation = [0, 2, 1, 3]
  %g2 = rescale.linear %h2, %wg2 : (tensor<1x5x8xf32>, tensor<2x8xf32>) -> tensor<1x5x2xf32>
  %ge2 = tensor.empty() : tensor<1x2x5xf32>
  %gt2 = linalg.transpose ins(%g2 : tensor<1x5x2xf32>) outs(%ge2 : tensor<1x2x5xf32>) permutation = [0, 2, 1]
  %o2 = rescale.attention %qr2, %kr2, %vt2, %gt2, %sinks2 {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x2x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x1x5x4xf32>, tensor<1x2x5xf32>, tensor<2xf32>) -> tensor<1x2x5x4xf32>
  %oe2 = tensor.empty() : tensor<1x5x2x4xf32>
  %ot2 = linalg.transpose ins(%o2 : tensor<1x2x5x4xf32>) outs(%oe2 : tensor<1x5x2x4xf32>) permutation = [0, 2, 1, 3]
  %oc2 = tensor.collapse_shape %ot2 [[0], [1], [2, 3]] : tensor<1x5x2x4xf32> into tensor<1x5x8xf32>
  %a2 = rescale.linear %oc2, %wo2 : (tensor<1x5x8xf32>, tensor<8x8xf32>) -> tensor<1x5x8xf32>
  %sum2, %n2 = rescale.add_rms_norm %a2, %x1, %ln2_2 {epsilon = 1.0e-05 : f32} : (tensor<1x5x8xf32>, tensor<1x5x8xf32>, tensor<8xf32>) -> (tensor<1x5x8xf32>, tensor<1x5x8xf32>)
  %ug2 = rescale.linear %n2, %wgate2 : (tensor<1x5x8xf32>, tensor<6x8xf32>) -> tensor<1x5x6xf32>
  %uu2 = rescale.linear %n2, %wup2 : (tensor<1x5x8xf32>, tensor<6x8xf32>) -> tensor<1x5x6xf32>
  %un2 = arith.negf %ug2 : tensor<1x5x6xf32>
  %ue2 = math.exp %un2 : tensor<1x5x6xf32>
  %one2 = arith.constant dense<1.0> : tensor<1x5x6xf32>
  %den2 = arith.addf %one2, %ue2 : tensor<1x5x6xf32>
  %silu2 = arith.divf %ug2, %den2 : tensor<1x5x6xf32>
  %glu2 = arith.mulf %silu2, %uu2 : tensor<1x5x6xf32>
  %m2 = rescale.linear %glu2, %wdown2 : (tensor<1x5x6xf32>, tensor<8x6xf32>) -> tensor<1x5x8xf32>
  %x2 = arith.addf %sum2, %m2 : tensor<1x5x8xf32>
  %y = rescale.rms_norm %x2, %lnf {epsilon = 1.0e-05 : f32} : (tensor<1x5x8xf32>, tensor<8xf32>) -> tensor<1x5x8xf32>
  %logits = rescale.linear %y, %table : (tensor<1x5x8xf32>, tensor<11x8xf32>) -> tensor<1x5x11xf32>
  %loss = rescale.cross_entropy %logits, %targets {z_loss = 1.0e-2 : f32} : (tensor<1x5x11xf32>, tensor<1x5xi32>) -> tensor<f32>
  return %loss : tensor<f32>
}
