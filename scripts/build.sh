#!/usr/bin/env bash
# Configures and builds Rescale into ${RESCALE_BUILD_DIR:-build}.
# The compiler is CMake's choice: set CC and CXX to pick another (GCC 12 and
# Clang 22 are supported and tested; see the README). A build directory keeps
# the compiler it was configured with.
#   scripts/build.sh [--sanitize] [NINJA TARGETS...]
# --sanitize: ASan+UBSan and the libFuzzer targets, with Debian's clang-22
# (its compiler-rt has libFuzzer), in a build directory of their own
# (${RESCALE_SANITIZE_BUILD_DIR:-build-sanitize}; docs/fuzzing.md).
# scripts/test.sh --sanitize and scripts/fuzz.sh use it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

config=()
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build="${RESCALE_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
  # -O1: sanitized code at -O3 takes twice as long to compile for little
  # speed; line tables name the source line in every report.
  config=(-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
          -DRESCALE_BUILD_FUZZERS=ON
          "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG -gline-tables-only"
          "-DCMAKE_C_FLAGS_RELEASE=-O1 -DNDEBUG -gline-tables-only")
  if [ ! -f /usr/lib/llvm-22/lib/clang/22/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
    echo "build: --sanitize needs libclang-rt-22-dev (apt-get install -y libclang-rt-22-dev)" >&2
    exit 1
  fi
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir "${config[@]}" >/dev/null
fi
ninja -C "$build" ${RESCALE_NINJA_JOBS:+-j"$RESCALE_NINJA_JOBS"} "$@"
