"""The narrow element formats of `#rescale.quant`, in plain Python.

The module ABI stores f8E4M3FN, f8E8M0FNU and f4E2M1FN tensors as one raw
code per byte (docs/runtime.md); bench.py hands the kernels such bytes and
decodes them for its reference through the tables built here. No torch, so
that the tables can be checked where torch is absent (check_formats.py).
"""
import math


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
