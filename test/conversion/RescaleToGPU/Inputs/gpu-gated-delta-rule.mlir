// The gated delta rule and its backward for the GPU tests: the emulated
// kernels (gated-delta-rule-emulated.test) and the device runs
// (gpu-gated-delta-rule.test) against the CPU reference path, on the
// normal(0, 1) inputs of rescale-run --random-inputs, conditioned here as a
// model conditions them: keys scaled by 0.3 (|k| about 0.6: a well
// conditioned triangular system per chunk, as unit keys give), g = −0.2 a²
// <= 0, and β = b² / (1 + b²) in [0, 1). T = 67 is two chunks of 34 with one
// padded token; two value heads share each key head. (No calls: the
// emulator follows one function's host code.)

#map4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

func.func @gdr_f32(%q: tensor<1x67x1x4xf32>, %k: tensor<1x67x1x4xf32>, %v: tensor<1x67x2x3xf32>, %a: tensor<1x67x2xf32>, %b: tensor<1x67x2xf32>) -> tensor<1x67x2x3xf32> {
  %c03 = arith.constant 0.3 : f32
  %ek = tensor.empty() : tensor<1x67x1x4xf32>
  %ks = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x67x1x4xf32>) outs(%ek : tensor<1x67x1x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %c03 : f32
    linalg.yield %y : f32
  } -> tensor<1x67x1x4xf32>
  %cg = arith.constant -0.2 : f32
  %one = arith.constant 1.0 : f32
  %eg = tensor.empty() : tensor<1x67x2xf32>
  %g, %beta = linalg.generic {indexing_maps = [#map3, #map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a, %b : tensor<1x67x2xf32>, tensor<1x67x2xf32>) outs(%eg, %eg : tensor<1x67x2xf32>, tensor<1x67x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o1: f32, %o2: f32):
    %x2 = arith.mulf %x, %x : f32
    %gv = arith.mulf %cg, %x2 : f32
    %y2 = arith.mulf %y, %y : f32
    %den = arith.addf %one, %y2 : f32
    %bv = arith.divf %y2, %den : f32
    linalg.yield %gv, %bv : f32, f32
  } -> (tensor<1x67x2xf32>, tensor<1x67x2xf32>)
  %out = rescale.gated_delta_rule %q, %ks, %v, %g, %beta : (tensor<1x67x1x4xf32>, tensor<1x67x1x4xf32>, tensor<1x67x2x3xf32>, tensor<1x67x2xf32>, tensor<1x67x2xf32>) -> tensor<1x67x2x3xf32>
  return %out : tensor<1x67x2x3xf32>
}

// bf16 activations, f32 decays: the result is rounded once to bf16.
func.func @gdr_bf16(%q: tensor<1x67x1x4xbf16>, %k: tensor<1x67x1x4xbf16>, %v: tensor<1x67x2x3xbf16>, %a: tensor<1x67x2xf32>, %b: tensor<1x67x2xf32>) -> tensor<1x67x2x3xbf16> {
  %c03 = arith.constant 0.3 : f32
  %ek = tensor.empty() : tensor<1x67x1x4xbf16>
  %ks = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x67x1x4xbf16>) outs(%ek : tensor<1x67x1x4xbf16>) {
  ^bb0(%x: bf16, %o: bf16):
    %xf = arith.extf %x : bf16 to f32
    %yf = arith.mulf %xf, %c03 : f32
    %y = arith.truncf %yf : f32 to bf16
    linalg.yield %y : bf16
  } -> tensor<1x67x1x4xbf16>
  %cg = arith.constant -0.2 : f32
  %one = arith.constant 1.0 : f32
  %eg = tensor.empty() : tensor<1x67x2xf32>
  %g, %beta = linalg.generic {indexing_maps = [#map3, #map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a, %b : tensor<1x67x2xf32>, tensor<1x67x2xf32>) outs(%eg, %eg : tensor<1x67x2xf32>, tensor<1x67x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o1: f32, %o2: f32):
    %x2 = arith.mulf %x, %x : f32
    %gv = arith.mulf %cg, %x2 : f32
    %y2 = arith.mulf %y, %y : f32
    %den = arith.addf %one, %y2 : f32
    %bv = arith.divf %y2, %den : f32
    linalg.yield %gv, %bv : f32, f32
  } -> (tensor<1x67x2xf32>, tensor<1x67x2xf32>)
  %out = rescale.gated_delta_rule %q, %ks, %v, %g, %beta : (tensor<1x67x1x4xbf16>, tensor<1x67x1x4xbf16>, tensor<1x67x2x3xbf16>, tensor<1x67x2xf32>, tensor<1x67x2xf32>) -> tensor<1x67x2x3xbf16>
  return %out : tensor<1x67x2x3xbf16>
}

// The fused backward: dq and dk are summed over the two value heads of the
// key head.
func.func @gdr_grad_f32(%q: tensor<1x67x1x4xf32>, %k: tensor<1x67x1x4xf32>, %v: tensor<1x67x2x3xf32>, %a: tensor<1x67x2xf32>, %b: tensor<1x67x2xf32>, %do: tensor<1x67x2x3xf32>) -> (tensor<1x67x1x4xf32>, tensor<1x67x1x4xf32>, tensor<1x67x2x3xf32>, tensor<1x67x2xf32>, tensor<1x67x2xf32>) {
  %c03 = arith.constant 0.3 : f32
  %ek = tensor.empty() : tensor<1x67x1x4xf32>
  %ks = linalg.generic {indexing_maps = [#map4, #map4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<1x67x1x4xf32>) outs(%ek : tensor<1x67x1x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %c03 : f32
    linalg.yield %y : f32
  } -> tensor<1x67x1x4xf32>
  %cg = arith.constant -0.2 : f32
  %one = arith.constant 1.0 : f32
  %eg = tensor.empty() : tensor<1x67x2xf32>
  %g, %beta = linalg.generic {indexing_maps = [#map3, #map3, #map3, #map3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%a, %b : tensor<1x67x2xf32>, tensor<1x67x2xf32>) outs(%eg, %eg : tensor<1x67x2xf32>, tensor<1x67x2xf32>) {
  ^bb0(%x: f32, %y: f32, %o1: f32, %o2: f32):
    %x2 = arith.mulf %x, %x : f32
    %gv = arith.mulf %cg, %x2 : f32
    %y2 = arith.mulf %y, %y : f32
    %den = arith.addf %one, %y2 : f32
    %bv = arith.divf %y2, %den : f32
    linalg.yield %gv, %bv : f32, f32
  } -> (tensor<1x67x2xf32>, tensor<1x67x2xf32>)
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %ks, %v, %g, %beta, %do : (tensor<1x67x1x4xf32>, tensor<1x67x1x4xf32>, tensor<1x67x2x3xf32>, tensor<1x67x2xf32>, tensor<1x67x2xf32>, tensor<1x67x2x3xf32>) -> (tensor<1x67x1x4xf32>, tensor<1x67x1x4xf32>, tensor<1x67x2x3xf32>, tensor<1x67x2xf32>, tensor<1x67x2xf32>)
  return %dq, %dk, %dv, %dg, %db : tensor<1x67x1x4xf32>, tensor<1x67x1x4xf32>, tensor<1x67x2x3xf32>, tensor<1x67x2xf32>, tensor<1x67x2xf32>
}
