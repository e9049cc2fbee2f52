"""decompose-aggregated-ops.mlir: DIR/out0.npy is the softmax of DIR/in0.npy
over dimension DIM of SHAPE, against a float64 reference computed here from
the formula, within TOL (absolute; the values are in [0, 1])."""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402

d, dim, tol = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
_, shape, x = read_npy(os.path.join(d, "in0.npy"))
_, oshape, y = read_npy(os.path.join(d, "out0.npy"))
assert list(shape) == list(oshape), (shape, oshape)
inner = 1
for n in shape[dim + 1:]:
    inner *= n
outer = len(x) // (shape[dim] * inner)
err = 0.0
for o in range(outer):
    for i in range(inner):
        idx = [(o * shape[dim] + j) * inner + i for j in range(shape[dim])]
        m = max(x[k] for k in idx)
        e = [math.exp(x[k] - m) for k in idx]
        s = sum(e)
        for k, ek in zip(idx, e):
            err = max(err, abs(y[k] - ek / s))
print(f"{'PASS' if err <= tol else 'FAIL'} softmax over dim {dim}: max abs err {err:.2e} (tol {tol:g})")
sys.exit(0 if err <= tol else 1)
