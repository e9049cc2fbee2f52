"""The gated delta rule in PyTorch, chunked, written from the formulas of
docs/linear-attention.md: the peer of bench/cpu/gated-delta-rule.sh (eager,
f32, CPU) and of bench/gpu/bench.py (eager and torch.compile, CUDA).

Heads first ([B, H, T, d]), as flash-linear-attention lays them out; T a
multiple of the chunk C. Within a chunk, gamma = cumsum(g),
A = beta_i exp(gamma_i - gamma_j) k_i.k_j (j < i), U = (I + A)^-1 beta
(V - exp(gamma) K S), O = exp(gamma) Q S + P U with
P = exp(gamma_i - gamma_j) q_i.k_j (j <= i), and
S' = exp(gamma_L) S + (exp(gamma_L - gamma) K)^T U. The products run in the
inputs' dtype; the triangular inverse and the state in f32 (solve_triangular
takes no bf16), cast back to the inputs' dtype where they meet it.
"""


def chunked(q, k, v, g, beta, C=64):
    import torch  # here: cases.py imports this file for the FLOP count only
    B, H, T, DK = q.shape
    DV = v.shape[-1]
    n = T // C
    dtype, device = q.dtype, q.device
    split = lambda x: x.reshape(B, H, n, C, *x.shape[3:])
    q, k, v, g, beta = map(split, (q, k, v, g, beta))
    g, beta = g.float(), beta.float()
    gamma = g.cumsum(-1)
    diff = gamma[..., :, None] - gamma[..., None, :]
    strict = torch.ones(C, C, dtype=torch.bool, device=device).tril(-1)
    lower = torch.ones(C, C, dtype=torch.bool, device=device).tril()
    A = beta[..., :, None] * (k @ k.transpose(-1, -2)).float() * \
        torch.exp(diff.masked_fill(~strict, float("-inf")))
    eye = torch.eye(C, device=device).expand_as(A)
    inv = torch.linalg.solve_triangular(eye + A, eye, upper=False,
                                        unitriangular=True).to(dtype)
    wv = inv @ (beta[..., None] * v).to(dtype)
    wk = inv @ ((beta * torch.exp(gamma))[..., None] * k).to(dtype)
    P = ((q @ k.transpose(-1, -2)).float() *
         torch.exp(diff.masked_fill(~lower, float("-inf")))).to(dtype)
    S = torch.zeros(B, H, DK, DV, device=device)
    outs = []
    for c in range(n):
        gc = gamma[:, :, c]
        u = wv[:, :, c] - wk[:, :, c] @ S.to(dtype)
        outs.append(torch.exp(gc)[..., None] * (q[:, :, c] @ S.to(dtype)).float()
                    + (P[:, :, c] @ u).float())
        last = gc[..., -1:]
        kd = (torch.exp(last - gc)[..., None] * k[:, :, c]).to(dtype)
        S = torch.exp(last)[..., None] * S + (kd.transpose(-1, -2) @ u).float()
    return torch.stack(outs, 2).reshape(B, H, T, DV).to(dtype)


def chunked_flops(B, H, T, DK, DV, C=64):
    """The forward's nominal FLOPs, per chunk: K Kᵀ and Q Kᵀ (4 C² dk), the
    WY products (2 C² (dk + dv)), W S and Q S (4 C dk dv), P U (C² dv: the
    causal half), the state update (2 C dk dv). A forward + backward counts
    three times this (the usual 2x for the backward)."""
    per_chunk = 4 * C * C * DK + 2 * C * C * (DK + DV) + 6 * C * DK * DV + C * C * DV
    return B * H * (T // C) * per_chunk
