"""Writes the inputs of @rms_norm (x f32[7,16] with a residual-sink channel,
w f32[16]) or checks its output against a float64 RMSNorm written from the
formula y = x / sqrt(mean(x^2) + 1e-6) * w. Tolerance: 1e-5 relative to
max|y|, well above f32 rounding of a 16-term sum and an rsqrt.

  rms_norm_check.py write DIR       DIR/x.npy, DIR/w.npy
  rms_norm_check.py check DIR OUT   compares OUT (a .npy) with the reference
"""
import os
import sys

import numpy as np


def main():
    directory = sys.argv[2]
    if sys.argv[1] == "write":
        rng = np.random.default_rng(7)
        x = rng.standard_normal((7, 16))
        x[:, 3] *= 40.0
        np.save(os.path.join(directory, "x.npy"), x.astype(np.float32))
        np.save(os.path.join(directory, "w.npy"),
                rng.uniform(0.5, 1.5, 16).astype(np.float32))
        return
    x = np.load(os.path.join(directory, "x.npy")).astype(np.float64)
    w = np.load(os.path.join(directory, "w.npy")).astype(np.float64)
    got = np.load(sys.argv[3])
    if got.dtype != np.float32 or got.shape != x.shape:
        sys.exit("error: expected f32[7,16], got %s%s" % (got.dtype, got.shape))
    want = x / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + 1e-6) * w
    err = np.max(np.abs(got.astype(np.float64) - want))
    bound = 1e-5 * np.max(np.abs(want))
    if not err <= bound:  # also fails on NaN
        sys.exit("error: max |y - ref| = %g > %g" % (err, bound))
    print("rms_norm matches the float64 reference (max err %.3g)" % err)


main()
