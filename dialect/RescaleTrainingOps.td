//===- RescaleTrainingOps.td - ops for training a decoder --*- tablegen -*-===//
//
// The ops a language-model training step needs around the paper's norms and
// attention (issue 10, "New ops"): token embedding, rotary position
// embedding, the cross-entropy loss, and the AdamW update, with the backward
// ops of embedding and cross-entropy. Included from RescaleOps.td, whose
// constraints (Rescale_FloatTensor, Rescale_AnyFloatAttr) these use.
//
//===----------------------------------------------------------------------===//

#ifndef RESCALE_TRAINING_OPS_TD
#define RESCALE_TRAINING_OPS_TD

// A ranked tensor of i32 or i64 (token ids, targets, positions). Like
// Rescale_FloatTensor, ODS checks only the rank-ness; the verifiers check the
// element type so that the message can name the operand.
def Rescale_IndexTensor : Type<CPred<"::llvm::isa<::mlir::RankedTensorType>($_self)">,
                               "ranked tensor of i32 or i64",
                               "::mlir::RankedTensorType">;

// A 0-d tensor<f32>: AdamW's run-time hyperparameters.
def Rescale_F32Scalar
    : Type<CPred<"::llvm::isa<::mlir::RankedTensorType>($_self) && "
                 "::llvm::cast<::mlir::RankedTensorType>($_self).getRank() == 0 && "
                 "::llvm::cast<::mlir::RankedTensorType>($_self).getElementType().isF32()">,
           "0-d tensor<f32>", "::mlir::RankedTensorType">,
      BuildableType<"::mlir::RankedTensorType::get({}, $_builder.getF32Type())">;

//===----------------------------------------------------------------------===//
// Embedding
//===----------------------------------------------------------------------===//

def Rescale_EmbeddingOp : Rescale_Op<"embedding", [Pure]> {
  let summary = "token embedding lookup: y[..., :] = table[ids[...], :]";
  let description = [{
    Gathers one row of `table [V, D]` per id: `ids` has any rank and element
    type i32 or i64, the result is `ids.shape + [D]` with the element type of
    `table` (f32, f16 or bf16).

    An id outside `[0, V)` gives a **zero row** (a defined result, never an
    out-of-bounds read). `rescale-run` warns when an integer input that feeds
    an embedding's `ids` holds such ids (docs/compile-and-run.md).

    The reference decomposition is dense: a one-hot reduction over the
    vocabulary, `y[n, d] = Σ_v (ids[n] == v) · table[v, d]`, exact (one
    non-zero term) but O(N·V·D). The CPU pipeline gathers instead
    (`--convert-rescale-embedding-to-gather`, same values, O(N·D)).
    Gradient: `rescale.embedding_grad`.

    Example:
    ```mlir
    %y = rescale.embedding %ids, %table
        : (tensor<4x8xi32>, tensor<256x64xf32>) -> tensor<4x8x64xf32>
    ```
  }];
  let arguments = (ins Rescale_IndexTensor:$ids, Rescale_FloatTensor:$table);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_EmbeddingGradOp : Rescale_Op<"embedding_grad", [Pure]> {
  let summary = "gradient of rescale.embedding w.r.t. its table (scatter-add)";
  let description = [{
    `dtable[v, :] = Σ_{n : ids[n] = v} dy[n, :]` for `v < num_embeddings`:
    a scatter-add of the result gradient `dy [ids.shape..., D]` into
    `[num_embeddings, D]`, accumulated in f32 and rounded once to the element
    type of `dy`. Ids outside `[0, num_embeddings)` contribute nothing (their
    forward rows are constant zeros). The reference decomposition is a dense
    one-hot contraction over the ids; the CPU pipeline adds one row per id
    instead (`--convert-rescale-embedding-to-gather`, the same sums in the
    same order).

    Example:
    ```mlir
    %dt = rescale.embedding_grad %ids, %dy {num_embeddings = 256 : i64}
        : (tensor<4x8xi32>, tensor<4x8x64xf32>) -> tensor<256x64xf32>
    ```
  }];
  let arguments = (ins Rescale_IndexTensor:$ids, Rescale_FloatTensor:$dy,
                       I64Attr:$num_embeddings);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $dy attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

def Rescale_CrossEntropyOp : Rescale_Op<"cross_entropy", [Pure]> {
  let summary = "mean token cross-entropy with ignore_index and PaLM's z-loss";
  let description = [{
    `logits [..., V]` (f32, f16 or bf16), `targets [...]` (i32 or i64), a
    scalar `tensor<f32>` result:

    ```
    lse[r]  = m[r] + log Σ_v exp(logits[r, v] − m[r])     // m = max_v logits[r, v]
    ℓ[r]    = lse[r] − logits[r, targets[r]] + z_loss · lse[r]²
    counted = { r : targets[r] != ignore_index and 0 <= targets[r] < V }
    loss    = Σ_{r ∈ counted} ℓ[r] / |counted|       (0 when nothing is counted)
    ```

    Computed in f32 with the row maximum subtracted. The `z_loss` term is
    PaLM's auxiliary loss that keeps the softmax normalizer near 1.

    Defined results where PyTorch differs or fails: when every target is
    ignored the loss is **0** (PyTorch's `F.cross_entropy` returns NaN, 0/0);
    a target outside `[0, V)` that is not `ignore_index` is treated as
    ignored (PyTorch raises an error on such a target).

    Attributes: `ignore_index` (i64, default -100), `z_loss` (float, default
    0). Gradient: `rescale.cross_entropy_grad`.

    Example:
    ```mlir
    %loss = rescale.cross_entropy %logits, %targets {ignore_index = -100 : i64, z_loss = 0.0 : f32}
        : (tensor<4x8x256xf32>, tensor<4x8xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$logits, Rescale_IndexTensor:$targets,
                       DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "0.0">:$z_loss);
  let results = (outs Rescale_F32Scalar:$loss);
  let assemblyFormat = "$logits `,` $targets attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Rescale_CrossEntropyGradOp : Rescale_Op<"cross_entropy_grad", [Pure]> {
  let summary = "gradient of rescale.cross_entropy w.r.t. the logits";
  let description = [{
    With `p = softmax(logits[r, :])`, `lse[r]` and the counted rows of
    `rescale.cross_entropy` (same `ignore_index`, `z_loss`) and
    `N = |counted|`:

    ```
    dlogits[r, v] = dloss / N · (p[v] − [v = targets[r]] + 2 · z_loss · lse[r] · p[v])   r counted
    dlogits[r, v] = 0                                                                    otherwise
    ```

    (0 everywhere when N = 0). `dloss` is a `tensor<f32>`; the result has
    the type of `logits`. Computed in f32, rounded once.

    Example:
    ```mlir
    %dl = rescale.cross_entropy_grad %logits, %targets, %dloss {z_loss = 1.0e-4 : f32}
        : (tensor<4x8x256xf32>, tensor<4x8xi32>, tensor<f32>) -> tensor<4x8x256xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$logits, Rescale_IndexTensor:$targets,
                       Rescale_F32Scalar:$dloss,
                       DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "0.0">:$z_loss);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $targets `,` $dloss attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Rotary position embedding
//===----------------------------------------------------------------------===//

def Rescale_RoPEOp : Rescale_Op<"rope", [Pure, AllTypesMatch<["x", "result"]>]> {
  let summary = "rotary position embedding (Hugging Face Llama convention)";
  let description = [{
    Rotates `x [B, H, S, D]` (D even) by position, as Hugging Face's Llama
    `apply_rotary_pos_emb` (the "rotate half" layout):

    ```
    inv_freq[i] = theta^(−2i/D)                  i < D/2   (computed in f64, rounded to f32)
    angle[s, i] = pos[s] · inv_freq[i]           (f32)
    cos, sin    = cos(angle), sin(angle), duplicated over the two halves of D
    y           = x · cos + rotate_half(x) · sin,  rotate_half(x) = cat(−x[D/2:], x[:D/2])
    ```

    `pos[s] = s + offset` (attribute `offset`, default 0), or, with the
    optional operand `positions` (`[S]` or `[B, S]`, i32 or i64), `pos` read
    from it (then `offset` must be 0). `theta` defaults to 10000.

    The unit attribute `inverse` negates the angle: the inverse rotation,
    which is also the transpose, so it is this op's own gradient.

    Example:
    ```mlir
    %y = rescale.rope %x {theta = 10000.0 : f64, offset = 0 : i64} : tensor<1x4x8x16xf32>
    %z = rescale.rope %x, %pos : tensor<1x4x8x16xf32>, tensor<8xi32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$x,
                       Optional<Rescale_IndexTensor>:$positions,
                       DefaultValuedAttr<Rescale_AnyFloatAttr, "10000.0">:$theta,
                       DefaultValuedAttr<I64Attr, "0">:$offset,
                       UnitAttr:$inverse);
  let results = (outs Rescale_FloatTensor:$result);
  let assemblyFormat = "$x (`,` $positions^)? attr-dict `:` type($x) (`,` type($positions)^)?";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def Rescale_AdamWOp : Rescale_Op<"adamw",
    [Pure, AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>]> {
  let summary = "one fused AdamW step (torch.optim.AdamW semantics)";
  let description = [{
    One elementwise pass over `param`, `grad` and the moments `m`, `v` (all
    of one type, f32, f16 or bf16; computed in f32):

    ```
    p  ← p · (1 − lr · weight_decay)                       // decoupled decay
    m' = β1 · m + (1 − β1) · g
    v' = β2 · v + (1 − β2) · g²
    p' = p − lr / (1 − β1^step) · m' / (sqrt(v') / sqrt(1 − β2^step) + eps)
    ```

    as `torch.optim.AdamW` (its default, non-amsgrad, non-fused path). `step`
    is 1-based, as an f32 value.

    The hyperparameters are **operands** (0-d `tensor<f32>`), not attributes
    as issue 10 wrote them (`{lr, beta1, ...}`): the trainer's learning-rate
    schedule and its `--beta1/--beta2/--eps/--weight-decay` flags are
    run-time values of one compiled `train_step` (docs/trainer.md: the
    `hyper` vector). Not differentiable.

    Example:
    ```mlir
    %p1, %m1, %v1 = rescale.adamw %p, %g, %m, %v lr(%lr) beta1(%b1) beta2(%b2)
        eps(%eps) weight_decay(%wd) step(%step) : tensor<64x32xf32>
    ```
  }];
  let arguments = (ins Rescale_FloatTensor:$param, Rescale_FloatTensor:$grad,
                       Rescale_FloatTensor:$m, Rescale_FloatTensor:$v,
                       Rescale_F32Scalar:$lr, Rescale_F32Scalar:$beta1,
                       Rescale_F32Scalar:$beta2, Rescale_F32Scalar:$eps,
                       Rescale_F32Scalar:$weight_decay, Rescale_F32Scalar:$step);
  let results = (outs Rescale_FloatTensor:$new_param, Rescale_FloatTensor:$new_m,
                      Rescale_FloatTensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `lr` `(` $lr `)` `beta1` `(` $beta1 `)`
    `beta2` `(` $beta2 `)` `eps` `(` $eps `)` `weight_decay` `(` $weight_decay `)`
    `step` `(` $step `)` attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

#endif // RESCALE_TRAINING_OPS_TD
