// A two-layer pre-norm decoder (decoder.test; the float64 model is
// decoder_loss in ../models.py): layer 1 opens with PreAffine RMSNorm, layer 2
// with GatedNorm; each has causal GQA attention (Hq = 2, Hkv = 1) with a
// headwise output gate, the residual add fused with the MLP's norm
// (add_rms_norm), and a SiLU MLP written in arith/math. The loss is
// Σ r ⊙ rms_norm(x₂, lnf).

func.func @decoder(%x: tensor<1x5x6xf32>, %pre1: tensor<6xf32>, %ln1_1: tensor<6xf32>, %wq1: tensor<6x6xf32>, %wk1: tensor<3x6xf32>, %wv1: tensor<3x6xf32>, %wg1: tensor<2x6xf32>, %wo1: tensor<6x6xf32>, %ln2_1: tensor<6xf32>, %w1_1: tensor<7x6xf32>, %b1_1: tensor<7xf32>, %w2_1: tensor<6x7xf32>, %ln1_2: tensor<6xf32>, %wd_2: tensor<6x2xf32>, %wu_2: tensor<2x6xf32>, %wq2: tensor<6x6xf32>, %wk2: tensor<3x6xf32>, %wv2: tensor<3x6xf32>, %wg2: tensor<2x6xf32>, %wo2: tensor<6x6xf32>, %ln2_2: tensor<6xf32>, %w1_2: tensor<7x6xf32>, %b1_2: tensor<7xf32>, %w2_2: tensor<6x7xf32>, %lnf: tensor<6xf32>, %r: tensor<1x5x6xf32> {rescale.no_grad}) -> tensor<f32> {
  %h1 = rescale.preaffine_rms_norm %x, %pre1, %ln1_1 {epsilon = 1.0e-05 : f32} : (tensor<1x5x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x5x6xf32>
  %q1 = rescale.linear %h1, %wq1 : (tensor<1x5x6xf32>, tensor<6x6xf32>) -> tensor<1x5x6xf32>
  %q4_1 = tensor.expand_shape %q1 [[0], [1], [2, 3]] output_shape [1, 5, 2, 3] : tensor<1x5x6xf32> into tensor<1x5x2x3xf32>
  %qe1 = tensor.empty() : tensor<1x2x5x3xf32>
  %qt1 = linalg.transpose ins(%q4_1 : tensor<1x5x2x3xf32>) outs(%qe1 : tensor<1x2x5x3xf32>) permutation = [0, 2, 1, 3]
  %k1 = rescale.linear %h1, %wk1 : (tensor<1x5x6xf32>, tensor<3x6xf32>) -> tensor<1x5x3xf32>
  %k4_1 = tensor.expand_shape %k1 [[0], [1], [2, 3]] output_shape [1, 5, 1, 3] : tensor<1x5x3xf32> into tensor<1x5x1x3xf32>
  %ke1 = tensor.empty() : tensor<1x1x5x3xf32>
  %kt1 = linalg.transpose ins(%k4_1 : tensor<1x5x1x3xf32>) outs(%ke1 : tensor<1x1x5x3xf32>) permutation = [0, 2, 1, 3]
  %v1 = rescale.linear %h1, %wv1 : (tensor<1x5x6xf32>, tensor<3x6xf32>) -> tensor<1x5x3xf32>
  %v4_1 = tensor.expand_shape %v1 [[0], [1], [2, 3]] output_shape [1, 5, 1, 3] : tensor<1x5x3xf32> into tensor<1x5x1x3xf32>
  %ve1 = tensor.empty() : tensor<1x1x5x3xf32>
  %vt1 = linalg.transpose ins(%v4_1 : tensor<1x5x1x3xf32>) outs(%ve1 : tensor<1x1x5x3xf32>) permutation = [0, 2, 1, 3]
  %g1 = rescale.linear %h1, %wg1 : (tensor<1x5x6xf32>, tensor<2x6xf32>) -> tensor<1x5x2xf32>
  %ge1 = tensor.empty() : tensor<1x2x5xf32>
  %gt1 = linalg.transpose ins(%g1 : tensor<1x5x2xf32>) outs(%ge1 : tensor<1x2x5xf32>) permutation = [0, 2, 1]
  %o1 = rescale.attention %qt1, %kt1, %vt1, %gt1 {causal, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x2x5x3xf32>, tensor<1x1x5x3xf32>, tensor<1x1x5x3xf32>, tensor<1x2x5xf32>) -> tensor<1x2x5x3xf32>
  %oe1 = tensor.empty() : tensor<1x5x2x3xf32>
  %ot1 = linalg.transpose ins(%o1 : tensor<1x2x5x3xf32>) outs(%oe1 : tensor<1x5x2x3xf32>) permutation = [0, 2, 1, 3]
  %oc1 = tensor.collapse_shape %ot1 [[0], [1], [2, 3]] : tensor<1x5x2x3xf32> into tensor<1x5x6xf32>
  %a1 = rescale.linear %oc1, %wo1 : (tensor<1x5x6xf32>, tensor<6x6xf32>) -> tensor<1x5x6xf32>
  %sum1, %n1 = rescale.add_rms_norm %a1, %x, %ln2_1 {epsilon = 1.0e-05 : f32} : (tensor<1x5x6xf32>, tensor<1x5x6xf32>, tensor<6xf32>) -> (tensor<1x5x6xf32>, tensor<1x5x6xf32>)
  %u1 = rescale.linear %n1, %w1_1, %b1_1 : (tensor<1x5x6xf32>, tensor<7x6xf32>, tensor<7xf32>) -> tensor<1x5x7xf32>
  %un1 = arith.negf %u1 : tensor<1x5x7xf32>
  %ue1 = math.exp %un1 : tensor<1x5x7xf32>
  %one1 = arith.constant dense<1.0> : tensor<1x5x7xf32>
  %den1 = arith.addf %one1, %ue1 : tensor<1x5x7xf32>
  %silu1 = arith.divf %u1, %den1 : tensor<1x5x7xf32>
  %m1 = rescale.linear %silu1, %w2_1 : (tensor<1x5x7xf32>, tensor<6x7xf32>) -> tensor<1x5x6xf32>
  %x1 = arith.addf %sum1, %m1 : tensor<1x5x6xf32>
  %h2 = rescale.gated_norm %x1, %ln1_2, %wd_2, %wu_2 {epsilon = 1.0e-05 : f32} : (tensor<1x5x6xf32>, tensor<6xf32>, tensor<6x2xf32>, tensor<2x6xf32>) -> tensor<1x5x6xf32>
  %q2 = rescale.linear %h2, %wq2 : (tensor<1x5x6xf32>, tensor<6x6xf32>) -> tensor<1x5x6xf32>
  %q4_2 = tensor.expand_shape %q2 [[0], [1], [2, 3]] output_shape [1, 5, 2, 3] : tensor<1x5x6xf32> into tensor<1x5x2x3xf32>
  %qe2 = tensor.empty() : tensor<1x2x5x3xf32>
  %qt2 = linalg.transpose ins(%q4_2 : tensor<1x5x2x3xf32>) outs(%qe2 : tensor<1x2x5x3xf32>) permutation = [0, 2, 1, 3]
  %k2 = rescale.linear %h2, %wk2 : (tensor<1x5x6xf32>, tensor<3x6xf32>) -> tensor<1x5x3xf32>
  %k4_2 = tensor.expand_shape %k2 [[0], [1], [2, 3]] output_shape [1, 5, 1, 3] : tensor<1x5x3xf32> into tensor<1x5x1x3xf32>
  %ke2 = tensor.empty() : tensor<1x1x5x3xf32>
  %kt2 = linalg.transpose ins(%k4_2 : tensor<1x5x1x3xf32>) outs(%ke2 : tensor<1x1x5x3xf32>) permutation = [0, 2, 1, 3]
  %v2 = rescale.linear %h2, %wv2 : (tensor<1x5x6xf32>, tensor<3x6xf32>) -> tensor<1x5x3xf32>
  %v4_2 = tensor.expand_shape %v2 [[0], [1], [2, 3]] output_shape [1, 5, 1, 3] : tensor<1x5x3xf32> into tensor<1x5x1x3xf32>
  %ve2 = tensor.empty() : tensor<1x1x5x3xf32>
  %vt2 = linalg.transpose ins(%v4_2 : tensor<1x5x1x3xf32>) outs(%ve2 : tensor<1x1x5x3xf32>) permutation = [0, 2, 1, 3]
  %g2 = rescale.linear %h2, %wg2 : (tensor<1x5x6xf32>, tensor<2x6xf32>) -> tensor<1x5x2xf32>
  %ge2 = tensor.empty() : tensor<1x2x5xf32>
  %gt2 = linalg.transpose ins(%g2 : tensor<1x5x2xf32>) outs(%ge2 : tensor<1x2x5xf32>) permutation = [0, 2, 1]
  %o2 = rescale.attention %qt2, %kt2, %vt2, %gt2 {causal, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x2x5x3xf32>, tensor<1x1x5x3xf32>, tensor<1x1x5x3xf32>, tensor<1x2x5xf32>) -> tensor<1x2x5x3xf32>
  %oe2 = tensor.empty() : tensor<1x5x2x3xf32>
  %ot2 = linalg.transpose ins(%o2 : tensor<1x2x5x3xf32>) outs(%oe2 : tensor<1x5x2x3xf32>) permutation = [0, 2, 1, 3]
  %oc2 = tensor.collapse_shape %ot2 [[0], [1], [2, 3]] : tensor<1x5x2x3xf32> into tensor<1x5x6xf32>
  %a2 = rescale.linear %oc2, %wo2 : (tensor<1x5x6xf32>, tensor<6x6xf32>) -> tensor<1x5x6xf32>
  %sum2, %n2 = rescale.add_rms_norm %a2, %x1, %ln2_2 {epsilon = 1.0e-05 : f32} : (tensor<1x5x6xf32>, tensor<1x5x6xf32>, tensor<6xf32>) -> (tensor<1x5x6xf32>, tensor<1x5x6xf32>)
  %u2 = rescale.linear %n2, %w1_2, %b1_2 : (tensor<1x5x6xf32>, tensor<7x6xf32>, tensor<7xf32>) -> tensor<1x5x7xf32>
  %un2 = arith.negf %u2 : tensor<1x5x7xf32>
  %ue2 = math.exp %un2 : tensor<1x5x7xf32>
  %one2 = arith.constant dense<1.0> : tensor<1x5x7xf32>
  %den2 = arith.addf %one2, %ue2 : tensor<1x5x7xf32>
  %silu2 = arith.divf %u2, %den2 : tensor<1x5x7xf32>
  %m2 = rescale.linear %silu2, %w2_2 : (tensor<1x5x7xf32>, tensor<6x7xf32>) -> tensor<1x5x6xf32>
  %x2 = arith.addf %sum2, %m2 : tensor<1x5x6xf32>
  %y = rescale.rms_norm %x2, %lnf {epsilon = 1.0e-05 : f32} : (tensor<1x5x6xf32>, tensor<6xf32>) -> tensor<1x5x6xf32>
  %p = arith.mulf %y, %r : tensor<1x5x6xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x5x6xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}
