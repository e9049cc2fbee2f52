#!/usr/bin/env bash
# Configures and builds Rescale into ${RESCALE_BUILD_DIR:-build}.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

cxx=clang++; cc=clang
command -v clang++ >/dev/null || { cxx=g++; cc=gcc; }

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
ninja -C "$build" "$@"
