#!/usr/bin/env bash
# Installs what Rescale needs on Debian 12 (bookworm), as root. Idempotent:
# packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build clang clang-22 python3
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libgtest-dev zlib1g-dev libzstd-dev
  # Compiled CPU modules call OpenBLAS's cblas_sgemm for f32 matrix products
  # (rescale-contractions-to-blas; docs/compile-and-run.md).
  libopenblas-dev
  # ... and run their row tiles on OpenMP threads: LLVM's libomp, linked
  # with -lomp from /usr/lib/llvm-22/lib (docs/compile-and-run.md, Threads).
  libomp-22-dev
  bible-kjv
  # test/trainer: report.json is validated against docs/schemas (jsonschema).
  python3-jsonschema
  # test/scripts/check-format.test: the tree in LLVM style, by this version.
  clang-format-22
)
# --sanitize (scripts/test.sh --sanitize, scripts/fuzz.sh): clang-22 and its
# compiler-rt, which has ASan, UBSan and libFuzzer.
[ "${1:-}" = "--sanitize" ] && PACKAGES+=(clang-22 libclang-rt-22-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# rescale-train's default corpus: the King James Bible (4.3 MB of English
# prose, public domain) from Debian's bible-kjv, written out once as plain
# text where the trainer looks for it (trainer/CMakeLists.txt,
# RESCALE_DEFAULT_CORPUS).
corpus=/usr/local/share/rescale/kjv.txt
if [ ! -s "$corpus" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO mkdir -p "$(dirname "$corpus")"
  bible "gen1:1-rev22:21" < /dev/null > /tmp/rescale-kjv.$$
  $SUDO mv /tmp/rescale-kjv.$$ "$corpus"
fi
