// Attention with GPT-OSS's learned sinks, as Hugging Face's
// eager_attention_forward writes it: a sink logit per head broadcast to an
// extra key column, concatenated to the (causally masked) scores, the row
// max subtracted, softmax, the sink column sliced off, then P·v. For
// raise-attention-sinks.mlir and raise-foreign-models.test.
#q4 = affine_map<(b, h, i, j, d) -> (b, h, i, d)>
#k4 = affine_map<(b, h, i, j, d) -> (b, h, j, d)>
#s4 = affine_map<(b, h, i, j, d) -> (b, h, i, j)>
#pv_p = affine_map<(b, h, i, e, j) -> (b, h, i, j)>
#pv_v = affine_map<(b, h, i, e, j) -> (b, h, j, e)>
#pv_o = affine_map<(b, h, i, e, j) -> (b, h, i, e)>
#id4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#row4 = affine_map<(b, h, i, j) -> (b, h, i)>
#mask4 = affine_map<(b, h, i, j) -> (i, j)>
#head4 = affine_map<(b, h, i, j) -> (0, h, 0, 0)>
func.func @attention_learned_sinks(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x6x16xf32>, %sinks: tensor<2xf32>) -> tensor<1x2x4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %es = tensor.empty() : tensor<1x2x4x6xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32>
  %qk = linalg.generic {indexing_maps = [#q4, #k4, #s4], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
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
  %s = linalg.generic {indexing_maps = [#id4, #mask4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
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
  %col = linalg.generic {indexing_maps = [#head4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s4 : tensor<1x2x1x1xf32>) outs(%ec : tensor<1x2x4x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<1x2x4x1xf32>
  %cat = tensor.concat dim(3) %s, %col : (tensor<1x2x4x6xf32>, tensor<1x2x4x1xf32>) -> tensor<1x2x4x7xf32>
  // combined - combined.max(-1), then softmax spelled out
  %e7 = tensor.empty() : tensor<1x2x4x7xf32>
  %er = tensor.empty() : tensor<1x2x4xf32>
  %mi0 = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx0 = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%cat : tensor<1x2x4x7xf32>) outs(%mi0 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %shifted = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%cat, %mx0 : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<1x2x4x7xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %mx = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%shifted : tensor<1x2x4x7xf32>) outs(%mi : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %ex = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%shifted, %mx : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<1x2x4x7xf32>
  %si = linalg.fill ins(%zero : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #row4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ex : tensor<1x2x4x7xf32>) outs(%si : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %o : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4xf32>
  %p7 = linalg.generic {indexing_maps = [#id4, #row4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex, %sum : tensor<1x2x4x7xf32>, tensor<1x2x4xf32>) outs(%e7 : tensor<1x2x4x7xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.divf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x7xf32>
  %p = tensor.extract_slice %p7[0, 0, 0, 0] [1, 2, 4, 6] [1, 1, 1, 1] : tensor<1x2x4x7xf32> to tensor<1x2x4x6xf32>
  %eo = tensor.empty() : tensor<1x2x4x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  %o = linalg.generic {indexing_maps = [#pv_p, #pv_v, #pv_o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<1x2x4x6xf32>, tensor<1x2x6x16xf32>) outs(%zo : tensor<1x2x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x16xf32>
  return %o : tensor<1x2x4x16xf32>
}
