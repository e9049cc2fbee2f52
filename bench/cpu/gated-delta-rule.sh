#!/usr/bin/env bash
# The gated delta rule's forward + backward on the CPU (issue 19): B1,
# Hk = Hv = 4, dk = dv = 64, T = 2048, f32. Rescale's module
# (rescale.gated_delta_rule then rescale.gated_delta_rule_grad, the chunked
# decomposition of docs/linear-attention.md, rescale-compile, rescale-run
# --time) against a PyTorch eager chunked implementation written here from
# the same formulas (chunks of 64, the WY/UT form with
# torch.linalg.solve_triangular, the forward then autograd's backward) on as
# many threads, in the same run, on the same inputs (q and k L2-normalized,
# q scaled by 1/sqrt(dk), g = -softplus(normal), beta = sigmoid(normal)).
# Also prints the largest difference between the two sides' outputs and
# gradients, so that the times compare the same computation.
#   bench/cpu/gated-delta-rule.sh [REPEATS]    (default 10)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bench/cpu/prologue.sh" "${1:-10}"

B=1 T=2048 H=4 DK=64 DV=64
qk="tensor<${B}x${T}x${H}x${DK}xf32>"
vv="tensor<${B}x${T}x${H}x${DV}xf32>"
gg="tensor<${B}x${T}x${H}xf32>"
cat >"$work/gdr.mlir" <<MLIR
func.func @f(%q: $qk, %k: $qk, %v: $vv, %g: $gg, %b: $gg, %do: $vv) -> ($vv, $qk, $qk, $vv, $gg, $gg) {
  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : ($qk, $qk, $vv, $gg, $gg) -> $vv
  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do
      : ($qk, $qk, $vv, $gg, $gg, $vv) -> ($qk, $qk, $vv, $gg, $gg)
  return %o, %dq, %dk, %dv, %dg, %db : $vv, $qk, $qk, $vv, $gg, $gg
}
MLIR

"$py" - "$work" "$repeats" "$B" "$T" "$H" "$DK" "$DV" >"$work/torch.txt" <<'PY'
import math, os, statistics, sys, time
import numpy as np
import torch
torch.set_num_threads(os.cpu_count())
work = sys.argv[1]
repeats, B, T, H, DK, DV = map(int, sys.argv[2:])
C = 64
gen = torch.Generator().manual_seed(0)
rn = lambda *s: torch.randn(*s, generator=gen)
# Heads first ([B, H, T, d]) on the torch side, as flash-linear-attention.
q = torch.nn.functional.normalize(rn(B, H, T, DK), dim=-1) / math.sqrt(DK)
k = torch.nn.functional.normalize(rn(B, H, T, DK), dim=-1)
v = rn(B, H, T, DV)
g = -torch.nn.functional.softplus(rn(B, H, T))
beta = torch.sigmoid(rn(B, H, T))
dout = rn(B, H, T, DV)

def chunked(q, k, v, g, beta):
    """o [B, H, T, dv] by chunks of C: within a chunk, gamma = cumsum(g),
    A = beta_i exp(gamma_i - gamma_j) k_i.k_j (j < i), U = (I + A)^-1
    beta (V - exp(gamma) K S), O = exp(gamma) Q S + P U with
    P = exp(gamma_i - gamma_j) q_i.k_j (j <= i), and
    S' = exp(gamma_L) S + (exp(gamma_L - gamma) K)^T U."""
    n = T // C
    split = lambda x: x.reshape(B, H, n, C, *x.shape[3:])
    q, k, v, g, beta = map(split, (q, k, v, g, beta))
    gamma = g.cumsum(-1)
    diff = gamma[..., :, None] - gamma[..., None, :]
    strict = torch.ones(C, C, dtype=torch.bool).tril(-1)
    lower = torch.ones(C, C, dtype=torch.bool).tril()
    A = beta[..., :, None] * (k @ k.transpose(-1, -2)) * \
        torch.exp(diff.masked_fill(~strict, float("-inf")))
    eye = torch.eye(C).expand_as(A)
    inv = torch.linalg.solve_triangular(eye + A, eye, upper=False,
                                        unitriangular=True)
    wv = inv @ (beta[..., None] * v)
    wk = inv @ ((beta * torch.exp(gamma))[..., None] * k)
    P = (q @ k.transpose(-1, -2)) * torch.exp(diff.masked_fill(~lower, float("-inf")))
    S = torch.zeros(B, H, DK, DV)
    outs = []
    for c in range(n):
        gc = gamma[:, :, c]
        u = wv[:, :, c] - wk[:, :, c] @ S
        outs.append(torch.exp(gc)[..., None] * (q[:, :, c] @ S) + P[:, :, c] @ u)
        last = gc[..., -1:]
        kd = torch.exp(last - gc)[..., None] * k[:, :, c]
        S = torch.exp(last)[..., None] * S + kd.transpose(-1, -2) @ u
    return torch.stack(outs, 2).reshape(B, H, T, DV)

leaves = [t.clone().requires_grad_() for t in (q, k, v, g, beta)]
def step():
    for t in leaves:
        t.grad = None
    o = chunked(*leaves)
    (o * dout).sum().backward()
    return o
o = step()
# Rescale reads tokens first ([B, T, H, d]).
tokens_first = lambda t: t.detach().transpose(1, 2).contiguous().numpy()
for i, t in enumerate((q, k, v, g, beta, dout)):
    np.save(os.path.join(work, "in%d.npy" % i), tokens_first(t))
for i, t in enumerate([o] + [x.grad for x in leaves]):
    np.save(os.path.join(work, "torch%d.npy" % i), tokens_first(t))
times = []
for _ in range(repeats):
    t0 = time.perf_counter(); step(); times.append((time.perf_counter() - t0) * 1e3)
print("gated_delta_rule_fwd_bwd", "%.3f" % statistics.median(times))
PY

"$build/bin/rescale-compile" "$work/gdr.mlir" -o "$work/gdr.so"
inputs=()
for i in 0 1 2 3 4 5; do inputs+=(--input "$work/in$i.npy"); done
ours=$("$build/bin/rescale-run" "$work/gdr.so" --entry f "${inputs[@]}" \
         --time "$repeats" --output-dir "$work/out" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
theirs=$(awk '{ print $2 }' "$work/torch.txt")
diff=$("$py" - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
names = ["o", "dq", "dk", "dv", "dg", "dbeta"]
worst = []
for i, n in enumerate(names):
    a, b = np.load(f"{w}/out/out{i}.npy"), np.load(f"{w}/torch{i}.npy")
    worst.append("%s %.1e" % (n, np.abs(a - b).max() / max(1.0, np.abs(b).max())))
print(", ".join(worst))
PY
)
printf "%-26s %10s %10s %7s\n" op rescale_ms torch_ms ratio
awk -v o="$ours" -v t="$theirs" 'BEGIN { printf "%-26s %10.2f %10.2f %6.2fx\n", "gated_delta_rule fwd+bwd", o, t, t / o }'
echo "largest |rescale - torch| / max(1, max|torch|): $diff"
echo "ratio = torch ms / rescale ms (above 1: Rescale faster); torch on $(nproc) threads (torch.set_num_threads)"
