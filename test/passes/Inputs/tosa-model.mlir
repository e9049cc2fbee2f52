// A single-head attention block in TOSA, as onnx-mlir or TF emit it:
// RMSNorm, q/k/v projections as tosa.matmul against constant weights, causal
// softmax attention, output projection with bias, residual add.
func.func @tosa_attention_block(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %invd = "tosa.const"() <{values = dense<0.125> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %eps = "tosa.const"() <{values = dense<1.0e-5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %gamma = "tosa.const"() <{values = dense<[[[1.0, 0.5, 2.0, 1.0, 1.5, 1.0, 0.75, 1.25]]]> : tensor<1x1x8xf32>}> : () -> tensor<1x1x8xf32>
  %wq = "tosa.const"() <{values = dense<[[[0.1, -0.2, 0.3, 0.0, 0.5, -0.1, 0.2, 0.1], [0.0, 0.1, -0.1, 0.2, 0.3, 0.4, -0.5, 0.2], [0.2, 0.2, 0.1, -0.3, 0.0, 0.1, 0.3, -0.2], [-0.1, 0.0, 0.2, 0.1, -0.2, 0.3, 0.1, 0.0], [0.3, -0.1, 0.0, 0.2, 0.1, -0.2, 0.0, 0.4], [0.0, 0.2, 0.1, 0.0, -0.1, 0.2, 0.3, -0.1], [0.1, 0.1, -0.2, 0.3, 0.2, 0.0, -0.1, 0.2], [-0.2, 0.3, 0.0, 0.1, 0.1, -0.3, 0.2, 0.1]]]> : tensor<1x8x8xf32>}> : () -> tensor<1x8x8xf32>
  %wk = "tosa.const"() <{values = dense<[[[0.2, 0.1, -0.1, 0.0, 0.3, 0.1, -0.2, 0.1], [0.1, -0.3, 0.2, 0.1, 0.0, 0.2, 0.1, -0.1], [0.0, 0.2, 0.3, -0.2, 0.1, 0.0, 0.2, 0.3], [0.3, 0.0, -0.1, 0.2, -0.2, 0.1, 0.0, 0.1], [-0.1, 0.1, 0.0, 0.3, 0.2, -0.1, 0.1, 0.0], [0.2, -0.2, 0.1, 0.0, 0.1, 0.3, -0.3, 0.2], [0.0, 0.1, 0.2, -0.1, 0.0, 0.2, 0.1, -0.2], [0.1, 0.0, -0.2, 0.2, 0.3, 0.0, 0.1, 0.1]]]> : tensor<1x8x8xf32>}> : () -> tensor<1x8x8xf32>
  %wv = "tosa.const"() <{values = dense<[[[0.3, 0.0, 0.1, -0.2, 0.1, 0.2, 0.0, 0.1], [0.0, 0.2, -0.1, 0.1, 0.3, -0.1, 0.2, 0.0], [0.1, 0.1, 0.2, 0.0, -0.2, 0.1, 0.3, -0.1], [-0.2, 0.3, 0.0, 0.1, 0.0, 0.2, -0.1, 0.2], [0.1, -0.1, 0.3, 0.2, 0.1, 0.0, 0.2, -0.3], [0.2, 0.0, -0.2, 0.1, 0.2, 0.1, 0.0, 0.1], [0.0, 0.3, 0.1, -0.1, 0.0, 0.2, 0.1, 0.0], [0.1, -0.2, 0.0, 0.3, 0.1, -0.1, 0.2, 0.2]]]> : tensor<1x8x8xf32>}> : () -> tensor<1x8x8xf32>
  %wo = "tosa.const"() <{values = dense<[[[0.1, 0.2, 0.0, -0.1, 0.3, 0.1, -0.2, 0.0], [0.2, -0.1, 0.1, 0.0, 0.1, 0.3, 0.0, 0.2], [0.0, 0.1, -0.3, 0.2, 0.0, 0.1, 0.2, -0.1], [0.3, 0.0, 0.1, 0.1, -0.2, 0.0, 0.1, 0.2], [-0.1, 0.2, 0.0, 0.3, 0.1, -0.2, 0.0, 0.1], [0.0, -0.1, 0.2, 0.0, 0.3, 0.1, 0.1, 0.0], [0.2, 0.1, 0.0, -0.2, 0.0, 0.2, 0.3, 0.1], [0.1, 0.0, 0.1, 0.2, -0.1, 0.0, 0.2, 0.3]]]> : tensor<1x8x8xf32>}> : () -> tensor<1x8x8xf32>
  %bo = "tosa.const"() <{values = dense<[[[0.01, -0.02, 0.03, 0.0, 0.05, -0.01, 0.02, 0.01]]]> : tensor<1x1x8xf32>}> : () -> tensor<1x1x8xf32>
  %scale = "tosa.const"() <{values = dense<0.353553385> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %mask = "tosa.const"() <{values = dense<[[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000],
                                            [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]]> : tensor<1x4x4xf32>}> : () -> tensor<1x4x4xf32>
  // RMSNorm
  %sq = tosa.mul %x, %x, %shift : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1xi8>) -> tensor<1x4x8xf32>
  %ss = tosa.reduce_sum %sq {axis = 2 : i32} : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
  %ms = tosa.mul %ss, %invd, %shift : (tensor<1x4x1xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x1xf32>
  %ve = tosa.add %ms, %eps : (tensor<1x4x1xf32>, tensor<1x1x1xf32>) -> tensor<1x4x1xf32>
  %r = tosa.rsqrt %ve : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %xn = tosa.mul %x, %r, %shift : (tensor<1x4x8xf32>, tensor<1x4x1xf32>, tensor<1xi8>) -> tensor<1x4x8xf32>
  %h = tosa.mul %xn, %gamma, %shift : (tensor<1x4x8xf32>, tensor<1x1x8xf32>, tensor<1xi8>) -> tensor<1x4x8xf32>
  // Projections
  %q = tosa.matmul %h, %wq, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  %k = tosa.matmul %h, %wk, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  %v = tosa.matmul %h, %wv, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  // Attention
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<1x4x8xf32>) -> tensor<1x8x4xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4xf32>
  %s2 = tosa.mul %s, %scale, %shift : (tensor<1x4x4xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x4xf32>
  %sm = tosa.add %s2, %mask : (tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %mx = tosa.reduce_max %sm {axis = 2 : i32} : (tensor<1x4x4xf32>) -> tensor<1x4x1xf32>
  %d = tosa.sub %sm, %mx : (tensor<1x4x4xf32>, tensor<1x4x1xf32>) -> tensor<1x4x4xf32>
  %e = tosa.exp %d : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<1x4x4xf32>) -> tensor<1x4x1xf32>
  %rs = tosa.reciprocal %sum : (tensor<1x4x1xf32>) -> tensor<1x4x1xf32>
  %p = tosa.mul %e, %rs, %shift : (tensor<1x4x4xf32>, tensor<1x4x1xf32>, tensor<1xi8>) -> tensor<1x4x4xf32>
  %a = tosa.matmul %p, %v, %zp, %zp : (tensor<1x4x4xf32>, tensor<1x4x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  // Output projection, bias, residual
  %o = tosa.matmul %a, %wo, %zp, %zp : (tensor<1x4x8xf32>, tensor<1x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
  %ob = tosa.add %o, %bo : (tensor<1x4x8xf32>, tensor<1x1x8xf32>) -> tensor<1x4x8xf32>
  %y = tosa.add %x, %ob : (tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}
