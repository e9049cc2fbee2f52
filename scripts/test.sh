#!/usr/bin/env bash
# The whole test suite: set-up, build, then the lit suite (which also runs the
# GoogleTest binaries, the runtime-only build check and check-op-order). GPU
# tests are marked `REQUIRES: cuda` and skip without a device.
#
#   scripts/test.sh          CMake's default compiler (CC/CXX respected), in build/
#   scripts/test.sh gcc      GCC (gcc/g++), in build-gcc/
#   scripts/test.sh clang    Clang 22 (clang-22/clang++-22), in build-clang/
#
# RESCALE_BUILD_DIR overrides the build directory.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

case "${1:-default}" in
  gcc) export CC=gcc CXX=g++; dir=build-gcc ;;
  clang) export CC=clang-22 CXX=clang++-22; dir=build-clang ;;
  default) dir=build ;;
  *) echo "usage: $0 [gcc|clang]" >&2; exit 2 ;;
esac
build="${RESCALE_BUILD_DIR:-$root/$dir}"
export RESCALE_BUILD_DIR="$build"

bash "$root/scripts/setup.sh" || exit 1
bash "$root/scripts/build.sh" all || exit 1
# check-rescale builds the test dependencies, then runs lit.
log="$(mktemp)"
ninja -C "$build" check-rescale 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line any CI can read.
passed=$(grep -Eo '^ *Passed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
failed=$(grep -Eo '^ *Failed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
skipped=$(grep -Eo '^ *Unsupported *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
rm -f "$log"
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped (${compiler:-?}, $build)"
exit "$status"
