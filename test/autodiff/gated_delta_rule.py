#!/usr/bin/env python3
"""The gated delta rule's chunked CPU path against the float64 recurrence.

  gated_delta_rule.py gen CASE DIR     writes DIR/case.mlir and DIR/in<i>.npy
  gated_delta_rule.py check CASE DIR   compares DIR/out<i>.npy (rescale-run)
  gated_delta_rule.py fdcheck          the reference's own backward against
                                       central finite differences

The function in case.mlir takes (q, k, v, g, beta, dout) and returns the
forward's result and the five gradients of rescale.gated_delta_rule_grad; the
compiled code runs the chunked form (chunks of <= 64 tokens,
conversion/RescaleToLinalg/GatedDeltaRuleToLinalg.cpp). The reference here is
the token-by-token recurrence of the op's definition, written from the
formulas (dialect/RescaleLinearAttentionOps.td, Gated DeltaNet
arXiv 2412.06464) in float64, and its backward is reverse-mode through that
recurrence, derived by hand:

  forward, per token:  Sd = exp(g_t) S;  u = beta_t (v_t - Sd^T k_t);
                       S = Sd + k_t u^T;  o_t = S^T q_t
  backward, t = T..1:  dS += q_t do_t^T;  dq_t = S_t do_t
                       du = dS^T k_t;  dk_t = dS u - beta_t Sd du
                       dv_t = beta_t du;  dbeta_t = du . (v_t - Sd^T k_t)
                       dSd = dS - beta_t k_t du^T
                       dg_t = <Sd, dSd>;  dS = exp(g_t) dSd

`fdcheck` checks that backward against finite differences of the forward
(h = 1e-6, every element of a small case), so the reference is checked
independently of the compiled code. Inputs: q and k L2-normalized per head
(q also scaled by 1/sqrt(dk)), g = -softplus(...) in [-3, 0), beta in (0, 1):
the conditions of a Gated DeltaNet layer.

Tolerances (|x - ref| <= atol * max(1, max|ref|) + rtol * |ref|), where the
compiled code computes in f32 and rounds each result once:
  f32   atol 2e-4, rtol 2e-3   (chunked vs recurrent summation order)
  f16   atol 2e-3, rtol 4e-3   (plus one f16 rounding of the result)
  bf16  atol 1.6e-2, rtol 1.6e-2 (plus one bf16 rounding)
Inputs are rounded to the case's dtype before the reference sees them.

Standard library only. Exit status 1 and the worst element on a mismatch.
"""
import math
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "Inputs"))
from npy import read_npy, write_npy  # noqa: E402

# name: B, T, Hk, Hv, dk, dv, dtype, decay dtype (g and beta), seed
CASES = {
    # two chunks of 50, three value heads per key head, odd head dims
    "gqa3_T100_f32": (2, 100, 1, 3, 5, 7, "f32", "f32", 1),
    # three chunks of 44 and 4 padded tokens, Hv = 2 Hk
    "gqa2_T130_f32": (1, 130, 2, 4, 8, 3, "f32", "f32", 2),
    # exactly one chunk of 64
    "T64_f32": (1, 64, 2, 2, 16, 16, "f32", "f32", 3),
    # one token
    "T1_f32": (1, 1, 1, 1, 3, 2, "f32", "f32", 4),
    # several chunks of 43 (three) with wide heads
    "T129_d33_f32": (1, 129, 1, 1, 33, 17, "f32", "f32", 5),
    "gqa2_T70_bf16": (1, 70, 1, 2, 8, 5, "bf16", "bf16", 6),
    "T70_bf16_decay_f32": (1, 70, 1, 2, 8, 5, "bf16", "f32", 7),
    "T33_f16": (1, 33, 2, 2, 7, 9, "f16", "f16", 8),
}

TOLERANCES = {"f32": (2e-4, 2e-3), "f16": (2e-3, 4e-3), "bf16": (1.6e-2, 1.6e-2)}
# .npy dtype per case dtype (bf16 tensors are f32 .npy files at rescale-run's
# boundary).
NPY = {"f32": "<f4", "f16": "<f2", "bf16": "<f4"}


def round_to(x, dtype):
    if dtype == "f32":
        return struct.unpack("<f", struct.pack("<f", x))[0]
    if dtype == "f16":
        return struct.unpack("<e", struct.pack("<e", x))[0]
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def make_inputs(case):
    """Flat lists q, k [B,T,Hk,dk], v [B,T,Hv,dv], g, beta [B,T,Hv], dout
    [B,T,Hv,dv], already rounded to the case's dtypes."""
    B, T, Hk, Hv, dk, dv, dtype, ddtype, seed = case
    rng = random.Random(seed)

    def normalized(scale):
        out = []
        for _ in range(B * T * Hk):
            x = [rng.gauss(0, 1) for _ in range(dk)]
            n = math.sqrt(sum(e * e for e in x) + 1e-6)
            out += [e / n * scale for e in x]
        return out

    q = normalized(1 / math.sqrt(dk))
    k = normalized(1.0)
    v = [rng.gauss(0, 1) for _ in range(B * T * Hv * dv)]
    g = [-math.log1p(math.exp(rng.uniform(-4, 3))) for _ in range(B * T * Hv)]
    beta = [1 / (1 + math.exp(-rng.gauss(0, 1.5))) for _ in range(B * T * Hv)]
    dout = [rng.gauss(0, 1) for _ in range(B * T * Hv * dv)]
    return ([round_to(x, dtype) for x in q], [round_to(x, dtype) for x in k],
            [round_to(x, dtype) for x in v], [round_to(x, ddtype) for x in g],
            [round_to(x, ddtype) for x in beta],
            [round_to(x, dtype) for x in dout])


def reference(case, q, k, v, g, beta, dout, want_grads=True):
    """(o, dq, dk, dv, dg, dbeta) in float64 by the recurrence."""
    B, T, Hk, Hv, dk, dv = case[:6]
    group = Hv // Hk
    o = [0.0] * (B * T * Hv * dv)
    dq = [0.0] * len(q)
    dkk = [0.0] * len(k)
    dvv = [0.0] * len(v)
    dg = [0.0] * len(g)
    dbeta = [0.0] * len(beta)

    def qk_at(t_, b, t, h):
        base = ((b * T + t) * Hk + h // group) * dk
        return t_[base:base + dk]

    def vv_at(t_, b, t, h):
        base = ((b * T + t) * Hv + h) * dv
        return t_[base:base + dv]

    for b in range(B):
        for h in range(Hv):
            S = [[0.0] * dv for _ in range(dk)]
            saved = []  # (Sd, u, S) per token
            for t in range(T):
                kt, qt = qk_at(k, b, t, h), qk_at(q, b, t, h)
                vt = vv_at(v, b, t, h)
                gt, bt = math.exp(g[(b * T + t) * Hv + h]), beta[(b * T + t) * Hv + h]
                Sd = [[gt * x for x in row] for row in S]
                pred = [sum(Sd[a][e] * kt[a] for a in range(dk)) for e in range(dv)]
                u = [bt * (vt[e] - pred[e]) for e in range(dv)]
                S = [[Sd[a][e] + kt[a] * u[e] for e in range(dv)] for a in range(dk)]
                ob = ((b * T + t) * Hv + h) * dv
                for e in range(dv):
                    o[ob + e] = sum(S[a][e] * qt[a] for a in range(dk))
                saved.append((Sd, u, S, pred))
            if not want_grads:
                continue
            dS = [[0.0] * dv for _ in range(dk)]
            for t in reversed(range(T)):
                Sd, u, S, pred = saved[t]
                kt, qt = qk_at(k, b, t, h), qk_at(q, b, t, h)
                vt = vv_at(v, b, t, h)
                gi = (b * T + t) * Hv + h
                bt = beta[gi]
                dot = vv_at(dout, b, t, h)
                qb = ((b * T + t) * Hk + h // group) * dk
                vb = gi * dv
                for a in range(dk):
                    dq[qb + a] += sum(S[a][e] * dot[e] for e in range(dv))
                    for e in range(dv):
                        dS[a][e] += qt[a] * dot[e]
                du = [sum(dS[a][e] * kt[a] for a in range(dk)) for e in range(dv)]
                for a in range(dk):
                    dkk[qb + a] += (sum(dS[a][e] * u[e] for e in range(dv))
                                    - bt * sum(Sd[a][e] * du[e] for e in range(dv)))
                for e in range(dv):
                    dvv[vb + e] = bt * du[e]
                dbeta[gi] = sum(du[e] * (vt[e] - pred[e]) for e in range(dv))
                dSd = [[dS[a][e] - bt * kt[a] * du[e] for e in range(dv)]
                       for a in range(dk)]
                dg[gi] = sum(Sd[a][e] * dSd[a][e] for a in range(dk) for e in range(dv))
                decay = math.exp(g[gi])
                dS = [[decay * x for x in row] for row in dSd]
    return o, dq, dkk, dvv, dg, dbeta


def mlir_type(shape, dtype):
    return "tensor<%sx%s>" % ("x".join(str(d) for d in shape), dtype)


def gen(name, directory):
    case = CASES[name]
    B, T, Hk, Hv, dk, dv, dtype, ddtype, _ = case
    os.makedirs(directory, exist_ok=True)
    shapes = [(B, T, Hk, dk), (B, T, Hk, dk), (B, T, Hv, dv), (B, T, Hv),
              (B, T, Hv), (B, T, Hv, dv)]
    dtypes = [dtype, dtype, dtype, ddtype, ddtype, dtype]
    for i, (values, shape, dt) in enumerate(zip(make_inputs(case), shapes, dtypes)):
        write_npy(os.path.join(directory, "in%d.npy" % i), NPY[dt], shape, values)
    types = [mlir_type(s, t) for s, t in zip(shapes, dtypes)]
    args = ", ".join("%%a%d: %s" % (i, t) for i, t in enumerate(types))
    grads = ", ".join(types[:5])
    with open(os.path.join(directory, "case.mlir"), "w") as f:
        f.write(
            "func.func @%s(%s) -> (%s, %s) {\n"
            "  %%o = rescale.gated_delta_rule %%a0, %%a1, %%a2, %%a3, %%a4 : (%s) -> %s\n"
            "  %%dq, %%dk, %%dv, %%dg, %%db = rescale.gated_delta_rule_grad %%a0, %%a1, %%a2, %%a3, %%a4, %%a5 : (%s) -> (%s)\n"
            "  return %%o, %%dq, %%dk, %%dv, %%dg, %%db : %s, %s\n"
            "}\n" % (name, args, types[5], grads, ", ".join(types[:5]), types[5],
                     ", ".join(types), grads, types[5], grads))
    return 0


def compare(label, got, ref, tolerance):
    """True when every element is within tolerance; `largest` keeps the
    largest |x - ref| / max(1, max|ref|) seen, for the PASS line."""
    atol, rtol = tolerance
    if len(got) != len(ref):
        print(f"FAIL: {label} has {len(got)} elements, expected {len(ref)}")
        return False
    scale = max([1.0] + [abs(x) for x in ref])
    worst, worst_i = -1.0, -1
    for i, (x, r) in enumerate(zip(got, ref)):
        if not math.isfinite(x):
            print(f"FAIL: {label}[{i}] = {x} (reference {r})")
            return False
        excess = abs(x - r) - (atol * scale + rtol * abs(r))
        if excess > worst:
            worst, worst_i = excess, i
        compare.largest = max(compare.largest, abs(x - r) / scale)
    if worst > 0:
        print(f"FAIL: {label}[{worst_i}] = {got[worst_i]}, reference "
              f"{ref[worst_i]} (atol {atol} x {scale:.3g}, rtol {rtol})")
        return False
    return True


compare.largest = 0.0


def check(name, directory):
    case = CASES[name]
    inputs = [list(read_npy(os.path.join(directory, "in%d.npy" % i))[2])
              for i in range(6)]
    refs = reference(case, *inputs)
    labels = ["o", "dq", "dk", "dv", "dg", "dbeta"]
    dtypes = [case[6]] * 4 + [case[7]] * 2
    ok = True
    for i, (label, ref, dt) in enumerate(zip(labels, refs, dtypes)):
        path = os.path.join(directory, "out%d.npy" % i)
        if not os.path.exists(path):
            print(f"FAIL: {path} missing")
            return 1
        got = list(read_npy(path)[2])
        ok &= compare(f"{name}.{label}", got, ref, TOLERANCES[dt])
    if ok:
        print(f"PASS: {name}: o and the five gradients against the float64 "
              f"recurrence (largest error {compare.largest:.1e} of "
              "max(1, max|ref|))")
    return 0 if ok else 1


def fdcheck():
    """The reference backward against central differences of its forward,
    every element of a case with GQA, two key heads and decay."""
    case = (1, 6, 2, 4, 3, 2, "f32", "f32", 11)
    inputs = make_inputs(case)
    grads = reference(case, *inputs)[1:]
    dout = inputs[5]

    def loss(args):
        o = reference(case, *args, dout, want_grads=False)[0]
        return sum(a * b for a, b in zip(o, dout))

    worst = 0.0
    for which in range(5):
        for e in range(len(inputs[which])):
            args = [list(x) for x in inputs[:5]]
            h = 1e-6
            args[which][e] += h
            up = loss(args)
            args[which][e] -= 2 * h
            down = loss(args)
            fd = (up - down) / (2 * h)
            err = abs(fd - grads[which][e]) / max(1.0, abs(fd))
            worst = max(worst, err)
            if err > 1e-6:
                print(f"FAIL: reference gradient {which}[{e}] = "
                      f"{grads[which][e]}, finite difference {fd}")
                return 1
    print(f"PASS: reference backward matches finite differences "
          f"(worst relative error {worst:.1e})")
    return 0


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "fdcheck":
        return fdcheck()
    if len(sys.argv) != 4 or sys.argv[1] not in ("gen", "check") \
            or sys.argv[2] not in CASES:
        sys.exit(__doc__)
    return (gen if sys.argv[1] == "gen" else check)(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
