//===- Passes.td - rescale graph passes ---------------------*- tablegen -*-===//
//
// The graph passes: they find the paper's patterns in decomposed models
// (linalg-on-tensors, TOSA, arith/math/tensor), fuse them into rescale ops,
// and fold the rescaling vectors into weights for inference.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_PASSES_PASSES_TD
#define RESCALE_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def RescaleRaisePass
    : Pass<"rescale-raise"> {
  let summary = "Raise decomposed norms, attention and linears to rescale ops";
  let description = [{
    Finds the paper's building blocks in a decomposed model and replaces them
    with rescale ops, so that the fusion, folding and quantization passes see
    them in models that come from torch-mlir, onnx-mlir, TOSA or hand-written
    linalg.

    Recognized (in any mix of linalg named ops, `linalg.generic` bodies and
    arith/math ops on tensors; TOSA is read once lowered to linalg by the
    `rescale-tosa-to-linalg` pipeline, run first: `rescale-opt
    --rescale-tosa-to-linalg --rescale-raise`, the same sequence
    rescale-compile and rescale-run start with. The pass runs no pipeline of
    its own; TOSA ops left in its input stay, with a warning):

    * RMSNorm: `x · rsqrt(mean(x²) + ε) · w`, with `x / sqrt(…)`, `pow(x, 2)`,
      `sum · (1/d)` or `sum / d`, and with or without an f32 upcast and a
      truncation back. The mean must be over the last dimension and ε must be
      present (a positive constant).
    * PreAffine RMSNorm (§3.3): the same with `u = λ₁ ⊙ x` in place of `x`.
    * Softmax attention: `softmax(scale · q·kᵀ [+ causal mask]) · v`, with kᵀ
      as a transpose op or a transposed matmul operand, the scale a multiply
      or divide on q, k or the scores, the causal mask an `arith.select`
      against −inf (or a large negative) or an added constant (constant, or
      computed from `linalg.index`, with a KV-cache offset), and softmax
      spelled as max, subtract, exp, sum, divide or as `linalg.softmax`.
      softmax₁ (`exp(s) / (1 + Σ exp(s))`, or stabilized by m = max s or
      max(0, max s) as `exp(s - m) / (exp(-m) + Σ exp(s - m))`) becomes
      `softmax = off_by_one`. GPT-OSS's learned sinks (4-d only: a per-head
      sink logit broadcast to an extra key column, concatenated to the
      scores, softmax, optionally after subtracting the row max, then the
      column sliced off) become `softmax = learned_sink` with the logits as
      the `sinks` operand.
      Only exactly-causal masks are raised; 2-d and 3-d attention is
      reshaped to the op's 4-d layout, and Llama's `repeat_kv` (unsqueeze,
      broadcast, collapse of k and v) becomes grouped-query attention.
    * Linears: a matmul whose right operand is a weight (a function argument,
      a constant or an `ml_program` global, possibly transposed, reshaped or
      broadcast) becomes `rescale.linear`, absorbing a following bias add.
    * Gates: the GatedNorm self-gate and the gated-attention output gate
      (the patterns of `--rescale-fuse-gated-norm` and
      `--rescale-fuse-attention`, run after the ops above are raised).

    Near-misses (a reduction over another dimension, a non-causal mask, a
    missing ε, a gate computed from another value) are left alone, and so
    is anything with dynamic shapes.

    Values keep their types: the rescale op computes in the root's element
    type (upcast-compute-truncate chains collapse into one op, which
    computes in f32 internally), inputs of another type are cast to it.

    Example:
    ```mlir
    %sq  = arith.mulf %x, %x : tensor<4x8xf32>
    %sum = linalg.reduce ins(%sq : tensor<4x8xf32>) outs(%zero : tensor<4xf32>)
             dimensions = [1] (%a: f32, %b: f32) { … arith.addf … }
    // … %ms = sum * 0.125, %r = rsqrt(%ms + 1e-6), %y = %x * %r * %w
    ```
    becomes
    ```mlir
    %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32}
        : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let options = [
    Option<"raiseNorms", "norms", "bool", /*default=*/"true",
           "Raise RMSNorm and PreAffine RMSNorm">,
    Option<"raiseAttention", "attention", "bool", /*default=*/"true",
           "Raise softmax attention">,
    Option<"raiseLinears", "linears", "bool", /*default=*/"true",
           "Raise matmuls against weights to rescale.linear">,
    Option<"raiseGates", "gates", "bool", /*default=*/"true",
           "Fuse GatedNorm self-gates and attention output gates">,
  ];
  let statistics = [
    Statistic<"numNorms", "raised-norms", "Norms raised">,
    Statistic<"numAttention", "raised-attention", "Attentions raised">,
    Statistic<"numLinears", "raised-linears", "Linears raised">,
    Statistic<"numGates", "fused-gates", "Gates fused">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def RescaleFuseGatedNormPass
    : Pass<"rescale-fuse-gated-norm"> {
  let summary = "Fuse an explicit GatedNorm self-gate, and a residual add, into the norm";
  let description = [{
    GatedNorm (arXiv 2601.22966 §3.4) computes its gate from the normalized
    output itself. This pass rewrites

    ```
    y = rescale.rms_norm(x, w)
    h = rescale.linear(y, Wd)            // Wd: [r, d]
    g = act(rescale.linear(swish(h), Wu)) // Wu: [d, r] or [1, r]
    out = g ⊙ y
    ```

    (`act` = sigmoid, tanh, silu `z·σ(z)` or the identity: the paper's gate
    and its ablations; swish and silu spelled `h·σ(h)` or `h / (1 + e^-h)`)
    into `rescale.gated_norm(x, w, Wdᵀ, Wuᵀ)` with that `gate_activation`. The gate must read `y` itself:
    a gate computed from another value is not a self-gate and is left alone.

    It also fuses a residual add feeding a norm into `rescale.add_rms_norm`,
    which returns the sum (the continuing residual stream) and the norm:

    ```mlir
    %s = arith.addf %x, %res : tensor<8x64xf32>
    %y = rescale.rms_norm %s, %w {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
    ```
    becomes
    ```mlir
    %s, %y = rescale.add_rms_norm %x, %res, %w {epsilon = 1.0e-06 : f32}
        : (tensor<8x64xf32>, tensor<8x64xf32>, tensor<64xf32>)
        -> (tensor<8x64xf32>, tensor<8x64xf32>)
    ```
  }];
  let options = [
    Option<"fuseResidual", "residual", "bool", /*default=*/"true",
           "Also fuse residual add + rms_norm into rescale.add_rms_norm">,
  ];
  let statistics = [
    Statistic<"numGatedNorms", "gated-norms", "Self-gates fused into gated_norm">,
    Statistic<"numAddNorms", "add-norms", "Residual adds fused into add_rms_norm">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def RescaleFuseAttentionPass
    : Pass<"rescale-fuse-attention"> {
  let summary = "Fuse a sigmoid output gate into rescale.attention";
  let description = [{
    Gated attention (arXiv 2601.22966 §3.2) multiplies the attention output
    by `σ(x W_θ)`, one value per head (headwise) or per element
    (elementwise). This pass folds that multiply into the attention op:

    ```mlir
    %o = rescale.attention %q, %k, %v {causal}
        : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>)
        -> tensor<1x4x8x16xf32>
    // %sg = σ(%g) with %g : tensor<1x4x8x16xf32>;  %out = %o ⊙ %sg
    ```
    becomes
    ```mlir
    %out = rescale.attention %q, %k, %v, %g
        {causal, gate_kind = #rescale.gate_kind<elementwise>} : …
    ```
    A gate of shape `[B, Hq, S, 1]` or `[B, Hq, S]` broadcast over the head
    dimension becomes a headwise gate. A gate applied in the projection
    layout, `reshape(transpose(out, [0, 2, 1, 3]), [B, S, Hq·Dv]) ⊙ σ(g)`,
    is moved into the op's layout (g reshaped and transposed, the output
    transposed back); so is a gate applied before the heads are flattened,
    `transpose(out, [0, 2, 1, 3]) ⊙ σ(g)` with g `[B, S, Hq, Dv]`
    (elementwise) or `[B, S, Hq]` / `[B, S, Hq, 1]` (headwise, PyTorch's
    `sigmoid(gate).unsqueeze(-1)`). Only an ungated attention whose output
    feeds nothing but the gate multiply is fused.
  }];
  let statistics = [
    Statistic<"numGates", "fused-gates", "Output gates fused">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def RescaleFoldScalesPass
    : Pass<"rescale-fold-scales"> {
  let summary = "Fold PreAffine and post-norm scales into neighbouring linears";
  let description = [{
    For inference, the rescaling vectors of the paper's norms are folded into
    the weights of the linears next to them (exact up to rounding):

    * (a) PreAffine λ₁ (§3.3): when `preaffine_rms_norm`'s input is the sole
      use of a `rescale.linear`, `λ₁ ⊙ (x·Wᵀ + b) = x·(λ₁ ⊙ W)ᵀ + λ₁ ⊙ b`:
      λ₁ scales that linear's weight rows (and bias), and the op becomes
      `rms_norm`. (QK-norm after the q projection is the typical case.)
    * (b) the post-norm weight λ: when every use of a norm (`rms_norm`,
      `preaffine_rms_norm`, `gated_norm`) is the `x` of a `rescale.linear`,
      `(λ ⊙ y)·Wᵀ = y·(W diag λ)ᵀ`: λ scales the weight columns of those
      linears (and the rows of `w_down` for `gated_norm`, whose gate reads the
      weighted output), and λ becomes 1.

    Weights that are constants or `ml_program.global_load_const` of an
    immutable global are folded at compile time into new constants (a new
    global for globals; an `arith.constant` when the pass is nested under a
    function, which must not change the module's symbol table); weights that
    are function arguments get an explicit scaling op on the weight path. A
    splat times a splat folds to a splat (a weight of GBs is never
    expanded); other folds stop at 2^24 elements and scale on the path.

    Example:
    ```mlir
    %h = rescale.linear %x, %W : (tensor<8x32xf32>, tensor<64x32xf32>) -> tensor<8x64xf32>
    %y = rescale.preaffine_rms_norm %h, %l1, %w : (…) -> tensor<8x64xf32>
    ```
    becomes `rescale.linear %x, %W'` with `W'[n, :] = l1[n] · W[n, :]`
    followed by `rescale.rms_norm`.
  }];
  let options = [
    Option<"foldPreScale", "pre-scale", "bool", /*default=*/"true",
           "Fold PreAffine λ₁ into the producing linear (case a)">,
    Option<"foldPostScale", "post-scale", "bool", /*default=*/"true",
           "Fold the post-norm weight into the consuming linears (case b)">,
  ];
  let statistics = [
    Statistic<"numPreFolds", "pre-scale-folds", "PreAffine scales folded">,
    Statistic<"numPostFolds", "post-scale-folds", "Post-norm weights folded">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::ml_program::MLProgramDialect",
  ];
}


//===----------------------------------------------------------------------===//
// Quantization and instrumentation (issue 4 §5-§6; helper H9). Linear names,
// probe results and the calibration file: docs/quantization.md.
//===----------------------------------------------------------------------===//

def RescaleInsertQuantizationPass
    : Pass<"rescale-insert-quantization", "::mlir::ModuleOp"> {
  let summary = "Wrap every rescale.linear with a quantization scheme, "
                "optionally smoothed (SmoothQuant)";
  let description = [{
    Simulates (or, for constant weights, stores) a low-precision linear:
    the weight and the activation of every `rescale.linear` whose name does
    not match `skip` go through the scheme's quantization, with the exact
    numerics of `rescale.fake_quant` / `rescale.quantize` /
    `rescale.dequantize`:

    | scheme | weight `[N, K]`                               | activation `[..., K]` (dynamic) |
    |--------|-----------------------------------------------|---------------------------------|
    | w4a4   | `#rescale.quant<int4, per_channel>`           | `#rescale.quant<int4, per_token>` |
    | w8a8   | `#rescale.quant<int8, per_channel>`           | `#rescale.quant<int8, per_token>` |
    | fp8    | `<fp8, per_block>` (128x128) when 128 divides N and K, else `<fp8, per_channel>` | `#rescale.quant<fp8, per_token>` |
    | nvfp4  | `#rescale.quant<nvfp4, per_tensor>` (blocks of 16) | `#rescale.quant<nvfp4, per_token>` |
    | mxfp4  | `#rescale.quant<mxfp4>` (blocks of 32)        | `#rescale.quant<mxfp4>` |
    | none   | -                                             | - (SmoothQuant only)            |

    `storage=fake` (default) wraps both in `rescale.fake_quant`.
    `storage=real` stores weights in their low-precision format:
    `rescale.quantize` + `rescale.dequantize` on the weight's path, the
    quantize folded by its folder when the weight is known at compile time
    (an `arith.constant`, or an immutable `ml_program.global`'s initial
    value) into constants of i8 / f8E4M3FN / f4E2M1FN values and their
    scales, bit for bit what it computes at run time. Activations are
    always fake-quantized, per token.

    A linear whose K is not a multiple of the scheme's block (16 for nvfp4,
    32 for mxfp4), or whose input or weight has a dynamic shape, is left in
    full precision with a warning. A splat constant weight is quantized as
    one value (splat codes and scales, even for GBs); a non-splat constant of
    more than 2^24 elements is quantized at run time instead of expanded.
    K = 0 or N = 0 is defined: a group spanning the empty dimension has
    scale 1.

    **Names.** A linear is named by its location when that is a `NameLoc`
    (`loc("layer0.q_proj")`), else `<func>/linear<N>`, N counting the
    linears of the function in walk order from 0. `skip` is a regex searched
    in the name (anchor it with `^…$` for an exact match).

    **SmoothQuant** (Xiao et al. 2023), when `calibration` names a file
    written by `rescale-run --collect-absmax`: for each linear input channel
    j, `s_j = max|X_j|^α / max|W_j|^(1-α)` (α = `smoothquant-alpha`; s_j = 1
    where either max is 0), `X ← X / s`, `W[:, j] ← s_j · W[:, j]`. When the
    input comes straight from a norm (`rms_norm`, `preaffine_rms_norm`,
    `gated_norm`, the normalized result of `add_rms_norm`) whose every use is
    a quantized linear, those linears share one s (the max of their
    activation and weight channel maxima) and 1/s is folded into the norm's
    weight (and s into `w_down`'s rows for `gated_norm`, whose gate reads the
    weighted output); otherwise an explicit `x · (1/s)` is inserted and a
    remark says so. With constant weights s is computed and folded at
    compile time; with run-time weights (function arguments) max|W_j| is a
    reduction on the weight path, s is computed at run time by the same
    formula (f64, rounded to f32 once), and the scalings are explicit
    multiplies: the results are bit for bit the same. An absmax beyond
    f32's range, or (constant weights) an s for which f32 cannot hold s, 1/s
    and max|W_j|·s, is an error naming the linear and the channel.

    Example (`scheme=w8a8`):
    ```mlir
    %y = rescale.linear %x, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
    ```
    becomes
    ```mlir
    %xq = rescale.fake_quant %x {scheme = #rescale.quant<int8, per_token>}
        : (tensor<8x64xf32>) -> tensor<8x64xf32>
    %wq = rescale.fake_quant %w {scheme = #rescale.quant<int8, per_channel>}
        : (tensor<32x64xf32>) -> tensor<32x64xf32>
    %y = rescale.linear %xq, %wq : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
    ```
  }];
  let options = [
    Option<"scheme", "scheme", "::mlir::rescale::QuantizationScheme",
           /*default=*/"::mlir::rescale::QuantizationScheme::w8a8",
           "The quantization scheme of linears' weights and activations",
           [{::llvm::cl::values(
             clEnumValN(::mlir::rescale::QuantizationScheme::w4a4, "w4a4",
                        "int4 weights (per output channel) and activations (per token)"),
             clEnumValN(::mlir::rescale::QuantizationScheme::w8a8, "w8a8",
                        "int8 weights (per output channel) and activations (per token)"),
             clEnumValN(::mlir::rescale::QuantizationScheme::fp8, "fp8",
                        "float8 e4m3 weights (per channel or 128x128 blocks) and activations (per token)"),
             clEnumValN(::mlir::rescale::QuantizationScheme::nvfp4, "nvfp4",
                        "NVFP4: e2m1 in blocks of 16 with e4m3 scales"),
             clEnumValN(::mlir::rescale::QuantizationScheme::mxfp4, "mxfp4",
                        "MXFP4: e2m1 in blocks of 32 with e8m0 scales"),
             clEnumValN(::mlir::rescale::QuantizationScheme::none, "none",
                        "no quantization (SmoothQuant only)"))}]>,
    Option<"smoothquantAlpha", "smoothquant-alpha", "double", /*default=*/"0.5",
           "SmoothQuant migration strength α in [0, 1]">,
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "Activation absmax file (rescale-run --collect-absmax); enables "
           "SmoothQuant">,
    Option<"skip", "skip", "std::string", /*default=*/"\"\"",
           "Regex: linears whose name it matches stay in full precision">,
    Option<"storage", "storage", "::mlir::rescale::QuantizationStorage",
           /*default=*/"::mlir::rescale::QuantizationStorage::fake",
           "How quantized weights are kept",
           [{::llvm::cl::values(
             clEnumValN(::mlir::rescale::QuantizationStorage::fake, "fake",
                        "rescale.fake_quant: quantize and dequantize in place"),
             clEnumValN(::mlir::rescale::QuantizationStorage::real, "real",
                        "low-precision weight storage (constants quantized "
                        "at compile time)"))}]>,
  ];
  let statistics = [
    Statistic<"numQuantized", "quantized-linears", "Linears quantized">,
    Statistic<"numSkipped", "skipped-linears",
              "Linears left in full precision (skip regex or block size)">,
    Statistic<"numSmoothed", "smoothed-linears", "Linears smoothed (SmoothQuant)">,
    Statistic<"numNormFolds", "norm-folds", "Norm weights that absorbed 1/s">,
    Statistic<"numStoredWeights", "stored-weights",
              "Constant weights quantized at compile time (storage=real)">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def RescaleInstrumentAbsmaxPass
    : Pass<"rescale-instrument-absmax", "::mlir::ModuleOp"> {
  let summary = "Return each linear input's per-channel max|x| as a probe result";
  let description = [{
    Calibration for SmoothQuant: every `rescale.linear` in the body of a
    public function gets an extra function result, `max |x|` over all
    leading dimensions of its input (`tensor<Kxf32>`, computed in f32),
    marked with the result attribute
    `rescale.probe = {kind = "absmax", name = "<linear name>"}` (names as in
    `--rescale-insert-quantization`). The compiler lists such results in the
    manifest's `probes`, and `rescale-run --collect-absmax FILE` writes them
    as the calibration file (docs/quantization.md). Pure dataflow, so it
    works on every target. Functions that already return absmax probes are
    left alone.

    Example:
    ```mlir
    func.func @main(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>) -> tensor<8x32xf32> {
      %y = rescale.linear %x, %w : (tensor<8x64xf32>, tensor<32x64xf32>) -> tensor<8x32xf32>
      return %y : tensor<8x32xf32>
    }
    ```
    becomes
    ```mlir
    func.func @main(%x: tensor<8x64xf32>, %w: tensor<32x64xf32>)
        -> (tensor<8x32xf32>,
            tensor<64xf32> {rescale.probe = {kind = "absmax", name = "main/linear0"}}) {
      %y = rescale.linear %x, %w : …
      %m = linalg.generic … ins(%x : tensor<8x64xf32>) outs(… : tensor<64xf32>) { max(|x|) }
      return %y, %m : tensor<8x32xf32>, tensor<64xf32>
    }
    ```
  }];
  let statistics = [
    Statistic<"numProbes", "probes", "absmax probes added">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}


def RescaleInstrumentSinksPass
    : Pass<"rescale-instrument-sinks", "::mlir::ModuleOp"> {
  let summary = "Return attention-sink and residual-sink statistics as probe results";
  let description = [{
    Instruments the paper's sink phenomena (arXiv 2601.22966 §2) in every
    public function, as extra results marked `rescale.probe`:

    * each `rescale.attention` (named `<func>/attention<N>` or by its
      NameLoc): `rescale.attention_first_token_share` of its q, k, sinks and
      softmax, i.e. the mean over queries of p[b, h, :, 0], `[B, Hq]` f32,
      probe kind `first_token_share`, and
      `rescale.attention_first_token_output_share` of its q, k, v, sinks and
      softmax (the first key's share of the output), probe kind
      `first_token_output_share`;
    * each norm (`rms_norm`, `preaffine_rms_norm`, `gated_norm`,
      `add_rms_norm`, `dyt`, and any op marked `rescale.norm_site`, such as
      the identity norm of a model without normalization; named
      `<func>/norm<N>`): |x| of its input (the residual
      stream; the sum for `add_rms_norm`) in f32, probe kind `norm_input`;
      norms reading one value share one probe (`names = [...]`). A norm
      marked `rescale.inner_norm` (one inside a sublayer, such as the
      per-head output norm of a linear-attention layer) reads no residual
      stream and gets no probe.
    * with `norm-outputs`, each norm's output too (the normalized result of
      `add_rms_norm`, the gated output of `gated_norm`): |y| in f32, probe
      kind `norm_output`, one per norm, under the norm's name.
    * with `gate-probes`, each gated norm's two halves, under the norm's
      name: |y| of the normalized value before the gate (probe kind
      `gate_input`, f32 `[..., d]`) and the gate itself (probe kind `gate`,
      f32 `[..., d]`, or `[..., 1]` for a tensorwise `gated_norm`). A
      `gated_norm` is recomputed in parts beside it (`rescale.rms_norm`, the
      two `rescale.linear` and the activations of its definition); a gate
      written out of ops is the multiplication marked `rescale.norm_gate`
      (operand 0 the gate, operand 1 y). The report correlates them: is the
      gate smaller where |y| is larger (docs/sink-report.md)?

    Dynamic shapes are kept: the |x| probe's init takes x's dynamic sizes
    (`tensor.dim`), and the first-token share has q's `[B, Hq]`.

    `rescale-run --sink-report FILE` compiles with this pass, runs, and
    computes the report (first-token share per head, sink rate, peak and
    median |x| and the top hidden dimensions per norm) on the host:
    docs/sink-report.md.

    Example:
    ```mlir
    %o = rescale.attention %q, %k, %v {causal} : (…) -> tensor<1x4x8x16xf32>
    ```
    adds
    ```mlir
    %share = rescale.attention_first_token_share %q, %k {causal}
        : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4xf32>
    // returned with {rescale.probe = {kind = "first_token_share", name = "main/attention0"}}
    ```
  }];
  let options = [
    Option<"normOutputs", "norm-outputs", "bool", /*default=*/"false",
           "Also return |y| of every norm's output (probe kind "
           "`norm_output`): what the next sublayer reads, for the report's "
           "post-norm outlier share">,
    Option<"gateProbes", "gate-probes", "bool", /*default=*/"false",
           "Also return each gated norm's |y| before the gate (probe kind "
           "`gate_input`) and its gate (probe kind `gate`), for the report's "
           "gate-magnitude correlation">,
  ];
  let statistics = [
    Statistic<"numProbes", "probes", "sink probes added">,
  ];
  let dependentDialects = [
    "::mlir::rescale::RescaleDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def RescaleAutodiffPass
    : Pass<"rescale-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode gradient of a scalar loss: adds @NAME_grad";
  let description = [{
    For the public `func.func @NAME` named by `entry`, whose first result is
    a scalar loss `tensor<f32>`, adds `func.func @NAME_grad` with the same
    arguments. It returns the loss, then `@NAME`'s other results unchanged
    (auxiliary outputs, not differentiated), then one gradient per
    differentiable argument, in argument order. An argument is
    differentiable when it is a floating-point tensor without the
    `rescale.no_grad` argument attribute; integer arguments (token ids,
    targets) never get one. `@NAME` is left as it was.

    The pass only walks `@NAME_grad`'s body in reverse, accumulating
    adjoints (a value used several times gets the sum of its uses'
    adjoints); the gradient of each op comes from its rule,
    `AutodiffOpInterface` (dialect/Autodiff/AutodiffInterface.td): rescale
    ops implement it next to their definition, upstream ops (arith and math
    elementwise ops, linalg structured ops, tensor reshapes, slices and
    concat, constants) get it as external models. An op on the path from a
    differentiable argument to the loss without a rule is an error at its
    location. Forward values the backward needs are kept, not recomputed.
    An argument the loss does not depend on gets a zero gradient.
    docs/autodiff.md has the contract and how to add a rule.

    Example (`--rescale-autodiff="entry=loss"`):
    ```mlir
    func.func @loss(%x: tensor<4xf32>, %w: tensor<4xf32> {rescale.no_grad})
        -> tensor<f32> {
      %p = arith.mulf %x, %w : tensor<4xf32>
      %z = arith.constant dense<0.0> : tensor<f32>
      %l = linalg.reduce ins(%p : tensor<4xf32>) outs(%z : tensor<f32>)
             dimensions = [0] (%a: f32, %acc: f32) {
               %s = arith.addf %a, %acc : f32
               linalg.yield %s : f32 }
      return %l : tensor<f32>
    }
    ```
    gains
    ```mlir
    func.func @loss_grad(%x: tensor<4xf32>, %w: tensor<4xf32> {rescale.no_grad})
        -> (tensor<f32>, tensor<4xf32>) {
      // ... the forward, then dl/dp = broadcast(1.0), dl/dx = dl/dp * %w
      return %l, %dx : tensor<f32>, tensor<4xf32>
    }
    ```
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"\"",
           "The function to differentiate: a public func.func whose first "
           "result is a tensor<f32> loss">,
  ];
  let statistics = [
    Statistic<"numGradients", "gradients", "Argument gradients returned">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // RESCALE_PASSES_PASSES_TD
