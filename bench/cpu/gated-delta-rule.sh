#!/usr/bin/env bash
# The gated delta rule's forward + backward on the CPU (issue 19): B1,
# Hk = Hv = 4, dk = dv = 64, T = 2048, f32. Rescale's module
# (rescale.gated_delta_rule then rescale.gated_delta_rule_grad, the chunked
# decomposition of docs/linear-attention.md, rescale-compile, rescale-run
# --time) against a PyTorch eager chunked implementation written here from
# the same formulas (bench/torch_gdr.py; chunks of 64, the WY/UT form with
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

RESCALE_ROOT="$root" "$py" - "$work" "$repeats" "$B" "$T" "$H" "$DK" "$DV" >"$work/torch.txt" <<'PY'
import math, os, statistics, sys, time
import numpy as np
import torch
torch.set_num_threads(os.cpu_count())
work = sys.argv[1]
repeats, B, T, H, DK, DV = map(int, sys.argv[2:])
gen = torch.Generator().manual_seed(0)
rn = lambda *s: torch.randn(*s, generator=gen)
# Heads first ([B, H, T, d]) on the torch side, as flash-linear-attention.
q = torch.nn.functional.normalize(rn(B, H, T, DK), dim=-1) / math.sqrt(DK)
k = torch.nn.functional.normalize(rn(B, H, T, DK), dim=-1)
v = rn(B, H, T, DV)
g = -torch.nn.functional.softplus(rn(B, H, T))
beta = torch.sigmoid(rn(B, H, T))
dout = rn(B, H, T, DV)

sys.path.insert(0, os.path.join(os.environ["RESCALE_ROOT"], "bench"))
from torch_gdr import chunked  # noqa: E402

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
