"""Cross-checks the runtime's .npy/.safetensors readers and writers against
numpy and the `safetensors` package (run where they are installed, e.g. the
GPU machine: python3 crosscheck_formats.py DIR RESCALE_INSPECT).

DIR holds the files `rescale-runtime-device-check write-files DIR` wrote.
Exits non-zero on the first disagreement.
"""
import subprocess
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        sys.exit(1)


def main(d, inspect):
    # 1. Files the runtime wrote, read by numpy and safetensors.
    f32 = np.load(d + "/sample_f32.npy")
    check(f32.dtype == np.float32 and f32.shape == (2, 3) and
          f32.ravel().tolist() == [i * 1.5 - 2 for i in range(6)],
          "numpy reads the runtime's f32 .npy")
    f16 = np.load(d + "/sample_f16.npy")
    check(f16.dtype == np.float16 and
          f16.tolist() == np.array([0.5, -1.25, 65504.0, 3.0e-5],
                                   np.float16).tolist(),
          "numpy reads the runtime's f16 .npy (same RNE rounding)")
    check(np.load(d + "/sample_i64.npy").tolist() == [-7, 0, 1 << 40],
          "numpy reads the runtime's i64 .npy")
    check(np.load(d + "/sample_i8.npy").tolist() == [-128, 0, 127],
          "numpy reads the runtime's i8 .npy")
    t = load_file(d + "/sample.safetensors")
    with safe_open(d + "/sample.safetensors", "pt") as f:
        check(f.metadata() == {"format": "rescale"}, "metadata survives")
    check(t["bf16"].dtype == torch.bfloat16 and
          t["bf16"].float().tolist() == [1.0, -2.0, 3.140625],
          "safetensors reads the runtime's BF16")
    check(t["e4m3"].dtype == torch.float8_e4m3fn and
          t["e4m3"].float().tolist() == [1.0, -448.0],
          "safetensors reads the runtime's F8_E4M3")
    check(t["fp4"].dtype == torch.uint8 and t["fp4"].tolist() == [0x71, 0x2F],
          "safetensors reads the runtime's packed FP4 (U8, low nibble first)")
    check(t["f16"].dtype == torch.float16 and t["i8"].tolist() == [-128, 0, 127],
          "safetensors reads the runtime's F16 and I8")

    # 2. Files numpy and safetensors wrote, read by the runtime.
    np.save(d + "/ref.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 8)
    np.save(d + "/ref_f16.npy", np.array([1.5, -0.25, 1000], np.float16))
    save_file({
        "x": torch.tensor([0.5, -3.0]),
        "w": torch.tensor([1.0, -2.0, 0.0078125], dtype=torch.bfloat16),
        "s": torch.tensor([448.0, -0.5]).to(torch.float8_e4m3fn),
        "q": torch.tensor([1, 255], dtype=torch.uint8),
        "h": torch.tensor([0.1], dtype=torch.float16),
        "i": torch.tensor([-5, 5], dtype=torch.int8),
    }, d + "/ref.safetensors", metadata={"producer": "torch"})

    def inspect_out(path):
        return subprocess.run([inspect, path, "--values"], check=True,
                              capture_output=True, text=True).stdout

    check(inspect_out(d + "/ref.npy") ==
          "npy f32[2,3]\n  0 0.125 0.25 0.375 0.5 0.625\n",
          "the runtime reads numpy's f32 .npy")
    check(inspect_out(d + "/ref_f16.npy") == "npy f16[3]\n  1.5 -0.25 1000\n",
          "the runtime reads numpy's f16 .npy")
    got = inspect_out(d + "/ref.safetensors")
    h = format(float(np.float16(0.1)), ".9g")
    for line in ["metadata producer = torch", "tensor x: f32[2]\n  0.5 -3",
                 "tensor w: bf16[3]\n  1 -2 0.0078125",
                 "tensor s: f8E4M3FN[2]\n  448 -0.5", "tensor q: u8[2]\n  1 255",
                 "tensor h: f16[1]\n  " + h, "tensor i: i8[2]\n  -5 5"]:
        check(line in got, "the runtime reads torch's safetensors: " +
              line.split("\n")[0])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
