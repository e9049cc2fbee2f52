#!/usr/bin/env bash
# Build, on a machine with the compiler (no GPU needed), everything
# bench/gpu/run.sh needs on the GPU machine (which has no LLVM):
#   OUT/bench.so + manifest    the issue-5 benchmark shapes, our kernels (nvptx)
#   OUT/cases.json             what each bench entry moves / computes
#   OUT/gpu-cases.cuda.so      the GPU test programs, our kernels
#   OUT/gpu-cases.cpu.so       the same programs, CPU reference path
# Usage: bench/gpu/build.sh [BUILD_DIR] [OUT_DIR] [CHIP]
# Defaults: build, build/bench-gpu, sm_90. The OUT_DIR travels to the GPU
# machine with the working tree.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
OUT="${2:-$BUILD/bench-gpu}"
CHIP="${3:-sm_90}"
COMPILE="$BUILD/bin/rescale-compile"
CASES="$ROOT/test/lowering/nvptx/Inputs/gpu-cases.mlir"
mkdir -p "$OUT"
python3 "$ROOT/bench/gpu/cases.py" "$OUT/bench.mlir" "$OUT/cases.json"
"$COMPILE" "$OUT/bench.mlir" --target=nvptx --chip="$CHIP" -o "$OUT/bench.so"
"$COMPILE" "$CASES" --target=nvptx --chip="$CHIP" -o "$OUT/gpu-cases.cuda.so"
"$COMPILE" "$CASES" --target=cpu -o "$OUT/gpu-cases.cpu.so"
# The bundled example model, for the end-to-end GPU-vs-CPU check.
"$COMPILE" "$ROOT/examples/decoder_block.mlir" --target=nvptx --chip="$CHIP" -o "$OUT/decoder.cuda.so"
"$COMPILE" "$ROOT/examples/decoder_block.mlir" --target=cpu -o "$OUT/decoder.cpu.so"
echo "bench/gpu/build.sh: artifacts for $CHIP in $OUT"
ls -la "$OUT"
