//===- RescaleLinearAttentionOps.td - the gated delta rule -*- tablegen -*-===//
//
// Linear attention of the paper's linear and hybrid models (issue 19): the
// gated delta rule of Gated DeltaNet (Yang, Kautz, Hatamizadeh 2024,
// arXiv 2412.06464), as Qwen3-Next uses it, and its fused backward. The
// projections, the short convolution, the L2 normalization of q and k, the
// gates' parameterization and the output norm stay ordinary ops around these
// (modelbuilder/); these two ops are the sequential part. Included from
// RescaleOps.td. Verifiers in RescaleLinearAttentionOps.cpp; the math is
// written once, in the chunked decomposition
// (conversion/RescaleToLinalg/GatedDeltaRuleToLinalg.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_LINEAR_ATTENTION_OPS_TD
#define RESCALE_LINEAR_ATTENTION_OPS_TD

def Rescale_GatedDeltaRuleOp : Rescale_Op<"gated_delta_rule", [Pure]> {
  let summary = "the gated delta rule (Gated DeltaNet's linear attention)";
  let description = [{
    For `q, k [B, T, Hk, dk]`, `v [B, T, Hv, dv]`, the log decay
    `g [B, T, Hv]` and the write strength `beta [B, T, Hv]`, per batch and
    value head `h` (key head `h / (Hv / Hk)`: each key head serves `Hv / Hk`
    consecutive value heads, PyTorch's `repeat_interleave`), with a state
    `S [dk, dv]` that is zero before the first token:

    ```
    S   ← exp(g_t) · S                         -- forget
    S   ← S + k_t (beta_t (v_t − Sᵀ k_t))ᵀ     -- delta-rule write
    o_t = Sᵀ q_t
    ```

    The op is the recurrence only: callers pass q and k already
    L2-normalized and q already scaled (by 1/sqrt(dk) in Gated DeltaNet), and
    `g = −exp(A_log) · softplus(a + dt_bias)`, `beta = σ(b)`. The recurrence
    is well conditioned for `g ≤ 0`, `0 ≤ beta ≤ 2` and unit-norm keys; it is
    defined for any values, but the chunked form computes `exp` of partial
    sums of `g` within a chunk and overflows where those are large and
    positive.

    Computed in f32 in the chunked (WY / UT) form of flash-linear-attention
    (Yang et al., arXiv 2406.06484), chunks of up to 64 tokens, never
    materializing one state per token; the result has `v`'s type, and is
    equal to the token-by-token recurrence up to f32 rounding.

    Example:
    ```mlir
    %o = rescale.gated_delta_rule %q, %k, %v, %g, %beta
        : (tensor<1x100x2x16xf32>, tensor<1x100x2x16xf32>, tensor<1x100x4x8xf32>,
           tensor<1x100x4xf32>, tensor<1x100x4xf32>) -> tensor<1x100x4x8xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Rescale_FloatTensor:$v, Rescale_FloatTensor:$g,
                       Rescale_FloatTensor:$beta);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$q `,` $k `,` $v `,` $g `,` $beta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_GatedDeltaRuleGradOp : Rescale_Op<"gated_delta_rule_grad", [Pure]> {
  let summary = "gradient of rescale.gated_delta_rule w.r.t. q, k, v, g and beta";
  let description = [{
    The forward's operands and `dout`, the adjoint of its result (`v`'s
    type); returns `dq`, `dk`, `dv`, `dg`, `dbeta`, each of its operand's
    type. `dq` and `dk` sum over the value heads that share a key head.

    Fused and chunked like the forward: one pass over the chunks recomputes
    the state at the start of each chunk (the only thing kept, one `[dk, dv]`
    per chunk), then a reverse pass carries the state's adjoint `dS` from
    the last chunk to the first. Within a chunk of length C, with γ the
    cumulative sum of g from the chunk's start, `A[i,j] = beta_i
    exp(γ_i − γ_j) k_i·k_j` (j < i), `U = (I + A)⁻¹ beta ⊙ (V − exp(γ) ⊙ K
    S₀)` the pseudo-values, `P[i,j] = exp(γ_i − γ_j) q_i·k_j` (j ≤ i):

    ```
    O   = exp(γ) ⊙ Q S₀ + P U
    S_C = exp(γ_C) S₀ + (exp(γ_C − γ) ⊙ K)ᵀ U
    ```

    and the backward differentiates these four lines in reverse (the
    triangular solve by a transposed solve, `dA = −(dX Uᵀ)` on the strict
    lower triangle), `dg` is the reverse cumulative sum of `dγ` within each
    chunk. Computed in f32, each result rounded once.

    Example:
    ```mlir
    %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %beta, %do
        : (tensor<1x100x2x16xf32>, tensor<1x100x2x16xf32>, tensor<1x100x4x8xf32>,
           tensor<1x100x4xf32>, tensor<1x100x4xf32>, tensor<1x100x4x8xf32>)
        -> (tensor<1x100x2x16xf32>, tensor<1x100x2x16xf32>, tensor<1x100x4x8xf32>,
            tensor<1x100x4xf32>, tensor<1x100x4xf32>)
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$q, Rescale_FloatTensor:$k,
                       Rescale_FloatTensor:$v, Rescale_FloatTensor:$g,
                       Rescale_FloatTensor:$beta, Rescale_FloatTensor:$dout);
  let results = (outs Rescale_FloatTensor:$dq, Rescale_FloatTensor:$dk,
                      Rescale_FloatTensor:$dv, Rescale_FloatTensor:$dg,
                      Rescale_FloatTensor:$dbeta);
  let assemblyFormat = "$q `,` $k `,` $v `,` $g `,` $beta `,` $dout attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // RESCALE_LINEAR_ATTENTION_OPS_TD
