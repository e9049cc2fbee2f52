#!/usr/bin/env bash
# Run the example decoder block on random weights and print the output's
# shape and checksums.
#
#   examples/run.sh [BUILD_DIR] [SEED]
#
# BUILD_DIR defaults to ./build (where rescale-run lives in bin/). The block is
# compiled on the fly to a native shared object; the random inputs (x, then
# every weight) and the output land in $OUT_DIR (default: a temporary dir).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
seed="${2:-0}"
out="${OUT_DIR:-$(mktemp -d)}"

"$build/bin/rescale-run" "$here/decoder_block.mlir" --entry decoder_block \
  --random-inputs --seed "$seed" --output-dir "$out" --print-summary --time 10
echo "inputs and output: $out/in*.npy, $out/out0.npy"
