#!/usr/bin/env python3
"""Compare the outputs of two rescale-run directories (no numpy needed).

Usage: compare_npy.py REF_DIR GOT_DIR TOL
For every REF_DIR/out<j>.npy: max|got - ref| / max|ref| must be <= TOL (the
tolerances of the CPU numerics driver: f32 5e-5, f16 1e-3, bf16 7.9e-3), and
every value finite where the reference is. Prints one line per output; exits 1
on a mismatch.
"""
import ast
import glob
import math
import os
import struct
import sys

_FORMATS = {"<f4": "f", "<f8": "d", "<f2": "e", "|i1": "b", "<i4": "i", "<i8": "q"}


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"compare_npy.py: {path} is not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    fmt = _FORMATS.get(header["descr"])
    if fmt is None:
        sys.exit(f"compare_npy.py: {path}: unsupported dtype {header['descr']}")
    count = 1
    for n in header["shape"]:
        count *= n
    body = data[start + hlen:]
    return header["shape"], struct.unpack("<%d%s" % (count, fmt),
                                          body[:count * struct.calcsize(fmt)])


def main():
    ref_dir, got_dir, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    refs = sorted(glob.glob(os.path.join(ref_dir, "out*.npy")))
    if not refs:
        sys.exit(f"compare_npy.py: no out*.npy in {ref_dir}")
    ok = True
    for ref_path in refs:
        name = os.path.basename(ref_path)
        shape_r, ref = read_npy(ref_path)
        shape_g, got = read_npy(os.path.join(got_dir, name))
        if shape_r != shape_g:
            print(f"FAIL {name}: shape {shape_g} != {shape_r}")
            ok = False
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
