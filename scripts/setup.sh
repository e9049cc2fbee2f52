#!/usr/bin/env bash
# Installs what Rescale needs on Debian 12 (bookworm), as root. Idempotent:
# packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build clang clang-22 python3
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libgtest-dev zlib1g-dev libzstd-dev
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
