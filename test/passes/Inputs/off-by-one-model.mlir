// softmax₁ attention spelled out (copies of raise-attention.mlir's cases), for
// raise-foreign-models.test: the raised rescale.attention{softmax = off_by_one}
// must compute what these do.
// softmax₁ ("attention is off by one", the paper's off_by_one): the
// stabilized form with m = max(0, max s), exp(s - m) / (exp(-m) + Σ exp(s - m)).
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

// softmax₁ written naively: exp(s) / (1 + Σ exp(s)).
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
