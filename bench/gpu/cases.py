#!/usr/bin/env python3
"""The benchmark configurations of issue 5 §4, as MLIR modules.

Usage: cases.py OUT_DIR OUT.json [--small]
Writes one public function per configuration into OUT_DIR/<module>.mlir
(compiled for the GPU by bench/gpu/build.sh, one .so per module) and a JSON
list describing each: entry, module, kind, the shapes, and the bytes moved /
FLOPs done, from which bench.py computes GB/s and TFLOP/s.

Modules: `bench` holds the norms, attention and the bf16 linears;
`bench-gdr` the gated delta rule's forward + backward (issue 19). Each
quantized-linear scheme has its own module (`bench-quant-<scheme>`, and
`bench-quant-<scheme>-act` for the rows that also quantize the activation),
so that a scheme the GPU path cannot compile loses only its own rows.

--small shrinks the quantized linears to shapes the CPU reference path runs
in a moment (for checking the cases and bench.py's reference here).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from torch_gdr import chunked_flops  # noqa: E402

BF16 = 2


def norm_cases():
    for op in ("rms_norm", "gated_norm"):
        for rows in (4096, 32768):
            for d in (2048, 4096, 8192):
                name = f"{op}_bf16_{rows}x{d}"
                x = f"tensor<{rows}x{d}xbf16>"
                w = f"tensor<{d}xbf16>"
                if op == "rms_norm":
                    body = (f"  %y = rescale.rms_norm %x, %w {{epsilon = 1.0e-06 : f32}} : "
                            f"({x}, {w}) -> {x}\n")
                    args = f"%x: {x}, %w: {w}"
                else:
                    wd, wu = f"tensor<{d}x16xbf16>", f"tensor<16x{d}xbf16>"
                    body = (f"  %y = rescale.gated_norm %x, %w, %wd, %wu {{epsilon = 1.0e-06 : f32}} : "
                            f"({x}, {w}, {wd}, {wu}) -> {x}\n")
                    args = f"%x: {x}, %w: {w}, %wd: {wd}, %wu: {wu}"
                mlir = (f"func.func @{name}({args}) -> {x} {{\n{body}"
                        f"  return %y : {x}\n}}\n")
                # x read once, y written once (weights are negligible).
                yield mlir, {"entry": name, "kind": op, "rows": rows, "d": d,
                             "bytes": 2 * rows * d * BF16}


def attention_cases():
    for d in (64, 128):
        for s in (1024, 4096, 8192):
            for causal in (False, True):
                b, h = (4, 16) if s <= 1024 else (1, 16)
                name = f"attention_bf16_d{d}_s{s}{'_causal' if causal else ''}"
                q = f"tensor<{b}x{h}x{s}x{d}xbf16>"
                attrs = " {causal}" if causal else ""
                mlir = (f"func.func @{name}(%q: {q}, %k: {q}, %v: {q}) -> {q} {{\n"
                        f"  %o = rescale.attention %q, %k, %v{attrs} : ({q}, {q}, {q}) -> {q}\n"
                        f"  return %o : {q}\n}}\n")
                flops = 4 * b * h * s * s * d // (2 if causal else 1)
                yield mlir, {"entry": name, "kind": "attention", "batch": b,
                             "heads": h, "s": s, "d": d, "causal": causal,
                             "flops": flops}


# bf16 projections of a 4096-wide model (the MLP up-projection shape).
LINEAR_SHAPES = [(m, 4096, 14336) for m in (4096, 16384)]
SMALL_LINEAR_SHAPES = [(48, 256, 384)]


def linear_cases():
    for m, k, n in LINEAR_SHAPES:
        name = f"linear_bf16_{m}x{k}x{n}"
        x, w, y = (f"tensor<{m}x{k}xbf16>", f"tensor<{n}x{k}xbf16>",
                   f"tensor<{m}x{n}xbf16>")
        mlir = (f"func.func @{name}(%x: {x}, %w: {w}) -> {y} {{\n"
                f"  %y = rescale.linear %x, %w : ({x}, {w}) -> {y}\n"
                f"  return %y : {y}\n}}\n")
        yield mlir, {"entry": name, "kind": "linear", "m": m, "k": k, "n": n,
                     "flops": 2 * m * k * n}


# The quantized linears as rescale-insert-quantization builds them (its
# activationScheme / weightScheme): per-token activations, per-channel or
# per-block weights. Storage and scale types follow #rescale.quant.
#   format: (storage type, scale type, has a second-level scale)
FORMATS = {
    "int8": ("i8", "f32", False),
    "int4": ("i8", "f32", False),
    "fp8": ("f8E4M3FN", "f32", False),
    "nvfp4": ("f4E2M1FN", "f8E4M3FN", True),
    "mxfp4": ("f4E2M1FN", "f8E8M0FNU", False),
}
#   scheme: (activation (format, granularity, block), weight (...))
QUANT_SCHEMES = {
    "w8a8": (("int8", "per_token", None), ("int8", "per_channel", None)),
    "w4a4": (("int4", "per_token", None), ("int4", "per_channel", None)),
    "fp8": (("fp8", "per_token", None), ("fp8", "per_block", (128, 128))),
    "nvfp4": (("nvfp4", "per_token", (1, 16)), ("nvfp4", "per_tensor", (1, 16))),
    "mxfp4": (("mxfp4", "per_block", (1, 32)), ("mxfp4", "per_block", (1, 32))),
}


class Operand:
    """One quantized operand [rows, k] of a linear: its scheme attribute and
    the types of the values, scales and (nvfp4) second-level scale."""

    def __init__(self, operand, rows, k, fmt, granularity, block):
        storage, scale_type, has_global = FORMATS[fmt]
        self.fmt = fmt
        if fmt in ("nvfp4", "mxfp4"):
            scale_shape = (rows, k // block[1])  # 1-D blocks along k
        elif granularity in ("per_token", "per_channel"):
            scale_shape = (rows, 1)
        else:
            scale_shape = (rows // block[0], k // block[1])
        # nvfp4's second-level f32 scale: one per row (per_token) or per tensor.
        global_shape = (rows, 1) if granularity == "per_token" else (1, 1)
        attr = f"#rescale.quant<{fmt}, {granularity}>"
        if fmt == "mxfp4":
            attr = "#rescale.quant<mxfp4>"
        elif fmt == "fp8" and block:
            attr = f"#rescale.quant<fp8, per_block, block = [{block[0]}, {block[1]}]>"
        self.scheme = attr
        self.float_type = f"tensor<{rows}x{k}xbf16>"
        self.types = [f"tensor<{rows}x{k}x{storage}>",
                      f"tensor<{scale_shape[0]}x{scale_shape[1]}x{scale_type}>"]
        self.inputs = [{"operand": operand, "format": fmt, "role": "values"},
                       {"operand": operand, "format": fmt, "role": "scales"}]
        if has_global:
            self.types.append(f"tensor<{global_shape[0]}x{global_shape[1]}xf32>")
            self.inputs.append({"operand": operand, "format": fmt,
                                "role": "global_scale"})

    def dequantize(self, result, parts):
        ops = ", ".join(parts)
        return (f"  {result} = rescale.dequantize {ops} {{scheme = {self.scheme}}} : "
                f"({', '.join(self.types)}) -> {self.float_type}\n")

    def quantize(self, parts, x):
        return (f"  {', '.join(parts)} = rescale.quantize {x} {{scheme = {self.scheme}}} : "
                f"({self.float_type}) -> ({', '.join(self.types)})\n")


def quant_linear_cases(shapes):
    """Per scheme and shape: the GEMM of a quantized model (codes and scales
    in, both dequantized, linear, bf16 out: QuantLinearToGPU fuses it into
    one kernel), and the same with the activation quantize in front (x bf16
    in)."""
    for scheme, (act, wgt) in QUANT_SCHEMES.items():
        for act_quant in (False, True):
            module = f"bench-quant-{scheme}{'-act' if act_quant else ''}"
            for m, k, n in shapes:
                xo, wo = Operand("x", m, k, *act), Operand("w", n, k, *wgt)
                name = f"qlinear_{scheme}{'_act' if act_quant else ''}_{m}x{k}x{n}"
                y = f"tensor<{m}x{n}xbf16>"
                xparts = [f"%xq{i}" for i in range(len(xo.types))]
                wparts = [f"%wq{i}" for i in range(len(wo.types))]
                wargs = [f"{p}: {t}" for p, t in zip(wparts, wo.types)]
                if act_quant:
                    args = [f"%x: {xo.float_type}"] + wargs
                    body = xo.quantize(xparts, "%x")
                    inputs = [{"operand": "x", "format": xo.fmt, "role": "activation"}]
                else:
                    args = [f"{p}: {t}" for p, t in zip(xparts, xo.types)] + wargs
                    body = ""
                    inputs = list(xo.inputs)
                inputs += wo.inputs
                body += xo.dequantize("%xd", xparts) + wo.dequantize("%wd", wparts)
                body += (f"  %y = rescale.linear %xd, %wd : ({xo.float_type}, "
                         f"{wo.float_type}) -> {y}\n")
                mlir = (f"func.func @{name}({', '.join(args)}) -> {y} {{\n{body}"
                        f"  return %y : {y}\n}}\n")
                check = None
                if act_quant:
                    # The activation quantize alone, dequantized to f32 (one
                    # rounding of the f64 value): bench.py compares it element by
                    # element with its reference quantizer, so a GEMM row that
                    # disagrees with torch says which side is off.
                    check = f"fq_{scheme}_{m}x{k}"
                    f32 = f"tensor<{m}x{k}xf32>"
                    dq = xo.dequantize("%xf", xparts).replace(
                        f"-> {xo.float_type}", f"-> {f32}")
                    mlir += (f"\nfunc.func @{check}(%x: {xo.float_type}) -> {f32} {{\n"
                             f"{xo.quantize(xparts, '%x')}{dq}  return %xf : {f32}\n}}\n")
                yield mlir, {"entry": name, "kind": "qlinear", "module": module,
                             "scheme": scheme, "act_quant": act_quant,
                             "x_scheme": xo.scheme, "w_scheme": wo.scheme,
                             "inputs": inputs, "m": m, "k": k, "n": n,
                             "flops": 2 * m * k * n, "quantize_check": check}


# Issue 19's shape: B1, Hk = Hv = 4, dk = dv = 64, T = 2048.
GDR_SHAPE = (1, 2048, 4, 64, 64)


def gated_delta_rule_cases():
    """The rule's forward and fused backward in one entry (bf16 q, k, v,
    dout; f32 g, beta), as a training step runs them. FLOPs: three times the
    chunked forward's nominal count (bench/torch_gdr.py)."""
    b, t, h, dk, dv = GDR_SHAPE
    qk = f"tensor<{b}x{t}x{h}x{dk}xbf16>"
    vv = f"tensor<{b}x{t}x{h}x{dv}xbf16>"
    gg = f"tensor<{b}x{t}x{h}xf32>"
    name = f"gated_delta_rule_fwd_bwd_bf16_t{t}"
    mlir = (f"func.func @{name}(%q: {qk}, %k: {qk}, %v: {vv}, %g: {gg}, %b: {gg}, "
            f"%do: {vv}) -> ({vv}, {qk}, {qk}, {vv}, {gg}, {gg}) {{\n"
            f"  %o = rescale.gated_delta_rule %q, %k, %v, %g, %b : "
            f"({qk}, {qk}, {vv}, {gg}, {gg}) -> {vv}\n"
            f"  %dq, %dk, %dv, %dg, %db = rescale.gated_delta_rule_grad %q, %k, %v, %g, %b, %do : "
            f"({qk}, {qk}, {vv}, {gg}, {gg}, {vv}) -> ({qk}, {qk}, {vv}, {gg}, {gg})\n"
            f"  return %o, %dq, %dk, %dv, %dg, %db : {vv}, {qk}, {qk}, {vv}, {gg}, {gg}\n}}\n")
    yield mlir, {"entry": name, "kind": "gated_delta_rule", "module": "bench-gdr",
                 "batch": b, "t": t, "heads": h, "dk": dk, "dv": dv,
                 "flops": 3 * chunked_flops(b, h, t, dk, dv)}


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--small"]):
        sys.exit("usage: cases.py OUT_DIR OUT.json [--small]")
    out_dir, out_json = sys.argv[1], sys.argv[2]
    small = sys.argv[3:] == ["--small"]
    cases = list(quant_linear_cases(SMALL_LINEAR_SHAPES if small else LINEAR_SHAPES))
    if not small:
        cases = (list(gated_delta_rule_cases()) + list(norm_cases())
                 + list(attention_cases()) + list(linear_cases()) + cases)
    modules = {}
    for mlir, case in cases:
        case.setdefault("module", "bench")
        modules.setdefault(case["module"], []).append(mlir)
    os.makedirs(out_dir, exist_ok=True)
    for module, funcs in modules.items():
        with open(os.path.join(out_dir, module + ".mlir"), "w") as f:
            f.write(f"// Generated by bench/gpu/cases.py: issue-5 benchmark shapes ({module}).\n")
            f.write("\n".join(funcs))
    with open(out_json, "w") as f:
        json.dump([c for _, c in cases], f, indent=1)


if __name__ == "__main__":
    main()
