#!/usr/bin/env bash
# The row ops of issue 13 on the CPU: rms_norm and gated_norm (r = 16) at
# 4096x2048, and causal attention B1 H8 S1024 D64 with every variant (plain,
# headwise and elementwise gate, learned sinks, off-by-one), all f32.
# Rescale's module (rescale-compile, rescale-run --time) against PyTorch eager
# (the same formulas, as Hugging Face's Llama/Qwen code writes them) on as many
# threads, in the same run, on the same inputs (normal(0,1); the low-rank gate
# weights scaled by 1/sqrt(fan-in), as initialized in a model). Prints median ms per op, the norms' useful traffic
# (read x + write y) and the ratio.
# Installs python3-torch with apt-get when missing.
#   bench/cpu/ops.sh [REPEATS]    (default 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bench/cpu/prologue.sh" "$@"

R=4096 D=2048 RANK=16
B=1 H=8 S=1024 HD=64
x="tensor<${R}x${D}xf32>"
q="tensor<${B}x${H}x${S}x${HD}xf32>"
cat >"$work/rms_norm.mlir" <<MLIR
func.func @f(%x: $x, %w: tensor<${D}xf32>) -> $x {
  %y = rescale.rms_norm %x, %w {epsilon = 1.0e-06 : f32} : ($x, tensor<${D}xf32>) -> $x
  return %y : $x
}
MLIR
cat >"$work/gated_norm.mlir" <<MLIR
func.func @f(%x: $x, %w: tensor<${D}xf32>, %wd: tensor<${D}x${RANK}xf32>, %wu: tensor<${RANK}x${D}xf32>) -> $x {
  %y = rescale.gated_norm %x, %w, %wd, %wu {epsilon = 1.0e-06 : f32}
      : ($x, tensor<${D}xf32>, tensor<${D}x${RANK}xf32>, tensor<${RANK}x${D}xf32>) -> $x
  return %y : $x
}
MLIR
# attention NAME [EXTRA_OPERAND TYPE] [ATTRIBUTES]: one causal attention
# module, with at most one extra operand (a gate or the sinks).
attention() {
  local name=$1 extra=${2:-} type=${3:-} attrs=${4:-}
  local arg="" use="" types=""
  if [ -n "$extra" ]; then arg=", %$extra: $type" use=", %$extra" types=", $type"; fi
  cat >"$work/$name.mlir" <<MLIR
func.func @f(%q: $q, %k: $q, %v: $q$arg) -> $q {
  %o = rescale.attention %q, %k, %v$use {causal$attrs}
      : ($q, $q, $q$types) -> $q
  return %o : $q
}
MLIR
}
attention attention
attention attention_headwise g "tensor<${B}x${H}x${S}xf32>" ", gate_kind = #rescale.gate_kind<headwise>"
attention attention_elementwise g "$q" ", gate_kind = #rescale.gate_kind<elementwise>"
attention attention_sinks s "tensor<${H}xf32>" ", softmax = #rescale.softmax<learned_sink>"
attention attention_off_by_one "" "" ", softmax = #rescale.softmax<off_by_one>"

"$py" - "$work/in" "$repeats" "$R" "$D" "$RANK" "$B" "$H" "$S" "$HD" >"$work/torch.txt" <<'PY'
import math, os, statistics, sys, time
import numpy as np
import torch
torch.set_num_threads(os.cpu_count())
inputs = sys.argv[1]
repeats, R, D, RANK, B, H, S, HD = map(int, sys.argv[2:])
g = torch.Generator().manual_seed(0)
rn = lambda *s: torch.randn(*s, generator=g)
x, w, wd, wu = rn(R, D), rn(D), rn(D, RANK) / math.sqrt(D), rn(RANK, D) / math.sqrt(RANK)
def rms_norm(x, w, eps=1e-6):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))
def gated_norm():
    y = rms_norm(x, w)
    return y * torch.sigmoid(torch.nn.functional.silu(y @ wd) @ wu)
q, k, v = rn(B, H, S, HD), rn(B, H, S, HD), rn(B, H, S, HD)
gh, ge, sinks = rn(B, H, S), rn(B, H, S, HD), rn(H)
mask = torch.full((S, S), float("-inf")).triu(1)
def attention(gate=None, softmax="standard"):
    s = (q @ k.transpose(-1, -2)) / math.sqrt(HD) + mask
    if softmax == "standard":
        p = torch.softmax(s, -1)
    else:  # one extra logit per row: 0 (off-by-one) or the head's sink
        extra = torch.zeros(B, H, S, 1) if softmax == "off_by_one" else sinks.view(1, H, 1, 1).expand(B, H, S, 1)
        p = torch.softmax(torch.cat([s, extra], -1), -1)[..., :S]
    o = p @ v
    if gate is not None:
        o = o * torch.sigmoid(gate if gate.dim() == 4 else gate.unsqueeze(-1))
    return o
cases = {
    "rms_norm": lambda: rms_norm(x, w),
    "gated_norm": gated_norm,
    "attention": lambda: attention(),
    "attention_headwise": lambda: attention(gh),
    "attention_elementwise": lambda: attention(ge),
    "attention_sinks": lambda: attention(softmax="learned_sink"),
    "attention_off_by_one": lambda: attention(softmax="off_by_one"),
}
# Both sides run on the same data: Rescale's module reads these tensors.
operands = {
    "rms_norm": [x, w], "gated_norm": [x, w, wd, wu], "attention": [q, k, v],
    "attention_headwise": [q, k, v, gh], "attention_elementwise": [q, k, v, ge],
    "attention_sinks": [q, k, v, sinks], "attention_off_by_one": [q, k, v],
}
for name, tensors in operands.items():
    os.makedirs(os.path.join(inputs, name))
    for i, t in enumerate(tensors):
        np.save(os.path.join(inputs, name, "%d.npy" % i), t.numpy())
for name, f in cases.items():
    f()
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); times.append((time.perf_counter() - t) * 1e3)
    print(name, "%.3f" % statistics.median(times))
PY

ops=(rms_norm gated_norm attention attention_headwise attention_elementwise attention_sinks attention_off_by_one)
declare -A ours
for op in "${ops[@]}"; do
  "$build/bin/rescale-compile" "$work/$op.mlir" -o "$work/$op.so"
  inputs=()
  for f in $(ls "$work/in/$op" | sort -n); do inputs+=(--input "$work/in/$op/$f"); done
  ours[$op]=$("$build/bin/rescale-run" "$work/$op.so" --entry f "${inputs[@]}" \
                --time "$repeats" --output-dir "$work/out" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
done

printf "%-24s %10s %10s %7s %12s %12s\n" op rescale_ms torch_ms ratio rescale_GB/s vs_plain
bytes=$(( 2 * R * D * 4 ))
for op in "${ops[@]}"; do
  theirs=$(awk -v n="$op" '$1 == n { print $2 }' "$work/torch.txt")
  awk -v n="$op" -v o="${ours[$op]}" -v t="$theirs" -v b="$bytes" \
      -v rms="${ours[rms_norm]}" -v plain="${ours[attention]}" 'BEGIN {
    gbs = (n ~ /norm/) ? sprintf("%.1f", b / o / 1e6) : "-"
    rel = (n == "gated_norm") ? sprintf("%.2fx rms", o / rms) : (n ~ /^attention_/) ? sprintf("%.2fx", o / plain) : "-"
    printf "%-24s %10.2f %10.2f %6.2fx %12s %12s\n", n, o, t, t / o, gbs, rel }'
done
echo "ratio = torch ms / rescale ms (above 1: Rescale faster); torch on $(nproc) threads (torch.set_num_threads)"
echo "GB/s = (read x + write y) / time, the norms' useful traffic; vs_plain = time / the plain op's"
