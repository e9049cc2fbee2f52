# Sourced by the CPU op benchmarks (linear.sh, ops.sh) with their arguments,
# after they set `root`: the build folder (RESCALE_BUILD_DIR, default
# $root/build), `repeats` (first argument, default 20), a scratch folder
# `work` removed on exit, `py` (a Python with torch), the set-up and the
# compiler tools built when missing, then the machine and command lines that
# every result quotes.
build="${RESCALE_BUILD_DIR:-$root/build}"
repeats="${1:-20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source "$root/bench/cpu/torch-python.sh"
bash "$root/scripts/setup.sh" >/dev/null
[ -x "$build/bin/rescale-compile" ] || bash "$root/scripts/build.sh" rescale-compile rescale-run >/dev/null

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(date -u +%F)"
echo "== command: bench/cpu/$(basename "$0") $repeats"
