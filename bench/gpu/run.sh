#!/usr/bin/env bash
# The issue-5 GPU check, on the GPU machine (CMake, a C++ compiler, PyTorch,
# the CUDA driver; no LLVM), from artifacts built elsewhere by
# bench/gpu/build.sh (default location: build/bench-gpu). At most ~5 minutes:
#   1. builds the runtime and the runtime-only rescale-run (no LLVM);
#   2. runs the GPU tests: every `gpu_vs_cpu.py <module>.mlir ENTRY TOL %t
#      SEED` RUN line of test/conversion/RescaleToGPU/gpu-*.test, our kernels
#      (<module>.cuda.so) against the CPU reference path (<module>.cpu.so),
#      on the same inputs and tolerances; a module that did not compile, a
#      RUN line this script cannot read, a case that runs over 30 s or would
#      start after 180 s counts as a failure;
#   2b. runs test/runtime/gpu/torch_coexistence.py: the runtime and a module
#      loaded RTLD_LOCAL, then torch.compile in the same process (issue #21);
#   3. prints the benchmark table (ours vs torch eager / torch.compile / copy
#      bandwidth for the norms, vs SDPA for attention, vs torch matmul for
#      the linears), and with --write-results also writes it to
#      bench/RESULTS.md. The benchmark gets what is left of a 280 s budget.
# Exit status: 1 if a GPU test or the benchmark failed.
# Usage: bench/gpu/run.sh [--write-results] [ARTIFACT_DIR]
#        bench/gpu/run.sh --list    (print the GPU test cases it would run)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUDGET_S=280          # the whole run, seconds
TESTS_DEADLINE_S=180  # no GPU test case starts after this
TEST_TIMEOUT_S=30     # one case (they take about a second)
TESTS="$ROOT/test/conversion/RescaleToGPU"

# One source of truth for the cases: the RUN lines of the lit tests.
RUN_LINE='gpu_vs_cpu\.py (%S/Inputs|%rescale_src/examples)/[A-Za-z0-9_.-]+\.mlir [A-Za-z0-9_]+ [0-9.eE+-]+ %t [0-9]+( \||$)'
# "STEM ENTRY TOL SEED" for each such line (STEM: the module's file name less .mlir).
test_cases() {
  grep -hoE "$RUN_LINE" "$TESTS"/gpu-*.test \
    | awk '{ sub(/.*\//, "", $2); sub(/\.mlir$/, "", $2); print $2, $3, $4, $6 }'
}
# Lines that call gpu_vs_cpu.py but do not have that shape: failures, so that
# no case is skipped silently.
unreadable_run_lines() {
  grep -h 'gpu_vs_cpu\.py' "$TESTS"/gpu-*.test | grep -vE "$RUN_LINE" || true
}

if [[ "${1:-}" == "--list" ]]; then
  echo "GPU tests run.sh would replay (module entry tol seed):"
  test_cases
  unreadable_run_lines | sed 's/^/unreadable RUN line (counted as a failure): /'
  exit 0
fi
WRITE=0
if [[ "${1:-}" == "--write-results" ]]; then WRITE=1; shift; fi
ART="${1:-$ROOT/build/bench-gpu}"
BUILD="$ROOT/build-gpu"
for f in bench.so bench.manifest.json cases.json; do
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
# fail ENTRY WHY [FILE]: one failed case, with FILE's text indented.
fail() {
  echo "FAIL $1: $2"
  [[ -n "${3:-}" && -f "$3" ]] && sed 's/^/    /' "$3"
  fails=$((fails + 1))
}
# replay STEM ENTRY TOL SEED: gpu_vs_cpu.py on the artifacts of module STEM.
replay() {
  local stem=$1 entry=$2 tol=$3 seed=$4 so
  for so in "$ART/$stem.cpu.so" "$ART/$stem.cuda.so"; do
    if [[ ! -f "$so" ]]; then
      fail "$entry" "$(basename "$so") was not built" "${so%.so}.error"
      return
    fi
  done
  if (( SECONDS > TESTS_DEADLINE_S )); then
    fail "$entry" "not run: the GPU tests' ${TESTS_DEADLINE_S}s were spent"
    return
  fi
  # A work folder per module: two modules may have entries of the same name.
  local work="$WORK/$stem"
  mkdir -p "$work"
  # A case that hangs (a kernel that never finishes) must not eat the budget.
  local rc=0
  timeout -k 5 "$TEST_TIMEOUT_S" python3 "$TESTS/Inputs/gpu_vs_cpu.py" \
    "$ART/$stem.cpu.so,$ART/$stem.cuda.so" "$entry" "$tol" "$work" "$seed" \
    > "$work/$entry.log" 2>&1 || rc=$?
  if (( rc == 0 )); then
    echo "PASS $entry: $(grep -hE 'max rel err|bit-exact' "$work/$entry.log" | sed 's/^PASS //' | tr '\n' ' ')"
  elif (( rc == 124 || rc == 137 )); then
    fail "$entry" "$stem: timed out after ${TEST_TIMEOUT_S}s" "$work/$entry.log"
  else
    fail "$entry" "$stem" "$work/$entry.log"
  fi
}
while read -r line; do
  fail "(unreadable RUN line)" "$line"
done < <(unreadable_run_lines)
while read -r stem entry tol seed; do
  replay "$stem" "$entry" "$tol" "$seed"
done < <(test_cases)

# Our runtime and a module RTLD_LOCAL next to torch.compile, in one process.
echo "== 2b. torch coexistence (runtime + module, then torch.compile)"
if [[ -f "$ART/torch_coexistence.cuda.so" ]]; then
  rc=0
  timeout -k 5 180 python3 "$ROOT/test/runtime/gpu/torch_coexistence.py" "$RUNTIME" \
    "$ART/torch_coexistence.cuda.so" > "$WORK/coexistence.log" 2>&1 || rc=$?
  cat "$WORK/coexistence.log"
  (( rc == 0 )) || fail "torch-coexistence" "exit status $rc"
else
  fail "torch-coexistence" "torch_coexistence.cuda.so was not built" "$ART/torch_coexistence.cuda.error"
fi
echo "GPU tests: $fails failed (${SECONDS}s so far)"

echo "== 3. benchmark"
RESULTS=()
[[ $WRITE == 1 ]] && RESULTS=(--results "$ROOT/bench/RESULTS.md")
budget=$((BUDGET_S - SECONDS))
(( budget >= 60 )) || budget=60
bench_rc=0
# The budget stops bench.py from starting rows; the timeout stops a hang.
timeout -k 5 $((budget + 90)) python3 "$ROOT/bench/gpu/bench.py" --artifacts "$ART" \
  --runtime "$RUNTIME" --budget-s "$budget" "${RESULTS[@]}" || bench_rc=$?
echo "run.sh: ${SECONDS}s; GPU tests: $fails failed; benchmark exit status $bench_rc"
exit $(( fails > 0 || bench_rc != 0 ))
