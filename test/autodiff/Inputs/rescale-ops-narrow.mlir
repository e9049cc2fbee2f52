// The rescale ops in their narrow types (rescale-ops-narrow.test; the float64
// models are those of rescale-ops.mlir in ../models.py). Activations in bf16
// or f16, parameters in the activation type or f32 (mixed precision); the
// loss Σ r ⊙ op(...) is taken in f32.

func.func @rms_norm_bf16(%x: tensor<3x7xbf16>, %w: tensor<7xbf16>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<3x7xbf16>, tensor<7xbf16>) -> tensor<3x7xbf16>
  %yf = arith.extf %y : tensor<3x7xbf16> to tensor<3x7xf32>
  %p = arith.mulf %yf, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @preaffine_rms_norm_f16(%x: tensor<2x3x5xf16>, %s: tensor<5xf32>, %w: tensor<5xf16>, %r: tensor<2x3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.preaffine_rms_norm %x, %s, %w {epsilon = 1.0e-05 : f32} : (tensor<2x3x5xf16>, tensor<5xf32>, tensor<5xf16>) -> tensor<2x3x5xf16>
  %yf = arith.extf %y : tensor<2x3x5xf16> to tensor<2x3x5xf32>
  %p = arith.mulf %yf, %r : tensor<2x3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_sigmoid_bf16(%x: tensor<3x7xbf16>, %w: tensor<7xbf16>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xbf16>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32} : (tensor<3x7xbf16>, tensor<7xbf16>, tensor<7x3xf32>, tensor<3x7xbf16>) -> tensor<3x7xbf16>
  %yf = arith.extf %y : tensor<3x7xbf16> to tensor<3x7xf32>
  %p = arith.mulf %yf, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @linear_bias_bf16(%x: tensor<2x3x5xbf16>, %w: tensor<4x5xf32>, %b: tensor<4xbf16>, %r: tensor<2x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.linear %x, %w, %b : (tensor<2x3x5xbf16>, tensor<4x5xf32>, tensor<4xbf16>) -> tensor<2x3x4xbf16>
  %yf = arith.extf %y : tensor<2x3x4xbf16> to tensor<2x3x4xf32>
  %p = arith.mulf %yf, %r : tensor<2x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @dyt_f16(%x: tensor<3x5xf16>, %alpha: tensor<1xf16>, %w: tensor<5xf16>, %b: tensor<5xf32>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.dyt %x, %alpha, %w, %b : (tensor<3x5xf16>, tensor<1xf16>, tensor<5xf16>, tensor<5xf32>) -> tensor<3x5xf16>
  %yf = arith.extf %y : tensor<3x5xf16> to tensor<3x5xf32>
  %p = arith.mulf %yf, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_sink_elementwise_bf16(%q: tensor<1x3x5x2xbf16>, %k: tensor<1x1x3x2xbf16>, %v: tensor<1x1x3x3xbf16>, %g: tensor<1x3x5x3xbf16>, %sinks: tensor<3xf32>, %r: tensor<1x3x5x3xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g, %sinks {causal, softmax = #rescale.softmax<learned_sink>, gate_kind = #rescale.gate_kind<elementwise>} : (tensor<1x3x5x2xbf16>, tensor<1x1x3x2xbf16>, tensor<1x1x3x3xbf16>, tensor<1x3x5x3xbf16>, tensor<3xf32>) -> tensor<1x3x5x3xbf16>
  %yf = arith.extf %y : tensor<1x3x5x3xbf16> to tensor<1x3x5x3xf32>
  %p = arith.mulf %yf, %r : tensor<1x3x5x3xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x3x5x3xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @attention_gqa_offbyone_headwise_f16(%q: tensor<1x4x3x3xf16>, %k: tensor<1x2x5x3xf16>, %v: tensor<1x2x5x2xf16>, %g: tensor<1x4x3xf16>, %r: tensor<1x4x3x2xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.attention %q, %k, %v, %g {causal, scale = 0.3 : f32, softmax = #rescale.softmax<off_by_one>, gate_kind = #rescale.gate_kind<headwise>} : (tensor<1x4x3x3xf16>, tensor<1x2x5x3xf16>, tensor<1x2x5x2xf16>, tensor<1x4x3xf16>) -> tensor<1x4x3x2xf16>
  %yf = arith.extf %y : tensor<1x4x3x2xf16> to tensor<1x4x3x2xf32>
  %p = arith.mulf %yf, %r : tensor<1x4x3x2xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<1x4x3x2xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2, 3]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// add_rms_norm in f16 with an f32 weight: both results (the sum, the norm)
// reach the loss, so both of the rule's paths are checked.
func.func @add_rms_norm_f16(%x: tensor<3x5xf16>, %res: tensor<3x5xf16>, %w: tensor<5xf32>, %r1: tensor<3x5xf32> {rescale.no_grad}, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %sum, %n = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-05 : f32} : (tensor<3x5xf16>, tensor<3x5xf16>, tensor<5xf32>) -> (tensor<3x5xf16>, tensor<3x5xf16>)
  %sumf = arith.extf %sum : tensor<3x5xf16> to tensor<3x5xf32>
  %nf = arith.extf %n : tensor<3x5xf16> to tensor<3x5xf32>
  %q = arith.mulf %sumf, %r1 : tensor<3x5xf32>
  %y = arith.addf %nf, %q : tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @clip_bf16(%x: tensor<3x5xbf16>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.clip %x {threshold = 0.7 : f32} : (tensor<3x5xbf16>) -> tensor<3x5xbf16>
  %yf = arith.extf %y : tensor<3x5xbf16> to tensor<3x5xf32>
  %p = arith.mulf %yf, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @fake_quant_f16(%x: tensor<2x32xf16>, %r: tensor<2x32xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<2x32xf16>) -> tensor<2x32xf16>
  %yf = arith.extf %y : tensor<2x32xf16> to tensor<2x32xf32>
  %p = arith.mulf %yf, %r : tensor<2x32xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x32xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

// The other narrow type of each case above (the same function, f16 and bf16
// swapped), so that every rule is checked in every dtype its forward takes.
func.func @rms_norm_f16(%x: tensor<3x7xf16>, %w: tensor<7xf16>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-05 : f32} : (tensor<3x7xf16>, tensor<7xf16>) -> tensor<3x7xf16>
  %yf = arith.extf %y : tensor<3x7xf16> to tensor<3x7xf32>
  %p = arith.mulf %yf, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @preaffine_rms_norm_bf16(%x: tensor<2x3x5xbf16>, %s: tensor<5xf32>, %w: tensor<5xbf16>, %r: tensor<2x3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.preaffine_rms_norm %x, %s, %w {epsilon = 1.0e-05 : f32} : (tensor<2x3x5xbf16>, tensor<5xf32>, tensor<5xbf16>) -> tensor<2x3x5xbf16>
  %yf = arith.extf %y : tensor<2x3x5xbf16> to tensor<2x3x5xf32>
  %p = arith.mulf %yf, %r : tensor<2x3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @gated_norm_sigmoid_f16(%x: tensor<3x7xf16>, %w: tensor<7xf16>, %wd: tensor<7x3xf32>, %wu: tensor<3x7xf16>, %r: tensor<3x7xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-05 : f32} : (tensor<3x7xf16>, tensor<7xf16>, tensor<7x3xf32>, tensor<3x7xf16>) -> tensor<3x7xf16>
  %yf = arith.extf %y : tensor<3x7xf16> to tensor<3x7xf32>
  %p = arith.mulf %yf, %r : tensor<3x7xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x7xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @linear_bias_f16(%x: tensor<2x3x5xf16>, %w: tensor<4x5xf32>, %b: tensor<4xf16>, %r: tensor<2x3x4xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.linear %x, %w, %b : (tensor<2x3x5xf16>, tensor<4x5xf32>, tensor<4xf16>) -> tensor<2x3x4xf16>
  %yf = arith.extf %y : tensor<2x3x4xf16> to tensor<2x3x4xf32>
  %p = arith.mulf %yf, %r : tensor<2x3x4xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x3x4xf32>) outs(%z : tensor<f32>) dimensions = [0, 1, 2]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @dyt_bf16(%x: tensor<3x5xbf16>, %alpha: tensor<1xbf16>, %w: tensor<5xbf16>, %b: tensor<5xf32>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.dyt %x, %alpha, %w, %b : (tensor<3x5xbf16>, tensor<1xbf16>, tensor<5xbf16>, tensor<5xf32>) -> tensor<3x5xbf16>
  %yf = arith.extf %y : tensor<3x5xbf16> to tensor<3x5xf32>
  %p = arith.mulf %yf, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @add_rms_norm_bf16(%x: tensor<3x5xbf16>, %res: tensor<3x5xbf16>, %w: tensor<5xf32>, %r1: tensor<3x5xf32> {rescale.no_grad}, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %sum, %n = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-05 : f32} : (tensor<3x5xbf16>, tensor<3x5xbf16>, tensor<5xf32>) -> (tensor<3x5xbf16>, tensor<3x5xbf16>)
  %sumf = arith.extf %sum : tensor<3x5xbf16> to tensor<3x5xf32>
  %nf = arith.extf %n : tensor<3x5xbf16> to tensor<3x5xf32>
  %q = arith.mulf %sumf, %r1 : tensor<3x5xf32>
  %y = arith.addf %nf, %q : tensor<3x5xf32>
  %p = arith.mulf %y, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @clip_f16(%x: tensor<3x5xf16>, %r: tensor<3x5xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.clip %x {threshold = 0.7 : f32} : (tensor<3x5xf16>) -> tensor<3x5xf16>
  %yf = arith.extf %y : tensor<3x5xf16> to tensor<3x5xf32>
  %p = arith.mulf %yf, %r : tensor<3x5xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<3x5xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}

func.func @fake_quant_bf16(%x: tensor<2x32xbf16>, %r: tensor<2x32xf32> {rescale.no_grad}) -> tensor<f32> {
  %y = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>} : (tensor<2x32xbf16>) -> tensor<2x32xbf16>
  %yf = arith.extf %y : tensor<2x32xbf16> to tensor<2x32xf32>
  %p = arith.mulf %yf, %r : tensor<2x32xf32>
  %z = arith.constant dense<0.0> : tensor<f32>
  %l = linalg.reduce ins(%p : tensor<2x32xf32>) outs(%z : tensor<f32>) dimensions = [0, 1]
    (%a: f32, %acc: f32) {
      %t = arith.addf %a, %acc : f32
      linalg.yield %t : f32
    }
  return %l : tensor<f32>
}
