#!/usr/bin/env python3
"""Checks the gradients `rescale-run` computed for `@NAME_grad` against
central finite differences of an independent float64 model of `@NAME`.

  gradcheck.py CASE DIR

DIR is a `rescale-run --random-inputs --output-dir DIR` of `@CASE_grad`:
DIR/in<i>.npy are the inputs it used, DIR/out0.npy the loss, DIR/out<k>.npy
the auxiliary outputs and the gradients. `models.py` holds, per CASE, the
loss written in float64 straight from the formulas (docs/overview.md, the
paper) and which inputs are differentiable; it shares no code with the
compiler.

For every element x_e of every differentiable input, the reference is
  (L(x + h e) - L(x - h e)) / 2h,   h = 1e-5 · max(1, |x_e|)
evaluated in float64 at the very inputs the compiled function saw. Its
error (h² L''' / 6 plus rounding eps·|L| / h) is below 1e-9 for these
losses, far under the tolerances, which are the compiled code's:

  gradient dtype   |g - ref| <= atol · max(1, max|ref|) + rtol · |ref|
  f64              atol = 1e-8, rtol = 1e-7
  f32              atol = 2e-4, rtol = 2e-3
  (the loss itself is tensor<f32>: rtol 1e-5, atol 1e-5)

A case may also name inputs whose rule is defined rather than derived
(fake_quant's straight-through estimator): there the model gives the
surrogate whose finite differences are the rule.

Standard library only, so the check runs wherever lit does. Exit status 1
and the worst element on a mismatch.
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "Inputs"))
sys.path.insert(0, HERE)
from npy import read_npy  # noqa: E402
import models  # noqa: E402

TOLERANCES = {"f64": (1e-8, 1e-7), "f32": (2e-4, 2e-3), "f16": (4e-3, 8e-3),
              "bf16": (2e-2, 4e-2)}
LOSS_TOLERANCES = {"f64": 1e-5, "f32": 1e-5, "f16": 2e-3, "bf16": 1e-2}
NPY_DTYPES = {"<f8": "f64", "<f4": "f32", "<f2": "f16"}


def files(directory, prefix):
    names = [n for n in os.listdir(directory)
             if n.startswith(prefix) and n.endswith(".npy")]
    return [os.path.join(directory, n)
            for n in sorted(names, key=lambda n: int(n[len(prefix):-4]))]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    case_name, directory = sys.argv[1], sys.argv[2]
    case = models.CASES.get(case_name)
    if case is None:
        sys.exit(f"error: unknown case {case_name}; known: "
                 + ", ".join(sorted(models.CASES)))
    inputs = []
    for path in files(directory, "in"):
        _, shape, values = read_npy(path)
        inputs.append(models.Tensor(list(shape), [float(v) for v in values]))
    outputs = [read_npy(p) for p in files(directory, "out")]
    num_aux = case.get("aux", 0)
    diff = case["diff"]
    expected = 1 + num_aux + len(diff)
    if len(outputs) != expected:
        print(f"FAIL: {len(outputs)} outputs, expected {expected} (loss, "
              f"{num_aux} auxiliary, {len(diff)} gradients)")
        return 1
    loss_fn = case["loss"]
    ok = True

    loss = case.get("value", loss_fn)(inputs)
    got = outputs[0][2][0]
    loss_tol = LOSS_TOLERANCES[case.get("dtype", "f32")]
    narrow = case.get("dtype") in ("f16", "bf16")
    magnitude = (sum(abs(v) for v in inputs[-1].data) if narrow
                 else abs(loss))
    if not abs(got - loss) <= loss_tol * max(1.0, magnitude):
        print(f"FAIL: loss {got!r}, reference {loss!r}")
        ok = False
    else:
        print(f"loss: {got:.6g} matches {loss:.6g}")

    for k, i in enumerate(diff):
        dtype, shape, values = outputs[1 + num_aux + k]
        x = inputs[i]
        if list(shape) != x.shape:
            print(f"FAIL: gradient of input {i} has shape {list(shape)}, "
                  f"input has {x.shape}")
            ok = False
            continue
        dtype = case.get("dtype", NPY_DTYPES[dtype])
        atol, rtol = TOLERANCES[dtype]
        ref = []
        for e in range(len(x.data)):
            saved = x.data[e]
            h = 1e-5 * max(1.0, abs(saved))
            x.data[e] = saved + h
            up = loss_fn(inputs)
            x.data[e] = saved - h
            down = loss_fn(inputs)
            x.data[e] = saved
            ref.append((up - down) / (2 * h))
        scale = max([1.0] + [abs(r) for r in ref])
        worst, worst_e = 0.0, -1
        for e, (g, r) in enumerate(zip(values, ref)):
            excess = abs(g - r) - (atol * scale + rtol * abs(r))
            if not math.isfinite(g) or excess > worst:
                worst, worst_e = (math.inf if not math.isfinite(g) else excess), e
        if worst_e >= 0:
            print(f"FAIL: d/d input {i}{x.shape} element {worst_e}: "
                  f"{values[worst_e]!r} vs finite difference {ref[worst_e]!r} "
                  f"(atol={atol}·{scale:.3g}, rtol={rtol})")
            ok = False
        else:
            print(f"d/d input {i}{x.shape}: {len(ref)} elements match "
                  f"({dtype}, max |grad| {scale:.3g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
