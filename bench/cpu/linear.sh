#!/usr/bin/env bash
# f32 GEMMs of a linear layer on the CPU, forward and both backward shapes
# (issue 13): Rescale's compiled module (rescale-compile, products through
# OpenBLAS's cblas_sgemm; rescale-run --time) against PyTorch eager on the same
# machine, in the same run, and our own loops (--blas=false) for the record.
# Prints one row per shape: median ms and GFLOP/s of each, and the ratio.
# Installs python3-torch and libopenblas-dev with apt-get when missing.
#   bench/cpu/linear.sh [REPEATS]    (default 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bench/cpu/prologue.sh" "$@"

# name M N K kind: forward y = x·wᵀ (x [M, K], w [N, K]); dx = dy·w
# (dy [M, N], w [N, K] -> [M, K]); dw = dyᵀ·x (dy [M, N], x [M, K] -> [N, K]).
shapes=(
  "fwd_1024 1024 1024 1024 fwd"
  "dx_1024 1024 1024 1024 dx"
  "dw_1024 1024 1024 1024 dw"
  "fwd_4096x2048x2048 4096 2048 2048 fwd"
  "dx_4096x2048x2048 4096 2048 2048 dx"
  "dw_4096x2048x2048 4096 2048 2048 dw"
)
printf "%-20s %10s %9s %10s %9s %7s %12s\n" shape rescale_ms GFLOP/s torch_ms GFLOP/s ratio loops_ms
for row in "${shapes[@]}"; do
  read -r name M N K kind <<<"$row"
  mlir="$work/$name.mlir"
  case "$kind" in
    fwd) cat >"$mlir" <<MLIR
func.func @f(%x: tensor<${M}x${K}xf32>, %w: tensor<${N}x${K}xf32>) -> tensor<${M}x${N}xf32> {
  %y = rescale.linear %x, %w : (tensor<${M}x${K}xf32>, tensor<${N}x${K}xf32>) -> tensor<${M}x${N}xf32>
  return %y : tensor<${M}x${N}xf32>
}
MLIR
    ;;
    dx) cat >"$mlir" <<MLIR
func.func @f(%dy: tensor<${M}x${N}xf32>, %w: tensor<${N}x${K}xf32>) -> tensor<${M}x${K}xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<${M}x${K}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<${M}x${K}xf32>) -> tensor<${M}x${K}xf32>
  %dx = linalg.matmul ins(%dy, %w : tensor<${M}x${N}xf32>, tensor<${N}x${K}xf32>) outs(%init : tensor<${M}x${K}xf32>) -> tensor<${M}x${K}xf32>
  return %dx : tensor<${M}x${K}xf32>
}
MLIR
    ;;
    dw) cat >"$mlir" <<MLIR
func.func @f(%dy: tensor<${M}x${N}xf32>, %x: tensor<${M}x${K}xf32>) -> tensor<${N}x${K}xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<${N}x${K}xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<${N}x${K}xf32>) -> tensor<${N}x${K}xf32>
  %dw = linalg.generic {indexing_maps = [affine_map<(n, k, m) -> (m, n)>, affine_map<(n, k, m) -> (m, k)>, affine_map<(n, k, m) -> (n, k)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%dy, %x : tensor<${M}x${N}xf32>, tensor<${M}x${K}xf32>) outs(%init : tensor<${N}x${K}xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<${N}x${K}xf32>
  return %dw : tensor<${N}x${K}xf32>
}
MLIR
    ;;
  esac
  "$build/bin/rescale-compile" "$mlir" -o "$work/$name.so"
  ours=$("$build/bin/rescale-run" "$work/$name.so" --entry f --random-inputs \
           --time "$repeats" --output-dir "$work/out" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  loops="-"
  if [ "$name" = fwd_1024 ]; then
    # Our own loops, for the record (too slow for the larger shapes).
    "$build/bin/rescale-compile" "$mlir" --blas=false -o "$work/${name}_loops.so"
    loops=$("$build/bin/rescale-run" "$work/${name}_loops.so" --entry f --random-inputs \
              --time 3 --output-dir "$work/out" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  fi
  theirs=$("$py" - "$M" "$N" "$K" "$kind" "$repeats" <<'PY'
import os, statistics, sys, time
import torch
# As many threads as OpenBLAS uses for us (torch defaults to physical cores).
torch.set_num_threads(os.cpu_count())
M, N, K, kind, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
g = torch.Generator().manual_seed(0)
if kind == "fwd":
    a, b = torch.randn(M, K, generator=g), torch.randn(N, K, generator=g)
    f = lambda: torch.nn.functional.linear(a, b)
elif kind == "dx":
    a, b = torch.randn(M, N, generator=g), torch.randn(N, K, generator=g)
    f = lambda: torch.matmul(a, b)
else:
    a, b = torch.randn(M, N, generator=g), torch.randn(M, K, generator=g)
    f = lambda: torch.matmul(a.t(), b)
f()
times = []
for _ in range(repeats):
    t = time.perf_counter(); f(); times.append((time.perf_counter() - t) * 1e3)
print("%.3f" % statistics.median(times))
PY
)
  flops=$(( 2 * M * N * K ))
  awk -v n="$name" -v o="$ours" -v t="$theirs" -v f="$flops" -v l="$loops" 'BEGIN {
    printf "%-20s %10.2f %9.1f %10.2f %9.1f %6.2fx %12s\n", n, o, f / o / 1e6, t, f / t / 1e6, t / o, l }'
done
echo "ratio = torch ms / rescale ms (above 1: Rescale faster); both on $(nproc) threads (torch.set_num_threads, OpenBLAS's default)"
