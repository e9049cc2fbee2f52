#!/usr/bin/env bash
# The issue-5 GPU check, on the GPU machine (CMake, a C++ compiler, PyTorch,
# the CUDA driver; no LLVM), from artifacts built elsewhere by
# bench/gpu/build.sh (default location: build/bench-gpu). At most ~5 minutes:
#   1. builds the runtime and the runtime-only rescale-run (no LLVM);
#   2. runs the GPU tests: every `gpu_vs_cpu.py` case of
#      test/lowering/nvptx/gpu-*.test, our kernels against the CPU reference
#      path compiled to a .so, on the same inputs and tolerances;
#   3. prints the benchmark table (ours vs torch eager / torch.compile / copy
#      bandwidth for the norms, vs SDPA for attention), and with
#      --write-results also writes it to bench/RESULTS.md.
# Usage: bench/gpu/run.sh [--write-results] [ARTIFACT_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WRITE=0
if [[ "${1:-}" == "--write-results" ]]; then WRITE=1; shift; fi
ART="${1:-$ROOT/build/bench-gpu}"
BUILD="$ROOT/build-gpu"
for f in bench.so bench.manifest.json cases.json gpu-cases.cpu.so gpu-cases.cuda.so; do
  [[ -f "$ART/$f" ]] || { echo "run.sh: error: $ART/$f missing (run bench/gpu/build.sh where the compiler is)" >&2; exit 1; }
done

echo "== 1. runtime (RESCALE_BUILD_COMPILER=OFF)"
cmake -S "$ROOT" -B "$BUILD" -DRESCALE_BUILD_COMPILER=OFF -DRESCALE_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Release > "$BUILD.cmake.log" 2>&1 || { cat "$BUILD.cmake.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target rescale-run > "$BUILD.build.log" 2>&1 \
  || { tail -50 "$BUILD.build.log"; exit 1; }
export PATH="$BUILD/bin:$PATH"
RUNTIME="$(find "$BUILD" -name 'librescale_runtime.so' | head -1)"

echo "== 2. GPU tests (ours vs the CPU reference path)"
WORK="$(mktemp -d)"
fails=0
# One source of truth for the cases: the RUN lines of the lit tests.
while read -r entry tol seed; do
  if python3 "$ROOT/test/lowering/nvptx/Inputs/gpu_vs_cpu.py" \
      "$ART/gpu-cases.cpu.so,$ART/gpu-cases.cuda.so" "$entry" "$tol" "$WORK" "$seed" \
      > "$WORK/$entry.log" 2>&1; then
    echo "PASS $entry: $(grep -h 'max rel err' "$WORK/$entry.log" | sed 's/^PASS //' | tr '\n' ' ')"
  else
    echo "FAIL $entry"; sed 's/^/    /' "$WORK/$entry.log"; fails=$((fails + 1))
  fi
done < <(grep -ho 'gpu_vs_cpu.py %S/Inputs/gpu-cases.mlir [a-z0-9_]* [0-9.e-]* %t [0-9]*' \
           "$ROOT"/test/lowering/nvptx/gpu-*.test | awk '{print $3, $4, $6}')
# The bundled example model end to end (test/lowering/nvptx/gpu-decoder-block.test).
if [[ -f "$ART/decoder.cuda.so" ]]; then
  if python3 "$ROOT/test/lowering/nvptx/Inputs/gpu_vs_cpu.py" \
      "$ART/decoder.cpu.so,$ART/decoder.cuda.so" decoder_block 1e-4 "$WORK" 31 \
      > "$WORK/decoder_block.log" 2>&1; then
    echo "PASS decoder_block: $(grep -h 'max rel err' "$WORK/decoder_block.log" | sed 's/^PASS //' | tr '\n' ' ')"
  else
    echo "FAIL decoder_block"; sed 's/^/    /' "$WORK/decoder_block.log"; fails=$((fails + 1))
  fi
fi
echo "GPU tests: $fails failed"

echo "== 3. benchmark"
RESULTS=()
[[ $WRITE == 1 ]] && RESULTS=(--results "$ROOT/bench/RESULTS.md")
python3 "$ROOT/bench/gpu/bench.py" --artifacts "$ART" --runtime "$RUNTIME" "${RESULTS[@]}"
exit $(( fails > 0 ))
