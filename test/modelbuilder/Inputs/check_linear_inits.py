#!/usr/bin/env python3
"""The linear-attention inits of a step-0 checkpoint (docs/trainer.md, "Init
and weight decay"): A_log = log(u), u uniform in [1, 16); conv1d uniform in
±1/sqrt(K); dt_bias and norm.weight ones. Checks the range of every value
and that the draws are spread (not a constant).

  check_linear_inits.py CHECKPOINT_DIR
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from safetensors_f32 import read_safetensors  # noqa: E402


def main():
    directory = sys.argv[1]
    config = json.load(open(os.path.join(directory, "config.json")))
    tensors = read_safetensors(os.path.join(directory, "model.safetensors"))
    bound = 1 / math.sqrt(config["linear_conv_kernel_dim"])
    checked = 0
    for i, kind in enumerate(config["layer_types"]):
        if kind != "linear_attention":
            continue
        p = "model.layers.%d.linear_attn." % i
        a_log = tensors[p + "A_log"][1]
        conv = tensors[p + "conv1d.weight"][1]
        ranges = [("A_log", a_log, 0.0, math.log(16.0)),
                  ("conv1d.weight", conv, -bound, bound)]
        for name, values, low, high in ranges:
            if not all(low <= v < high for v in values):
                sys.exit("FAIL: %s%s outside [%g, %g)" % (p, name, low, high))
            if len(values) > 1 and max(values) == min(values):
                sys.exit("FAIL: %s%s is constant" % (p, name))
        for name in ("dt_bias", "norm.weight"):
            if any(v != 1.0 for v in tensors[p + name][1]):
                sys.exit("FAIL: %s%s is not ones" % (p, name))
        checked += 1
    print("ok: the inits of %d linear layers" % checked)


if __name__ == "__main__":
    main()
