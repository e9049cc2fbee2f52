#!/usr/bin/env bash
# The whole test suite: set-up, build, then the lit suite (which also runs the
# GoogleTest binaries and the runtime-only build check). GPU tests are marked
# `REQUIRES: cuda` and skip without a device.
#
#   scripts/test.sh              the suite, as CI runs it
#   scripts/test.sh --sanitize   the same suite built with ASan+UBSan (and the
#                                fuzz targets, whose 60-second smoke it runs)
#                                in build-sanitize/ (docs/fuzzing.md)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
mode=()
if [ "${1:-}" = "--sanitize" ]; then
  mode=(--sanitize)
  build="${RESCALE_SANITIZE_BUILD_DIR:-$root/build-sanitize}"
  # Reports are fatal. Container-overflow checks need every library that
  # touches a std::vector instrumented, and libMLIR/libLLVM are not.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_container_overflow=0:abort_on_error=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi
start=$(date +%s)

bash "$root/scripts/setup.sh" "${mode[@]}" || exit 1
bash "$root/scripts/build.sh" "${mode[@]}" all || exit 1
# check-rescale builds the test dependencies, then runs lit.
log="$(mktemp)"
ninja -C "$build" ${RESCALE_NINJA_JOBS:+-j"$RESCALE_NINJA_JOBS"} check-rescale 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One closing line any CI can read.
passed=$(grep -Eo '^ *Passed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
failed=$(grep -Eo '^ *Failed *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
skipped=$(grep -Eo '^ *Unsupported *: *[0-9]+' "$log" | grep -Eo '[0-9]+' | head -1)
rm -f "$log"
if [ ${#mode[@]} -gt 0 ]; then
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped (ASan+UBSan, $(( $(date +%s) - start )) s)"
else
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
fi
exit "$status"
