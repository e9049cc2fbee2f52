// RUN: rescale-opt %s --split-input-file --rescale-tosa-to-linalg --rescale-raise | FileCheck %s

// Multi-head attention as 3-d batch matmuls over [B*H, S, D], kᵀ through
// linalg.transpose, the scale multiplied into the scores, a causal select
// against -inf, and softmax as max / sub / exp / sum / div on tensors.
// CHECK-LABEL: func.func @attention_batch_matmul_select_mask
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x8xf32>, %[[K:.+]]: tensor<2x4x8xf32>, %[[V:.+]]: tensor<2x4x8xf32>)
// CHECK-DAG: %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1], [2], [3]] output_shape [1, 2, 4, 8]
// CHECK-DAG: %[[K4:.+]] = tensor.expand_shape %[[K]]
// CHECK-DAG: %[[V4:.+]] = tensor.expand_shape %[[V]]
// CHECK: %[[O:.+]] = rescale.attention %[[Q4]], %[[K4]], %[[V4]] {causal, scale = 0.353553385 : f32}
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[O]]
// CHECK-NOT: linalg.
// CHECK: return %[[R]]
func.func @attention_batch_matmul_select_mask(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<2x4x4xf32>
  %mask = arith.constant dense<[[true, false, false, false], [true, true, false, false],
                                [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %fill = arith.constant dense<0xFF800000> : tensor<2x4x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ss = arith.mulf %s, %scale : tensor<2x4x4xf32>
  %emb = tensor.empty() : tensor<2x4x4xi1>
  %mb = linalg.broadcast ins(%mask : tensor<4x4xi1>) outs(%emb : tensor<2x4x4xi1>) dimensions = [0]
  %sm = arith.select %mb, %ss, %fill : tensor<2x4x4xi1>, tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mx = linalg.reduce ins(%sm : tensor<2x4x4xf32>) outs(%mi : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mxb = linalg.broadcast ins(%mx : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %sub = arith.subf %sm, %mxb : tensor<2x4x4xf32>
  %ex = math.exp %sub : tensor<2x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %sumb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// 4-d generics as a linalg fusion would leave them: q divided by sqrt(D)
// before the matmul, kᵀ read through the contraction's indexing map, a causal
// mask with a KV-cache offset (S = 4 queries over T = 6 keys) computed from
// linalg.index and added as -inf, exp(s - max) fused into one generic.
#q4 = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#k4 = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#s4 = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#pv_p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#pv_v = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#pv_o = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row4 = affine_map<(b, h, i, j) -> (b, h, i)>
#mask4 = affine_map<(b, h, i, j) -> (i, j)>
// CHECK-LABEL: func.func @attention_4d_generics_kv_offset_additive_mask
// CHECK-SAME: (%[[Q:.+]]: tensor<1x2x4x16xf32>, %[[K:.+]]: tensor<1x2x6x16xf32>, %[[V:.+]]: tensor<1x2x6x16xf32>)
// CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]] {causal, scale = 2.500000e-01 : f32}
// CHECK-NOT: linalg.
// CHECK: return %[[O]]
func.func @attention_4d_generics_kv_offset_additive_mask(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>) -> tensor<1x2x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %eq = tensor.empty() : tensor<1x2x4x16xf32>
  %qs = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<1x2x4x16xf32>) outs(%eq : tensor<1x2x4x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c4 = arith.constant 4.0 : f32
    %d = arith.divf %a, %c4 : f32
    linalg.yield %d : f32
  } -> tensor<1x2x4x16xf32>
  %es = tensor.empty() : tensor<1x2x4x6xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %s = linalg.generic {indexing_maps = [#q4, #k4, #s4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%zs : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %em = tensor.empty() : tensor<4x6xf32>
  %mask = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%em : tensor<4x6xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c2 = arith.constant 2 : index
    %lim = arith.addi %i, %c2 : index
    %future = arith.cmpi ugt, %j, %lim : index
    %z = arith.constant 0.0 : f32
    %mi = arith.constant 0xFF800000 : f32
    %val = arith.select %future, %mi, %z : f32
    linalg.yield %val : f32
  } -> tensor<4x6xf32>
  %sm = linalg.generic {indexing_maps = [#id4, #mask4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<1x2x4x6xf32>, tensor<4x6xf32>) outs(%es : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %er = tensor.empty() : tensor<1x2x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%sm : tensor<1x2x4x6xf32>) outs(%mi : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maxnumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %ex = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sm, %mx : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>) outs(%es : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x2x4x6xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x2x4x6xf32>) outs(%si : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %p = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<1x2x4x6xf32>, tensor<1x2x4xf32>) outs(%es : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eq : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%zo : tensor<1x2x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}

// -----

// TOSA, as onnx-mlir emits it: tosa.matmul with a transposed k, the scale as
// a tosa.mul, a -1e9 additive causal mask, softmax through reduce_max,
// reduce_sum and reciprocal.
// CHECK-LABEL: func.func @attention_tosa
// CHECK-SAME: (%[[Q:.+]]: tensor<2x4x8xf32>, %[[K:.+]]: tensor<2x4x8xf32>, %[[V:.+]]: tensor<2x4x8xf32>)
// CHECK: rescale.attention {{.*}} {causal, scale = 0.353553385 : f32}
// CHECK-NOT: tosa.
// CHECK-NOT: linalg.batch_matmul
func.func @attention_tosa(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %scale = "tosa.const"() <{values = dense<0.353553385> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %mask = "tosa.const"() <{values = dense<[[[0.0, -1.0e9, -1.0e9, -1.0e9], [0.0, 0.0, -1.0e9, -1.0e9],
                                            [0.0, 0.0, 0.0, -1.0e9], [0.0, 0.0, 0.0, 0.0]]]> : tensor<1x4x4xf32>}> : () -> tensor<1x4x4xf32>
  %kt = tosa.transpose %k {perms = array<i32: 0, 2, 1>} : (tensor<2x4x8xf32>) -> tensor<2x8x4xf32>
  %s = tosa.matmul %q, %kt, %zp, %zp : (tensor<2x4x8xf32>, tensor<2x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4xf32>
  %ss = tosa.mul %s, %scale, %shift : (tensor<2x4x4xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<2x4x4xf32>
  %sm = tosa.add %ss, %mask : (tensor<2x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x4xf32>
  %mx = tosa.reduce_max %sm {axis = 2 : i32} : (tensor<2x4x4xf32>) -> tensor<2x4x1xf32>
  %d = tosa.sub %sm, %mx : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x4xf32>
  %e = tosa.exp %d : (tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<2x4x4xf32>) -> tensor<2x4x1xf32>
  %r = tosa.reciprocal %sum : (tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<2x4x4xf32>, tensor<2x4x1xf32>, tensor<1xi8>) -> tensor<2x4x4xf32>
  %o = tosa.matmul %p, %v, %zp, %zp : (tensor<2x4x4xf32>, tensor<2x4x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Near-miss: a sliding-window mask (keys i-1..i) is not causal.
// CHECK-LABEL: func.func @not_attention_sliding_window_mask
// CHECK-NOT: rescale.
// CHECK: linalg.batch_matmul
// CHECK-NOT: rescale.
func.func @not_attention_sliding_window_mask(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %mask = arith.constant dense<[[true, false, false, false], [true, true, false, false],
                                [false, true, true, false], [false, false, true, true]]> : tensor<4x4xi1>
  %fill = arith.constant dense<0xFF800000> : tensor<2x4x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %emb = tensor.empty() : tensor<2x4x4xi1>
  %mb = linalg.broadcast ins(%mask : tensor<4x4xi1>) outs(%emb : tensor<2x4x4xi1>) dimensions = [0]
  %sm = arith.select %mb, %s, %fill : tensor<2x4x4xi1>, tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mx = linalg.reduce ins(%sm : tensor<2x4x4xf32>) outs(%mi : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mxb = linalg.broadcast ins(%mx : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %sub = arith.subf %sm, %mxb : tensor<2x4x4xf32>
  %ex = math.exp %sub : tensor<2x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %sumb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Single-head 2-d attention in torch-mlir's style: linalg.matmul against a
// linalg.transpose, the scale as a divide after the matmul, masked_fill
// (select(future, -inf, s)) with the mask built from linalg.index, and
// keepdim reductions into [S, 1].
#m2 = affine_map<(d0, d1) -> (d0, d1)>
#k2 = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @attention_2d_masked_fill_keepdim
// CHECK-SAME: (%[[Q:.+]]: tensor<4x8xf32>, %[[K:.+]]: tensor<4x8xf32>, %[[V:.+]]: tensor<4x8xf32>)
// CHECK: %[[Q4:.+]] = tensor.expand_shape %[[Q]] {{\[}}[0, 1, 2], [3]] output_shape [1, 1, 4, 8]
// CHECK: %[[O:.+]] = rescale.attention %[[Q4]], %{{.+}}, %{{.+}} {causal, scale = 0.353553{{[0-9]*}} : f32}
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[O]]
// CHECK-NEXT: return %[[R]]
func.func @attention_2d_masked_fill_keepdim(%q: tensor<4x8xf32>, %k: tensor<4x8xf32>, %v: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %ekt = tensor.empty() : tensor<8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<4x8xf32>) outs(%ekt : tensor<8x4xf32>) permutation = [1, 0]
  %es = tensor.empty() : tensor<4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<4x8xf32>, tensor<8x4xf32>) outs(%zs : tensor<4x4xf32>) -> tensor<4x4xf32>
  %sm = linalg.generic {indexing_maps = [#m2, #m2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x4xf32>) outs(%es : tensor<4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %sq = arith.constant 2.82842707 : f32
    %d = arith.divf %a, %sq : f32
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %future = arith.cmpi sgt, %j, %i : index
    %mi = arith.constant 0xFF800000 : f32
    %r = arith.select %future, %mi, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %ek = tensor.empty() : tensor<4x1xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%ek : tensor<4x1xf32>) -> tensor<4x1xf32>
  %mx = linalg.generic {indexing_maps = [#m2, #k2], iterator_types = ["parallel", "reduction"]}
      ins(%sm : tensor<4x4xf32>) outs(%mi : tensor<4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x1xf32>
  %ex = linalg.generic {indexing_maps = [#m2, #k2, #m2], iterator_types = ["parallel", "parallel"]}
      ins(%sm, %mx : tensor<4x4xf32>, tensor<4x1xf32>) outs(%es : tensor<4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%ek : tensor<4x1xf32>) -> tensor<4x1xf32>
  %sum = linalg.generic {indexing_maps = [#m2, #k2], iterator_types = ["parallel", "reduction"]}
      ins(%ex : tensor<4x4xf32>) outs(%si : tensor<4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<4x1xf32>
  %p = linalg.generic {indexing_maps = [#m2, #k2, #m2], iterator_types = ["parallel", "parallel"]}
      ins(%ex, %sum : tensor<4x4xf32>, tensor<4x1xf32>) outs(%es : tensor<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %eo = tensor.empty() : tensor<4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x8xf32>) -> tensor<4x8xf32>
  %o = linalg.matmul ins(%p, %v : tensor<4x4xf32>, tensor<4x8xf32>) outs(%zo : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %o : tensor<4x8xf32>
}

// -----

// linalg.softmax between the two matmuls (what tosa/onnx pipelines and
// torch-mlir's aten._softmax can produce), the scale on k.
// CHECK-LABEL: func.func @attention_linalg_softmax_scaled_k
// CHECK: rescale.attention {{.*}} {scale = 1.250000e-01 : f32}
// CHECK-NOT: linalg.softmax
func.func @attention_linalg_softmax_scaled_k(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant dense<0.125> : tensor<2x4x8xf32>
  %ks = arith.mulf %k, %c : tensor<2x4x8xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%ks : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x4x4xf32>) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Grouped-query attention as Llama writes it: k and v repeated from 2 kv
// heads to 4 query heads (unsqueeze, broadcast, collapse) before the
// matmuls. The raised op reads the 2 kv heads.
#gq = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#gk = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#gs = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#gp = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#gv = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#go = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#g4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#gr = affine_map<(b, h, i, j) -> (b, h, i)>
// CHECK-LABEL: func.func @attention_gqa_repeat_kv
// CHECK-SAME: (%[[Q:.+]]: tensor<1x4x4x8xf32>, %[[K:.+]]: tensor<1x2x4x8xf32>, %[[V:.+]]: tensor<1x2x4x8xf32>)
// CHECK: %[[O:.+]] = rescale.attention %[[Q]], %[[K]], %[[V]] {scale = 1.000000e+00 : f32} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention_gqa_repeat_kv(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e5 = tensor.empty() : tensor<1x2x2x4x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<1x2x4x8xf32>) outs(%e5 : tensor<1x2x2x4x8xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%v : tensor<1x2x4x8xf32>) outs(%e5 : tensor<1x2x2x4x8xf32>) dimensions = [2]
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<1x2x2x4x8xf32> into tensor<1x4x4x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<1x2x2x4x8xf32> into tensor<1x4x4x8xf32>
  %es = tensor.empty() : tensor<1x4x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#gq, #gk, #gs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kr : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) outs(%zs : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %er = tensor.empty() : tensor<1x4x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %mx = linalg.generic {indexing_maps = [#g4, #gr], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%s : tensor<1x4x4x4xf32>) outs(%mi : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %ex = linalg.generic {indexing_maps = [#g4, #gr, #g4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mx : tensor<1x4x4x4xf32>, tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x4x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %sum = linalg.generic {indexing_maps = [#g4, #gr], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x4x4x4xf32>) outs(%si : tensor<1x4x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4xf32>
  %p = linalg.generic {indexing_maps = [#g4, #gr, #g4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<1x4x4x4xf32>, tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %eo = tensor.empty() : tensor<1x4x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %o = linalg.generic {indexing_maps = [#gp, #gv, #go], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vr : tensor<1x4x4x4xf32>, tensor<1x4x4x8xf32>) outs(%zo : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

// softmax₁ ("attention is off by one", the paper's off_by_one): the
// stabilized form with m = max(0, max s), exp(s - m) / (exp(-m) + Σ exp(s - m)).
// CHECK-LABEL: func.func @attention_off_by_one_stabilized
// CHECK: rescale.attention {{.*}} {scale = 0.353553385 : f32, softmax = #rescale.softmax<off_by_one>}
// CHECK-NOT: math.exp
func.func @attention_off_by_one_stabilized(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<2x4x4xf32>
  %zeros = arith.constant dense<0.0> : tensor<2x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ss = arith.mulf %s, %scale : tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mx = linalg.reduce ins(%ss : tensor<2x4x4xf32>) outs(%mi : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mc = arith.maximumf %mx, %zeros : tensor<2x4xf32>
  %mxb = linalg.broadcast ins(%mc : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %sub = arith.subf %ss, %mxb : tensor<2x4x4xf32>
  %ex = math.exp %sub : tensor<2x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %nm = arith.negf %mc : tensor<2x4xf32>
  %enm = math.exp %nm : tensor<2x4xf32>
  %den = arith.addf %enm, %sum : tensor<2x4xf32>
  %denb = linalg.broadcast ins(%den : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %denb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// softmax₁ written naively: exp(s) / (1 + Σ exp(s)).
// CHECK-LABEL: func.func @attention_off_by_one_naive
// CHECK: rescale.attention {{.*}} {scale = 1.000000e+00 : f32, softmax = #rescale.softmax<off_by_one>}
func.func @attention_off_by_one_naive(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ones = arith.constant dense<1.0> : tensor<2x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex = math.exp %s : tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %den = arith.addf %ones, %sum : tensor<2x4xf32>
  %denb = linalg.broadcast ins(%den : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %denb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Near-misses: 2 + Σ exp(s) is no softmax, and exp(s - m) / (1 + Σ exp(s - m))
// (the shift not undone in the extra term) is not softmax₁.
// CHECK-LABEL: func.func @not_attention_two_plus_sum
// CHECK-NOT: rescale.attention
func.func @not_attention_two_plus_sum(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %twos = arith.constant dense<2.0> : tensor<2x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %ex = math.exp %s : tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %den = arith.addf %twos, %sum : tensor<2x4xf32>
  %denb = linalg.broadcast ins(%den : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %denb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// CHECK-LABEL: func.func @not_attention_shift_not_undone
// CHECK-NOT: rescale.attention
func.func @not_attention_shift_not_undone(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %ones = arith.constant dense<1.0> : tensor<2x4xf32>
  %ekt = tensor.empty() : tensor<2x8x4xf32>
  %kt = linalg.transpose ins(%k : tensor<2x4x8xf32>) outs(%ekt : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%zs : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %er = tensor.empty() : tensor<2x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mx = linalg.reduce ins(%s : tensor<2x4x4xf32>) outs(%mi : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mxb = linalg.broadcast ins(%mx : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %sub = arith.subf %s, %mxb : tensor<2x4x4xf32>
  %ex = math.exp %sub : tensor<2x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<2x4xf32>) -> tensor<2x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<2x4x4xf32>) outs(%si : tensor<2x4xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %den = arith.addf %ones, %sum : tensor<2x4xf32>
  %denb = linalg.broadcast ins(%den : tensor<2x4xf32>) outs(%es : tensor<2x4x4xf32>) dimensions = [2]
  %p = arith.divf %ex, %denb : tensor<2x4x4xf32>
  %eo = tensor.empty() : tensor<2x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x4x4xf32>, tensor<2x4x8xf32>) outs(%zo : tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Near-misses of GPT-OSS's learned sinks (Inputs/learned-sink-model.mlir,
// which raises): a column that varies with the query position is no per-head
// sink, and slicing off the first column instead of the appended one is no
// sink softmax.
// CHECK-LABEL: func.func @not_sinks_column_per_position
// CHECK-NOT: rescale.attention
// CHECK-LABEL: func.func @not_sinks_wrong_column_dropped
// CHECK-NOT: rescale.attention
#nq4 = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#nk4 = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#ns4 = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#npv_p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#npv_v = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#npv_o = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#nid4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#nrow4 = affine_map<(b, h, i, j) -> (b, h, i)>
#nmask4 = affine_map<(b, h, i, j) -> (i, j)>
#nhead4 = affine_map<(b, h, i, j) -> (0, h, 0, 0)>
func.func @not_sinks_column_per_position(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %sinks: tensor<8xf32>) -> tensor<1x2x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %es = tensor.empty() : tensor<1x2x4x6xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk = linalg.generic {indexing_maps = [#nq4, #nk4, #ns4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%zs : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  // scaling by 1/sqrt(16) and a causal mask with a KV-cache offset of 2
  %em = tensor.empty() : tensor<4x6xf32>
  %mask = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%em : tensor<4x6xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c2 = arith.constant 2 : index
    %lim = arith.addi %i, %c2 : index
    %future = arith.cmpi ugt, %j, %lim : index
    %z = arith.constant 0.0 : f32
    %mi = arith.constant 0xFF800000 : f32
    %val = arith.select %future, %mi, %z : f32
    linalg.yield %val : f32
  } -> tensor<4x6xf32>
  %s = linalg.generic {indexing_maps = [#nid4, #nmask4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk, %mask : tensor<1x2x4x6xf32>, tensor<4x6xf32>) outs(%es : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %c = arith.constant 0.25 : f32
    %sc = arith.mulf %a, %c : f32
    %r = arith.addf %sc, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  // sinks.reshape(1, -1, 1, 1).expand(B, -1, S, -1)
  %s4 = tensor.expand_shape %sinks [[0, 1, 2, 3]] output_shape [1, 2, 4, 1] : tensor<8xf32> into tensor<1x2x4x1xf32>
  %ec = tensor.empty() : tensor<1x2x4x1xf32>
  %col = linalg.generic {indexing_maps = [#nid4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s4 : tensor<1x2x4x1xf32>) outs(%ec : tensor<1x2x4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2x4x1xf32>
  %cat = tensor.concat dim(3) %s, %col : (tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) -> tensor<1x2x4x7xf32>
  // combined - combined.max(-1), then softmax spelled out
  %e7 = tensor.empty() : tensor<1x2x4x7xf32>
  %er = tensor.empty() : tensor<1x2x4xf32>
  %mi0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx0 = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%cat : tensor<1x2x4x7xf32>) outs(%mi0 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %shifted = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cat, %mx0 : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<1x2x4x7xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%shifted : tensor<1x2x4x7xf32>) outs(%mi : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %ex = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%shifted, %mx : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x2x4x7xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x2x4x7xf32>) outs(%si : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %p7 = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x7xf32>
  %p = tensor.extract_slice %p7[0, 0, 0, 0] [1, 2, 4, 6] [1, 1, 1, 1] : tensor<1x2x4x7xf32> to tensor<1x2x4x6xf32>
  %eo = tensor.empty() : tensor<1x2x4x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %o = linalg.generic {indexing_maps = [#npv_p, #npv_v, #npv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%zo : tensor<1x2x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}

func.func @not_sinks_wrong_column_dropped(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %sinks: tensor<2xf32>) -> tensor<1x2x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %es = tensor.empty() : tensor<1x2x4x6xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk = linalg.generic {indexing_maps = [#nq4, #nk4, #ns4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x2x4x16xf32>, tensor<1x2x6x16xf32>) outs(%zs : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  // scaling by 1/sqrt(16) and a causal mask with a KV-cache offset of 2
  %em = tensor.empty() : tensor<4x6xf32>
  %mask = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%em : tensor<4x6xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c2 = arith.constant 2 : index
    %lim = arith.addi %i, %c2 : index
    %future = arith.cmpi ugt, %j, %lim : index
    %z = arith.constant 0.0 : f32
    %mi = arith.constant 0xFF800000 : f32
    %val = arith.select %future, %mi, %z : f32
    linalg.yield %val : f32
  } -> tensor<4x6xf32>
  %s = linalg.generic {indexing_maps = [#nid4, #nmask4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%qk, %mask : tensor<1x2x4x6xf32>, tensor<4x6xf32>) outs(%es : tensor<1x2x4x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %c = arith.constant 0.25 : f32
    %sc = arith.mulf %a, %c : f32
    %r = arith.addf %sc, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x6xf32>
  // sinks.reshape(1, -1, 1, 1).expand(B, -1, S, -1)
  %s4 = tensor.expand_shape %sinks [[0, 1, 2, 3]] output_shape [1, 2, 1, 1] : tensor<2xf32> into tensor<1x2x1x1xf32>
  %ec = tensor.empty() : tensor<1x2x4x1xf32>
  %col = linalg.generic {indexing_maps = [#nhead4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s4 : tensor<1x2x1x1xf32>) outs(%ec : tensor<1x2x4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2x4x1xf32>
  %cat = tensor.concat dim(3) %s, %col : (tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) -> tensor<1x2x4x7xf32>
  // combined - combined.max(-1), then softmax spelled out
  %e7 = tensor.empty() : tensor<1x2x4x7xf32>
  %er = tensor.empty() : tensor<1x2x4xf32>
  %mi0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx0 = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%cat : tensor<1x2x4x7xf32>) outs(%mi0 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %shifted = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cat, %mx0 : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<1x2x4x7xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%shifted : tensor<1x2x4x7xf32>) outs(%mi : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %ex = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%shifted, %mx : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x2x4x7xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#nid4, #nrow4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x2x4x7xf32>) outs(%si : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %p7 = linalg.generic {indexing_maps = [#nid4, #nrow4, #nid4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x7xf32>
  %p = tensor.extract_slice %p7[0, 0, 0, 1] [1, 2, 4, 6] [1, 1, 1, 1] : tensor<1x2x4x7xf32> to tensor<1x2x4x6xf32>
  %eo = tensor.empty() : tensor<1x2x4x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %o = linalg.generic {indexing_maps = [#npv_p, #npv_v, #npv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%zo : tensor<1x2x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}

// -----

// GQA read through the indexing maps (issue 16, class 9): query head h reads
// kv head h floordiv 2, and Hq = 4 = 2·Hkv, the op's own GQA rule: raised
// with k and v as they are (no repeat_kv copy), the sigmoid gate fused.
// CHECK-LABEL: func.func @attention_gqa_floordiv
// CHECK-NEXT: rescale.attention %arg0, %arg1, %arg2, %arg3 {gate_kind = #rescale.gate_kind<elementwise>, scale = 0.353553385 : f32} : (tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x4x4x8xf32>)
#fq_a = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#fk_a = affine_map<(b, h, i, j, d) -> (b, h floordiv 2, j, d)>
#fs_a = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#fp_a = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#fv_a = affine_map<(b, h, i, e, j) -> (b, h floordiv 2, j, e)>
#fo_a = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
func.func @attention_gqa_floordiv(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<1x4x4x4xf32>
  %one = arith.constant dense<1.0> : tensor<1x4x4x8xf32>
  %es = tensor.empty() : tensor<1x4x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#fq_a, #fk_a, #fs_a], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>) outs(%zs : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %ss = arith.mulf %s, %scale : tensor<1x4x4x4xf32>
  %er = tensor.empty() : tensor<1x4x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %mx = linalg.reduce ins(%ss : tensor<1x4x4x4xf32>) outs(%mi : tensor<1x4x4xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mxb = linalg.broadcast ins(%mx : tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) dimensions = [3]
  %sub = arith.subf %ss, %mxb : tensor<1x4x4x4xf32>
  %ex = math.exp %sub : tensor<1x4x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<1x4x4x4xf32>) outs(%si : tensor<1x4x4xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) dimensions = [3]
  %p = arith.divf %ex, %sumb : tensor<1x4x4x4xf32>
  %eo = tensor.empty() : tensor<1x4x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %o = linalg.generic {indexing_maps = [#fp_a, #fv_a, #fo_a], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x4x4x4xf32>, tensor<1x2x4x8xf32>) outs(%zo : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %ng = arith.negf %g : tensor<1x4x4x8xf32>
  %eg = math.exp %ng : tensor<1x4x4x8xf32>
  %dg = arith.addf %one, %eg : tensor<1x4x4x8xf32>
  %sg = arith.divf %one, %dg : tensor<1x4x4x8xf32>
  %out = arith.mulf %o, %sg : tensor<1x4x4x8xf32>
  return %out : tensor<1x4x4x8xf32>
}

// -----

// Near-miss: h floordiv 3 with Hq = 4, Hkv = 2 is not a GQA grouping (query
// heads 0-2 share kv head 0): left alone.
// CHECK-LABEL: func.func @not_attention_gqa_floordiv_mismatch
// CHECK-NOT: rescale.attention
#fq_b = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#fk_b = affine_map<(b, h, i, j, d) -> (b, h floordiv 3, j, d)>
#fs_b = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#fp_b = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#fv_b = affine_map<(b, h, i, e, j) -> (b, h floordiv 3, j, e)>
#fo_b = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
func.func @not_attention_gqa_floordiv_mismatch(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<1x4x4x4xf32>
  %one = arith.constant dense<1.0> : tensor<1x4x4x8xf32>
  %es = tensor.empty() : tensor<1x4x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#fq_b, #fk_b, #fs_b], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>) outs(%zs : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %o, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x4xf32>
  %ss = arith.mulf %s, %scale : tensor<1x4x4x4xf32>
  %er = tensor.empty() : tensor<1x4x4xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %mx = linalg.reduce ins(%ss : tensor<1x4x4x4xf32>) outs(%mi : tensor<1x4x4xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %m = arith.maximumf %a, %b : f32
      linalg.yield %m : f32
    }
  %mxb = linalg.broadcast ins(%mx : tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) dimensions = [3]
  %sub = arith.subf %ss, %mxb : tensor<1x4x4x4xf32>
  %ex = math.exp %sub : tensor<1x4x4x4xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %sum = linalg.reduce ins(%ex : tensor<1x4x4x4xf32>) outs(%si : tensor<1x4x4xf32>) dimensions = [3]
    (%a: f32, %b: f32) {
      %m = arith.addf %a, %b : f32
      linalg.yield %m : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<1x4x4xf32>) outs(%es : tensor<1x4x4x4xf32>) dimensions = [3]
  %p = arith.divf %ex, %sumb : tensor<1x4x4x4xf32>
  %eo = tensor.empty() : tensor<1x4x4x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %o = linalg.generic {indexing_maps = [#fp_b, #fv_b, #fo_b], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x4x4x4xf32>, tensor<1x2x4x8xf32>) outs(%zo : tensor<1x4x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %ng = arith.negf %g : tensor<1x4x4x8xf32>
  %eg = math.exp %ng : tensor<1x4x4x8xf32>
  %dg = arith.addf %one, %eg : tensor<1x4x4x8xf32>
  %sg = arith.divf %one, %dg : tensor<1x4x4x8xf32>
  %out = arith.mulf %o, %sg : tensor<1x4x4x8xf32>
  return %out : tensor<1x4x4x8xf32>
}
