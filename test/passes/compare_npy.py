#!/usr/bin/env python3
"""Compares the outputs of two rescale-run directories (or two .npy files).

  compare_npy.py BEFORE AFTER [--rtol R] [--atol A]

Every outN.npy of BEFORE must have a twin in AFTER with the same dtype and
shape and |a - b| <= atol + rtol * |a| elementwise (NaN only against NaN).
Prints the worst element and exits 1 on a mismatch. Standard library only,
so the check runs wherever lit does.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "Inputs"))
from npy import output_names, read_npy  # noqa: E402


def compare(a_path, b_path, rtol, atol):
    da, sa, va = read_npy(a_path)
    db, sb, vb = read_npy(b_path)
    if (da, sa) != (db, sb):
        print(f"{b_path}: {db}{list(sb)} but {a_path} is {da}{list(sa)}")
        return False
    worst, worst_i = 0.0, -1
    for i, (x, y) in enumerate(zip(va, vb)):
        if isinstance(x, float) and (math.isnan(x) or math.isnan(y)):
            if math.isnan(x) != math.isnan(y):
                worst, worst_i = math.inf, i
                break
            continue
        if x == y:
            continue
        excess = abs(x - y) - (atol + rtol * abs(x))
        if excess > 0 and (worst_i < 0 or excess > worst):
            worst, worst_i = excess, i
    if worst_i >= 0:
        print(f"{os.path.basename(b_path)}: element {worst_i} differs: "
              f"{va[worst_i]!r} vs {vb[worst_i]!r} (rtol={rtol}, atol={atol})")
        return False
    print(f"{os.path.basename(b_path)}: {len(va)} elements match")
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--rtol", type=float, default=1e-5)
    p.add_argument("--atol", type=float, default=1e-6)
    args = p.parse_args()
    if os.path.isdir(args.before):
        names = output_names(args.before)
        pairs = [(os.path.join(args.before, n), os.path.join(args.after, n))
                 for n in names]
    else:
        pairs = [(args.before, args.after)]
    ok = True
    for a, b in pairs:
        if not os.path.exists(b):
            print(f"error: {b} is missing")
            ok = False
            continue
        ok &= compare(a, b, args.rtol, args.atol)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
