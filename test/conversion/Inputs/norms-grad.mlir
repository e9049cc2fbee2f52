// The fused backward ops of the norms (dialect/RescaleBackwardOps.td), one
// function per op and variant: mixed precision, every gate activation, the
// tensorwise gate. Read by norms-grad-to-linalg.mlir (CPU decomposition) and
// nvptx/norms-grad-ptxas.mlir (generic kernels). Their numerics are checked
// through the gradient rules that emit them (test/autodiff/rescale-ops*.test).

func.func @rms_norm_grad(%x: tensor<3x5x8xf32>, %w: tensor<8xf32>, %dy: tensor<3x5x8xf32>) -> (tensor<3x5x8xf32>, tensor<8xf32>) {
  %dx, %dw = rescale.rms_norm_grad %x, %w, %dy {epsilon = 1.0e-5 : f32} : (tensor<3x5x8xf32>, tensor<8xf32>, tensor<3x5x8xf32>) -> (tensor<3x5x8xf32>, tensor<8xf32>)
  return %dx, %dw : tensor<3x5x8xf32>, tensor<8xf32>
}

func.func @rms_norm_grad_bf16(%x: tensor<4x16xbf16>, %w: tensor<16xf32>, %dy: tensor<4x16xbf16>) -> (tensor<4x16xbf16>, tensor<16xf32>) {
  %dx, %dw = rescale.rms_norm_grad %x, %w, %dy : (tensor<4x16xbf16>, tensor<16xf32>, tensor<4x16xbf16>) -> (tensor<4x16xbf16>, tensor<16xf32>)
  return %dx, %dw : tensor<4x16xbf16>, tensor<16xf32>
}

func.func @preaffine_rms_norm_grad(%x: tensor<4x16xf16>, %s: tensor<16xf32>, %w: tensor<16xf16>, %dy: tensor<4x16xf16>) -> (tensor<4x16xf16>, tensor<16xf32>, tensor<16xf16>) {
  %dx, %ds, %dw = rescale.preaffine_rms_norm_grad %x, %s, %w, %dy : (tensor<4x16xf16>, tensor<16xf32>, tensor<16xf16>, tensor<4x16xf16>) -> (tensor<4x16xf16>, tensor<16xf32>, tensor<16xf16>)
  return %dx, %ds, %dw : tensor<4x16xf16>, tensor<16xf32>, tensor<16xf16>
}

func.func @add_rms_norm_grad(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>, %w: tensor<16xf32>, %dsum: tensor<4x16xf32>, %dy: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>) {
  %dx, %dr, %dw = rescale.add_rms_norm_grad %x, %r, %w, %dsum, %dy : (tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>)
  return %dx, %dr, %dw : tensor<4x16xf32>, tensor<4x16xf32>, tensor<16xf32>
}

func.func @gated_norm_grad_sigmoid(%x: tensor<2x3x16xf32>, %w: tensor<16xf32>, %wd: tensor<16x4xf32>, %wu: tensor<4x16xf32>, %dout: tensor<2x3x16xf32>) -> (tensor<2x3x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<2x3x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>, tensor<2x3x16xf32>) -> (tensor<2x3x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<2x3x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>
}

func.func @gated_norm_grad_tanh(%x: tensor<4x16xf32>, %w: tensor<16xf32>, %wd: tensor<16x4xf32>, %wu: tensor<4x16xf32>, %dout: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout {gate_activation = #rescale.gate_activation<tanh>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>
}

func.func @gated_norm_grad_silu(%x: tensor<4x16xf32>, %w: tensor<16xf32>, %wd: tensor<16x4xf32>, %wu: tensor<4x16xf32>, %dout: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout {gate_activation = #rescale.gate_activation<silu>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>
}

func.func @gated_norm_grad_identity(%x: tensor<4x16xf32>, %w: tensor<16xf32>, %wd: tensor<16x4xf32>, %wu: tensor<4x16xf32>, %dout: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout {gate_activation = #rescale.gate_activation<identity>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<4x16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x16xf32>
}

func.func @gated_norm_grad_tensorwise_bf16(%x: tensor<4x16xbf16>, %w: tensor<16xf32>, %wd: tensor<16x4xf32>, %wu: tensor<4x1xf32>, %dout: tensor<4x16xbf16>) -> (tensor<4x16xbf16>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x1xf32>) {
  %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout : (tensor<4x16xbf16>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x1xf32>, tensor<4x16xbf16>) -> (tensor<4x16xbf16>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x1xf32>)
  return %dx, %dw, %dwd, %dwu : tensor<4x16xbf16>, tensor<16xf32>, tensor<16x4xf32>, tensor<4x1xf32>
}
