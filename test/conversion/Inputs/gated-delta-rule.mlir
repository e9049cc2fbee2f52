// The gated delta rule and its backward at T = 130 (three chunks of 44, with
// two padded tokens), two value heads per key head, bf16 activations with
// f32 decays: for the structure tests of its decomposition.
func.func @forward(%q: tensor<1x130x2x8xbf16>, %k: tensor<1x130x2x8xbf16>, %v: tensor<1x130x4x3xbf16>, %g: tensor<1x130x4xf32>, %b: tensor<1x130x4xf32>) -> tensor<1x130x4x3xbf16> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x130x2x8xbf16>, tensor<1x130x2x8xbf16>, tensor<1x130x4x3xbf16>, tensor<1x130x4xf32>, tensor<1x130x4xf32>) -> tensor<1x130x4x3xbf16>
  return %o : tensor<1x130x4x3xbf16>
}

func.func @backward(%q: tensor<1x130x2x8xf32>, %k: tensor<1x130x2x8xf32>, %v: tensor<1x130x4x3xf32>, %g: tensor<1x130x4xf32>, %b: tensor<1x130x4xf32>, %do: tensor<1x130x4x3xf32>) -> (tensor<1x130x2x8xf32>, tensor<1x130x2x8xf32>, tensor<1x130x4x3xf32>, tensor<1x130x4xf32>, tensor<1x130x4xf32>) {
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : (tensor<1x130x2x8xf32>, tensor<1x130x2x8xf32>, tensor<1x130x4x3xf32>, tensor<1x130x4xf32>, tensor<1x130x4xf32>, tensor<1x130x4x3xf32>) -> (tensor<1x130x2x8xf32>, tensor<1x130x2x8xf32>, tensor<1x130x4x3xf32>, tensor<1x130x4xf32>, tensor<1x130x4xf32>)
  return %dq, %dk, %dv, %dg, %db : tensor<1x130x2x8xf32>, tensor<1x130x2x8xf32>, tensor<1x130x4x3xf32>, tensor<1x130x4xf32>, tensor<1x130x4xf32>
}

// Nothing to compute: no tokens.
func.func @empty(%q: tensor<1x0x2x8xf32>, %k: tensor<1x0x2x8xf32>, %v: tensor<1x0x4x3xf32>, %g: tensor<1x0x4xf32>, %b: tensor<1x0x4xf32>) -> tensor<1x0x4x3xf32> {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : (tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>, tensor<1x0x4x3xf32>, tensor<1x0x4xf32>, tensor<1x0x4xf32>) -> tensor<1x0x4x3xf32>
  return %o : tensor<1x0x4x3xf32>
}
