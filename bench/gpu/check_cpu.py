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
   (QuantRef.fake_quantize) the same way.

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

def bf16(v):
    """QuantRef.to_bf16: f64 rounded once to bf16, nearest-even (on the bits:
    bf16 keeps the top 7 of the 52 f64 mantissa bits)."""
    b = struct.unpack("<q", struct.pack("<d", v))[0]
    b = (b + (1 << 44) - 1 + ((b >> 45) & 1)) & ~((1 << 45) - 1)
    return struct.unpack("<d", struct.pack("<q", b))[0]


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


def round_to_grid(v, grid):
    """QuantRef.round_to_grid: nearest, ties to the even code, saturating."""
    a = min(abs(v), grid[-1])
    i = min(range(len(grid)), key=lambda c: (abs(grid[c] - a), c % 2))
    return math.copysign(grid[i], v)


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def fake_quantize(x, rows, k, fmt):
    """QuantRef.fake_quantize, one row at a time."""
    e4m3, e2m1 = formats.positive_grid("f8E4M3FN"), formats.positive_grid("f4E2M1FN")
    out = []
    for r in range(rows):
        row = x[r * k:(r + 1) * k]
        amax = max(abs(v) for v in row)
        if fmt in ("int8", "int4"):
            qmax = formats.ELEMENT_MAX[fmt]
            s = 1.0 if amax == 0 else amax / qmax
            out += [max(-qmax - 1, min(qmax, round(v / s))) * f32(s) for v in row]
        elif fmt == "fp8":
            s = 1.0 if amax == 0 else amax / 448
            out += [round_to_grid(v / s, e4m3) * f32(s) for v in row]
        elif fmt == "mxfp4":
            for b in range(0, k, 32):
                blk = row[b:b + 32]
                amax_b = max(abs(v) for v in blk)
                s = 1.0 if amax_b == 0 else 2.0 ** (math.floor(math.log2(amax_b)) - 2)
                out += [round_to_grid(v / s, e2m1) * s for v in blk]
        else:  # nvfp4
            big = 1.0 if amax == 0 else amax / (6 * 448)
            for b in range(0, k, 16):
                blk = row[b:b + 16]
                amax_b = max(abs(v) for v in blk)
                sb = 1.0 if amax_b == 0 else round_to_grid(amax_b / 6 / big, e4m3)
                out += [0.0 if sb == 0 else round_to_grid(v / (sb * big), e2m1) * sb * f32(big)
                        for v in blk]
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
