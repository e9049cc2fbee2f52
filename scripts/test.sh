#!/usr/bin/env bash
# The whole test suite: set-up, build, then the lit suite (which also runs the
# GoogleTest binaries, the runtime-only build check, check-op-order and a
# 60-second fuzz smoke where the fuzzers are built). GPU tests are marked
# `REQUIRES: cuda` and skip without a device.
#
#   scripts/test.sh              what CI runs (.ci/run): the suite built with
#                                GCC 12 (build-gcc/) and with Clang 22
#                                (build-clang/), then scripts/diff-ir.py: the
#                                IR both builds print for every lit input,
#                                byte for byte (issue #20)
#   scripts/test.sh default      CMake's default compiler (CC/CXX respected), in build/
#   scripts/test.sh gcc          GCC (gcc/g++), in build-gcc/
#   scripts/test.sh clang        Clang 22 (clang-22/clang++-22), in build-clang/
#   scripts/test.sh --sanitize   the suite built with ASan+UBSan (and the fuzz
#                                targets, whose 60-second smoke it runs) in
#                                build-sanitize/ (docs/fuzzing.md)
#
# RESCALE_BUILD_DIR overrides the build directory of a single-compiler run.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$(date +%s)

if [ $# -eq 0 ]; then
  bash "$root/scripts/setup.sh" || exit 1
  status=0
  for cc in gcc clang; do
    began=$SECONDS
    bash "$root/scripts/test.sh" "$cc" || status=1
    echo "test: $cc: build and tests took $((SECONDS - began)) s"
  done
  began=$SECONDS
  python3 "$root/scripts/diff-ir.py" "$root/build-gcc" "$root/build-clang" -j "$(nproc)" || status=1
  echo "test: diff-ir took $((SECONDS - began)) s; all took $(( $(date +%s) - start )) s"
  exit "$status"
fi

mode=()
case "$1" in
  gcc) export CC=gcc CXX=g++; dir=build-gcc ;;
  clang) export CC=clang-22 CXX=clang++-22; dir=build-clang ;;
  default) dir=build ;;
  --sanitize)
    mode=(--sanitize)
    dir="${RESCALE_SANITIZE_BUILD_DIR:-build-sanitize}"
    # Reports are fatal. Container-overflow checks need every library that
    # touches a std::vector instrumented, and libMLIR/libLLVM are not; for
    # the same reason LLVM's BumpPtrAllocator poisoning is off: its inline
    # code in our instrumented objects poisons a slab that uninstrumented
    # libMLIR then fills without unpoisoning (a false use-after-poison in
    # every parse; docs/fuzzing.md).
    export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_container_overflow=0:allow_user_poisoning=0:abort_on_error=1}"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
    ;;
  *) echo "usage: $0 [gcc|clang|default|--sanitize]" >&2; exit 2 ;;
esac
if [ ${#mode[@]} -gt 0 ]; then
  build="$root/$dir"
  [[ "$dir" = /* ]] && build="$dir"
  export RESCALE_SANITIZE_BUILD_DIR="$build"
else
  build="${RESCALE_BUILD_DIR:-$root/$dir}"
  export RESCALE_BUILD_DIR="$build"
fi

bash "$root/scripts/setup.sh" "${mode[@]}" || exit 1
bash "$root/scripts/build.sh" "${mode[@]}" all || exit 1
# check-rescale builds the test dependencies, then runs lit.
log="$(mktemp)"
ninja -C "$build" ${RESCALE_NINJA_JOBS:+-j"$RESCALE_NINJA_JOBS"} check-rescale 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line any CI can read (grep -a: a sanitizer report in the log
# can hold bytes that make grep call it binary).
passed=$(grep -aEo '^ *Passed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
failed=$(grep -aEo '^ *Failed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
skipped=$(grep -aEo '^ *Unsupported *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
rm -f "$log"
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
what="${compiler:-?}"
[ ${#mode[@]} -gt 0 ] && what="ASan+UBSan, $what"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped ($what, $build, $(( $(date +%s) - start )) s)"
exit "$status"
