#!/usr/bin/env bash
# The example decoder block (examples/decoder_block.mlir: GatedNorm, q/k/v
# and gate linears, causal GQA attention with a headwise gate, output
# projection and residual, GatedNorm, SwiGLU MLP and residual; f32) at two
# sizes: the example's own (S = 16, d = 64, 4 / 2 heads of 16, MLP 128) and a
# model-sized one (S = 512, d = 512, 8 / 4 heads of 64, MLP 1408), both with
# GatedNorm rank 16. Rescale's module (rescale-compile, rescale-run --time)
# against PyTorch eager (the same formulas) on as many threads, in the same
# run, on the same inputs; the outputs are compared too (max |diff| relative
# to max |out|), so that both sides are known to compute the same block.
# Installs python3-torch with apt-get when missing.
#   bench/cpu/block.sh [REPEATS]    (default 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bench/cpu/prologue.sh" "$@"

# block NAME S D H KV HD F: writes $work/NAME.mlir, the example's block at
# these sizes (batch 1, rank 16), with the example's argument order.
block() {
  python3 - "$@" >"$work/$1.mlir" <<'PY'
import sys
name, S, D, H, KV, HD, F = sys.argv[1], *map(int, sys.argv[2:])
R = 16
t = lambda *dims: "tensor<%sxf32>" % "x".join(map(str, dims))
x, q4, kv4 = t(1, S, D), t(1, H, S, HD), t(1, KV, S, HD)
print(f"""func.func @decoder_block(%x: {x},
    %norm1_w: {t(D)}, %norm1_down: {t(D, R)}, %norm1_up: {t(R, D)},
    %wq: {t(H * HD, D)}, %wk: {t(KV * HD, D)}, %wv: {t(KV * HD, D)},
    %wgate: {t(H, D)}, %wo: {t(D, H * HD)},
    %norm2_w: {t(D)}, %norm2_down: {t(D, R)}, %norm2_up: {t(R, D)},
    %w_g: {t(F, D)}, %w_u: {t(F, D)}, %w_down: {t(D, F)}) -> {x} {{
  %n1 = rescale.gated_norm %x, %norm1_w, %norm1_down, %norm1_up {{epsilon = 1.0e-06 : f32}}
      : ({x}, {t(D)}, {t(D, R)}, {t(R, D)}) -> {x}
  %q_flat = rescale.linear %n1, %wq : ({x}, {t(H * HD, D)}) -> {t(1, S, H * HD)}
  %k_flat = rescale.linear %n1, %wk : ({x}, {t(KV * HD, D)}) -> {t(1, S, KV * HD)}
  %v_flat = rescale.linear %n1, %wv : ({x}, {t(KV * HD, D)}) -> {t(1, S, KV * HD)}
  %g_flat = rescale.linear %n1, %wgate : ({x}, {t(H, D)}) -> {t(1, S, H)}
  %q_split = tensor.expand_shape %q_flat [[0], [1], [2, 3]] output_shape [1, {S}, {H}, {HD}]
      : {t(1, S, H * HD)} into {t(1, S, H, HD)}
  %k_split = tensor.expand_shape %k_flat [[0], [1], [2, 3]] output_shape [1, {S}, {KV}, {HD}]
      : {t(1, S, KV * HD)} into {t(1, S, KV, HD)}
  %v_split = tensor.expand_shape %v_flat [[0], [1], [2, 3]] output_shape [1, {S}, {KV}, {HD}]
      : {t(1, S, KV * HD)} into {t(1, S, KV, HD)}
  %q_init = tensor.empty() : {q4}
  %q = linalg.transpose ins(%q_split : {t(1, S, H, HD)}) outs(%q_init : {q4}) permutation = [0, 2, 1, 3]
  %kv_init = tensor.empty() : {kv4}
  %k = linalg.transpose ins(%k_split : {t(1, S, KV, HD)}) outs(%kv_init : {kv4}) permutation = [0, 2, 1, 3]
  %v = linalg.transpose ins(%v_split : {t(1, S, KV, HD)}) outs(%kv_init : {kv4}) permutation = [0, 2, 1, 3]
  %g_init = tensor.empty() : {t(1, H, S)}
  %gate = linalg.transpose ins(%g_flat : {t(1, S, H)}) outs(%g_init : {t(1, H, S)}) permutation = [0, 2, 1]
  %attn = rescale.attention %q, %k, %v, %gate {{causal, gate_kind = #rescale.gate_kind<headwise>}}
      : ({q4}, {kv4}, {kv4}, {t(1, H, S)}) -> {q4}
  %o_init = tensor.empty() : {t(1, S, H, HD)}
  %o_split = linalg.transpose ins(%attn : {q4}) outs(%o_init : {t(1, S, H, HD)}) permutation = [0, 2, 1, 3]
  %o_flat = tensor.collapse_shape %o_split [[0], [1], [2, 3]] : {t(1, S, H, HD)} into {t(1, S, H * HD)}
  %o = rescale.linear %o_flat, %wo : ({t(1, S, H * HD)}, {t(D, H * HD)}) -> {x}
  %h = arith.addf %x, %o : {x}
  %n2 = rescale.gated_norm %h, %norm2_w, %norm2_down, %norm2_up {{epsilon = 1.0e-06 : f32}}
      : ({x}, {t(D)}, {t(D, R)}, {t(R, D)}) -> {x}
  %a = rescale.linear %n2, %w_g : ({x}, {t(F, D)}) -> {t(1, S, F)}
  %b = rescale.linear %n2, %w_u : ({x}, {t(F, D)}) -> {t(1, S, F)}
  %one = arith.constant dense<1.0> : {t(1, S, F)}
  %neg = arith.negf %a : {t(1, S, F)}
  %e = math.exp %neg : {t(1, S, F)}
  %den = arith.addf %one, %e : {t(1, S, F)}
  %silu = arith.divf %a, %den : {t(1, S, F)}
  %swiglu = arith.mulf %silu, %b : {t(1, S, F)}
  %m = rescale.linear %swiglu, %w_down : ({t(1, S, F)}, {t(D, F)}) -> {x}
  %out = arith.addf %h, %m : {x}
  return %out : {x}
}}""")
PY
}
sizes=("example 16 64 4 2 16 128" "model 512 512 8 4 64 1408")
for s in "${sizes[@]}"; do block $s; done

"$py" - "$work/in" "$repeats" "${sizes[@]}" >"$work/torch.txt" <<'PY'
import math, os, statistics, sys, time
import numpy as np
import torch
import torch.nn.functional as Fn
torch.set_num_threads(os.cpu_count())
inputs, repeats = sys.argv[1], int(sys.argv[2])
for spec in sys.argv[3:]:
    name, S, D, H, KV, HD, F = spec.split()[0], *map(int, spec.split()[1:])
    R = 16
    g = torch.Generator().manual_seed(0)
    # Weights at the scale of an initialized model (1/sqrt(fan-in)).
    rn = lambda *s, fan=1: torch.randn(*s, generator=g) / math.sqrt(fan)
    args = [rn(1, S, D), 1 + 0.1 * rn(D), rn(D, R, fan=D), rn(R, D, fan=R),
            rn(H * HD, D, fan=D), rn(KV * HD, D, fan=D), rn(KV * HD, D, fan=D),
            rn(H, D, fan=D), rn(D, H * HD, fan=H * HD),
            1 + 0.1 * rn(D), rn(D, R, fan=D), rn(R, D, fan=R),
            rn(F, D, fan=D), rn(F, D, fan=D), rn(D, F, fan=F)]
    os.makedirs(os.path.join(inputs, name))
    for i, a in enumerate(args):
        np.save(os.path.join(inputs, name, "%02d.npy" % i), a.numpy())
    mask = torch.full((S, S), float("-inf")).triu(1)
    def gated_norm(x, w, wd, wu, eps=1e-6):
        y = w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))
        return y * torch.sigmoid(Fn.silu(y @ wd) @ wu)
    def block(x, n1w, n1d, n1u, wq, wk, wv, wg, wo, n2w, n2d, n2u, w_g, w_u, w_down):
        n1 = gated_norm(x, n1w, n1d, n1u)
        q = (n1 @ wq.t()).view(1, S, H, HD).transpose(1, 2)
        k = (n1 @ wk.t()).view(1, S, KV, HD).transpose(1, 2)
        v = (n1 @ wv.t()).view(1, S, KV, HD).transpose(1, 2)
        gate = (n1 @ wg.t()).transpose(1, 2)                  # [1, H, S]
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(HD) + mask, -1)
        o = (p @ v) * torch.sigmoid(gate).unsqueeze(-1)
        h = x + o.transpose(1, 2).reshape(1, S, H * HD) @ wo.t()
        n2 = gated_norm(h, n2w, n2d, n2u)
        return h + (Fn.silu(n2 @ w_g.t()) * (n2 @ w_u.t())) @ w_down.t()
    with torch.no_grad():
        out = block(*args)
        np.save(os.path.join(inputs, name + ".torch-out.npy"), out.numpy())
        times = []
        for _ in range(repeats):
            t = time.perf_counter(); block(*args); times.append((time.perf_counter() - t) * 1e3)
    print(name, "%.3f" % statistics.median(times))
PY

printf "%-10s %-34s %10s %10s %7s %14s\n" block sizes rescale_ms torch_ms ratio max_rel_diff
for s in "${sizes[@]}"; do
  set -- $s
  name=$1
  "$build/bin/rescale-compile" "$work/$name.mlir" -o "$work/$name.so"
  inputs=()
  for f in $(ls "$work/in/$name" | sort); do inputs+=(--input "$work/in/$name/$f"); done
  ours=$("$build/bin/rescale-run" "$work/$name.so" --entry decoder_block "${inputs[@]}" \
           --time "$repeats" --output-dir "$work/out-$name" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  theirs=$(awk -v n="$name" '$1 == n { print $2 }' "$work/torch.txt")
  diff=$("$py" -c "import numpy as np, sys; a = np.load(sys.argv[1]); b = np.load(sys.argv[2]); print('%.1e' % (np.abs(a - b).max() / np.abs(b).max()))" \
           "$work/out-$name/out0.npy" "$work/in/$name.torch-out.npy")
  awk -v n="$name" -v sz="S=$2 d=$3 H=$4/$5 hd=$6 F=$7 r=16" -v o="$ours" -v t="$theirs" -v d="$diff" \
      'BEGIN { printf "%-10s %-34s %10.2f %10.2f %6.2fx %14s\n", n, sz, o, t, t / o, d }'
done
echo "ratio = torch ms / rescale ms (above 1: Rescale faster); torch on $(nproc) threads (torch.set_num_threads)"
