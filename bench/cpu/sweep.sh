#!/usr/bin/env bash
# Issue 12's default sweep, timed: `rescale-train sweep` with its defaults
# (every variant, 300 steps of batch 8 x seq 64, seed 0, the default corpus)
# on the bundled tiny model (examples/tiny_model.json), then the wall time,
# the machine and the report's table. The issue's budget is 30 minutes on
# 2 CPU cores.
#
#   bash bench/cpu/sweep.sh [OUT_DIR [CONFIG [VARIANTS]]]
#
# OUT_DIR defaults to /tmp/rescale-default-sweep, CONFIG to
# examples/tiny_model.json, VARIANTS to the sweep's default list. Issue 19's
# linear-attention sweep is
#   bash bench/cpu/sweep.sh /tmp/hybrid-sweep examples/hybrid_model.json \
#     baseline,gatednorm,linear,hybrid,hybrid_ga,hybrid_ga_gatednorm
#
# Uses $RESCALE_BUILD_DIR (default build/) and the default corpus that
# scripts/setup.sh writes (/usr/local/share/rescale/kjv.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
out="${1:-/tmp/rescale-default-sweep}"
config="${2:-$root/examples/tiny_model.json}"
variants=()
[ -n "${3:-}" ] && variants=(--variants "$3")
[ -x "$build/bin/rescale-train" ] || {
  echo "sweep.sh: no $build/bin/rescale-train (build first, or set RESCALE_BUILD_DIR)" >&2
  exit 1
}
rm -rf "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "command: rescale-train sweep --config $config --out $out ${variants[*]:-}"
start=$(date +%s)
"$build/bin/rescale-train" sweep --config "$config" \
  --out "$out" "${variants[@]}" > "$out.log" 2>&1 || { tail -5 "$out.log" >&2; exit 1; }
end=$(date +%s)
echo "wall time: $((end - start)) s ($(( (end - start) / 60 )) min $(( (end - start) % 60 )) s) for $(grep -c '^| ' "$out/report.md" | awk '{print $1 - 1}') variants"
sed -n '/^| variant/,/^$/p' "$out/report.md"
