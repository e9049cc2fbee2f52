// An RMSNorm as torch-mlir writes it: one linalg.generic per op, mean as
// sum * (1/d). test/install/downstream.test raises it and runs it from an
// installed Rescale.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @rms_norm(%x: tensor<7x16xf32>, %w: tensor<16xf32>) -> tensor<7x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<7x16xf32>
  %e0 = tensor.empty() : tensor<7xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<7xf32>) -> tensor<7xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<7x16xf32>) outs(%e1 : tensor<7x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<7x16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<7x16xf32>) outs(%acc : tensor<7xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<7xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : tensor<7xf32>) outs(%e0 : tensor<7xf32>) {
  ^bb0(%a: f32, %o: f32):
    %inv = arith.constant 0.0625 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.mulf %a, %inv : f32
    %p = arith.addf %m, %eps : f32
    %rs = math.rsqrt %p : f32
    linalg.yield %rs : f32
  } -> tensor<7xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %r, %w : tensor<7x16xf32>, tensor<7xf32>, tensor<16xf32>) outs(%e1 : tensor<7x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %n = arith.mulf %a, %b : f32
    %m = arith.mulf %n, %c : f32
    linalg.yield %m : f32
  } -> tensor<7x16xf32>
  return %y : tensor<7x16xf32>
}
