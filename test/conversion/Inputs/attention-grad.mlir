// attention_lse and attention_grad in every form the gradient rule emits
// (dialect/Autodiff/AttentionGrad.cpp): the softmax kinds, both gates, GQA,
// causal with S != T, narrow types. Shared by attention-grad-to-linalg.mlir
// and nvptx/attention-grad-ptxas.mlir.

func.func @attention_lse(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>) -> tensor<1x2x3xf32> {
  %l = rescale.attention_lse %q, %k : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>) -> tensor<1x2x3xf32>
  return %l : tensor<1x2x3xf32>
}

func.func @attention_lse_causal_sinks_bf16(%q: tensor<2x4x5x4xbf16>, %k: tensor<2x2x3x4xbf16>, %s: tensor<4xbf16>) -> tensor<2x4x5xf32> {
  %l = rescale.attention_lse %q, %k, %s {causal, scale = 0.3 : f32, softmax = #rescale.softmax<learned_sink>} : (tensor<2x4x5x4xbf16>, tensor<2x2x3x4xbf16>, tensor<4xbf16>) -> tensor<2x4x5xf32>
  return %l : tensor<2x4x5xf32>
}

func.func @attention_lse_off_by_one(%q: tensor<1x3x4x2xf16>, %k: tensor<1x1x4x2xf16>) -> tensor<1x3x4xf32> {
  %l = rescale.attention_lse %q, %k {causal, softmax = #rescale.softmax<off_by_one>} : (tensor<1x3x4x2xf16>, tensor<1x1x4x2xf16>) -> tensor<1x3x4xf32>
  return %l : tensor<1x3x4xf32>
}

func.func @attention_grad(%q: tensor<1x2x3x4xf32>, %k: tensor<1x2x5x4xf32>, %v: tensor<1x2x5x2xf32>, %lse: tensor<1x2x3xf32>, %dout: tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>) {
  %dq, %dk, %dv = rescale.attention_grad %q, %k, %v, %lse, %dout : (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>, tensor<1x2x3xf32>, tensor<1x2x3x2xf32>) -> (tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>)
  return %dq, %dk, %dv : tensor<1x2x3x4xf32>, tensor<1x2x5x4xf32>, tensor<1x2x5x2xf32>
}

func.func @attention_grad_headwise_sinks_bf16(%q: tensor<1x4x3x4xbf16>, %k: tensor<1x2x5x4xbf16>, %v: tensor<1x2x5x2xbf16>, %lse: tensor<1x4x3xf32>, %dout: tensor<1x4x3x2xbf16>, %g: tensor<1x4x3xbf16>, %s: tensor<4xf32>) -> (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>) {
  %dq, %dk, %dv, %dg, %ds = rescale.attention_grad %q, %k, %v, %lse, %dout, %g, %s {causal, gate_kind = #rescale.gate_kind<headwise>, softmax = #rescale.softmax<learned_sink>} : (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xf32>, tensor<1x4x3x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>) -> (tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>)
  return %dq, %dk, %dv, %dg, %ds : tensor<1x4x3x4xbf16>, tensor<1x2x5x4xbf16>, tensor<1x2x5x2xbf16>, tensor<1x4x3xbf16>, tensor<4xf32>
}

func.func @attention_grad_elementwise_f16(%q: tensor<1x3x5x2xf16>, %k: tensor<1x1x3x2xf16>, %v: tensor<1x1x3x3xf16>, %lse: tensor<1x3x5xf32>, %dout: tensor<1x3x5x3xf16>, %g: tensor<1x3x5x3xf16>) -> (tensor<1x3x5x2xf16>, tensor<1x1x3x2xf16>, tensor<1x1x3x3xf16>, tensor<1x3x5x3xf16>) {
  %dq, %dk, %dv, %dg = rescale.attention_grad %q, %k, %v, %lse, %dout, %g {causal, scale = 0.5 : f32, gate_kind = #rescale.gate_kind<elementwise>} : (tensor<1x3x5x2xf16>, tensor<1x1x3x2xf16>, tensor<1x1x3x3xf16>, tensor<1x3x5xf32>, tensor<1x3x5x3xf16>, tensor<1x3x5x3xf16>) -> (tensor<1x3x5x2xf16>, tensor<1x1x3x2xf16>, tensor<1x1x3x3xf16>, tensor<1x3x5x3xf16>)
  return %dq, %dk, %dv, %dg : tensor<1x3x5x2xf16>, tensor<1x1x3x2xf16>, tensor<1x1x3x3xf16>, tensor<1x3x5x3xf16>
}
