"""training-to-linalg.mlir and embedding-to-gather.mlir: checks a
`rescale-run --random-inputs` directory of one entry of Inputs/training.mlir
or Inputs/embedding-edges.mlir against a float64 reference written here
from the ops' formulas (docs/overview.md, dialect/RescaleTrainingOps.td).

  check_training.py CASE DIR

Every output element must be finite and within atol·max(1, max|ref|) +
rtol·|ref| of the reference (the runtime poisons outputs with NaN, so an
element the module forgot to write fails). Standard library only.
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def load(d, prefix):
    names = sorted((n for n in os.listdir(d)
                    if n.startswith(prefix) and n.endswith(".npy")),
                   key=lambda n: int(n[len(prefix):-4]))
    return [read_npy(os.path.join(d, n)) for n in names]


def prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# ----------------------------------------------------------------------------
# References (flat row-major lists)

def embedding(ins):
    (_, ishape, ids), (_, (v, d), table) = ins
    out = []
    for i in ids:
        out += list(table[i * d:(i + 1) * d]) if 0 <= i < v else [0.0] * d
    return [out]


def embedding_grad(v):
    def ref(ins):
        (_, _, ids), (_, dshape, dy) = ins
        d = dshape[-1]
        out = [0.0] * (v * d)
        for n, i in enumerate(ids):
            if 0 <= i < v:
                for k in range(d):
                    out[i * d + k] += dy[n * d + k]
        return [out]
    return ref


def ce_rows(logits, shape, targets, ignore):
    v = shape[-1]
    for r, t in enumerate(targets):
        row = logits[r * v:(r + 1) * v]
        m = max(row)
        lse = m + math.log(sum(math.exp(x - m) for x in row))
        yield r, row, lse, t, (t != ignore and 0 <= t < v)


def cross_entropy(ignore=-100, z=0.0):
    def ref(ins):
        (_, shape, logits), (_, _, targets) = ins[0], ins[1]
        total, count = 0.0, 0
        for _, row, lse, t, counted in ce_rows(logits, shape, targets, ignore):
            if counted:
                total += lse - row[t] + z * lse * lse
                count += 1
        return [[total / count if count else 0.0]]
    return ref


def cross_entropy_all_ignored(ins):
    return [[0.0]]


def cross_entropy_grad(ignore, z):
    def ref(ins):
        (_, shape, logits), (_, _, targets), (_, _, dloss) = ins
        v = shape[-1]
        rows = list(ce_rows(logits, shape, targets, ignore))
        n = sum(1 for r in rows if r[4])
        out = []
        for _, row, lse, t, counted in rows:
            for j, x in enumerate(row):
                if not counted:
                    out.append(0.0)
                    continue
                p = math.exp(x - lse)
                out.append(dloss[0] / n * (p - (1.0 if j == t else 0.0)
                                           + 2 * z * lse * p))
        return [out]
    return ref


def rope(theta, offset=0, inverse=False):
    """Hugging Face Llama: inv_freq[i] = theta^(-2i/D), angle = pos·inv_freq,
    y = x·cos + rotate_half(x)·sin, rotate_half(x) = cat(-x2, x1)."""
    def ref(ins):
        _, (b, h, s, d), x = ins[0]
        pos = ins[1][2] if len(ins) > 1 else None
        pshape = ins[1][1] if len(ins) > 1 else None
        half = d // 2
        out = [0.0] * len(x)
        for bi in range(b):
            for hi in range(h):
                for si in range(s):
                    if pos is None:
                        p = si + offset
                    elif len(pshape) == 1:
                        p = pos[si]
                    else:
                        p = pos[bi * s + si]
                    base = ((bi * h + hi) * s + si) * d
                    row = x[base:base + d]
                    rot = [-v for v in row[half:]] + list(row[:half])
                    for k in range(d):
                        ang = p * theta ** (-2.0 * (k % half) / d)
                        sn = -math.sin(ang) if inverse else math.sin(ang)
                        out[base + k] = row[k] * math.cos(ang) + rot[k] * sn
        return [out]
    return ref


def adamw(lr, b1, b2, eps, wd, step, lr_input=False):
    """torch.optim.AdamW (single tensor, no amsgrad); v = |v0| as the entry."""
    def ref(ins):
        p, g, m, v0 = (t[2] for t in ins[:4])
        rate = abs(ins[4][2][0]) if lr_input else f32(lr)
        c1, c2, e, w, t = f32(b1), f32(b2), f32(eps), f32(wd), step
        outs = [[], [], []]
        for pi, gi, mi, vi in zip(p, g, m, v0):
            vi = abs(vi)
            pi *= 1 - rate * w
            m1 = c1 * mi + (1 - c1) * gi
            v1 = c2 * vi + (1 - c2) * gi * gi
            bc1 = 1 - c1 ** t
            bc2 = 1 - c2 ** t
            denom = math.sqrt(v1) / math.sqrt(bc2) + e
            outs[0].append(pi - rate / bc1 * m1 / denom)
            outs[1].append(m1)
            outs[2].append(v1)
        return outs
    return ref


# case: (reference, atol, rtol)
CASES = {
    "embedding_i32": (embedding, 0.0, 0.0),
    "embedding_i64_bf16": (embedding, 0.0, 0.0),
    "embedding_grad": (embedding_grad(5), 1e-6, 1e-6),
    "embedding_scalar_id": (embedding, 0.0, 0.0),
    "embedding_empty_vocab": (embedding, 0.0, 0.0),
    # bf16 dy, summed in f32, rounded once to bf16: within 2^-8 relative.
    "embedding_grad_rank3_bf16": (embedding_grad(6), 1e-6, 3.91e-3),
    "embedding_grad_scalar_id": (embedding_grad(4), 1e-6, 1e-6),
    "embedding_grad_empty_vocab": (embedding_grad(0), 0.0, 0.0),
    "embedding_grad_no_ids": (embedding_grad(4), 0.0, 0.0),
    "cross_entropy": (cross_entropy(ignore=2, z=1e-2), 1e-6, 1e-5),
    "cross_entropy_i64_bf16": (cross_entropy(), 1e-6, 1e-5),
    "cross_entropy_all_ignored": (cross_entropy_all_ignored, 0.0, 0.0),
    "cross_entropy_grad": (cross_entropy_grad(ignore=1, z=1e-2), 1e-6, 1e-5),
    "rope_offset": (rope(100.0, offset=3), 1e-5, 1e-5),
    "rope_positions_f16": (rope(10000.0), 2e-3, 2e-3),
    "rope_positions_inverse": (rope(50.0, inverse=True), 1e-5, 1e-5),
    "adamw": (adamw(1e-2, 0.9, 0.999, 1e-8, 0.1, 3.0), 1e-6, 1e-5),
    "adamw_bf16": (adamw(0, 0.8, 0.95, 1e-1, 0.0, 1.0, lr_input=True),
                   8e-3, 8e-3),
}


def main():
    case, d = sys.argv[1], sys.argv[2]
    ref_fn, atol, rtol = CASES[case]
    ins = load(d, "in")
    outs = load(d, "out")
    refs = ref_fn(ins)
    if len(refs) != len(outs):
        print(f"FAIL {case}: {len(outs)} outputs, expected {len(refs)}")
        return 1
    ok = True
    for k, (ref, (_, shape, got)) in enumerate(zip(refs, outs)):
        if prod(shape) != len(ref):
            print(f"FAIL {case}: out{k} has {prod(shape)} elements, "
                  f"expected {len(ref)}")
            ok = False
            continue
        scale = max([1.0] + [abs(r) for r in ref])
        for e, (g, r) in enumerate(zip(got, ref)):
            if not math.isfinite(g) or abs(g - r) > atol * scale + rtol * abs(r):
                print(f"FAIL {case}: out{k}[{e}] = {g!r}, reference {r!r}")
                ok = False
                break
    if ok:
        print(f"PASS {case}: {len(outs)} output(s) match the float64 reference")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
