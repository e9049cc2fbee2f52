// RUN: rescale-opt %s --split-input-file --rescale-tosa-to-linalg --rescale-raise | FileCheck %s
// The same pass from the system mlir-opt with the plugin loaded:
// RUN: %system_mlir_opt %s --load-dialect-plugin=%rescale_plugin --load-pass-plugin=%rescale_plugin \
// RUN:   --split-input-file --pass-pipeline='builtin.module(rescale-tosa-to-linalg,rescale-raise)' | FileCheck %s
// Without the TOSA lowering first, TOSA stays and the pass says why (it runs
// no pipeline of its own):
// RUN: rescale-opt %s --split-input-file --rescale-raise 2>&1 >/dev/null | FileCheck %s --check-prefix=UNLOWERED

// torch-mlir style: one linalg.generic per op, mean as sum * (1/d).
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @rms_norm_linalg_generics
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[Y]]
func.func @rms_norm_linalg_generics(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<4x8xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sq = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%sq : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%sum : tensor<4xf32>) outs(%e0 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %inv = arith.constant 0.125 : f32
    %eps = arith.constant 1.0e-6 : f32
    %m = arith.mulf %a, %inv : f32
    %p = arith.addf %m, %eps : f32
    %rs = math.rsqrt %p : f32
    linalg.yield %rs : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %r, %w : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %n = arith.mulf %a, %b : f32
    %m = arith.mulf %n, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// arith on tensors, linalg.reduce, sum / d, sqrt then divide, weight first.
// CHECK-LABEL: func.func @rms_norm_sqrt_divide_arith
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x16xf32>, %[[W:.+]]: tensor<16xf32>)
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] {epsilon = 9.99999974E-6 : f32}
// CHECK-NOT: math.sqrt
// CHECK: return %[[Y]]
func.func @rms_norm_sqrt_divide_arith(%x: tensor<2x3x16xf32>, %w: tensor<16xf32>) -> tensor<2x3x16xf32> {
  %zero = arith.constant 0.0 : f32
  %d = arith.constant dense<16.0> : tensor<2x3xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<2x3xf32>
  %e0 = tensor.empty() : tensor<2x3xf32>
  %e1 = tensor.empty() : tensor<2x3x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<2x3xf32>) -> tensor<2x3xf32>
  %sq = arith.mulf %x, %x : tensor<2x3x16xf32>
  %sum = linalg.reduce ins(%sq : tensor<2x3x16xf32>) outs(%acc : tensor<2x3xf32>) dimensions = [2]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %mean = arith.divf %sum, %d : tensor<2x3xf32>
  %v = arith.addf %mean, %eps : tensor<2x3xf32>
  %rms = math.sqrt %v : tensor<2x3xf32>
  %rb = linalg.broadcast ins(%rms : tensor<2x3xf32>) outs(%e1 : tensor<2x3x16xf32>) dimensions = [2]
  %wb = linalg.broadcast ins(%w : tensor<16xf32>) outs(%e1 : tensor<2x3x16xf32>) dimensions = [0, 1]
  %n = arith.divf %x, %rb : tensor<2x3x16xf32>
  %y = arith.mulf %wb, %n : tensor<2x3x16xf32>
  return %y : tensor<2x3x16xf32>
}

// -----

// Hugging Face LlamaRMSNorm in bf16: upcast, pow(x, 2), mean, rsqrt,
// truncate back, then the weight in bf16.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @rms_norm_bf16_upcast_pow
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xbf16>, %[[W:.+]]: tensor<8xbf16>)
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] : (tensor<4x8xbf16>, tensor<8xbf16>) -> tensor<4x8xbf16>
// CHECK-NEXT: return %[[Y]]
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

// -----

// PreAffine RMSNorm (§3.3): the statistic is taken of u = λ₁ ⊙ x.
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @preaffine_rms_norm
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[L:.+]]: tensor<8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK: %[[Y:.+]] = rescale.preaffine_rms_norm %[[X]], %[[L]], %[[W]]
// CHECK-NEXT: return %[[Y]]
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

// -----

// TOSA (as onnx-mlir / tf emit it): lowered with rescale-tosa-to-linalg,
// then raised.
// UNLOWERED: warning: TOSA ops are not raised; lower them first with --rescale-tosa-to-linalg (rescale-compile and rescale-run do)
// UNLOWERED-NOT: warning
// CHECK-LABEL: func.func @rms_norm_tosa
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[W:.+]] = arith.constant dense<{{.*}}> : tensor<8xf32>
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] : (tensor<4x8xf32>, tensor<8xf32>)
// CHECK-NOT: tosa.
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @rms_norm_tosa(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %invd = "tosa.const"() <{values = dense<0.125> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %eps = "tosa.const"() <{values = dense<1.0e-6> : tensor<1x1xf32>}> : () -> tensor<1x1xf32>
  %w = "tosa.const"() <{values = dense<[[1.0, 2.0, 0.5, 1.5, 1.0, 0.25, 3.0, 1.0]]> : tensor<1x8xf32>}> : () -> tensor<1x8xf32>
  %sq = tosa.mul %x, %x, %shift : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  %sum = tosa.reduce_sum %sq {axis = 1 : i32} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %mean = tosa.mul %sum, %invd, %shift : (tensor<4x1xf32>, tensor<1x1xf32>, tensor<1xi8>) -> tensor<4x1xf32>
  %v = tosa.add %mean, %eps : (tensor<4x1xf32>, tensor<1x1xf32>) -> tensor<4x1xf32>
  %r = tosa.rsqrt %v : (tensor<4x1xf32>) -> tensor<4x1xf32>
  %n = tosa.mul %x, %r, %shift : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  %y = tosa.mul %n, %w, %shift : (tensor<4x8xf32>, tensor<1x8xf32>, tensor<1xi8>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Near-miss: the mean is over the rows (dim 0), not the hidden dimension.
// CHECK-LABEL: func.func @not_rms_norm_reduction_over_rows
// CHECK-NOT: rescale.
// CHECK: linalg.reduce
// CHECK-NOT: rescale.
func.func @not_rms_norm_reduction_over_rows(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %d = arith.constant dense<8.0> : tensor<8xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<8xf32>
  %e0 = tensor.empty() : tensor<8xf32>
  %e1 = tensor.empty() : tensor<8x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<8xf32>) -> tensor<8xf32>
  %sq = arith.mulf %x, %x : tensor<8x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<8x8xf32>) outs(%acc : tensor<8xf32>) dimensions = [0]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %mean = arith.divf %sum, %d : tensor<8xf32>
  %v = arith.addf %mean, %eps : tensor<8xf32>
  %r = math.rsqrt %v : tensor<8xf32>
  %rb = linalg.broadcast ins(%r : tensor<8xf32>) outs(%e1 : tensor<8x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// -----

// Near-miss: no ε inside the square root.
// CHECK-LABEL: func.func @not_rms_norm_missing_epsilon
// CHECK-NOT: rescale.
// CHECK: math.rsqrt
// CHECK-NOT: rescale.
func.func @not_rms_norm_missing_epsilon(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %d = arith.constant dense<8.0> : tensor<4xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %mean = arith.divf %sum, %d : tensor<4xf32>
  %r = math.rsqrt %mean : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e1 : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %x, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Near-miss: the mean is of x² but the product scales a different value.
// CHECK-LABEL: func.func @not_rms_norm_other_value
// CHECK-NOT: rescale.
func.func @not_rms_norm_other_value(%x: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %d = arith.constant dense<8.0> : tensor<4xf32>
  %eps = arith.constant dense<1.0e-5> : tensor<4xf32>
  %e0 = tensor.empty() : tensor<4xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %sq = arith.mulf %x, %x : tensor<4x8xf32>
  %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  %mean = arith.divf %sum, %d : tensor<4xf32>
  %v = arith.addf %mean, %eps : tensor<4xf32>
  %r = math.rsqrt %v : tensor<4xf32>
  %rb = linalg.broadcast ins(%r : tensor<4xf32>) outs(%e1 : tensor<4x8xf32>) dimensions = [1]
  %y = arith.mulf %z, %rb : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// torch-mlir's decomposition of LlamaRMSNorm: keepdim reductions written to
// [B, S, 1] through a constant-0 output map, the mean divided by sitofp(d),
// add.Scalar's `eps * alpha` left unfolded, powf with 2.0 in f64 truncated.
#x3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#k3 = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
#w3 = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @rms_norm_torch_keepdim
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x8xf32>, %[[W:.+]]: tensor<8xf32>)
// CHECK: %[[Y:.+]] = rescale.rms_norm %[[X]], %[[W]] {epsilon = 9.99999974E-6 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @rms_norm_torch_keepdim(%x: tensor<2x3x8xf32>, %w: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<2x3x8xf32>
  %ek = tensor.empty() : tensor<2x3x1xf32>
  %sq = linalg.generic {indexing_maps = [#x3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x3x8xf32>) outs(%e3 : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f64
    %t = arith.truncf %two : f64 to f32
    %p = math.powf %a, %t : f32
    linalg.yield %p : f32
  } -> tensor<2x3x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%ek : tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %sum = linalg.generic {indexing_maps = [#x3, #k3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%sq : tensor<2x3x8xf32>) outs(%acc : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x3x1xf32>
  %mean = linalg.generic {indexing_maps = [#x3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sum : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.constant 8 : i64
    %df = arith.sitofp %d : i64 to f32
    %m = arith.divf %a, %df : f32
    linalg.yield %m : f32
  } -> tensor<2x3x1xf32>
  %r = linalg.generic {indexing_maps = [#x3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%mean : tensor<2x3x1xf32>) outs(%ek : tensor<2x3x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %eps = arith.constant 1.0e-5 : f64
    %alpha = arith.constant 1.0 : f64
    %ea = arith.mulf %eps, %alpha : f64
    %e = arith.truncf %ea : f64 to f32
    %v = arith.addf %a, %e : f32
    %q = math.rsqrt %v : f32
    linalg.yield %q : f32
  } -> tensor<2x3x1xf32>
  %n = linalg.generic {indexing_maps = [#x3, #k3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %r : tensor<2x3x8xf32>, tensor<2x3x1xf32>) outs(%e3 : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x3x8xf32>
  %y = linalg.generic {indexing_maps = [#w3, #x3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w, %n : tensor<8xf32>, tensor<2x3x8xf32>) outs(%e3 : tensor<2x3x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// The 1/d inside the reduction: sum(x·x / d), the divide spelled 1/sqrt.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @rms_norm_scaled_inside_reduction
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>)
// CHECK: %[[ONES:.+]] = arith.constant dense<1.000000e+00> : tensor<8xf32>
// CHECK: rescale.rms_norm %[[X]], %[[ONES]] {epsilon = 9.99999974E-6 : f32}
func.func @rms_norm_scaled_inside_reduction(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<4xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e0 : tensor<4xf32>) -> tensor<4xf32>
  %ms = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.constant 8.0 : f32
    %p = arith.mulf %a, %a : f32
    %q = arith.divf %p, %d : f32
    %s = arith.addf %q, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ms : tensor<4x8xf32>, tensor<4xf32>) outs(%e1 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %eps = arith.constant 1.0e-5 : f32
    %v = arith.addf %m, %eps : f32
    %r = math.sqrt %v : f32
    %inv = arith.divf %one, %r : f32
    %t = arith.mulf %a, %inv : f32
    linalg.yield %t : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
