#!/usr/bin/env python3
"""Compare the outputs of two rescale-run directories (no numpy needed).

Usage: compare_npy.py REF_DIR GOT_DIR TOL
For every REF_DIR/out<j>.npy: max|got - ref| / max|ref| must be <= TOL (the
tolerances of the CPU numerics driver: f32 5e-5, f16 1e-3, bf16 7.9e-3), and
every value finite where the reference is. TOL 0 means bit-exact instead (the
quantization outputs: integer codes, fp8/fp4 codes as their decoded values,
scales): every element must be the same value with the same sign, a NaN
matching any NaN. Prints one line per output; exits 1 on a mismatch.
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, os.pardir, "Inputs"))
from npy import output_names, read_npy  # noqa: E402


def same_bits(r, g):
    """r and g are the same value, signed zeros told apart, NaN matching NaN
    (their payloads are not part of any format's contract)."""
    if isinstance(r, float) or isinstance(g, float):
        r, g = float(r), float(g)
        if math.isnan(r) or math.isnan(g):
            return math.isnan(r) and math.isnan(g)
        return struct.pack("<d", r) == struct.pack("<d", g)
    return r == g


def main():
    ref_dir, got_dir, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ok = True
    for name in output_names(ref_dir):
        _, shape_r, ref = read_npy(os.path.join(ref_dir, name))
        _, shape_g, got = read_npy(os.path.join(got_dir, name))
        if shape_r != shape_g:
            print(f"FAIL {name}: shape {list(shape_g)} != {list(shape_r)}")
            ok = False
            continue
        if tol == 0:
            diffs = [i for i, (r, g) in enumerate(zip(ref, got))
                     if not same_bits(r, g)]
            ok &= not diffs
            where = ""
            if diffs:
                i = diffs[0]
                where = f", first at flat index {i}: got {got[i]!r}, expected {ref[i]!r}"
            print(f"{'FAIL' if diffs else 'PASS'} {name}: bit-exact, "
                  f"{len(diffs)} of {len(ref)} elements differ{where}")
            continue
        scale = max((abs(r) for r in ref if math.isfinite(r)), default=0.0) or 1.0
        err = 0.0
        bad = 0
        for r, g in zip(ref, got):
            if math.isfinite(r) != math.isfinite(g):
                bad += 1
            elif math.isfinite(r):
                err = max(err, abs(g - r))
        rel = err / scale
        passed = bad == 0 and rel <= tol
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} {name}: max rel err {rel:.3e} "
              f"(tol {tol:g}), non-finite mismatches {bad}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
