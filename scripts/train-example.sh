#!/usr/bin/env bash
# The main job on the bundled example: set-up, build rescale-train, then
# build, differentiate and compile a tiny decoder (examples/tiny_model.json:
# 2 layers, d=64, PreAffine RMSNorm, headwise-gated GQA attention) and train
# it on the bundled sample text (examples/data), printing the progress and
# the final training and validation losses. The run folder is
# ${RESCALE_EXAMPLE_RUN:-/tmp/rescale-tiny-run} (replaced on each call).
# Then a short sweep of five of the paper's variants, whose report (table,
# claims, loss curves, activation profile, first-token shares) lands in
# ${RESCALE_EXAMPLE_SWEEP:-/tmp/rescale-tiny-sweep}.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
run="${RESCALE_EXAMPLE_RUN:-/tmp/rescale-tiny-run}"
steps="${RESCALE_EXAMPLE_STEPS:-300}"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" rescale-train >/dev/null

rm -rf "$run"
echo "== training examples/tiny_model.json on examples/data/kjv-genesis-1-10.txt ($steps steps)"
"$build/bin/rescale-train" --config "$root/examples/tiny_model.json" --out "$run" \
  --data "$root/examples/data/kjv-genesis-1-10.txt" --steps "$steps" \
  --batch 8 --seq 64 --lr 3e-3 --warmup 20 --eval-every 100 --eval-batches 4 \
  --save-every 1000
echo
echo "== the last step ($run/metrics.jsonl)"
tail -n 1 "$run/metrics.jsonl"

# A short sweep of the paper's variants on the same sample (a few minutes on
# 2 cores; docs/experiments.md): baseline, gated attention, GatedNorm, both,
# and PreAffine (the paper's quantization comparison is GatedNorm, GA and
# PreAffine), 150 steps each, then the report written from the runs.
sweep="${RESCALE_EXAMPLE_SWEEP:-/tmp/rescale-tiny-sweep}"
rm -rf "$sweep"
echo
echo "== sweep: baseline, ga, gatednorm, ga_gatednorm, preaffine (150 steps each) into $sweep"
"$build/bin/rescale-train" sweep --config "$root/examples/tiny_model.json" --out "$sweep" \
  --variants baseline,ga,gatednorm,ga_gatednorm,preaffine --steps 150 --batch 8 --seq 64 \
  --lr 3e-3 --warmup 20 --eval-every 50 --eval-batches 4 \
  --data "$root/examples/data/kjv-genesis-1-10.txt" >/dev/null
echo "== report: $sweep/report.md"
echo "   plots beside it: loss_curves.svg, activation_profile.svg, first_token_share.svg"
sed -n '/^| variant/,/^$/p' "$sweep/report.md"

