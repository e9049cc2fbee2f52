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
    arith/math ops on tensors; TOSA functions are first lowered with upstream
    `tosa-to-linalg-named`, `tosa-to-linalg`, `tosa-to-arith` and
    `tosa-to-tensor`, so one matcher serves all three):

    * RMSNorm: `x · rsqrt(mean(x²) + ε) · w`, with `x / sqrt(…)`, `pow(x, 2)`,
      `sum · (1/d)` or `sum / d`, and with or without an f32 upcast and a
      truncation back. The mean must be over the last dimension and ε must be
      present (a positive constant).
    * PreAffine RMSNorm (§3.3): the same with `u = λ₁ ⊙ x` in place of `x`.
    * Softmax attention: `softmax(scale · q·kᵀ [+ causal mask]) · v`, with kᵀ
      as a transpose op or a transposed matmul operand, the scale a multiply
      or divide on q or on the scores, the causal mask an `arith.select`
      against −inf (or a large negative) or an added constant, and softmax
      spelled as max, subtract, exp, sum, divide. Only exactly-causal masks
      are raised; 2-d and 3-d attention is reshaped to the op's 4-d layout.
    * Linears: a matmul whose right operand is a weight (a function argument,
      a constant or an `ml_program` global, possibly transposed, reshaped or
      broadcast) becomes `rescale.linear`, absorbing a following bias add.
    * Gates: the GatedNorm self-gate and the gated-attention output gate
      (the patterns of `--rescale-fuse-gated-norm` and
      `--rescale-fuse-attention`, run after the ops above are raised).

    Near-misses (a reduction over another dimension, a non-causal mask, a
    missing ε, a gate computed from another value) are left alone.

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

    (`act` = sigmoid or tanh, swish spelled `h·σ(h)` or `h / (1 + e^-h)`)
    into `rescale.gated_norm(x, w, Wdᵀ, Wuᵀ)`. The gate must read `y` itself:
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
    %o = rescale.attention %q, %k, %v {causal = true}
        : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>)
        -> tensor<1x4x8x16xf32>
    // %sg = σ(%g) with %g : tensor<1x4x8x16xf32>;  %out = %o ⊙ %sg
    ```
    becomes
    ```mlir
    %out = rescale.attention %q, %k, %v, %g
        {causal = true, gate_kind = #rescale.gate_kind<elementwise>} : …
    ```
    A gate of shape `[B, Hq, S, 1]` or `[B, Hq, S]` broadcast over the head
    dimension becomes a headwise gate. Only an ungated attention whose
    output feeds nothing but the gate multiply is fused.
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
    global for globals); weights that are function arguments get an explicit
    scaling op on the weight path.

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

#endif // RESCALE_PASSES_PASSES_TD
