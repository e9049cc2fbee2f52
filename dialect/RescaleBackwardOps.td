//===- RescaleBackwardOps.td - fused backward ops of the norms -*- tablegen -*-===//
//
// The backward ops that the gradient rules of the norms emit (issue 10,
// "Backward ops that the gradient rules emit, so that backward is fused like
// forward"): one op per forward norm, taking the forward's operands and the
// adjoint of its result(s) and returning the adjoint of every operand.
// Included from RescaleOps.td, whose constraints (Rescale_FloatTensor,
// Rescale_AnyFloatAttr) these use.
//
// Each op computes in f32 (like its forward's reference decomposition),
// recomputes the row statistic inv = rsqrt(mean(u²) + ε) from its operands,
// and rounds each gradient once to the type of the operand it belongs to.
// The math is written once, in the CPU decomposition
// (lowering/ToLinalg/NormsGradToLinalg.cpp); docs/autodiff.md has the rules
// that emit these ops.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_BACKWARD_OPS_TD
#define RESCALE_BACKWARD_OPS_TD

def Rescale_RMSNormGradOp : Rescale_Op<"rms_norm_grad", [Pure]> {
  let summary = "gradient of rescale.rms_norm w.r.t. x and weight";
  let description = [{
    For `y = weight ⊙ x · inv`, `inv = rsqrt(Σ_k x_k² / d + ε)` per row (the
    forward `rescale.rms_norm` with the same `epsilon`) and the adjoint `dy`
    of `y`:

    ```
    dx      = dy ⊙ weight · inv − x · inv³ · (Σ_k dy_k weight_k x_k) / d
    dweight = Σ_rows dy ⊙ x · inv
    ```

    `x` and `dy` have the same type `[..., d]`; `dx` has the type of `x`,
    `dweight` that of `weight` (`[d]`). Computed in f32, each result rounded
    once.

    Example:
    ```mlir
    %dx, %dw = rescale.rms_norm_grad %x, %w, %dy {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xbf16>, tensor<64xf32>, tensor<8x64xbf16>)
        -> (tensor<8x64xbf16>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$weight,
                       Rescale_FloatTensor:$dy,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$dx, Rescale_FloatTensor:$dweight);
  let assemblyFormat = "$x `,` $weight `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_PreAffineRMSNormGradOp : Rescale_Op<"preaffine_rms_norm_grad", [Pure]> {
  let summary = "gradient of rescale.preaffine_rms_norm";
  let description = [{
    PreAffine RMSNorm (arXiv 2601.22966 §3.3), `u = pre_scale ⊙ x`,
    `y = rms_norm(u, weight)`. With `du` the RMSNorm product of
    `rescale.rms_norm_grad` taken at `u`:

    ```
    dx         = du ⊙ pre_scale
    dpre_scale = Σ_rows du ⊙ x
    dweight    = Σ_rows dy ⊙ u · inv
    ```

    Results have the types of `x`, `pre_scale` and `weight`.

    Example:
    ```mlir
    %dx, %ds, %dw = rescale.preaffine_rms_norm_grad %x, %l1, %w, %dy {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<8x64xf32>)
        -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$pre_scale,
                       Rescale_FloatTensor:$weight, Rescale_FloatTensor:$dy,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$dx, Rescale_FloatTensor:$dpre_scale,
                      Rescale_FloatTensor:$dweight);
  let assemblyFormat = "$x `,` $pre_scale `,` $weight `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_AddRMSNormGradOp : Rescale_Op<"add_rms_norm_grad", [Pure]> {
  let summary = "gradient of rescale.add_rms_norm, from the adjoints of both results";
  let description = [{
    `rescale.add_rms_norm` returns `sum = x + residual` (in f32, rounded on
    store) and `y = rms_norm(sum, weight)`. Given `dsum`, the adjoint of
    `sum`, and `dy`, the adjoint of `y`, with `du` the RMSNorm product of
    `rescale.rms_norm_grad` taken at the f32 sum:

    ```
    dx = dresidual = dsum + du
    dweight        = Σ_rows dy ⊙ sum · inv
    ```

    `x`, `residual`, `dsum`, `dy`, `dx` and `dresidual` have one type;
    `dweight` has that of `weight`.

    Example:
    ```mlir
    %dx, %dr, %dw = rescale.add_rms_norm_grad %x, %res, %w, %dsum, %dy {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>, tensor<8x64xf32>, tensor<8x64xf32>)
        -> (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$residual,
                       Rescale_FloatTensor:$weight, Rescale_FloatTensor:$dsum,
                       Rescale_FloatTensor:$dy,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$dx, Rescale_FloatTensor:$dresidual,
                      Rescale_FloatTensor:$dweight);
  let assemblyFormat = "$x `,` $residual `,` $weight `,` $dsum `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_GatedNormGradOp : Rescale_Op<"gated_norm_grad", [Pure]> {
  let summary = "gradient of rescale.gated_norm";
  let description = [{
    GatedNorm (arXiv 2601.22966 §3.4): `y = rms_norm(x, weight)`,
    `h = y · w_down`, `s = swish(h)`, `z = s · w_up`, `g = act(z)`,
    `out = g ⊙ y`. The forward pieces are recomputed in f32 from the
    operands; with `dout` the adjoint of `out`:

    ```
    dg      = dout ⊙ y                (tensorwise: Σ_k over the row)
    dz      = dg ⊙ act'(z)
    dw_up   = Σ_rows sᵀ dz
    dh      = (dz · w_upᵀ) ⊙ swish'(h)
    dw_down = Σ_rows yᵀ dh
    dy      = dout ⊙ g + dh · w_downᵀ
    dx, dweight = the RMSNorm product of dy (rescale.rms_norm_grad)
    ```

    `act'` for each `gate_activation`: sigmoid `σ(z)(1 − σ(z))`, tanh
    `1 − tanh(z)²`, silu `σ(z)(1 + z(1 − σ(z)))`, identity `1`. A `w_up` of
    shape `[r, 1]` is the tensorwise gate, as in the forward. Results have
    the types of `x`, `weight`, `w_down` and `w_up`; `dout` has the type of
    `x`.

    Example:
    ```mlir
    %dx, %dw, %dwd, %dwu = rescale.gated_norm_grad %x, %w, %wd, %wu, %dout
        {epsilon = 1.0e-06 : f32, gate_activation = #rescale.gate_activation<sigmoid>}
        : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>, tensor<8x64xf32>)
        -> (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$weight,
                       Rescale_FloatTensor:$w_down, Rescale_FloatTensor:$w_up,
                       Rescale_FloatTensor:$dout,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon,
                       DefaultValuedAttr<Rescale_GateActivationAttr,
                                         "::mlir::rescale::GateActivation::sigmoid">:$gate_activation);
  let results = (outs Rescale_FloatTensor:$dx, Rescale_FloatTensor:$dweight,
                      Rescale_FloatTensor:$dw_down, Rescale_FloatTensor:$dw_up);
  let assemblyFormat = "$x `,` $weight `,` $w_down `,` $w_up `,` $dout attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // RESCALE_BACKWARD_OPS_TD
