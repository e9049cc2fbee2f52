"""The narrow element formats of `#rescale.quant`, in plain Python.

The module ABI stores f8E4M3FN, f8E8M0FNU and f4E2M1FN tensors as one raw
code per byte (docs/runtime.md); bench.py hands the kernels such bytes and
decodes them for its reference through the tables built here. No torch, so
that they can be checked where torch is absent (check_cpu.py).
"""
import bisect
import math
import struct


def e4m3_value(code):
    """OCP FP8 E4M3FN: bias 7, no infinities, S.1111.111 is NaN, max 448."""
    sign = -1.0 if code & 0x80 else 1.0
    exp, man = (code >> 3) & 0xF, code & 0x7
    if exp == 0xF and man == 0x7:
        return math.nan
    if exp == 0:
        return sign * man * 2.0 ** -9
    return sign * (1.0 + man / 8.0) * 2.0 ** (exp - 7)


def e2m1_value(code):
    """OCP FP4 E2M1FN (low 4 bits): ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}."""
    sign = -1.0 if code & 0x8 else 1.0
    exp, man = (code >> 1) & 0x3, code & 0x1
    if exp == 0:
        return sign * man * 0.5
    return sign * (1.0 + man / 2.0) * 2.0 ** (exp - 1)


def e8m0_value(code):
    """OCP E8M0 scale: 2^(code - 127), 0xFF is NaN."""
    return math.nan if code == 0xFF else 2.0 ** (code - 127)


# Module dtype -> (number of codes, decoder) for the raw-code dtypes.
CODE_DTYPES = {
    "f8E4M3FN": (256, e4m3_value),
    "f4E2M1FN": (16, e2m1_value),
    "f8E8M0FNU": (256, e8m0_value),
}


def decode_table(dtype):
    """Value of every code of `dtype`, indexable by the code."""
    count, value = CODE_DTYPES[dtype]
    return [value(c) for c in range(count)]


def positive_grid(dtype):
    """The non-negative finite values of an element format in increasing
    order; the index is the code, so an even index is an even mantissa
    (what round-to-nearest-even picks at a tie)."""
    count, value = CODE_DTYPES[dtype]
    grid = []
    for code in range(count // 2):
        v = value(code)
        if math.isnan(v):
            break
        grid.append(v)
    assert all(a < b for a, b in zip(grid, grid[1:]))
    return grid


# Largest magnitude of each scheme format (#rescale.quant's getElementMax).
ELEMENT_MAX = {"int8": 127.0, "int4": 7.0, "fp8": 448.0, "nvfp4": 6.0, "mxfp4": 6.0}
# Range of the random element codes bench.py draws, [low, high).
INT_CODE_RANGE = {"int8": (-128, 128), "int4": (-8, 8)}
# Random scale codes: nvfp4 block scales in E4M3 [1, 448] (0x38 = 1.0,
# 0x7E = 448), mxfp4 scales 2^-4 .. 2^4.
SCALE_CODE_RANGE = {"f8E4M3FN": (0x38, 0x7F), "f8E8M0FNU": (127 - 4, 127 + 5)}


# --- The activation schemes' formulas, in exact plain Python ----------------
# What bench.py's torch reference (QuantRef.fake_quantize) must compute, here
# with Python floats: every division correctly rounded, every rounding to
# nearest-even. bench.py checks its torch reference against these before it
# trusts it, and check_cpu.py checks the compiler's CPU path against them.

def bf16(v):
    """f64 rounded once to bf16, nearest-even (on the bits: bf16 keeps the
    top 7 of the 52 f64 mantissa bits); the result is exact in f32 and bf16."""
    b = struct.unpack("<q", struct.pack("<d", v))[0]
    b = (b + (1 << 44) - 1 + ((b >> 45) & 1)) & ~((1 << 45) - 1)
    return struct.unpack("<d", struct.pack("<q", b))[0]


def f32(v):
    """f64 rounded to f32 (nearest-even)."""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def round_to_grid(v, grid):
    """Nearest value of `grid` (positive_grid's list) to v, ties to the even
    code, saturating at the largest; keeps the sign of v."""
    a = min(abs(v), grid[-1])
    i = bisect.bisect_left(grid, a)  # grid[i-1] < a <= grid[i]
    if i > 0 and (i == len(grid) or a - grid[i - 1] < grid[i] - a or
                  (a - grid[i - 1] == grid[i] - a and (i - 1) % 2 == 0)):
        i -= 1
    return math.copysign(grid[i], v)


_E4M3_GRID = positive_grid("f8E4M3FN")
_E2M1_GRID = positive_grid("f4E2M1FN")


def fake_quantize_row(row, fmt):
    """dequantize(quantize(row)) of one token (a list of floats) under the
    per-token activation schemes of cases.py (mxfp4: blocks of 32; nvfp4:
    blocks of 16 under a per-token f32 scale), as #rescale.quant defines them:
    scales from the amax (1 where it is 0), stored as rescale.quantize stores
    them (f32, E4M3, E8M0), elements rounded half to even."""
    e4m3, e2m1 = _E4M3_GRID, _E2M1_GRID
    amax = max(abs(v) for v in row)
    if fmt in ("int8", "int4"):
        qmax = ELEMENT_MAX[fmt]
        s = 1.0 if amax == 0 else amax / qmax
        return [max(-qmax - 1, min(qmax, round(v / s))) * f32(s) for v in row]
    if fmt == "fp8":
        s = 1.0 if amax == 0 else amax / 448
        return [round_to_grid(v / s, e4m3) * f32(s) for v in row]
    out = []
    if fmt == "mxfp4":
        for b in range(0, len(row), 32):
            blk = row[b:b + 32]
            amax_b = max(abs(v) for v in blk)
            s = 1.0 if amax_b == 0 else 2.0 ** (math.frexp(amax_b)[1] - 1 - 2)
            out += [round_to_grid(v / s, e2m1) * s for v in blk]
        return out
    assert fmt == "nvfp4", fmt
    big = 1.0 if amax == 0 else amax / (6 * 448)
    for b in range(0, len(row), 16):
        blk = row[b:b + 16]
        amax_b = max(abs(v) for v in blk)
        sb = 1.0 if amax_b == 0 else round_to_grid(amax_b / 6 / big, e4m3)
        # A block whose E4M3 scale rounds to 0 is all zeros.
        out += [0.0 if sb == 0 else round_to_grid(v / (sb * big), e2m1) * sb * f32(big)
                for v in blk]
    return out


def tie_row(rng, k):
    """A row of k values whose per-token quantization hits many exact
    rounding ties (int4: x = amax/2 gives x/s = 3.5), where a scale division
    that is not correctly rounded shows: values j/16 with |j| <= a and the
    amax a/16 present, for a random a < 128 (all exact in bf16)."""
    a = rng.randrange(17, 128)
    row = [rng.randrange(-a, a + 1) / 16 for _ in range(k)]
    row[rng.randrange(k)] = rng.choice((-a, a)) / 16
    return row
