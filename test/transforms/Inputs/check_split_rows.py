"""contractions-to-blas.mlir: checks a `rescale-run --random-inputs`
directory of one entry of Inputs/split-rows.mlir against a float64 product
written here. Every element must be finite (the runtime poisons outputs with
NaN, so a row no part wrote fails) and within 1e-5 * sum_k |a_k b_k| + 1e-30
of the reference (f32 rounding of a K-term sum).

  check_split_rows.py ENTRY DIR
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402


def product(m, n, k, a_at, b_at):
    """C[i][j] = sum_p a_at(i, p) * b_at(p, j), with sum |terms|."""
    out = []
    for i in range(m):
        for j in range(n):
            terms = [a_at(i, p) * b_at(p, j) for p in range(k)]
            out.append((math.fsum(terms), math.fsum(abs(t) for t in terms)))
    return out


def main():
    entry, d = sys.argv[1], sys.argv[2]
    (_, ashape, a), (_, bshape, b) = (read_npy(os.path.join(d, f"in{i}.npy"))
                                      for i in range(2))
    _, cshape, got = read_npy(os.path.join(d, "out0.npy"))
    if entry == "x_wt":  # y[m, n] = sum_k x[m, k] w[n, k]
        (m, k), (n, _) = ashape, bshape
        ref = product(m, n, k, lambda i, p: a[i * k + p],
                      lambda p, j: b[j * k + p])
    elif entry == "weight_grad":  # dw[n, k] = sum_{b,s} dy[b,s,n] x[b,s,k]
        bb, s, n = ashape
        kk = bshape[2]
        ref = product(n, kk, bb * s, lambda i, p: a[p * n + i],
                      lambda p, j: b[p * kk + j])
    else:  # matmul_129: c[m, n] = sum_k a[m, k] b[k, n]
        (m, k), (_, n) = ashape, bshape
        ref = product(m, n, k, lambda i, p: a[i * k + p],
                      lambda p, j: b[p * n + j])
    if len(got) != len(ref):
        print(f"FAIL {entry}: {len(got)} elements, expected {len(ref)}")
        return 1
    for e, (g, (r, mag)) in enumerate(zip(got, ref)):
        if not math.isfinite(g) or abs(g - r) > 1e-5 * mag + 1e-30:
            print(f"FAIL {entry}: element {e} = {g!r}, reference {r!r}")
            return 1
    print(f"PASS {entry}: {len(got)} elements match the float64 product")
    return 0


if __name__ == "__main__":
    sys.exit(main())
