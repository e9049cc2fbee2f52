#!/usr/bin/env bash
# The main job on the bundled example: set-up, build, print the example decoder
# block as verified by rescale-opt, then compile it to a native module and run
# it on random inputs with rescale-run, printing each output's shape and a
# checksum.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" rescale-opt rescale-run >/dev/null

echo "== examples/decoder_block.mlir, parsed and verified by rescale-opt"
"$build/bin/rescale-opt" "$root/examples/decoder_block.mlir"
echo
echo "== run on random inputs (rescale-run)"
bash "$root/examples/run.sh" "$build"
