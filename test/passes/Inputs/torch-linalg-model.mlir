// A torch-mlir-style model in linalg-on-tensors: the decomposed blocks the
// raise pass must find, as functions that rescale-run can execute.


#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @rms_norm_bf16_upcast_pow(%x: tensor<4x8xbf16>, %w: tensor<8xbf16>) -> tensor<4x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %eb = tensor.empty() : tensor<4x8xbf16>
  %xf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xbf16>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %f = arith.extf %a : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%xf : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %p = math.powf %a, %two : f32
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %hn = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%xf, %sum : tensor<4x8xf32>, tensor<4xf32>) outs(%eb : tensor<4x8xbf16>) {
  ^bb0(%a: f32, %s: f32, %o: bf16):
    %d = arith.constant 8.0 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.divf %s, %d : f32
    %v = arith.addf %m, %eps : f32
    %r = math.rsqrt %v : f32
    %n = arith.mulf %a, %r : f32
    %t = arith.truncf %n : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x8xbf16>
  %y = linalg.generic {indexing_maps = [#col, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w, %hn : tensor<8xbf16>, tensor<4x8xbf16>) outs(%eb : tensor<4x8xbf16>) {
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %m = arith.mulf %a, %b : bf16
    linalg.yield %m : bf16
  } -> tensor<4x8xbf16>
  return %y : tensor<4x8xbf16>
}

func.func @preaffine_rms_norm(%x: tensor<4x8xf32>, %l: tensor<8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %u = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %l : tensor<4x8xf32>, tensor<8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%u : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.mulf %a, %a : f32
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u, %sum, %w : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %inv = arith.constant 0.125 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.mulf %s, %inv : f32
    %v = arith.addf %m, %eps : f32
    %r = math.rsqrt %v : f32
    %n = arith.mulf %a, %r : f32
    %t = arith.mulf %n, %c : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

#q4 = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#k4 = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#s4 = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#pv_p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#pv_v = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#pv_o = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row4 = affine_map<(b, h, i, j) -> (b, h, i)>
#mask4 = affine_map<(b, h, i, j) -> (i, j)>
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


func.func @linear_torch_transpose_bias(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %et = tensor.empty() : tensor<8x16xf32>
  %wt = linalg.transpose ins(%w : tensor<16x8xf32>) outs(%et : tensor<8x16xf32>) permutation = [1, 0]
  %e = tensor.empty() : tensor<4x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %wt : tensor<4x8xf32>, tensor<8x16xf32>) outs(%z : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
// Gated attention (§3.2) over [B*H, S, D] batch matmuls: a causal softmax
// attention whose output is multiplied by σ(g) per element.
func.func @gated_attention(%q: tensor<2x4x8xf32>, %k: tensor<2x4x8xf32>, %v: tensor<2x4x8xf32>, %g: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<2x4x4xf32>
  %mask = arith.constant dense<[[true, false, false, false], [true, true, false, false],
                                [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %fill = arith.constant dense<0xFF800000> : tensor<2x4x4xf32>
  %one = arith.constant dense<1.0> : tensor<2x4x8xf32>
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
  %ng = arith.negf %g : tensor<2x4x8xf32>
  %eg = math.exp %ng : tensor<2x4x8xf32>
  %dg = arith.addf %one, %eg : tensor<2x4x8xf32>
  %sg = arith.divf %one, %dg : tensor<2x4x8xf32>
  %out = arith.mulf %o, %sg : tensor<2x4x8xf32>
  return %out : tensor<2x4x8xf32>
}

// GatedNorm (§3.4) fully decomposed: RMSNorm, then the low-rank self-gate
// through torch-style linears (transpose + matmul), swish and sigmoid in
// linalg.generic bodies.
#gn_id = affine_map<(d0, d1) -> (d0, d1)>
#gn_row = affine_map<(d0, d1) -> (d0)>
#gn_col = affine_map<(d0, d1) -> (d1)>
func.func @gated_norm_block(%x: tensor<4x8xf32>, %w: tensor<8xf32>, %wd: tensor<2x8xf32>, %wu: tensor<8x2xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#gn_id, #gn_row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.mulf %a, %a : f32
    %s = arith.addf %p, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#gn_id, #gn_row, #gn_col, #gn_id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum, %w : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %s: f32, %c: f32, %o: f32):
    %inv = arith.constant 0.125 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.mulf %s, %inv : f32
    %v = arith.addf %m, %eps : f32
    %r = math.rsqrt %v : f32
    %n = arith.mulf %a, %r : f32
    %t = arith.mulf %n, %c : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  %edt = tensor.empty() : tensor<8x2xf32>
  %wdt = linalg.transpose ins(%wd : tensor<2x8xf32>) outs(%edt : tensor<8x2xf32>) permutation = [1, 0]
  %eh = tensor.empty() : tensor<4x2xf32>
  %zh = linalg.fill ins(%zero : f32) outs(%eh : tensor<4x2xf32>) -> tensor<4x2xf32>
  %h = linalg.matmul ins(%y, %wdt : tensor<4x8xf32>, tensor<8x2xf32>) outs(%zh : tensor<4x2xf32>) -> tensor<4x2xf32>
  %sw = linalg.generic {indexing_maps = [#gn_id, #gn_id], iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x2xf32>) outs(%eh : tensor<4x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %r = arith.divf %a, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %eut = tensor.empty() : tensor<2x8xf32>
  %wut = linalg.transpose ins(%wu : tensor<8x2xf32>) outs(%eut : tensor<2x8xf32>) permutation = [1, 0]
  %zz = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %z = linalg.matmul ins(%sw, %wut : tensor<4x2xf32>, tensor<2x8xf32>) outs(%zz : tensor<4x8xf32>) -> tensor<4x8xf32>
  %out = linalg.generic {indexing_maps = [#gn_id, #gn_id, #gn_id], iterator_types = ["parallel", "parallel"]}
      ins(%z, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    %d = arith.addf %one, %e : f32
    %r = arith.divf %b, %d : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %out : tensor<4x8xf32>
}


// Llama grouped-query attention: repeat_kv from 2 to 4 heads.
#gq = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#gk = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#gs = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#gp = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#gv = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#go = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#g4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#gr = affine_map<(b, h, i, j) -> (b, h, i)>
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

// Gated grouped-query attention whose kv heads are read through the
// indexing maps (query head h reads kv head h floordiv 2), as kernel-style
// or hand-written imports do instead of a repeat_kv copy; 4 query heads, 2
// kv heads; the output multiplied by σ(g) per element.
#fq = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#fk = affine_map<(b, h, i, j, d) -> (b, h floordiv 2, j, d)>
#fs = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#fp = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#fv = affine_map<(b, h, i, e, j) -> (b, h floordiv 2, j, e)>
#fo = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
func.func @attention_gqa_floordiv_gated(%q: tensor<1x4x4x8xf32>, %k: tensor<1x2x4x8xf32>, %v: tensor<1x2x4x8xf32>, %g: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %scale = arith.constant dense<0.353553385> : tensor<1x4x4x4xf32>
  %one = arith.constant dense<1.0> : tensor<1x4x4x8xf32>
  %es = tensor.empty() : tensor<1x4x4x4xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %s = linalg.generic {indexing_maps = [#fq, #fk, #fs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
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
  %o = linalg.generic {indexing_maps = [#fp, #fv, #fo], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
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
