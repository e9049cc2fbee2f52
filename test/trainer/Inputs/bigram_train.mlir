// TEST FIXTURE, NOT THE TRAINER'S MODEL.
//
// A bigram language model written by hand so that rescale-train's loop can be
// tested before the model builder and --rescale-autodiff exist. It follows
// the compiled-model contract of docs/trainer.md exactly, for one parameter
// `model.embed_tokens.weight` W [V, V] (V = 256): the logits of the token
// after token i are row i of W. Its cross-entropy gradient and the whole
// AdamW update (torch.optim.AdamW with decoupled weight decay, bias
// correction, after clip_grad_norm_-style clipping) are written out below.
// test/trainer/Inputs/bigram_reference.py implements the same math in float64
// from the formulas, independently, and the tests compare the two.
//
// Shapes: batch B = 4, seq T = 8, tokens i32[B, T+1].

#id3 = affine_map<(b, t, j) -> (b, t, j)>
#bt3 = affine_map<(b, t, j) -> (b, t)>
#id2 = affine_map<(b, t) -> (b, t)>
#scalar2 = affine_map<(b, t) -> ()>

// The forward pass shared by both entries: logits, their per-position max and
// sum of exp(logit - max), and the mean next-token cross-entropy.
func.func private @forward(%w: tensor<256x256xf32>, %tokens: tensor<4x9xi32>)
    -> (tensor<4x8x256xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) {
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %count = arith.constant 32.0 : f32 // B * T

  // logits[b, t, j] = W[tokens[b, t], j]
  %e3 = tensor.empty() : tensor<4x8x256xf32>
  %logits = linalg.generic {indexing_maps = [#id3],
                            iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%e3 : tensor<4x8x256xf32>) {
  ^bb0(%out: f32):
    %b = linalg.index 0 : index
    %t = linalg.index 1 : index
    %j = linalg.index 2 : index
    %tok = tensor.extract %tokens[%b, %t] : tensor<4x9xi32>
    %i = arith.index_cast %tok : i32 to index
    %x = tensor.extract %w[%i, %j] : tensor<256x256xf32>
    linalg.yield %x : f32
  } -> tensor<4x8x256xf32>

  %e2 = tensor.empty() : tensor<4x8xf32>
  %minf = linalg.fill ins(%ninf : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %max = linalg.generic {indexing_maps = [#id3, #bt3],
                         iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%logits : tensor<4x8x256xf32>) outs(%minf : tensor<4x8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>

  %zeros2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %sumexp = linalg.generic {indexing_maps = [#id3, #bt3, #bt3],
                            iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%logits, %max : tensor<4x8x256xf32>, tensor<4x8xf32>)
      outs(%zeros2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %mx: f32, %acc: f32):
    %d = arith.subf %x, %mx : f32
    %ex = math.exp %d : f32
    %r = arith.addf %acc, %ex : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>

  // loss = mean over (b, t) of log(sumexp) + max - logits[b, t, tokens[b, t+1]]
  %e0 = tensor.empty() : tensor<f32>
  %zero0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %total = linalg.generic {indexing_maps = [#id2, #id2, #scalar2],
                           iterator_types = ["reduction", "reduction"]}
      ins(%max, %sumexp : tensor<4x8xf32>, tensor<4x8xf32>)
      outs(%zero0 : tensor<f32>) {
  ^bb0(%mx: f32, %se: f32, %acc: f32):
    %b = linalg.index 0 : index
    %t = linalg.index 1 : index
    %t1 = arith.addi %t, %c1 : index
    %target = tensor.extract %tokens[%b, %t1] : tensor<4x9xi32>
    %k = arith.index_cast %target : i32 to index
    %xk = tensor.extract %logits[%b, %t, %k] : tensor<4x8x256xf32>
    %lse = math.log %se : f32
    %lse2 = arith.addf %lse, %mx : f32
    %nll = arith.subf %lse2, %xk : f32
    %r = arith.addf %acc, %nll : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %loss = linalg.generic {indexing_maps = [affine_map<() -> ()>],
                          iterator_types = []}
      outs(%total : tensor<f32>) {
  ^bb0(%s: f32):
    %r = arith.divf %s, %count : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  return %logits, %max, %sumexp, %loss
      : tensor<4x8x256xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>
}

func.func @eval_loss(%w: tensor<256x256xf32>, %tokens: tensor<4x9xi32>) -> tensor<f32> {
  %logits, %max, %sumexp, %loss = call @forward(%w, %tokens)
      : (tensor<256x256xf32>, tensor<4x9xi32>)
      -> (tensor<4x8x256xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>)
  return %loss : tensor<f32>
}

func.func @train_step(%w: tensor<256x256xf32>, %m: tensor<256x256xf32>,
                      %v: tensor<256x256xf32>, %hyper: tensor<8xf32>,
                      %tokens: tensor<4x9xi32>)
    -> (tensor<f32>, tensor<f32>, tensor<256x256xf32>, tensor<256x256xf32>,
        tensor<256x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %tiny = arith.constant 1.0e-6 : f32
  %invCount = arith.constant 0.03125 : f32 // 1 / (B * T)

  %logits, %max, %sumexp, %loss = call @forward(%w, %tokens)
      : (tensor<256x256xf32>, tensor<4x9xi32>)
      -> (tensor<4x8x256xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>)

  // d loss / d logits[b, t, j] = (softmax_j - [j == target]) / (B * T)
  %e3 = tensor.empty() : tensor<4x8x256xf32>
  %dlogits = linalg.generic {indexing_maps = [#id3, #bt3, #bt3, #id3],
                             iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%logits, %max, %sumexp : tensor<4x8x256xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
      outs(%e3 : tensor<4x8x256xf32>) {
  ^bb0(%x: f32, %mx: f32, %se: f32, %out: f32):
    %b = linalg.index 0 : index
    %t = linalg.index 1 : index
    %j = linalg.index 2 : index
    %t1 = arith.addi %t, %c1 : index
    %target = tensor.extract %tokens[%b, %t1] : tensor<4x9xi32>
    %k = arith.index_cast %target : i32 to index
    %d = arith.subf %x, %mx : f32
    %ex = math.exp %d : f32
    %sm = arith.divf %ex, %se : f32
    %hit = arith.cmpi eq, %j, %k : index
    %oneHot = arith.select %hit, %one, %zero : f32
    %diff = arith.subf %sm, %oneHot : f32
    %r = arith.mulf %diff, %invCount : f32
    linalg.yield %r : f32
  } -> tensor<4x8x256xf32>

  // dW[i, j] = sum over positions whose current token is i of dlogits[b, t, j]
  %e2 = tensor.empty() : tensor<256x256xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%e2 : tensor<256x256xf32>) -> tensor<256x256xf32>
  %grad = linalg.generic {indexing_maps = [affine_map<(i, j, b, t) -> (b, t, j)>,
                                           affine_map<(i, j, b, t) -> (i, j)>],
                          iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%dlogits : tensor<4x8x256xf32>) outs(%zeros : tensor<256x256xf32>) {
  ^bb0(%dl: f32, %acc: f32):
    %i = linalg.index 0 : index
    %b = linalg.index 2 : index
    %t = linalg.index 3 : index
    %tok = tensor.extract %tokens[%b, %t] : tensor<4x9xi32>
    %ti = arith.index_cast %tok : i32 to index
    %mine = arith.cmpi eq, %ti, %i : index
    %sum = arith.addf %acc, %dl : f32
    %r = arith.select %mine, %sum, %acc : f32
    linalg.yield %r : f32
  } -> tensor<256x256xf32>

  // grad_norm = ||dW||_2 (before clipping)
  %e0 = tensor.empty() : tensor<f32>
  %zero0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %sumsq = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                            affine_map<(i, j) -> ()>],
                           iterator_types = ["reduction", "reduction"]}
      ins(%grad : tensor<256x256xf32>) outs(%zero0 : tensor<f32>) {
  ^bb0(%g: f32, %acc: f32):
    %g2 = arith.mulf %g, %g : f32
    %r = arith.addf %acc, %g2 : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %gradNorm = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []}
      outs(%sumsq : tensor<f32>) {
  ^bb0(%s: f32):
    %r = math.sqrt %s : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %norm = tensor.extract %gradNorm[] : tensor<f32>

  // hyper = [lr, beta1, beta2, eps, weight_decay, max_grad_norm, step, 0]
  %lr = tensor.extract %hyper[%c0] : tensor<8xf32>
  %beta1 = tensor.extract %hyper[%c1] : tensor<8xf32>
  %beta2 = tensor.extract %hyper[%c2] : tensor<8xf32>
  %eps = tensor.extract %hyper[%c3] : tensor<8xf32>
  %wd = tensor.extract %hyper[%c4] : tensor<8xf32>
  %maxNorm = tensor.extract %hyper[%c5] : tensor<8xf32>
  %step = tensor.extract %hyper[%c6] : tensor<8xf32>

  // clip_grad_norm_: scale = min(1, max / (norm + 1e-6)); max = 0: no clipping
  %normEps = arith.addf %norm, %tiny : f32
  %ratio = arith.divf %maxNorm, %normEps : f32
  %clipped = arith.minimumf %ratio, %one : f32
  %clipOn = arith.cmpf ogt, %maxNorm, %zero : f32
  %scale = arith.select %clipOn, %clipped, %one : f32

  // AdamW (torch.optim.AdamW): decay, moments, bias correction, update
  %lrwd = arith.mulf %lr, %wd : f32
  %decay = arith.subf %one, %lrwd : f32
  %omb1 = arith.subf %one, %beta1 : f32
  %omb2 = arith.subf %one, %beta2 : f32
  %b1t = math.powf %beta1, %step : f32
  %b2t = math.powf %beta2, %step : f32
  %bc1 = arith.subf %one, %b1t : f32
  %bc2 = arith.subf %one, %b2t : f32
  %stepSize = arith.divf %lr, %bc1 : f32
  %sqrtBc2 = math.sqrt %bc2 : f32

  %ew = tensor.empty() : tensor<256x256xf32>
  %em = tensor.empty() : tensor<256x256xf32>
  %ev = tensor.empty() : tensor<256x256xf32>
  %wNew, %mNew, %vNew = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>,
                                                          affine_map<(i, j) -> (i, j)>],
                                         iterator_types = ["parallel", "parallel"]}
      ins(%w, %m, %v, %grad : tensor<256x256xf32>, tensor<256x256xf32>,
                              tensor<256x256xf32>, tensor<256x256xf32>)
      outs(%ew, %em, %ev : tensor<256x256xf32>, tensor<256x256xf32>, tensor<256x256xf32>) {
  ^bb0(%wi: f32, %mi: f32, %vi: f32, %gi: f32, %o0: f32, %o1: f32, %o2: f32):
    %g = arith.mulf %gi, %scale : f32
    %wd1 = arith.mulf %wi, %decay : f32
    %m1a = arith.mulf %mi, %beta1 : f32
    %m1b = arith.mulf %g, %omb1 : f32
    %m1 = arith.addf %m1a, %m1b : f32
    %g2 = arith.mulf %g, %g : f32
    %v1a = arith.mulf %vi, %beta2 : f32
    %v1b = arith.mulf %g2, %omb2 : f32
    %v1 = arith.addf %v1a, %v1b : f32
    %sv = math.sqrt %v1 : f32
    %svc = arith.divf %sv, %sqrtBc2 : f32
    %den = arith.addf %svc, %eps : f32
    %upd = arith.divf %m1, %den : f32
    %upds = arith.mulf %upd, %stepSize : f32
    %w1 = arith.subf %wd1, %upds : f32
    linalg.yield %w1, %m1, %v1 : f32, f32, f32
  } -> (tensor<256x256xf32>, tensor<256x256xf32>, tensor<256x256xf32>)

  return %loss, %gradNorm, %wNew, %mNew, %vNew
      : tensor<f32>, tensor<f32>, tensor<256x256xf32>, tensor<256x256xf32>,
        tensor<256x256xf32>
}
