// One pre-norm decoder block in the style of the paper's best variant
// (arXiv 2601.22966: GatedNorm §3.4 + gated attention §3.2):
//
//   h   = x + W_o · attention(GatedNorm₁(x))     causal GQA, headwise gate
//   out = h + W_down · (silu(W_g·n) ⊙ (W_u·n)),  n = GatedNorm₂(h)   (SwiGLU)
//
// Sizes: batch 1, S = 16 tokens, d = 64, 4 query heads and 2 kv heads of
// dim 16, GatedNorm rank r = 16, MLP width 128. f32 throughout. The weights
// are function arguments (PyTorch [out, in] layout for every linear), so the
// block runs on any weights, e.g. random ones:
//
//   rescale-run examples/decoder_block.mlir --entry decoder_block \
//       --random-inputs --seed 0 --output-dir /tmp/block --print-summary

func.func @decoder_block(
    %x: tensor<1x16x64xf32>,
    // attention sublayer
    %norm1_w: tensor<64xf32>, %norm1_down: tensor<64x16xf32>,
    %norm1_up: tensor<16x64xf32>,
    %wq: tensor<64x64xf32>, %wk: tensor<32x64xf32>, %wv: tensor<32x64xf32>,
    %wgate: tensor<4x64xf32>, %wo: tensor<64x64xf32>,
    // MLP sublayer
    %norm2_w: tensor<64xf32>, %norm2_down: tensor<64x16xf32>,
    %norm2_up: tensor<16x64xf32>,
    %w_g: tensor<128x64xf32>, %w_u: tensor<128x64xf32>,
    %w_down: tensor<64x128xf32>) -> tensor<1x16x64xf32> {

  // ---- attention sublayer --------------------------------------------------
  %n1 = rescale.gated_norm %x, %norm1_w, %norm1_down, %norm1_up
      {epsilon = 1.0e-06 : f32}
      : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
      -> tensor<1x16x64xf32>

  %q_flat = rescale.linear %n1, %wq
      : (tensor<1x16x64xf32>, tensor<64x64xf32>) -> tensor<1x16x64xf32>
  %k_flat = rescale.linear %n1, %wk
      : (tensor<1x16x64xf32>, tensor<32x64xf32>) -> tensor<1x16x32xf32>
  %v_flat = rescale.linear %n1, %wv
      : (tensor<1x16x64xf32>, tensor<32x64xf32>) -> tensor<1x16x32xf32>
  // One gate logit per (token, query head): the headwise output gate.
  %g_flat = rescale.linear %n1, %wgate
      : (tensor<1x16x64xf32>, tensor<4x64xf32>) -> tensor<1x16x4xf32>

  // [B, S, H·D] -> [B, S, H, D] -> [B, H, S, D]
  %q_split = tensor.expand_shape %q_flat [[0], [1], [2, 3]] output_shape [1, 16, 4, 16]
      : tensor<1x16x64xf32> into tensor<1x16x4x16xf32>
  %k_split = tensor.expand_shape %k_flat [[0], [1], [2, 3]] output_shape [1, 16, 2, 16]
      : tensor<1x16x32xf32> into tensor<1x16x2x16xf32>
  %v_split = tensor.expand_shape %v_flat [[0], [1], [2, 3]] output_shape [1, 16, 2, 16]
      : tensor<1x16x32xf32> into tensor<1x16x2x16xf32>
  %q_init = tensor.empty() : tensor<1x4x16x16xf32>
  %q = linalg.transpose ins(%q_split : tensor<1x16x4x16xf32>)
      outs(%q_init : tensor<1x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %kv_init = tensor.empty() : tensor<1x2x16x16xf32>
  %k = linalg.transpose ins(%k_split : tensor<1x16x2x16xf32>)
      outs(%kv_init : tensor<1x2x16x16xf32>) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v_split : tensor<1x16x2x16xf32>)
      outs(%kv_init : tensor<1x2x16x16xf32>) permutation = [0, 2, 1, 3]
  %g_init = tensor.empty() : tensor<1x4x16xf32>
  %gate = linalg.transpose ins(%g_flat : tensor<1x16x4xf32>)
      outs(%g_init : tensor<1x4x16xf32>) permutation = [0, 2, 1]

  %attn = rescale.attention %q, %k, %v, %gate
      {causal, gate_kind = #rescale.gate_kind<headwise>}
      : (tensor<1x4x16x16xf32>, tensor<1x2x16x16xf32>, tensor<1x2x16x16xf32>,
         tensor<1x4x16xf32>) -> tensor<1x4x16x16xf32>

  // [B, H, S, D] -> [B, S, H, D] -> [B, S, H·D]
  %o_init = tensor.empty() : tensor<1x16x4x16xf32>
  %o_split = linalg.transpose ins(%attn : tensor<1x4x16x16xf32>)
      outs(%o_init : tensor<1x16x4x16xf32>) permutation = [0, 2, 1, 3]
  %o_flat = tensor.collapse_shape %o_split [[0], [1], [2, 3]]
      : tensor<1x16x4x16xf32> into tensor<1x16x64xf32>
  %o = rescale.linear %o_flat, %wo
      : (tensor<1x16x64xf32>, tensor<64x64xf32>) -> tensor<1x16x64xf32>
  %h = arith.addf %x, %o : tensor<1x16x64xf32>

  // ---- MLP sublayer: SwiGLU -------------------------------------------------
  %n2 = rescale.gated_norm %h, %norm2_w, %norm2_down, %norm2_up
      {epsilon = 1.0e-06 : f32}
      : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
      -> tensor<1x16x64xf32>
  %a = rescale.linear %n2, %w_g
      : (tensor<1x16x64xf32>, tensor<128x64xf32>) -> tensor<1x16x128xf32>
  %b = rescale.linear %n2, %w_u
      : (tensor<1x16x64xf32>, tensor<128x64xf32>) -> tensor<1x16x128xf32>
  // silu(a) = a · σ(a) = a / (1 + exp(-a))
  %one = arith.constant dense<1.0> : tensor<1x16x128xf32>
  %neg = arith.negf %a : tensor<1x16x128xf32>
  %e = math.exp %neg : tensor<1x16x128xf32>
  %den = arith.addf %one, %e : tensor<1x16x128xf32>
  %silu = arith.divf %a, %den : tensor<1x16x128xf32>
  %swiglu = arith.mulf %silu, %b : tensor<1x16x128xf32>
  %m = rescale.linear %swiglu, %w_down
      : (tensor<1x16x128xf32>, tensor<64x128xf32>) -> tensor<1x16x64xf32>
  %out = arith.addf %h, %m : tensor<1x16x64xf32>
  return %out : tensor<1x16x64xf32>
}
