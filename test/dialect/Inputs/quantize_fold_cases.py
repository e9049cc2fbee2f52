"""Writes the cases of quantize-fold.test: each quantizes the same values as
a constant (folded by --canonicalize) and as an argument (quantized at run
time), and returns dequantize(quantize(x)) in f32 (and the f32 scales).

usage: quantize_fold_cases.py OUT.mlir
"""
import random
import struct
import sys

# name, scheme, element type, shape, result types (values, scales[, global])
CASES = [
    ("int8_token_3d", "#rescale.quant<int8, per_token>", "f32", [3, 5, 40],
     ["i8", "f32"]),
    ("int8_tensor", "#rescale.quant<int8, per_tensor>", "f16", [7, 33],
     ["i8", "f32"]),
    ("int4_channel_i4", "#rescale.quant<int4, per_channel>", "bf16", [9, 24],
     ["i4", "f32"]),
    ("int4_token_i8", "#rescale.quant<int4, per_token>", "f32", [5, 17],
     ["i8", "f32"]),
    ("fp8_tensor", "#rescale.quant<fp8, per_tensor>", "f16", [5, 48],
     ["f8E4M3FN", "f32"]),
    ("fp8_token", "#rescale.quant<fp8, per_token>", "bf16", [6, 20],
     ["f8E4M3FN", "f32"]),
    ("fp8_block_2d", "#rescale.quant<fp8, per_block, block = [16, 32]>",
     "f32", [2, 48, 64], ["f8E4M3FN", "f32"]),
    ("nvfp4_tensor", "#rescale.quant<nvfp4, per_tensor>", "f32", [6, 64],
     ["f4E2M1FN", "f8E4M3FN", "f32"]),
    ("nvfp4_token_3d", "#rescale.quant<nvfp4, per_token>", "bf16", [2, 3, 32],
     ["f4E2M1FN", "f8E4M3FN", "f32"]),
    ("mxfp4", "#rescale.quant<mxfp4>", "f32", [5, 96],
     ["f4E2M1FN", "f8E8M0FNU"]),
    ("mxfp4_f16", "#rescale.quant<mxfp4>", "f16", [3, 64],
     ["f4E2M1FN", "f8E8M0FNU"]),
]


def representable(v, et):
    """v rounded to the element type (so the literal parses exactly)."""
    if et == "f16":
        return struct.unpack("<e", struct.pack("<e", v))[0]
    f = struct.unpack("<f", struct.pack("<f", v))[0]
    if et == "bf16":
        bits = struct.unpack("<I", struct.pack("<f", f))[0]
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return struct.unpack("<f", struct.pack("<I", bits))[0]
    return f


def values(rng, shape, et):
    n = 1
    for d in shape:
        n *= d
    xs = [rng.gauss(0.0, 1.0) for _ in range(n)]
    # An outlier, a run of zeros, a tiny block (its nvfp4 scale rounds to 0
    # under the outlier's global scale), and values on E2M1/int ties.
    xs[n // 3] = 300.0
    for i in range(0, min(16, n)):
        xs[i] = 0.0
    for i in range(16, min(32, n)):
        xs[i] = 1e-5 * (i - 24)
    xs[-1] = -2.5
    return [representable(v, et) for v in xs]


def literal(xs, shape):
    def nest(offset, dims):
        if not dims:
            return repr(xs[offset])
        step = 1
        for d in dims[1:]:
            step *= d
        return "[" + ", ".join(
            nest(offset + i * step, dims[1:]) for i in range(dims[0])) + "]"
    return nest(0, shape)


def scale_shape(scheme, shape):
    if "mxfp4" in scheme:
        return shape[:-1] + [shape[-1] // 32]
    if "nvfp4" in scheme:
        return shape[:-1] + [shape[-1] // 16]
    if "block = [16, 32]" in scheme:
        return shape[:-2] + [shape[-2] // 16, shape[-1] // 32]
    if "per_tensor" in scheme:
        return [1] * len(shape)
    return shape[:-1] + [1]


def global_shape(scheme, shape):
    if "per_token" in scheme:
        return shape[:-1] + [1]
    return [1] * len(shape)


def tensor(shape, et):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + et + ">"


def main():
    rng = random.Random(20261207)
    out = []
    for name, scheme, et, shape, rtypes in CASES:
        xs = values(rng, shape, et)
        xt, xf = tensor(shape, et), tensor(shape, "f32")
        types = [tensor(shape, rtypes[0]),
                 tensor(scale_shape(scheme, shape), rtypes[1])]
        if len(rtypes) > 2:
            types.append(tensor(global_shape(scheme, shape), rtypes[2]))
        names = ["%q", "%s", "%g"][:len(types)]
        f32_scales = rtypes[1] == "f32"
        results = [xf] + ([types[1]] if f32_scales else [])
        returned = ["%d"] + (["%s"] if f32_scales else [])
        const = f"arith.constant dense<{literal(xs, shape)}> : {xt}"
        body = (
            f"  {', '.join(names)} = rescale.quantize %x {{scheme = {scheme}}}"
            f" : ({xt}) -> ({', '.join(types)})\n"
            f"  %d = rescale.dequantize {', '.join(names)} {{scheme = {scheme}}}"
            f" : ({', '.join(types)}) -> {xf}\n"
            f"  return {', '.join(returned)} : {', '.join(results)}\n")
        out.append(f"func.func @x_{name}() -> {xf} {{\n  %c = {const}\n")
        if et == "f32":
            out.append(f"  return %c : {xf}\n}}\n")
        else:
            out.append(f"  %xf = arith.extf %c : {xt} to {xf}\n"
                       f"  return %xf : {xf}\n}}\n")
        out.append(f"func.func @folded_{name}() -> ({', '.join(results)}) {{\n"
                   f"  %x = {const}\n{body}}}\n")
        # The argument is f32 (what x_NAME writes); converting back to x's
        # type is exact.
        conv = (f"  %x = arith.truncf %xf : {xf} to {xt}\n" if et != "f32"
                else "")
        args = f"%xf: {xf}" if et != "f32" else f"%x: {xf}"
        out.append(f"func.func @runtime_{name}({args}) -> "
                   f"({', '.join(results)}) {{\n{conv}{body}}}\n")
    with open(sys.argv[1], "w") as f:
        f.write("".join(out))
    with open(sys.argv[1] + ".names", "w") as f:
        f.write("\n".join(c[0] for c in CASES) + "\n")


if __name__ == "__main__":
    main()
