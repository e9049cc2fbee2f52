#!/usr/bin/env bash
# Registers, shared memory and spills of every NVPTX kernel, from ptxas -v,
# for sm_80 and sm_90 (no GPU needed). Kernels: the inputs of the ptxas lit
# tests (test/conversion/RescaleToGPU/Inputs/{norms,attention,linear,quant-linear}.mlir; the generic
# kernels of quant-ops.mlir are checked by quant-ops-ptxas.mlir).
# Usage: bench/ptxas-report.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build}"
PTXAS="$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "| kernel | chip | registers | static smem (B) | dynamic smem (B) | spill stores (B) | spill loads (B) |"
echo "|---|---|---|---|---|---|---|"
for family in norms attention linear quant-linear; do
  for chip in sm_80 sm_90; do
    "$BUILD/bin/rescale-opt" "$ROOT/test/conversion/RescaleToGPU/Inputs/$family.mlir" \
      --rescale-lower-to-nvptx="chip=$chip format=isa" -o "$TMP/$family.$chip.mlir"
    # Dynamic shared memory is a launch parameter, not in the PTX.
    "$BUILD/bin/rescale-opt" "$ROOT/test/conversion/RescaleToGPU/Inputs/$family.mlir" \
      --convert-rescale-to-gpu="chip=$chip" 2>/dev/null \
      | grep -o '@rescale_kernels::@[a-z0-9_]* .*dynamic_shared_memory_size %c[0-9]*' \
      | sed -E 's/@rescale_kernels::@([a-z0-9_]*) .*%c([0-9]*)$/\1 \2/' > "$TMP/dyn.txt"
    python3 "$ROOT/test/conversion/RescaleToGPU/Inputs/extract_ptx.py" "$TMP/$family.$chip.mlir" "$TMP/$family.$chip" > /dev/null
    "$PTXAS" -v --gpu-name "$chip" "$TMP/$family.$chip/rescale_kernels.ptx" -o "$TMP/k.cubin" 2>&1 \
      | awk -v chip="$chip" -v dynfile="$TMP/dyn.txt" '
          BEGIN { while ((getline line < dynfile) > 0) { split(line, f, " "); dyn[f[1]] = f[2] } }
          /Compiling entry function/ { match($0, /'"'"'[^'"'"']*'"'"'/); k = substr($0, RSTART + 1, RLENGTH - 2) }
          /spill stores/ { st = $5; ld = $9 }
          /Used [0-9]+ registers/ {
            match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15)
            smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11)
            printf "| %s | %s | %s | %s | %s | %s | %s |\n", k, chip, regs, smem, (k in dyn ? dyn[k] : 0), st, ld }'
  done
done
