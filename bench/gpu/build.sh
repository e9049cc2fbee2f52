#!/usr/bin/env bash
# Build, on a machine with the compiler (no GPU needed), everything
# bench/gpu/run.sh needs on the GPU machine (which has no LLVM):
#   OUT/<stem>.cuda.so, OUT/<stem>.cpu.so   every GPU test module
#       test/conversion/RescaleToGPU/Inputs/gpu-*.mlir and examples/decoder_block.mlir,
#       compiled with our kernels and on the CPU reference path (run.sh
#       replays the gpu_vs_cpu.py RUN lines of test/conversion/RescaleToGPU/gpu-*.test
#       on these pairs)
#   OUT/<module>.so                         the issue-5 benchmark shapes, our
#       kernels: bench.so (norms, attention, bf16 linear) and one module per
#       quantized-linear scheme (bench-quant-*.so), each on its own so that a
#       scheme without a GPU kernel loses only its own rows
#   OUT/torch_coexistence.cuda.so           the module run.sh loads next to
#       torch.compile (test/runtime/gpu/torch_coexistence.py)
#   OUT/cases.json                          what each bench entry moves /
#       computes, and which module holds it (bench/gpu/cases.py)
# Every module is compiled even when another fails. A module that fails
# leaves OUT/<artifact>.error (the compiler's message) instead of the .so:
# run.sh counts the test cases of a failed test module as failures and
# bench.py skips the rows of a failed bench module, each naming the error.
# Exit status: 1 if a test module or bench.so failed (after building all
# the rest), 0 otherwise; a failed bench-quant-* module is reported but only
# costs its rows.
# Usage: bench/gpu/build.sh [BUILD_DIR] [OUT_DIR] [CHIP]
# Defaults: build, BUILD_DIR/bench-gpu, sm_90. The OUT_DIR travels to the
# GPU machine with the working tree.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
OUT="${2:-$BUILD/bench-gpu}"
CHIP="${3:-sm_90}"
COMPILE="$BUILD/bin/rescale-compile"
[[ -x "$COMPILE" ]] || { echo "build.sh: error: $COMPILE not found (build the compiler first)" >&2; exit 1; }
mkdir -p "$OUT/src"
# Artifacts of an earlier build must not stand in for a module that now fails.
rm -f "$OUT"/*.so "$OUT"/*.manifest.json "$OUT"/*.error "$OUT"/cases.json "$OUT"/src/*.mlir

required_failed=()
optional_failed=()

# compile SRC TARGET ARTIFACT.so REQUIRED: one rescale-compile; on failure
# writes ARTIFACT.error, prints it loudly and records it.
compile() {
  local src=$1 target=$2 so=$3 required=$4
  local chip=() err="${so%.so}.error"
  [[ $target == nvptx ]] && chip=(--chip="$CHIP")
  # The CPU reference modules run on the GPU machine, which need not have
  # OpenBLAS: their products stay our own loops (self-contained modules).
  [[ $target == cpu ]] && chip=(--blas=false)
  if "$COMPILE" "$src" --target="$target" "${chip[@]}" -o "$so" > "$err" 2>&1; then
    rm -f "$err"
    echo "built $(basename "$so")"
    return
  fi
  { echo "rescale-compile $src --target=$target ${chip[*]} failed:"; cat "$err"; } > "$err.tmp"
  mv "$err.tmp" "$err"
  {
    echo "!!!!!!!! FAILED to compile $(basename "$so") ($([[ $required == 1 ]] && echo error || echo its bench rows will be skipped))"
    head -20 "$err" | sed 's/^/!!   /'
  } >&2
  if [[ $required == 1 ]]; then required_failed+=("$(basename "$so")"); else optional_failed+=("$(basename "$so")"); fi
}

# The GPU test modules, each for both paths (stem = file name less .mlir).
for src in "$ROOT"/test/conversion/RescaleToGPU/Inputs/gpu-*.mlir "$ROOT/examples/decoder_block.mlir"; do
  stem="$(basename "$src" .mlir)"
  compile "$src" nvptx "$OUT/$stem.cuda.so" 1
  compile "$src" cpu "$OUT/$stem.cpu.so" 1
done

# The module of the torch coexistence check (test/runtime/gpu/torch-coexistence.test).
compile "$ROOT/test/runtime/gpu/Inputs/torch_coexistence.mlir" nvptx "$OUT/torch_coexistence.cuda.so" 1

# The benchmark modules: cases.py writes OUT/src/<module>.mlir + cases.json.
python3 "$ROOT/bench/gpu/cases.py" "$OUT/src" "$OUT/cases.json"
for src in "$OUT"/src/*.mlir; do
  module="$(basename "$src" .mlir)"
  compile "$src" nvptx "$OUT/$module.so" "$([[ $module == bench ]] && echo 1 || echo 0)"
done

echo "bench/gpu/build.sh: artifacts for $CHIP in $OUT"
ls -la "$OUT"
if (( ${#optional_failed[@]} )); then
  echo "build.sh: WARNING: ${#optional_failed[@]} bench module(s) failed to compile, their rows will be skipped: ${optional_failed[*]}" >&2
fi
if (( ${#required_failed[@]} )); then
  echo "build.sh: ERROR: ${#required_failed[@]} module(s) failed to compile (see $OUT/*.error; run.sh counts a failed test module's cases as failures, and needs bench.so): ${required_failed[*]}" >&2
  exit 1
fi
