"""strided-copies-to-linalg.mlir: out0 of concat_last_dim is in0 with in1
appended along the last dimension, element for element."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402

d = sys.argv[1]
_, _, s = read_npy(os.path.join(d, "in0.npy"))
_, _, c = read_npy(os.path.join(d, "in1.npy"))
_, shape, out = read_npy(os.path.join(d, "out0.npy"))
rows = len(c)
want = []
for r in range(rows):
    want += s[r * 6:(r + 1) * 6] + c[r:r + 1]
bad = sum(a != b for a, b in zip(out, want))
print(f"concat: {bad} of {len(want)} elements differ")
sys.exit(1 if bad or len(out) != len(want) else 0)
