// Rescale ops with their gates and residual adds still explicit: the input
// of --rescale-fuse-gated-norm and --rescale-fuse-attention.
func.func @explicit_self_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %nz = arith.negf %z : tensor<4x8xf32>
  %ez = math.exp %nz : tensor<4x8xf32>
  %dz = arith.addf %ez, %one8 : tensor<4x8xf32>
  %g = arith.divf %one8, %dz : tensor<4x8xf32>
  %out = arith.mulf %g, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

func.func @residual_add_norm(%x: tensor<4x8xf32>, %r: tensor<4x8xf32>, %w: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %s = arith.addf %x, %r : tensor<4x8xf32>
  %y = rescale.rms_norm %s, %w : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %s, %y : tensor<4x8xf32>, tensor<4x8xf32>
}

#id = affine_map<(b, h, s, d) -> (b, h, s, d)>
#head = affine_map<(b, h, s, d) -> (b, h, s)>
func.func @headwise_output_gate(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %g: tensor<1x4x8xf32>) -> tensor<1x4x8x16xf32> {
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  %e = tensor.empty() : tensor<1x4x8x16xf32>
  %out = linalg.generic {indexing_maps = [#id, #head, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %g : tensor<1x4x8x16xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %b : f32
    %x = math.exp %n : f32
    %d = arith.addf %one, %x : f32
    %s = arith.divf %a, %d : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x16xf32>
  return %out : tensor<1x4x8x16xf32>
}

// Gated attention in the projection layout [B, S, H*Dv].
func.func @sequence_layout_gate(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x16xf32>) -> tensor<1x4x16xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x16xf32>
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %f = tensor.collapse_shape %t [[0], [1], [2, 3]] : tensor<1x4x2x8xf32> into tensor<1x4x16xf32>
  %n = arith.negf %g : tensor<1x4x16xf32>
  %x = math.exp %n : tensor<1x4x16xf32>
  %d = arith.addf %one, %x : tensor<1x4x16xf32>
  %out = arith.divf %f, %d : tensor<1x4x16xf32>
  return %out : tensor<1x4x16xf32>
}

// The §3.4 gate ablations: silu(z) = z·σ(z), and no activation at all.
func.func @silu_self_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %one8 = arith.constant dense<1.0> : tensor<4x8xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %nz = arith.negf %z : tensor<4x8xf32>
  %ez = math.exp %nz : tensor<4x8xf32>
  %dz = arith.addf %ez, %one8 : tensor<4x8xf32>
  %s = arith.divf %one8, %dz : tensor<4x8xf32>
  %g = arith.mulf %z, %s : tensor<4x8xf32>
  %out = arith.mulf %g, %y : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}
func.func @identity_self_gate(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %one2 = arith.constant dense<1.0> : tensor<4x2xf32>
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %h = rescale.linear %y, %wd : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %nh = arith.negf %h : tensor<4x2xf32>
  %eh = math.exp %nh : tensor<4x2xf32>
  %dh = arith.addf %one2, %eh : tensor<4x2xf32>
  %sw = arith.divf %h, %dh : tensor<4x2xf32>
  %z = rescale.linear %sw, %wu : (tensor<4x2xf32>, tensor<8x2xf32>) -> tensor<4x8xf32>
  %out = arith.mulf %y, %z : tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}

// Headwise gated attention as PyTorch writes it in the [B, S, H, Dv] layout:
// attn.transpose(1, 2) * sigmoid(gate).unsqueeze(-1), gate [B, S, H], then
// the heads flattened.
func.func @headwise_transposed_gate(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x2xf32>) -> tensor<1x4x16xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x2xf32>
  %o = rescale.attention %q, %k, %v {causal} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %n = arith.negf %g : tensor<1x4x2xf32>
  %x = math.exp %n : tensor<1x4x2xf32>
  %d = arith.addf %one, %x : tensor<1x4x2xf32>
  %s = arith.divf %one, %d : tensor<1x4x2xf32>
  %s4 = tensor.expand_shape %s [[0], [1], [2, 3]] output_shape [1, 4, 2, 1] : tensor<1x4x2xf32> into tensor<1x4x2x1xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, s, h, d) -> (b, s, h, d)>, affine_map<(b, s, h, d) -> (b, s, h, 0)>, affine_map<(b, s, h, d) -> (b, s, h, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %s4 : tensor<1x4x2x8xf32>, tensor<1x4x2x1xf32>) outs(%e : tensor<1x4x2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x2x8xf32>
  %f = tensor.collapse_shape %m [[0], [1], [2, 3]] : tensor<1x4x2x8xf32> into tensor<1x4x16xf32>
  return %f : tensor<1x4x16xf32>
}

// The same layout with an elementwise [B, S, H, Dv] gate.
func.func @elementwise_transposed_gate(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x2x8xf32>) -> tensor<1x4x2x8xf32> {
  %one = arith.constant dense<1.0> : tensor<1x4x2x8xf32>
  %o = rescale.attention %q, %k, %v : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  %e = tensor.empty() : tensor<1x4x2x8xf32>
  %t = linalg.transpose ins(%o : tensor<1x2x4x8xf32>) outs(%e : tensor<1x4x2x8xf32>) permutation = [0, 2, 1, 3]
  %n = arith.negf %g : tensor<1x4x2x8xf32>
  %x = math.exp %n : tensor<1x4x2x8xf32>
  %d = arith.addf %one, %x : tensor<1x4x2x8xf32>
  %out = arith.divf %t, %d : tensor<1x4x2x8xf32>
  return %out : tensor<1x4x2x8xf32>
}
