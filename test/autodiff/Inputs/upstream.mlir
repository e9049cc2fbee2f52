// Losses over upstream ops, in f64, for the gradient checks
// (upstream-ops.test; the float64 formulas are in ../models.py). Every loss
// is Σ r ⊙ f(...) with r a no_grad weighting, truncated to tensor<f32>.

// arith/math elementwise on tensors; x and y are used several times (their
// adjoints accumulate), i (an integer argument) gets no gradient, and
// `unused` gets a zero one.
func.func @elementwise(%x: tensor<3x5xf64>, %y: tensor<3x5xf64>,
                       %i: tensor<3x5xi32>, %unused: tensor<2xf64>,
                       %r: tensor<3x5xf64> {rescale.no_grad}) -> tensor<f32> {
  %one = arith.constant dense<1.0> : tensor<3x5xf64>
  %s = arith.addf %x, %y : tensor<3x5xf64>
  %m = arith.mulf %s, %x : tensor<3x5xf64>
  %ey = math.exp %y : tensor<3x5xf64>
  %q = arith.divf %m, %ey : tensor<3x5xf64>
  %t = math.tanh %q : tensor<3x5xf64>
  %n = arith.negf %x : tensor<3x5xf64>
  %mx = arith.maximumf %t, %n : tensor<3x5xf64>
  %sq = math.sqrt %ey : tensor<3x5xf64>
  %mn = arith.minimumf %mx, %sq : tensor<3x5xf64>
  %ly = math.log %ey : tensor<3x5xf64>
  %rs = math.rsqrt %ey : tensor<3x5xf64>
  %er = math.erf %x : tensor<3x5xf64>
  %d = arith.subf %mn, %rs : tensor<3x5xf64>
  %e = arith.mulf %d, %er : tensor<3x5xf64>
  %f = arith.addf %e, %ly : tensor<3x5xf64>
  %c = arith.cmpf ogt, %x, %y : tensor<3x5xf64>
  %sel = arith.select %c, %f, %s : tensor<3x5xi1>, tensor<3x5xf64>
  %fi = arith.sitofp %i : tensor<3x5xi32> to tensor<3x5xf64>
  %fi1 = arith.addf %fi, %one : tensor<3x5xf64>
  %w = arith.mulf %sel, %fi1 : tensor<3x5xf64>
  %p = arith.mulf %w, %r : tensor<3x5xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %l = linalg.reduce ins(%p : tensor<3x5xf64>) outs(%z : tensor<f64>) dimensions = [0, 1]
    (%a: f64, %acc: f64) {
      %sum = arith.addf %a, %acc : f64
      linalg.yield %sum : f64
    }
  %l32 = arith.truncf %l : tensor<f64> to tensor<f32>
  return %l32 : tensor<f32>
}

// linalg: matmul, broadcast, an elementwise generic with broadcasting maps,
// transpose, a reduction generic, batch_matmul; plus an auxiliary output.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @linalg_ops(%x: tensor<3x4xf64>, %w: tensor<4x5xf64>, %b: tensor<5xf64>,
                      %c: tensor<3xf64>, %ba: tensor<2x3x4xf64>, %bb: tensor<2x4x2xf64>,
                      %r: tensor<5xf64> {rescale.no_grad})
    -> (tensor<f32>, tensor<3x5xf64>) {
  %zero = arith.constant 0.0 : f64
  %e35 = tensor.empty() : tensor<3x5xf64>
  %f35 = linalg.fill ins(%zero : f64) outs(%e35 : tensor<3x5xf64>) -> tensor<3x5xf64>
  %h = linalg.matmul ins(%x, %w : tensor<3x4xf64>, tensor<4x5xf64>)
                     outs(%f35 : tensor<3x5xf64>) -> tensor<3x5xf64>
  %bb35 = linalg.broadcast ins(%b : tensor<5xf64>) outs(%e35 : tensor<3x5xf64>) dimensions = [0]
  %hb = arith.addf %h, %bb35 : tensor<3x5xf64>
  %g = linalg.generic {indexing_maps = [#id2, #col, #row, #id2],
                       iterator_types = ["parallel", "parallel"]}
      ins(%hb, %b, %c : tensor<3x5xf64>, tensor<5xf64>, tensor<3xf64>)
      outs(%e35 : tensor<3x5xf64>) {
    ^bb0(%hv: f64, %bv: f64, %cv: f64, %o: f64):
      %p = arith.mulf %hv, %bv : f64
      %s = arith.addf %p, %cv : f64
      %t = math.tanh %s : f64
      linalg.yield %t : f64
  } -> tensor<3x5xf64>
  %e53 = tensor.empty() : tensor<5x3xf64>
  %gt = linalg.transpose ins(%g : tensor<3x5xf64>) outs(%e53 : tensor<5x3xf64>) permutation = [1, 0]
  %e5 = tensor.empty() : tensor<5xf64>
  %f5 = linalg.fill ins(%zero : f64) outs(%e5 : tensor<5xf64>) -> tensor<5xf64>
  %sq = linalg.generic {indexing_maps = [#id2, #row],
                        iterator_types = ["parallel", "reduction"]}
      ins(%gt : tensor<5x3xf64>) outs(%f5 : tensor<5xf64>) {
    ^bb0(%v: f64, %acc: f64):
      %v2 = arith.mulf %v, %v : f64
      %s = arith.addf %acc, %v2 : f64
      linalg.yield %s : f64
  } -> tensor<5xf64>
  %e232 = tensor.empty() : tensor<2x3x2xf64>
  %f232 = linalg.fill ins(%zero : f64) outs(%e232 : tensor<2x3x2xf64>) -> tensor<2x3x2xf64>
  %bm = linalg.batch_matmul ins(%ba, %bb : tensor<2x3x4xf64>, tensor<2x4x2xf64>)
                            outs(%f232 : tensor<2x3x2xf64>) -> tensor<2x3x2xf64>
  %z0 = arith.constant dense<0.0> : tensor<f64>
  %bms = linalg.reduce ins(%bm : tensor<2x3x2xf64>) outs(%z0 : tensor<f64>) dimensions = [0, 1, 2]
    (%a: f64, %acc: f64) {
      %s = arith.mulf %a, %a : f64
      %t = arith.addf %s, %acc : f64
      linalg.yield %t : f64
    }
  %wsq = arith.mulf %sq, %r : tensor<5xf64>
  %l = linalg.reduce ins(%wsq : tensor<5xf64>) outs(%bms : tensor<f64>) dimensions = [0]
    (%a: f64, %acc: f64) {
      %t = arith.addf %acc, %a : f64
      linalg.yield %t : f64
    }
  %l32 = arith.truncf %l : tensor<f64> to tensor<f32>
  return %l32, %h : tensor<f32>, tensor<3x5xf64>
}

// tensor: expand/collapse_shape, extract_slice (also rank-reducing),
// insert_slice (both operands), concat.
func.func @tensor_ops(%x: tensor<2x6xf64>, %y: tensor<3x3xf64>, %u: tensor<2x3xf64>,
                      %r: tensor<5x3xf64> {rescale.no_grad}) -> tensor<f32> {
  %e = tensor.expand_shape %x [[0], [1, 2]] output_shape [2, 2, 3]
      : tensor<2x6xf64> into tensor<2x2x3xf64>
  %c = tensor.collapse_shape %e [[0, 1], [2]] : tensor<2x2x3xf64> into tensor<4x3xf64>
  %s = tensor.extract_slice %c[1, 0] [2, 3] [1, 1] : tensor<4x3xf64> to tensor<2x3xf64>
  %row = tensor.extract_slice %c[3, 0] [1, 3] [1, 1] : tensor<4x3xf64> to tensor<3xf64>
  %p = arith.mulf %s, %u : tensor<2x3xf64>
  %ins = tensor.insert_slice %p into %y[1, 0] [2, 3] [1, 1] : tensor<2x3xf64> into tensor<3x3xf64>
  %ins2 = tensor.insert_slice %row into %ins[0, 0] [1, 3] [1, 1] : tensor<3xf64> into tensor<3x3xf64>
  %sq = arith.mulf %ins2, %ins2 : tensor<3x3xf64>
  %cat = tensor.concat dim(0) %sq, %u : (tensor<3x3xf64>, tensor<2x3xf64>) -> tensor<5x3xf64>
  %w = arith.mulf %cat, %r : tensor<5x3xf64>
  %z = arith.constant dense<0.0> : tensor<f64>
  %l = linalg.reduce ins(%w : tensor<5x3xf64>) outs(%z : tensor<f64>) dimensions = [0, 1]
    (%a: f64, %acc: f64) {
      %t = arith.addf %a, %acc : f64
      linalg.yield %t : f64
    }
  %l32 = arith.truncf %l : tensor<f64> to tensor<f32>
  return %l32 : tensor<f32>
}
