#!/usr/bin/env bash
# The main job on the bundled example: set-up, build, then verify the example
# decoder block with rescale-opt and run it on random inputs with rescale-run,
# printing each output's shape and a checksum.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" rescale-opt rescale-run >/dev/null
bash "$root/examples/run.sh" "$build"
