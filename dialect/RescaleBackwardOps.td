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
// (conversion/RescaleToLinalg/NormsGradToLinalg.cpp); docs/autodiff.md has the rules
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

//===----------------------------------------------------------------------===//
// Attention: the saved statistic and the fused backward
//===----------------------------------------------------------------------===//

def Rescale_AttentionLSEOp : Rescale_Op<"attention_lse", [Pure]> {
  let summary = "the log-sum-exp of rescale.attention's softmax rows, saved for the backward";
  let description = [{
    The softmax statistic that `rescale.attention_grad` recomputes the
    probabilities from, FlashAttention-2's `L` (arXiv 2307.08691, Alg. 1-2):
    for `q [B,Hq,S,D]`, `k [B,Hkv,T,D]` and, under `softmax = learned_sink`,
    `sinks [Hq]`, with the scores, mask, scale and GQA of `rescale.attention`:

    ```
    lse[b,h,i] = log(Σ_{j kept} exp(s[i,j]) + extra)
    extra = 0 (standard), 1 (off_by_one), exp(sinks[h]) (learned_sink)
    ```

    computed stably (`m + log(Σ exp(s − m) + extra·exp(−m))`, m the row
    max including the extra term's logit) in f32. A row with an empty
    denominator (standard softmax, causal, no key kept) has `lse = −inf`,
    which the backward reads as "all probabilities are 0", as the forward
    defines them. Sigmoid attention (`softmax = sigmoid`) has no normalizer:
    its `lse` is 0, and `rescale.attention_grad` recomputes each
    p = σ(s − log T) from its score alone, with ds = scale · dp ⊙ p ⊙ (1 − p).

    The forward `rescale.attention` does not return this statistic: the
    gradient rule of `rescale.attention` puts this op right after the forward
    op, where a forward kernel that also writes `lse` would, so that the
    backward keeps `[B,Hq,S]` floats instead of the `S×T` probabilities. It
    costs one more `q·kᵀ` pass than FlashAttention's forward.

    Example:
    ```mlir
    %lse = rescale.attention_lse %q, %k {causal}
        : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>) -> tensor<1x8x16xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Optional<Rescale_FloatTensor>:$sinks,
                       UnitAttr:$causal,
                       OptionalAttr<Rescale_AnyFloatAttr>:$scale,
                       DefaultValuedAttr<Rescale_SoftmaxKindAttr,
                                         "::mlir::rescale::SoftmaxKind::standard">:$softmax);
  let results = (outs Rescale_FloatTensor:$lse);
  let assemblyFormat = "$q `,` $k (`,` $sinks^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    double getScaleValue();
  }];
}

def Rescale_AttentionGradOp : Rescale_Op<"attention_grad", [Pure]> {
  let summary = "gradient of rescale.attention w.r.t. q, k, v, the gate and the sinks";
  let description = [{
    The backward of `rescale.attention` in the form of FlashAttention-2's
    (arXiv 2307.08691, Alg. 2): the probabilities are recomputed from `q`,
    `k` and the saved row statistic `lse` (`rescale.attention_lse`), never
    stored. Operands: the forward's `q`, `k` and `v`, the saved `lse
    [B,Hq,S]` (f32), `dout`, the adjoint of the forward's result
    (`[B,Hq,S,Dv]`, q's element type), then the forward's gate and sinks as
    its attributes call for them. Attributes: the forward's (`causal`, `scale`, `gate_kind`,
    `softmax`). Results: `dq`, `dk`, `dv`, then `dgate` and `dsinks` where
    the forward has those operands, each of its operand's type.

    With `s = scale·q·kᵀ` (masked keys excluded), `p = exp(s − lse)`,
    `o = p·v` and the gate `σ = σ(gate)` (1 without a gate):

    ```
    do    = dout ⊙ σ
    dgate = dout ⊙ o ⊙ σ(1 − σ)        (summed over Dv for a headwise gate)
    dv    = pᵀ · do                    (summed over the query heads of a group)
    dp    = do · vᵀ;  δ = Σ_j p ⊙ dp;  ds = p ⊙ (dp − δ)
    dq    = scale · ds · k;  dk = scale · dsᵀ · q
    dsinks[h] = −Σ_{b,i} exp(sinks[h] − lse) · δ
    ```

    The softmax Jacobian has this form under every `softmax` kind: the
    extra term of the denominator does not depend on `s`. Everything is
    computed in f32 and each result rounded once to its operand's type.

    Example:
    ```mlir
    %dq, %dk, %dv, %dg = rescale.attention_grad %q, %k, %v, %lse, %dout, %g
        {causal, gate_kind = #rescale.gate_kind<headwise>}
        : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>,
           tensor<1x8x16xf32>, tensor<1x8x16x64xf32>, tensor<1x8x16xf32>)
        -> (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>,
            tensor<1x8x16xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Rescale_FloatTensor:$v,
                       Rescale_FloatTensor:$lse, Rescale_FloatTensor:$dout,
                       Variadic<Rescale_FloatTensor>:$gate_and_sinks,
                       UnitAttr:$causal,
                       OptionalAttr<Rescale_AnyFloatAttr>:$scale,
                       DefaultValuedAttr<Rescale_GateKindAttr,
                                         "::mlir::rescale::GateKind::none">:$gate_kind,
                       DefaultValuedAttr<Rescale_SoftmaxKindAttr,
                                         "::mlir::rescale::SoftmaxKind::standard">:$softmax);
  let results = (outs Rescale_FloatTensor:$dq, Rescale_FloatTensor:$dk,
                      Rescale_FloatTensor:$dv,
                      Variadic<Rescale_FloatTensor>:$dgate_and_dsinks);
  let assemblyFormat = "$q `,` $k `,` $v `,` $lse `,` $dout (`,` $gate_and_sinks^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The gate operand, or null when gate_kind is none.
    ::mlir::Value getGate();
    /// The sinks operand, or null unless softmax is learned_sink.
    ::mlir::Value getSinks();
    double getScaleValue();
    unsigned getNumExpectedExtraOperands();
  }];
}

#endif // RESCALE_BACKWARD_OPS_TD
