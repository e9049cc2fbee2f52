#!/usr/bin/env bash
# Configures and builds Rescale into ${RESCALE_BUILD_DIR:-build}.
# The compiler is CMake's choice: set CC and CXX to pick another (GCC 12 and
# Clang 22 are supported and tested; see the README). A build directory keeps
# the compiler it was configured with.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
ninja -C "$build" "$@"
