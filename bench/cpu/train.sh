#!/usr/bin/env bash
# CPU training throughput: the issue's model (4 layers, d=128, 4 heads / 2 kv
# heads, ffn 352, vocab 256, untied; batch 8 x seq 128, AdamW) trained by
# rescale-train (compiled in-process) and by PyTorch eager on the same
# machine, in the same run. Prints both median tokens/s (the first 3 steps
# excluded). Installs python3-torch with apt-get when missing.
#   bench/cpu/train.sh [STEPS]    (default 30)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
steps="${1:-30}"
data="$root/examples/data/kjv-genesis-1-10.txt"
run="$(mktemp -d)"
trap 'rm -rf "$run"' EXIT

source "$root/bench/cpu/torch-python.sh"
[ -x "$build/bin/rescale-train" ] || bash "$root/scripts/build.sh" rescale-train >/dev/null

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(date -u +%F)"
start=$(date +%s)
"$build/bin/rescale-train" --config "$root/bench/cpu/bench_model.json" --out "$run/run" \
  --data "$data" --steps "$steps" --batch 8 --seq 128 --lr 1e-3 \
  --eval-every 100000 --eval-batches 1 --save-every 100000 >/dev/null
python3 - "$run/run/metrics.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rates = [r["tokens_per_s"] for r in rows[3:]]
print("rescale-train (cpu): loss %.4f, median %.0f tokens/s" % (rows[-1]["loss"], statistics.median(rates)))
PY
echo "   (compile + $steps steps: $(( $(date +%s) - start )) s)"
"$py" "$root/bench/cpu/torch_train.py" "$root/bench/cpu/bench_model.json" "$data" 8 128 "$steps"
