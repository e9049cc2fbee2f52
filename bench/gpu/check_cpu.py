#!/usr/bin/env python3
"""Check, with no GPU and no torch, what bench.py's quantized-linear rows
rely on, against the compiler's CPU reference path (rescale-run --device cpu):

1. formats.py's code tables (E4M3FN, E2M1FN, E8M0FNU) decode every code as
   rescale.dequantize does;
2. each quantized-linear case of `cases.py --small` (same generator as the
   benchmark, small shapes) run on inputs drawn like bench.py's quant_inputs
   (same roles, ranges and tables) matches the formula bench.py's QuantRef
   computes (f64 dequantization rounded to bf16, then x·wᵀ), here in plain
   Python: within bench.py's tolerance, and every element within one bf16
   ulp; the `_act` rows also check the activation quantize formulas
   (formats.fake_quantize_row, which bench.py holds its torch reference to)
   the same way, and the quantize alone bit for bit, on rows full of
   rounding ties.

Usage: check_cpu.py BUILD_DIR WORK_DIR        (exit 1 on any mismatch)
"""
import json
import math
import os
import random
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "Inputs"))
import formats  # noqa: E402
from npy import read_npy  # noqa: E402
from formats import bf16, f32  # noqa: E402

TOL = 7.9e-3  # bench.py's TOL


def write_npy(path, descr, shape, values):
    fmt = {"<f4": "f", "|u1": "B", "|i1": "b"}[descr]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (descr, tuple(shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


class Cpu:
    def __init__(self, build, work):
        self.build, self.work = build, work

    def compile(self, src, name):
        so = os.path.join(self.work, name + ".so")
        run([os.path.join(self.build, "bin", "rescale-compile"), src, "--target=cpu", "-o", so])
        with open(so[:-3] + ".manifest.json") as f:
            return so, {e["name"]: e for e in json.load(f)["entries"]}

    def call(self, so, entry, inputs):
        """inputs: (descr, shape, flat values); returns out0's flat values."""
        d = os.path.join(self.work, entry)
        os.makedirs(d, exist_ok=True)
        cmd = [os.path.join(self.build, "bin", "rescale-run"), so, "--entry", entry,
               "--device", "cpu", "--output-dir", os.path.join(d, "out")]
        for i, (descr, shape, values) in enumerate(inputs):
            path = os.path.join(d, f"in{i}.npy")
            write_npy(path, descr, shape, values)
            cmd += ["--input", path]
        run(cmd)
        return read_npy(os.path.join(d, "out", "out0.npy"))[2]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def check_tables(cpu):
    """Every code through rescale.dequantize with a unit scale."""
    src = os.path.join(cpu.work, "codes.mlir")
    with open(src, "w") as f:
        f.write("""
func.func @e4m3(%v: tensor<1x256xf8E4M3FN>, %s: tensor<1x1xf32>) -> tensor<1x256xf32> {
  %x = rescale.dequantize %v, %s {scheme = #rescale.quant<fp8, per_token>} : (tensor<1x256xf8E4M3FN>, tensor<1x1xf32>) -> tensor<1x256xf32>
  return %x : tensor<1x256xf32>
}
func.func @e2m1(%v: tensor<1x32xf4E2M1FN>, %s: tensor<1x1xf8E8M0FNU>) -> tensor<1x32xf32> {
  %x = rescale.dequantize %v, %s {scheme = #rescale.quant<mxfp4>} : (tensor<1x32xf4E2M1FN>, tensor<1x1xf8E8M0FNU>) -> tensor<1x32xf32>
  return %x : tensor<1x32xf32>
}
func.func @e8m0(%v: tensor<1x8192xf4E2M1FN>, %s: tensor<1x256xf8E8M0FNU>) -> tensor<1x8192xf32> {
  %x = rescale.dequantize %v, %s {scheme = #rescale.quant<mxfp4>} : (tensor<1x8192xf4E2M1FN>, tensor<1x256xf8E8M0FNU>) -> tensor<1x8192xf32>
  return %x : tensor<1x8192xf32>
}
""")
    so, _ = cpu.compile(src, "codes")
    bad = 0
    e4m3 = formats.decode_table("f8E4M3FN")
    got = cpu.call(so, "e4m3", [("|u1", (1, 256), list(range(256))), ("<f4", (1, 1), [1.0])])
    bad += sum(not same(g, e4m3[c]) for c, g in enumerate(got))
    e2m1 = formats.decode_table("f4E2M1FN")
    got = cpu.call(so, "e2m1", [("|u1", (1, 32), list(range(16)) * 2), ("|u1", (1, 1), [127])])
    bad += sum(not same(g, e2m1[c % 16]) for c, g in enumerate(got))
    e8m0 = formats.decode_table("f8E8M0FNU")
    got = cpu.call(so, "e8m0", [("|u1", (1, 8192), [2] * 8192),  # E2M1 code 2 = 1.0
                                ("|u1", (1, 256), list(range(256)))])
    bad += sum(not same(g, e8m0[i // 32]) for i, g in enumerate(got))
    print(f"{'PASS' if not bad else 'FAIL'} code tables: {bad} mismatches over 256 E4M3, "
          f"16 E2M1, 256 E8M0 codes")
    return bad == 0


# --- the quantized linears, in plain Python -------------------------------

def draw(role, want, rng):
    """bench.py's quant_inputs for one input: (npy descr, values, f64 values)."""
    dtype, n, fmt = want["dtype"], math.prod(want["shape"]), role["format"]
    if role["role"] == "activation":
        v = [bf16(rng.gauss(0, 1)) for _ in range(n)]
        return "<f4", v, v
    if role["role"] == "values" and dtype == "i8":
        low, high = formats.INT_CODE_RANGE[fmt]
        v = [rng.randrange(low, high) for _ in range(n)]
        return "|i1", v, [float(c) for c in v]
    if role["role"] == "values":
        codes = [rng.randrange(formats.CODE_DTYPES[dtype][0]) for _ in range(n)]
        if dtype == "f8E4M3FN":
            codes = [c ^ 1 if c & 0x7F == 0x7F else c for c in codes]
    elif dtype == "f32":
        emax = 6 * 448 if role["role"] == "global_scale" else formats.ELEMENT_MAX[fmt]
        v = [struct.unpack("<f", struct.pack("<f", (rng.random() + 0.5) / emax))[0]
             for _ in range(n)]
        return "<f4", v, v
    else:
        codes = [rng.randrange(*formats.SCALE_CODE_RANGE[dtype]) for _ in range(n)]
    table = formats.decode_table(dtype)
    return "|u1", codes, [table[c] for c in codes]


def dequantize(parts):
    """QuantRef.dequantize: values · each scale broadcast over its block."""
    (shape, out) = parts[0]
    rows, k = shape
    out = list(out)
    for (a, b), s in parts[1:]:
        rr, kk = rows // a, k // b
        out = [out[i * k + j] * s[(i // rr) * b + j // kk]
               for i in range(rows) for j in range(k)]
    return [bf16(v) for v in out]


def fake_quantize(x, rows, k, fmt):
    """formats.fake_quantize_row over each row, rounded to bf16 (what the
    entry's linear reads)."""
    out = []
    for r in range(rows):
        out += formats.fake_quantize_row(x[r * k:(r + 1) * k], fmt)
    return [bf16(v) for v in out]


def check_linear(cpu, case, so, spec, rng):
    m, n, k = case["m"], case["n"], case["k"]
    inputs, parts = [], {"x": [], "w": []}
    for role, want in zip(case["inputs"], spec["inputs"]):
        descr, values, exact = draw(role, want, rng)
        inputs.append((descr, want["shape"], values))
        parts[role["operand"]].append((want["shape"], exact))
    if case["act_quant"]:
        x = fake_quantize(parts["x"][0][1], m, k, case["inputs"][0]["format"])
    else:
        x = dequantize(parts["x"])
    w = dequantize(parts["w"])
    ref = [sum(a * b for a, b in zip(x[i * k:(i + 1) * k], w[j * k:(j + 1) * k]))
           for i in range(m) for j in range(n)]
    got = cpu.call(so, case["entry"], inputs)
    top = max(max(abs(r) for r in ref), 1e-30)
    err = max(abs(g - r) for g, r in zip(got, ref)) / top
    # Sharper than bench.py's TOL, to catch a formula off by a factor that
    # TOL would let through: the CPU path accumulates in f32 and rounds to
    # bf16 once, so each element is within one bf16 ulp of the f64 sum.
    off = sum(abs(g - r) > 2.0 ** -7 * abs(r) + 2.0 ** -16 * top for g, r in zip(got, ref))
    ok = err <= TOL and off == 0
    print(f"{'PASS' if ok else 'FAIL'} {case['entry']}: max rel err {err:.2e} (tol {TOL}), "
          f"{off} elements off by more than one bf16 ulp")
    return ok


def check_quantize(cpu, case, so, spec, rng):
    """The `_act` rows' activation quantize alone (bench.py's quantize-check
    entry, dequantized in f64 and rounded once to f32) against
    formats.fake_quantize_row, bit for bit. Half of the rows are bench's
    bf16 normal(0,1) draws, the other half formats.tie_row's, full of exact
    rounding ties."""
    m, k = case["m"], case["k"]
    fmt = case["inputs"][0]["format"]
    x = []
    for r in range(m):
        if r % 2:
            x += formats.tie_row(rng, k)
        else:
            x += [bf16(rng.gauss(0, 1)) for _ in range(k)]
    want = []
    for r in range(m):
        want += [f32(v) for v in formats.fake_quantize_row(x[r * k:(r + 1) * k], fmt)]
    got = cpu.call(so, case["quantize_check"], [("<f4", (m, k), x)])
    differ = sum(not same(g, w) for g, w in zip(got, want))
    print(f"{'PASS' if not differ else 'FAIL'} {case['quantize_check']}: {differ} of "
          f"{m * k} dequantized activation elements differ from the formulas")
    return differ == 0


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_cpu.py BUILD_DIR WORK_DIR")
    build, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    cpu = Cpu(build, work)
    ok = check_tables(cpu)
    src = os.path.join(work, "src")
    run([sys.executable, os.path.join(HERE, "cases.py"), src,
         os.path.join(work, "cases.json"), "--small"])
    with open(os.path.join(work, "cases.json")) as f:
        cases = json.load(f)
    rng = random.Random(0)
    modules = {}
    for case in cases:
        if case["module"] not in modules:
            modules[case["module"]] = cpu.compile(
                os.path.join(src, case["module"] + ".mlir"), case["module"])
        so, specs = modules[case["module"]]
        ok &= check_linear(cpu, case, so, specs[case["entry"]], rng)
        if case.get("quantize_check"):
            ok &= check_quantize(cpu, case, so, specs[case["quantize_check"]], rng)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
