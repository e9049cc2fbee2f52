// Losses over every rescale op and variant, for the gradient checks
// (rescale-ops.test); the float64 formulas are in ../models.py. Every loss is
// Σ r ⊙ op(...) with r a no_grad weighting. f32: the dialect's widest type.

func.func @rms_norm(%x: tensor<3x7xf32>, %w: tensor<7xf32>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<3x7xf32>, tensor<7xf32>) -> tensor<3x7xf32>
  %p = arith.mulf %y, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @preaffine_rms_norm(%x: tensor<2x3x5xf32>, %s: tensor<5xf32>, %w: tensor<5xf32>, %r: tensor<2x3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.preaffine_rms_norm %x, %s, %w {epsilon = 1.0e-05 : f32} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  %p = arith.mulf %y, %r : tensor<2x3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @add_rms_norm(%x: tensor<3x5xf32>, %res: tensor<3x5xf32>, %w: tensor<5xf32>, %r1: tensor<3x5xf32> {rescale.no_grad}, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %sum, %n = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-05 : f32} : (tensor<3x5xf32>, tensor<3x5xf32>, tensor<5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>)
  %q = arith.mulf %sum, %r1 : tensor<3x5xf32>
  %y = arith.addf %n, %q : tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_sigmoid(%x: tensor<3x7xf32>, %w: tensor<7xf32>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xf32>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32, gate_activation = #rescale.gate_activation<sigmoid>} : (tensor<3x7xf32>, tensor<7xf32>, tensor<7x3xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
  %p = arith.mulf %y, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_tanh(%x: tensor<3x7xf32>, %w: tensor<7xf32>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xf32>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32, gate_activation = #rescale.gate_activation<tanh>} : (tensor<3x7xf32>, tensor<7xf32>, tensor<7x3xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
  %p = arith.mulf %y, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_silu(%x: tensor<3x7xf32>, %w: tensor<7xf32>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xf32>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32, gate_activation = #rescale.gate_activation<silu>} : (tensor<3x7xf32>, tensor<7xf32>, tensor<7x3xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
  %p = arith.mulf %y, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_identity(%x: tensor<3x7xf32>, %w: tensor<7xf32>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xf32>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32, gate_activation = #rescale.gate_activation<identity>} : (tensor<3x7xf32>, tensor<7xf32>, tensor<7x3xf32>, tensor<3x7xf32>) -> tensor<3x7xf32>
  %p = arith.mulf %y, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_tensorwise(%x: tensor<2x2x5xf32>, %w: tensor<5xf32>, %wd: tensor<5x3xf32>, %wu: tensor<3x1xf32>, %r: tensor<2x2x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32} : (tensor<2x2x5xf32>, tensor<5xf32>, tensor<5x3xf32>, tensor<3x1xf32>) -> tensor<2x2x5xf32>
  %p = arith.mulf %y, %r : tensor<2x2x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x2x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @linear_bias(%x: tensor<2x3x5xf32>, %w: tensor<4x5xf32>, %b: tensor<4xf32>, %r: tensor<2x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.linear %x, %w, %b : (tensor<2x3x5xf32>, tensor<4x5xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %p = arith.mulf %y, %r : tensor<2x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @linear(%x: tensor<3x5xf32>, %w: tensor<4x5xf32>, %r: tensor<3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.linear %x, %w : (tensor<3x5xf32>, tensor<4x5xf32>) -> tensor<3x4xf32>
  %p = arith.mulf %y, %r : tensor<3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @dyt(%x: tensor<3x5xf32>, %alpha: tensor<1xf32>, %w: tensor<5xf32>, %b: tensor<5xf32>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.dyt %x, %alpha, %w, %b : (tensor<3x5xf32>, tensor<1xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @dyt_scalar_alpha(%x: tensor<3x5xf32>, %alpha: tensor<f32>, %w: tensor<5xf32>, %b: tensor<5xf32>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.dyt %x, %alpha, %w, %b : (tensor<3x5xf32>, tensor<f32>, tensor<5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @clip(%x: tensor<3x5xf32>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.clip %x {threshold = 0.7 : f32} : (tensor<3x5xf32>) -> tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @fake_quant(%x: tensor<2x32xf32>, %r: tensor<2x32xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<2x32xf32>) -> tensor<2x32xf32>
  %p = arith.mulf %y, %r : tensor<2x32xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x32xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention(%q: tensor<1x2x3x3xf32>, %k: tensor<1x2x5x3xf32>, %v: tensor<1x2x5x2xf32>, %r: tensor<1x2x3x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v {} : (tensor<1x2x3x3xf32>, tensor<1x2x5x3xf32>, tensor<1x2x5x2xf32>) -> tensor<1x2x3x2xf32>
  %p = arith.mulf %y, %r : tensor<1x2x3x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x2x3x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_causal(%q: tensor<2x2x4x3xf32>, %k: tensor<2x2x4x3xf32>, %v: tensor<2x2x4x3xf32>, %r: tensor<2x2x4x3xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v {causal} : (tensor<2x2x4x3xf32>, tensor<2x2x4x3xf32>, tensor<2x2x4x3xf32>) -> tensor<2x2x4x3xf32>
  %p = arith.mulf %y, %r : tensor<2x2x4x3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x2x4x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_gqa_offbyone_headwise(%q: tensor<1x4x3x3xf32>, %k: tensor<1x2x5x3xf32>, %v: tensor<1x2x5x2xf32>, %g: tensor<1x4x3xf32>, %r: tensor<1x4x3x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g {causal, scale = 0.3 : f32, softmax = #rescale.softmax<off_by_one>, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x3x3xf32>, tensor<1x2x5x3xf32>, tensor<1x2x5x2xf32>, tensor<1x4x3xf32>) -> tensor<1x4x3x2xf32>
  %p = arith.mulf %y, %r : tensor<1x4x3x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x4x3x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_sink_elementwise(%q: tensor<1x3x5x2xf32>, %k: tensor<1x1x3x2xf32>, %v: tensor<1x1x3x3xf32>, %g: tensor<1x3x5x3xf32>, %sinks: tensor<3xf32>, %r: tensor<1x3x5x3xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g, %sinks {causal, softmax = #rescale.softmax<learned_sink>, gate_kind = #rescale.gate_kind<elementwise>} : (tensor<1x3x5x2xf32>, tensor<1x1x3x2xf32>, tensor<1x1x3x3xf32>, tensor<1x3x5x3xf32>, tensor<3xf32>) -> tensor<1x3x5x3xf32>
  %p = arith.mulf %y, %r : tensor<1x3x5x3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x3x5x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// Standard softmax, causal with S = 5 > T = 2: rows 0-2 keep no key (lse =
// −inf, output and gradients 0), GQA 3 over 1, an elementwise gate.
func.func @attention_causal_empty_rows(%q: tensor<1x3x5x3xf32>, %k: tensor<1x1x2x3xf32>, %v: tensor<1x1x2x2xf32>, %g: tensor<1x3x5x2xf32>, %r: tensor<1x3x5x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g {causal, gate_kind = #rescale.gate_kind<elementwise>} : (tensor<1x3x5x3xf32>, tensor<1x1x2x3xf32>, tensor<1x1x2x2xf32>, tensor<1x3x5x2xf32>) -> tensor<1x3x5x2xf32>
  %p = arith.mulf %y, %r : tensor<1x3x5x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x3x5x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_sink(%q: tensor<2x2x3x3xf32>, %k: tensor<2x1x4x3xf32>, %v: tensor<2x1x4x2xf32>, %sinks: tensor<2xf32>, %r: tensor<2x2x3x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %sinks {softmax = #rescale.softmax<learned_sink>} : (tensor<2x2x3x3xf32>, tensor<2x1x4x3xf32>, tensor<2x1x4x2xf32>, tensor<2xf32>) -> tensor<2x2x3x2xf32>
  %p = arith.mulf %y, %r : tensor<2x2x3x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x2x3x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// Sigmoid attention (no normalization over the keys): non-causal, and causal
// with S = 5 > T = 3 (rows without keys), GQA 4 over 2, a headwise gate.
func.func @attention_sigmoid(%q: tensor<1x2x3x3xf32>, %k: tensor<1x2x5x3xf32>, %v: tensor<1x2x5x2xf32>, %r: tensor<1x2x3x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v {softmax = #rescale.softmax<sigmoid>} : (tensor<1x2x3x3xf32>, tensor<1x2x5x3xf32>, tensor<1x2x5x2xf32>) -> tensor<1x2x3x2xf32>
  %p = arith.mulf %y, %r : tensor<1x2x3x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x2x3x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_sigmoid_causal_gqa_headwise(%q: tensor<1x4x5x3xf32>, %k: tensor<1x2x3x3xf32>, %v: tensor<1x2x3x2xf32>, %g: tensor<1x4x5xf32>, %r: tensor<1x4x5x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g {causal, scale = 0.7 : f32, softmax = #rescale.softmax<sigmoid>, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x5x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x2xf32>, tensor<1x4x5xf32>) -> tensor<1x4x5x2xf32>
  %p = arith.mulf %y, %r : tensor<1x4x5x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x4x5x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}
