#!/usr/bin/env bash
# The whole test suite: set-up, build, then the lit suite (which also runs the
# GoogleTest binaries and the runtime-only build check). GPU tests are marked
# `REQUIRES: cuda` and skip without a device.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

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
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
