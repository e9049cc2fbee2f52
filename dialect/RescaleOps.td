//===- RescaleOps.td - rescale operations ------------------*- tablegen -*-===//

#ifndef RESCALE_OPS_TD
#define RESCALE_OPS_TD

include "dialect/RescaleDialect.td"
include "dialect/RescaleAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Constraints
//===----------------------------------------------------------------------===//

// A ranked tensor of f32, f16 or bf16. ODS checks only that the value is a
// ranked tensor (so the typed accessors are safe); the element type is checked
// by each op's verifier, which can name the operand ("'weight' must have
// element type f32, f16 or bf16, but has i32") where ODS could only say
// "operand #1".
def Rescale_FloatTensor : Type<CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
                               "ranked tensor of f32, f16 or bf16",
                               "::mlir::RankedTensorType">;

// A float attribute spelled as f32 or f64: users write `epsilon = 1e-5` (an
// f64 literal) or `epsilon = 1.0e-05 : f32` and both mean the same thing.
// Wider or narrower float types are rejected so that reading the value as a
// double is always exact.
def Rescale_AnyFloatAttr : Attr<CPred<"::llvm::isa<::mlir::FloatAttr>($_self) && "
                                      "(::llvm::cast<::mlir::FloatAttr>($_self).getType().isF32() || "
                                      "::llvm::cast<::mlir::FloatAttr>($_self).getType().isF64())">,
                                "32-bit or 64-bit float attribute"> {
  let storageType = "::mlir::FloatAttr";
  let returnType = "::llvm::APFloat";
  let convertFromStorage = "$_self.getValue()";
  let constBuilderCall = "$_builder.getF32FloatAttr(::mlir::rescale::floatAttrValue($0))";
}

//===----------------------------------------------------------------------===//
// Norms
//===----------------------------------------------------------------------===//

def Rescale_RMSNormOp : Rescale_Op<"rms_norm", [Pure]> {
  let summary = "RMSNorm over the last dimension";
  let description = [{
    `y = weight ⊙ x / sqrt(mean(x²) + ε)` with the mean taken over the last
    dimension `d` and accumulated in f32. `weight` has shape `[d]`.

    Example:
    ```mlir
    %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<2x16x64xbf16>, tensor<64xbf16>) -> tensor<2x16x64xbf16>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$weight,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_PreAffineRMSNormOp : Rescale_Op<"preaffine_rms_norm", [Pure]> {
  let summary = "PreAffine RMSNorm: a learnable scale before the RMS statistic";
  let description = [{
    PreAffine RMSNorm (arXiv 2601.22966 §3.3): the learnable vector λ₁
    (`pre_scale`) acts *before* the RMS statistic, so the model can rescale
    hidden dimensions without growing residual outliers:

    `u = pre_scale ⊙ x;  y = weight ⊙ u / sqrt(mean(u²) + ε)`.

    `pre_scale` and `weight` have shape `[d]`.

    Example:
    ```mlir
    %y = rescale.preaffine_rms_norm %x, %l1, %w {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$pre_scale,
                       Rescale_FloatTensor:$weight,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $pre_scale `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_GatedNormOp : Rescale_Op<"gated_norm", [Pure]> {
  let summary = "GatedNorm: RMSNorm followed by a low-rank self-gate";
  let description = [{
    GatedNorm (arXiv 2601.22966 §3.4). The gate is computed from the
    normalized output itself, which lets the model rescale tokens and hidden
    dimensions explicitly instead of through residual sinks:

    ```
    y   = rms_norm(x, weight)                 // weight: [d]
    h   = y · w_down                          // w_down: [d, r]
    g   = act(swish(h) · w_up)                // w_up: [r, d], or [r, 1]
    out = g ⊙ y                               // swish(h) = h·σ(h)
    ```

    `act` is `gate_activation`: `sigmoid` (the paper's choice, default),
    `tanh`, `silu` or `identity` (the gate ablation). A `w_up` of shape
    `[r, 1]` makes the gate tensorwise: one scalar per token, broadcast over d.
    The paper uses r = 16.

    Example:
    ```mlir
    %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<64xf32>, tensor<64x16xf32>, tensor<16x64xf32>)
        -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$weight,
                       Rescale_FloatTensor:$w_down, Rescale_FloatTensor:$w_up,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon,
                       DefaultValuedAttr<Rescale_GateActivationAttr,
                                         "::mlir::rescale::GateActivation::sigmoid">:$gate_activation);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $weight `,` $w_down `,` $w_up attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The low rank r of the gate.
    int64_t getRank() { return w_downType().getDimSize(1); }
    /// True when w_up is [r, 1]: one gate value per token.
    bool isTensorwise() { return w_upType().getDimSize(1) == 1 &&
                                 xType().getShape().back() != 1; }
    ::mlir::RankedTensorType xType() { return ::llvm::cast<::mlir::RankedTensorType>(getX().getType()); }
    ::mlir::RankedTensorType w_downType() { return ::llvm::cast<::mlir::RankedTensorType>(getWDown().getType()); }
    ::mlir::RankedTensorType w_upType() { return ::llvm::cast<::mlir::RankedTensorType>(getWUp().getType()); }
  }];
}

def Rescale_AddRMSNormOp : Rescale_Op<"add_rms_norm", [Pure]> {
  let summary = "fused residual add and RMSNorm, returning both";
  let description = [{
    The residual update of a pre-norm transformer block followed by the next
    norm, as one op so that the residual stream is read once:

    ```
    sum = x + residual
    y   = weight ⊙ sum / sqrt(mean(sum²) + ε)
    ```

    Returns `(sum, y)`: `sum` continues the residual stream, `y` feeds the
    next sublayer. `x`, `residual` and both results have the same type;
    `weight` has shape `[d]`. Produced by `--rescale-fuse-gated-norm`.

    Example:
    ```mlir
    %sum, %y = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
        -> (tensor<8x64xf32>, tensor<8x64xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$residual,
                       Rescale_FloatTensor:$weight,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "1e-6">:$epsilon);
  let results = (outs Rescale_FloatTensor:$sum, Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $residual `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Rescale_AttentionOp : Rescale_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention with output gate and sinks";
  let description = [{
    Softmax attention with the paper's explicit rescaling mechanisms
    (arXiv 2601.22966 §3.2): an output gate and attention-sink normalizers.

    Operands: `q [B,Hq,S,D]`, `k [B,Hkv,T,D]`, `v [B,Hkv,T,Dv]`, then the
    optional `gate` (present iff `gate_kind != none`) and the optional `sinks`
    (present iff `softmax = learned_sink`), in that order. The result is
    `[B,Hq,S,Dv]`.

    ```
    s[i,j] = scale · q[i]·k[j]           // scale defaults to 1/sqrt(D)
    causal: key j is kept for query i iff j ≤ i + (T − S)
    standard:     p_j = exp(s_j) / Σ exp(s)
    off_by_one:   p_j = exp(s_j) / (1 + Σ exp(s))
    learned_sink: p_j = exp(s_j) / (exp(sinks[h]) + Σ exp(s))   // GPT-OSS
    out = p · v
    headwise gate:    out ⊙ σ(gate[b,h,i])        // gate [B,Hq,S]
    elementwise gate: out ⊙ σ(gate[b,h,i,:])      // gate [B,Hq,S,Dv]
    ```

    Grouped-query attention: `Hq % Hkv == 0` and query head h reads kv head
    `floor(h / (Hq/Hkv))`. Scores and the softmax accumulate in f32.

    A causal query row with no key left (S > T, rows `i < S - T`) has an
    empty softmax: its output is 0 under every `softmax` kind (under
    `standard` this defines 0/0 as 0; the other kinds' denominators are
    positive and their numerators empty).

    Attributes: `causal` (unit: present means causal), `scale` (optional float),
    `gate_kind` (`none`, `headwise`, `elementwise`; default none), `softmax`
    (`standard`, `off_by_one`, `learned_sink`; default standard).

    Example:
    ```mlir
    %o = rescale.attention %q, %k, %v, %g {causal,
           gate_kind = #rescale.gate_kind<headwise>}
        : (tensor<1x8x16x64xbf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>,
           tensor<1x8x16xbf16>) -> tensor<1x8x16x64xbf16>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Rescale_FloatTensor:$v,
                       Variadic<Rescale_FloatTensor>:$gate_and_sinks,
                       UnitAttr:$causal,
                       OptionalAttr<Rescale_AnyFloatAttr>:$scale,
                       DefaultValuedAttr<Rescale_GateKindAttr,
                                         "::mlir::rescale::GateKind::none">:$gate_kind,
                       DefaultValuedAttr<Rescale_SoftmaxKindAttr,
                                         "::mlir::rescale::SoftmaxKind::standard">:$softmax);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v (`,` $gate_and_sinks^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The gate operand, or null when gate_kind is none.
    ::mlir::Value getGate();
    /// The sinks operand, or null unless softmax is learned_sink.
    ::mlir::Value getSinks();
    /// The score scale: the attribute, or 1/sqrt(D).
    double getScaleValue();
    /// How many operands the attributes call for after q, k and v.
    unsigned getNumExpectedExtraOperands();
  }];
}

//===----------------------------------------------------------------------===//
// Linear and ablations
//===----------------------------------------------------------------------===//

def Rescale_LinearOp : Rescale_Op<"linear", [Pure]> {
  let summary = "y = x · weightᵀ + bias, weight in the PyTorch [N, K] layout";
  let description = [{
    A fully connected layer over the last dimension: `x [..., K]`,
    `weight [N, K]`, optional `bias [N]`, result `[..., N]`. Products
    accumulate in f32. Graph passes fold norm scales into linears and wrap
    them with quantization, so the raise pass turns matmuls against weights
    into this op.

    Example:
    ```mlir
    %y = rescale.linear %x, %w, %b
        : (tensor<8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$weight,
                       Optional<Rescale_FloatTensor>:$bias);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_DyTOp : Rescale_Op<"dyt", [Pure]> {
  let summary = "Dynamic Tanh: weight ⊙ tanh(alpha · x) + bias";
  let description = [{
    Dynamic Tanh, the norm-free ablation of the paper: a learnable scalar
    `alpha` (shape `[]` or `[1]`) squashes outliers through tanh, then
    `weight` and `bias` (shape `[d]`) rescale and shift.

    Example:
    ```mlir
    %y = rescale.dyt %x, %alpha, %w, %b
        : (tensor<8x64xf32>, tensor<1xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_FloatTensor:$alpha,
                       Rescale_FloatTensor:$weight, Rescale_FloatTensor:$bias);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x `,` $alpha `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_ClipOp : Rescale_Op<"clip", [Pure]> {
  let summary = "clamp to ±threshold";
  let description = [{
    Activation clipping, the paper's blunt alternative to rescaling:
    `y = min(max(x, -threshold), threshold)`. `threshold` must be positive.

    Example:
    ```mlir
    %y = rescale.clip %x {threshold = 6.0 : f32} : (tensor<8x64xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_AnyFloatAttr:$threshold);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Rescale_QuantizeOp : Rescale_Op<"quantize", [Pure]> {
  let summary = "quantize a tensor under a scheme";
  let description = [{
    Computes the scales of `scheme` from `x` and returns the quantized values,
    the first-level scales, and for nvfp4 the second-level f32 scale. Scale
    tensors keep the rank of `x` (see `#rescale.quant` for their shapes).

    An nvfp4 block whose E4M3 scale rounds to 0 (`amax_b/6/S < 2^-10`) is
    quantized to zeros, since `x/(s_b·S)` would divide by 0.

    Folds: when `x` is a finite constant, the op folds to constants of its
    result types, bit for bit what it computes at run time (splats stay
    splats; constants of more than 2^24 elements are left to run time).

    Result element types: int4 and int8 values are `i8` (int4 also `i4`),
    fp8 values `f8E4M3FN`, nvfp4 and mxfp4 values `f4E2M1FN`; scales are f32,
    except nvfp4's block scales (`f8E4M3FN`) and mxfp4's (`f8E8M0FNU`).

    Example:
    ```mlir
    %q, %s = rescale.quantize %x {scheme = #rescale.quant<int8, per_token>}
        : (tensor<8x64xf32>) -> (tensor<8x64xi8>, tensor<8x1xf32>)
    %q4, %sb, %sg = rescale.quantize %x {scheme = #rescale.quant<nvfp4, per_tensor>}
        : (tensor<8x64xf32>) -> (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<1x1xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_QuantSchemeAttr:$scheme);
  let results = (outs AnyRankedTensor:$values, AnyRankedTensor:$scales,
                      Optional<AnyRankedTensor>:$global_scale);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  // The result types follow from x and the scheme (values in its storage
  // type, scales of its scale shapes): one place computes them.
  let builders = [
    OpBuilder<(ins "::mlir::Value":$x, "QuantSchemeAttr":$scheme)>
  ];
  let hasVerifier = 1;
  // A constant x folds to constants (dialect/QuantizeFold.cpp): constant
  // weight quantization is this op plus canonicalize.
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The results of quantizing the constant `x` under `scheme`, as
    /// attributes of `resultTypes`, bit for bit what the op computes at run
    /// time. Fails (nothing to fold) for non-finite values, dynamic shapes,
    /// or more than kMaxFoldedElements values or groups (a splat folds as
    /// one value). insert-quantization calls it for immutable globals too.
    static ::mlir::LogicalResult
    foldConstant(QuantSchemeAttr scheme, ::mlir::DenseElementsAttr x,
                 ::mlir::TypeRange resultTypes,
                 ::llvm::SmallVectorImpl<::mlir::Attribute> &results);
  }];
}

def Rescale_DequantizeOp : Rescale_Op<"dequantize", [Pure]> {
  let summary = "rebuild floats from quantized values and their scales";
  let description = [{
    The inverse of `rescale.quantize` under the same scheme:
    `x = values · scale` (· global_scale for nvfp4), broadcast over the
    elements each scale covers. The result may be any of f32, f16, bf16.

    Example:
    ```mlir
    %x = rescale.dequantize %q, %s {scheme = #rescale.quant<int8, per_token>}
        : (tensor<8x64xi8>, tensor<8x1xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$values, AnyRankedTensor:$scales,
                       Optional<AnyRankedTensor>:$global_scale,
                       Rescale_QuantSchemeAttr:$scheme);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$values `,` $scales (`,` $global_scale^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_FakeQuantOp : Rescale_Op<"fake_quant", [Pure]> {
  let summary = "quantize then dequantize, to simulate a scheme in float";
  let description = [{
    `dequantize(quantize(x))` under `scheme`, in one op with the type of `x`.
    This is how quantization-robustness experiments simulate W4A4 or FP4 on
    hardware without those units.

    The scales stay in f64 throughout (the scale math is f64, see
    `--convert-rescale-to-linalg`); `quantize` rounds its f32 scales for
    storage, so with f32-scaled schemes `dequantize(quantize(x))` can differ
    from `fake_quant(x)` in the last bit.

    Example:
    ```mlir
    %y = rescale.fake_quant %x {scheme = #rescale.quant<mxfp4>}
        : (tensor<8x64xf32>) -> tensor<8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x, Rescale_QuantSchemeAttr:$scheme);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Instrumentation (issue 4 §6, --rescale-instrument-sinks)
//===----------------------------------------------------------------------===//

def Rescale_AttentionFirstTokenShareOp
    : Rescale_Op<"attention_first_token_share", [Pure]> {
  let summary = "mean attention probability on the first key, per head";
  let description = [{
    The attention-sink statistic of arXiv 2601.22966 §2: how much of each
    query's attention goes to the first key. For the softmax of the
    `rescale.attention` with the same `q`, `k`, optional `sinks` and
    attributes (`causal`, `scale`, `softmax`; the output gate does not enter
    p), it returns

    ```
    share[b, h] = (1/S) Σ_i p[b, h, i, 0]          // result [B, Hq], f32
    ```

    with p exactly as in `rescale.attention`'s decomposition (a query row
    with no key left contributes 0). A head is a sink head when its share is
    large (the sink report uses ≥ 0.3). `--rescale-instrument-sinks` adds one
    per attention as a probe result.

    Example:
    ```mlir
    %share = rescale.attention_first_token_share %q, %k {causal}
        : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Optional<Rescale_FloatTensor>:$sinks,
                       UnitAttr:$causal,
                       OptionalAttr<Rescale_AnyFloatAttr>:$scale,
                       DefaultValuedAttr<Rescale_SoftmaxKindAttr,
                                         "::mlir::rescale::SoftmaxKind::standard">:$softmax);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k (`,` $sinks^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The score scale: the attribute, or 1/sqrt(D).
    double getScaleValue();
  }];
}

def Rescale_AttentionFirstTokenOutputShareOp
    : Rescale_Op<"attention_first_token_output_share", [Pure]> {
  let summary = "the first key's share of the attention output, per head";
  let description = [{
    The other half of the attention-sink statistic (arXiv 2601.22966 §2,
    "outliers are rescale factors, not contributors"): a sink token takes a
    large share of the probability mass but, its value vector being small,
    a small share of the output. For the softmax of the `rescale.attention`
    with the same `q`, `k`, `v`, optional `sinks` and attributes (`causal`,
    `scale`, `softmax`; the output gate does not enter), with
    o[i] = Σ_j p[i, j] v[j] (the ungated output of query i) and
    t[i] = p[i, 0] v[0] (its first-key term), it returns

    ```
    share[b, h] = (1/S) Σ_i |t[i]| / (|t[i]| + |o[i] - t[i]|)   // [B, Hq], f32
    ```

    with |.| the Euclidean norm over the value dimension and v read at the
    query head's kv head (GQA). A query whose two terms are both 0 (a
    causal row without keys, or zero values) contributes 0. Compare it with
    `rescale.attention_first_token_share` (the mean of p[i, 0]): a sink
    has a large probability share and a small output share.
    `--rescale-instrument-sinks` adds one per attention as a probe result.

    Example:
    ```mlir
    %share = rescale.attention_first_token_output_share %q, %k, %v {causal}
        : (tensor<1x8x16x64xf32>, tensor<1x2x16x64xf32>, tensor<1x2x16x64xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Rescale_FloatTensor:$v,
                       Optional<Rescale_FloatTensor>:$sinks,
                       UnitAttr:$causal,
                       OptionalAttr<Rescale_AnyFloatAttr>:$scale,
                       DefaultValuedAttr<Rescale_SoftmaxKindAttr,
                                         "::mlir::rescale::SoftmaxKind::standard">:$softmax);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v (`,` $sinks^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The score scale: the attribute, or 1/sqrt(D).
    double getScaleValue();
  }];
}

// The training ops (embedding, cross_entropy, rope, adamw), in a file of
// their own.
include "dialect/RescaleTrainingOps.td"

// The fused backward ops of the norms (rms_norm_grad, preaffine_rms_norm_grad,
// add_rms_norm_grad, gated_norm_grad), which their gradient rules emit.
include "dialect/RescaleBackwardOps.td"

// Linear attention: the gated delta rule and its fused backward.
include "dialect/RescaleLinearAttentionOps.td"

#endif // RESCALE_OPS_TD
