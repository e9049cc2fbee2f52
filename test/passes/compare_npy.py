#!/usr/bin/env python3
"""Compares the outputs of two rescale-run directories (or two .npy files).

  compare_npy.py BEFORE AFTER [--rtol R] [--atol A]

Every outN.npy of BEFORE must have a twin in AFTER with the same dtype and
shape and |a - b| <= atol + rtol * |a| elementwise (NaN only against NaN).
Prints the worst element and exits 1 on a mismatch. Standard library only,
so the check runs wherever lit does.
"""
import argparse
import ast
import math
import os
import struct
import sys

FORMATS = {"<f4": "f", "<f8": "d", "<f2": "e", "<i4": "i", "<i8": "q",
           "|i1": "b", "|u1": "B", "|b1": "?", "<i2": "h"}


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"error: {path} is not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    descr, shape = header["descr"], tuple(header["shape"])
    if header.get("fortran_order"):
        sys.exit(f"error: {path}: Fortran order is not supported")
    if descr not in FORMATS:
        sys.exit(f"error: {path}: dtype {descr} is not supported")
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:]
    values = struct.unpack("<%d%s" % (count, FORMATS[descr]),
                           body[:count * struct.calcsize(FORMATS[descr])])
    return descr, shape, values


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
        names = sorted(n for n in os.listdir(args.before)
                       if n.startswith("out") and n.endswith(".npy"))
        if not names:
            sys.exit(f"error: no out*.npy in {args.before}")
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
