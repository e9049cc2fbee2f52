"""Checks cpu-blas.test's outputs against float64 products computed here from
the inputs (the formulas, not the code under test): y = x·wᵀ + bias, c = a·b,
bc = ba·bb per batch, dw = Σ_{b,s} dyᵀ·x. Tolerance: |got - want| <=
1e-5 · Σ|terms| + 1e-30 per element (f32 rounding of a sum of products).
Usage: check_products.py INPUT_DIR OUTPUT_DIR LABEL"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Inputs"))
from npy import read_npy  # noqa: E402


def load(directory, name):
    _, shape, values = read_npy(os.path.join(directory, name))
    return shape, values


def main():
    ins, outs, label = sys.argv[1], sys.argv[2], sys.argv[3]
    x = load(ins, "in0.npy")[1]
    w = load(ins, "in1.npy")[1]
    bias = load(ins, "in2.npy")[1]
    a = load(ins, "in3.npy")[1]
    b = load(ins, "in4.npy")[1]
    ba = load(ins, "in5.npy")[1]
    bb = load(ins, "in6.npy")[1]
    dy = load(ins, "in7.npy")[1]
    B, S, K, N = 3, 5, 37, 19
    want = []
    # (value, Σ|terms|) per output element, in output order.
    y = []
    for r in range(B * S):
        for n in range(N):
            terms = [x[r * K + k] * w[n * K + k] for k in range(K)] + [bias[n]]
            y.append((sum(terms), sum(abs(t) for t in terms)))
    c = []
    for i in range(9):
        for j in range(17):
            terms = [a[i * 33 + k] * b[k * 17 + j] for k in range(33)]
            c.append((sum(terms), sum(abs(t) for t in terms)))
    bc = []
    for p in range(3):
        for i in range(7):
            for j in range(13):
                terms = [ba[(p * 7 + i) * 11 + k] * bb[(p * 11 + k) * 13 + j]
                         for k in range(11)]
                bc.append((sum(terms), sum(abs(t) for t in terms)))
    dw = []
    for n in range(N):
        for k in range(K):
            terms = [dy[r * N + n] * x[r * K + k] for r in range(B * S)]
            dw.append((sum(terms), sum(abs(t) for t in terms)))
    want = [y, c, bc, dw]
    bad = 0
    for index, expected in enumerate(want):
        got = load(outs, f"out{index}.npy")[1]
        if len(got) != len(expected):
            print(f"FAIL {label} out{index}: {len(got)} elements, want {len(expected)}")
            bad += 1
            continue
        for e, (g, (v, magnitude)) in enumerate(zip(got, expected)):
            if not abs(g - v) <= 1e-5 * magnitude + 1e-30:
                print(f"FAIL {label} out{index}[{e}]: {g!r} want {v!r}")
                bad += 1
                break
    if bad:
        return 1
    print(f"ok {label}: 4 outputs match the float64 products")
    return 0


if __name__ == "__main__":
    sys.exit(main())
