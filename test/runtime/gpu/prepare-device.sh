#!/bin/bash
# Prepares build-device/ (ignored, carried to the GPU machine) for
# run-on-device.sh: lowers Inputs/mgpu_e2e.mlir with MLIR 22 to a PTX module
# and a cubin (fatbin) module, each with its manifest. Run from the repo root
# on a machine with LLVM 22 (and ptxas for the fatbin), after building
# rescale-inspect (build/bin, or $RESCALE_INSPECT).
set -eu
LLVM=${LLVM:-/usr/lib/llvm-22/bin}
SRC=test/runtime/gpu/Inputs
OUT=build-device
mkdir -p $OUT
for fmt in isa fatbin; do
  $LLVM/mlir-opt $SRC/mgpu_e2e.mlir \
    --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=$fmt" \
    | $LLVM/mlir-translate --mlir-to-llvmir -o $OUT/e2e_$fmt.ll
  $LLVM/llc -O2 -filetype=obj -relocation-model=pic $OUT/e2e_$fmt.ll -o $OUT/e2e_$fmt.o
  cc -shared -fPIC $OUT/e2e_$fmt.o $SRC/entry_wrapper.c -o $OUT/e2e_$fmt.so
  cp $SRC/mgpu_e2e.manifest.json $OUT/e2e_$fmt.manifest.json
  # The manifest names the module file it describes (its SHA-256).
  ${RESCALE_INSPECT:-build/bin/rescale-inspect} --seal $OUT/e2e_$fmt.so
  rm $OUT/e2e_$fmt.ll $OUT/e2e_$fmt.o
done
echo "build-device/ ready: run 'bash test/runtime/gpu/run-on-device.sh' there with carry [\"build-device\"]"
