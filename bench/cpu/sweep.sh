#!/usr/bin/env bash
# Issue 12's default sweep, timed: `rescale-train sweep` with its defaults
# (every variant, 300 steps of batch 8 x seq 64, seed 0, the default corpus)
# on the bundled tiny model (examples/tiny_model.json), then the wall time,
# the machine and the report's table. The issue's budget is 30 minutes on
# 2 CPU cores.
#
#   bash bench/cpu/sweep.sh [OUT_DIR]     (default /tmp/rescale-default-sweep)
#
# Uses $RESCALE_BUILD_DIR (default build/) and the default corpus that
# scripts/setup.sh writes (/usr/local/share/rescale/kjv.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
out="${1:-/tmp/rescale-default-sweep}"
[ -x "$build/bin/rescale-train" ] || {
  echo "sweep.sh: no $build/bin/rescale-train (build first, or set RESCALE_BUILD_DIR)" >&2
  exit 1
}
rm -rf "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "command: rescale-train sweep --config examples/tiny_model.json --out $out"
start=$(date +%s)
"$build/bin/rescale-train" sweep --config "$root/examples/tiny_model.json" \
  --out "$out" > "$out.log" 2>&1 || { tail -5 "$out.log" >&2; exit 1; }
end=$(date +%s)
echo "wall time: $((end - start)) s ($(( (end - start) / 60 )) min $(( (end - start) % 60 )) s) for $(grep -c '^| ' "$out/report.md" | awk '{print $1 - 1}') variants"
sed -n '/^| variant/,/^$/p' "$out/report.md"
