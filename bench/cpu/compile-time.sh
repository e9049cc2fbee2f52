#!/usr/bin/env bash
# Compile time of a decoder's train step against its depth (issue 13: "linear
# in layers"): `rescale-train compile` of the issue's model shape (d = 128,
# 4 heads / 2 kv heads, ffn 352, vocab 256, untied; batch 8 x seq 128) with
# 1, 2, 4, 8, 16 and 32 layers, CPU target at -O3 (the trainer's default).
# Prints the wall time per depth, the seconds per layer, and the ratio of
# the last step's seconds per layer to the first's (1.0 = linear).
#   bench/cpu/compile-time.sh [LAYERS...]    (default 1 2 4 8 16 32)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${RESCALE_BUILD_DIR:-$root/build}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
layers=("$@")
[ "${#layers[@]}" -gt 0 ] || layers=(1 2 4 8 16 32)
[ -x "$build/bin/rescale-train" ] || bash "$root/scripts/build.sh" rescale-train >/dev/null

echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(date -u +%F)"
echo "== command: bench/cpu/compile-time.sh ${layers[*]}"
printf '%-8s %10s %12s\n' layers seconds s_per_layer
: >"$work/times"
for n in "${layers[@]}"; do
  printf '{"hidden_size": 128, "num_hidden_layers": %d, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 352, "vocab_size": 256, "max_position_embeddings": 128, "tie_word_embeddings": false}\n' "$n" >"$work/model.json"
  start=$(date +%s.%N)
  "$build/bin/rescale-train" compile --config "$work/model.json" --batch 8 --seq 128 -o "$work/module-$n" >/dev/null
  end=$(date +%s.%N)
  rm -rf "$work/module-$n"
  python3 -c "import sys; n, s = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]); print('%-8d %10.1f %12.2f' % (n, s, s / n)); open(sys.argv[4], 'a').write('%d %f\n' % (n, s))" "$n" "$start" "$end" "$work/times"
done
python3 - "$work/times" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
if len(rows) >= 2:
    (n0, s0), (n1, s1) = rows[0], rows[-1]
    # The marginal cost per layer between the two extremes, against the
    # smallest model's cost per layer: near 1 when the time is linear.
    slope = (s1 - s0) / (n1 - n0)
    print("marginal s/layer (%d->%d layers): %.2f; per-layer at %d: %.2f; ratio %.2f"
          % (n0, n1, slope, n0, s0 / n0, slope / (s0 / n0)))
PY
