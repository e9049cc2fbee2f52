#!/bin/bash
# The runtime's checks on a GPU machine that has no LLVM. Run from the repo
# root with the modules compiled here in build-device/ (see docs/runtime.md,
# "Device checks"): e2e_isa.so (PTX, JIT-loaded) and e2e_fatbin.so (cubin).
set -u
OUT=${OUT:-/tmp/rescale-device-out}
mkdir -p "$OUT"
step() { echo; echo "== $*"; }

step "machine"
nvidia-smi -L
for t in mlir-opt llc clang++ llvm-config; do
  command -v $t >/dev/null && echo "found $t" || echo "no $t on PATH"
done

step "runtime-only build from source: standalone runtime with its tests"
cmake -S runtime -B /tmp/rt -G Ninja -DCMAKE_BUILD_TYPE=Release \
  >"$OUT/rt-configure.log" 2>&1 && ninja -C /tmp/rt >"$OUT/rt-build.log" 2>&1
echo "standalone runtime build rc=$?"
step "runtime-only build from source: top level, -DRESCALE_BUILD_COMPILER=OFF"
cmake -S . -B /tmp/top -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DRESCALE_BUILD_COMPILER=OFF -DRESCALE_BUILD_TESTS=OFF \
  >"$OUT/top-configure.log" 2>&1 && ninja -C /tmp/top >"$OUT/top-build.log" 2>&1
echo "top-level runtime-only build rc=$?"; ls /tmp/top/bin 2>/dev/null
grep -E "^(MLIR|LLVM)_DIR:" /tmp/top/CMakeCache.txt || echo "no LLVM/MLIR in the cache"

BIN=/tmp/rt/bin
if [ ! -x $BIN/rescale-runtime-device-check ]; then
  BIN=build-device/bin; export LD_LIBRARY_PATH=$PWD/build-device/lib
fi
echo "using $BIN"
step "ldd"
ldd $BIN/../lib/librescale_runtime.so $BIN/rescale-inspect | grep -i -E "llvm|mlir" \
  && echo "FAIL: links LLVM" || echo "no LLVM or MLIR linked"

step "device"
$BIN/rescale-inspect --cuda

for m in isa fatbin; do
  step "end to end: MLIR gpu-to-llvm module ($m)"
  $BIN/rescale-runtime-device-check e2e build-device/e2e_$m.so
  RESCALE_SYNC_LAUNCHES=1 $BIN/rescale-runtime-device-check e2e build-device/e2e_$m.so
done

step "driver errors through the mgpu* ABI"
$BIN/rescale-runtime-device-check driver-errors
step "TMA descriptor"
$BIN/rescale-runtime-device-check tma

step "unit tests (fake driver), if GoogleTest was found"
[ -x $BIN/rescale-runtime-unittests ] && $BIN/rescale-runtime-unittests 2>&1 | tail -3 \
  || echo "not built (no GoogleTest here)"

step "format cross-check against numpy and safetensors"
rm -rf /tmp/xf && mkdir -p /tmp/xf
$BIN/rescale-runtime-device-check write-files /tmp/xf && \
  python3 test/runtime/gpu/crosscheck_formats.py /tmp/xf $BIN/rescale-inspect
echo; echo "done"
