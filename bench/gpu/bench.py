#!/usr/bin/env python3
"""Time the rescale GPU kernels against PyTorch, in one process, same device.

Usage: bench.py --artifacts DIR --runtime librescale_runtime.so
                [--iters N] [--budget-s S] [--results RESULTS.md]
Loads the runtime (for the mgpu* functions) and the modules built by
bench/gpu/build.sh (DIR/bench.so, DIR/bench-quant-*.so; DIR/cases.json says
which module holds each case), calls each `_rescale_entry_<name>` on torch
CUDA tensors (the NVPTX module ABI: descriptors of device pointers), checks
the result against a torch formula, and measures kernel time with the torch
profiler (device time of the kernels only, for ours and torch's alike).

Every row must agree with torch within TOL (below) relative to max|torch|.
A row whose module did not compile, or that comes after --budget-s seconds,
is skipped with a line saying why; a row that raises is reported and the
others still run. Prints the issue-5 table; --results also writes it (after
every row, so a crash keeps the rows measured so far) with the date.
Exit status 1 if a row failed its check or raised.
"""
import argparse
import ctypes
import datetime
import hashlib
import json
import os
import random
import sys
import time
import traceback

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import formats  # noqa: E402  (the narrow formats' code tables, no torch)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from torch_gdr import chunked  # noqa: E402  (the rule's torch peer)

# Module dtype -> torch dtype of the buffers we hand the kernels. The
# raw-code dtypes (one byte per element, docs/runtime.md) travel as uint8.
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32,
          "i8": torch.int8, "f8E4M3FN": torch.uint8, "f8E8M0FNU": torch.uint8,
          "f4E2M1FN": torch.uint8}
# max|ours - torch| / max|torch| allowed for every row: all results are bf16,
# and this is the CPU issue's bf16 tolerance (two bf16 ulps at max|ref|).
TOL = 7.9e-3


def descriptor(t):
    rank = t.dim()

    class Desc(ctypes.Structure):
        _fields_ = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                    ("offset", ctypes.c_int64),
                    ("sizes", ctypes.c_int64 * rank),
                    ("strides", ctypes.c_int64 * rank)]

    return Desc(t.data_ptr(), t.data_ptr(), 0, (ctypes.c_int64 * rank)(*t.shape),
                (ctypes.c_int64 * rank)(*t.stride()))


class Entry:
    """One compiled entry, callable on torch CUDA tensors: `inputs` (normal(0,1)
    of the manifest's types by default; checked against the manifest), and
    outputs poisoned with NaN so that an output the kernels do not write
    fails the check."""

    def __init__(self, lib, spec, inputs=None):
        self.spec = spec
        self.fn = getattr(lib, spec.get("symbol", "_rescale_entry_" + spec["name"]))
        self.fn.argtypes = [ctypes.c_void_p]
        if inputs is None:
            inputs = [torch.randn(tuple(i["shape"]), device="cuda", dtype=DTYPES[i["dtype"]])
                      for i in spec["inputs"]]
        if len(inputs) != len(spec["inputs"]):
            raise ValueError(f"{spec['name']}: {len(inputs)} inputs for "
                             f"{len(spec['inputs'])} in the manifest")
        for i, (t, want) in enumerate(zip(inputs, spec["inputs"])):
            if list(t.shape) != want["shape"] or t.dtype != DTYPES[want["dtype"]]:
                raise ValueError(f"{spec['name']} input {i}: {t.dtype}{list(t.shape)} "
                                 f"for {want['dtype']}{want['shape']}")
        self.inputs = inputs
        self.outputs = [torch.full(tuple(o["shape"]), float("nan"), device="cuda",
                                   dtype=DTYPES[o["dtype"]]) for o in spec["outputs"]]
        # Our module runs on a stream of its own (mgpuStreamCreate makes it
        # non-blocking, as MLIR's runtime wrappers do), which does not wait
        # for the work torch queued to fill these tensors.
        torch.cuda.synchronize()
        self.descs = [descriptor(t) for t in self.inputs + self.outputs]
        ptrs = [ctypes.cast(ctypes.pointer(d), ctypes.c_void_p) for d in self.descs]
        self.args = (ctypes.c_void_p * len(ptrs))(*[p.value for p in ptrs])

    def __call__(self):
        self.fn(ctypes.cast(self.args, ctypes.c_void_p))


class Skip(Exception):
    """A row that cannot run: its module was not built, or no time is left."""


class Modules:
    """The compiled bench modules of the artifact directory, loaded on first
    use; a module build.sh could not compile skips its rows, naming the
    compiler's first error (from <module>.error)."""

    def __init__(self, directory):
        self.dir = directory
        self.loaded = {}

    def entry(self, module, name):
        if module not in self.loaded:
            self.loaded[module] = self._load(module)
        lib, specs = self.loaded[module]
        if lib is None:
            raise Skip(specs)
        return lib, specs[name]

    def _load(self, module):
        so = os.path.join(self.dir, module + ".so")
        if not os.path.exists(so):
            why = "not built"
            try:
                with open(os.path.join(self.dir, module + ".error")) as f:
                    errors = [l.strip() for l in f if "error:" in l]
                if errors:
                    why = "did not compile: " + errors[0][errors[0].find("error:"):]
            except OSError:
                pass
            return None, f"module {module} {why}"
        with open(os.path.join(self.dir, module + ".manifest.json")) as f:
            manifest = json.load(f)
        # As Module::load does, before the module's code runs: the manifest
        # must be the one written for this file (docs/runtime.md), or the
        # entries would be called with another module's shapes.
        with open(so, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if manifest.get("module_sha256") != digest:
            return None, (f"module {module} is not the module its manifest "
                          "was written for (compile again)")
        lib = ctypes.CDLL(so)
        return lib, {e["name"]: e for e in manifest["entries"]}


def kernel_ms(fn, iters, max_s=2.0):
    """Mean device time per call of the CUDA kernels fn launches: one timed
    warm-up call, then `iters` calls under the torch profiler (fewer, at
    least 3, where the warm-up says they would take over max_s)."""
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    stop.record()
    torch.cuda.synchronize()
    iters = max(3, min(iters, int(max_s * 1e3 / max(start.elapsed_time(stop), 1e-3))))
    acts = [torch.profiler.ProfilerActivity.CUDA]
    with torch.profiler.profile(activities=acts) as prof:
        for _ in range(iters):
            fn()
        torch.cuda.synchronize()
    total_us = 0.0
    for e in prof.events():
        if str(getattr(e, "device_type", "")).endswith("CUDA"):
            total_us += getattr(e, "device_time", None) or getattr(e, "cuda_time", 0.0)
    if total_us == 0.0:  # profiler without CUPTI: fall back to events
        start.record()
        for _ in range(iters):
            fn()
        stop.record()
        torch.cuda.synchronize()
        return start.elapsed_time(stop) / iters
    return total_us / 1000.0 / iters


def per_s(amount, ms):
    """amount / (ms milliseconds); NaN for a time of 0 (nothing ran)."""
    return amount / (ms / 1e3) if ms > 0 else float("nan")


class PeerFailed:
    """A peer column whose measurement raised (torch.compile failing inside
    Triton, say): the row keeps our figure and the other peers', and the
    table names the peer and its error under the section."""

    def __init__(self, peer, error):
        self.peer = peer
        self.error = f"{type(error).__name__}: {error}".splitlines()[0][:300]

    def __format__(self, spec):
        return f"{self.peer} failed"

    def __truediv__(self, other):
        return float("nan")

    def __rtruediv__(self, other):
        return float("nan")


def peer_per_s(name, amount, make_fn, iters):
    """amount per second of the peer `name`: make_fn() builds its callable
    (torch.compile happens there), kernel_ms times it. A peer that raises,
    while built or timed, becomes a PeerFailed column naming it."""
    try:
        return per_s(amount, kernel_ms(make_fn(), iters))
    except Exception as e:  # a broken peer must not lose the row
        print(f"peer {name} failed: {type(e).__name__}: {e}".splitlines()[0],
              flush=True)
        traceback.print_exc()
        return PeerFailed(name, e)


def rms_ref(x, w, eps=1e-6):
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * w.float()).to(x.dtype)


def gated_ref(x, w, wd, wu, eps=1e-6):
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * w.float()
    h = y @ wd.float()
    g = torch.sigmoid(F.silu(h) @ wu.float())
    return (g * y).to(x.dtype)


def max_rel_err(got, ref):
    """max|got - ref| / max|ref|; NaN where got has a NaN (an unwritten or
    broken output), so that `err <= TOL` fails."""
    ref = ref.float()
    got = got.float()
    if not torch.isfinite(got).all():
        return float("nan")
    return ((got - ref).abs().max() / ref.abs().max().clamp_min(1e-30)).item()


# ---------------------------------------------------------------------------
# Quantized linears: inputs in the scheme's storage and the torch reference
# ---------------------------------------------------------------------------


def quant_inputs(case, spec):
    """Inputs of a quantized-linear entry, by their role in cases.json:
    element codes over the format's whole range (int4 in [-8, 7] one per
    byte; E4M3 any non-NaN code; E2M1 any of the 16 codes), scales of the
    size the scheme gives (amax/qmax for an amax of about 1), nvfp4 block
    scales in E4M3 [1, 448], mxfp4 scales 2^-4..2^4, bf16 normal(0,1)
    activations."""
    out = []
    for role, want in zip(case["inputs"], spec["inputs"]):
        shape, dtype, fmt = tuple(want["shape"]), want["dtype"], role["format"]
        if role["role"] == "activation":
            t = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
        elif role["role"] == "values" and dtype == "i8":
            low, high = formats.INT_CODE_RANGE[fmt]
            t = torch.randint(low, high, shape, device="cuda", dtype=torch.int8)
        elif role["role"] == "values":
            t = torch.randint(0, formats.CODE_DTYPES[dtype][0], shape, device="cuda",
                              dtype=torch.uint8)
            if dtype == "f8E4M3FN":  # S.1111.111 is NaN: make it ±448
                t = torch.where((t & 0x7F) == 0x7F, t ^ 1, t)
        elif dtype == "f32":
            emax = 6 * 448 if role["role"] == "global_scale" else formats.ELEMENT_MAX[fmt]
            t = (torch.rand(shape, device="cuda", dtype=torch.float32) + 0.5) / emax
        else:
            low, high = formats.SCALE_CODE_RANGE[dtype]
            t = torch.randint(low, high, shape, device="cuda", dtype=torch.uint8)
        out.append(t)
    return out


class QuantRef:
    """The torch reference of the quantized linears, in f64 following the
    formulas of #rescale.quant (docs/quantization.md), then bf16 like the
    entries' dequantized operands."""

    def __init__(self):
        f64 = dict(dtype=torch.float64, device="cuda")
        self.tables = {d: torch.tensor(formats.decode_table(d), **f64)
                       for d in formats.CODE_DTYPES}
        self.grids = {d: torch.tensor(formats.positive_grid(d), **f64)
                      for d in ("f8E4M3FN", "f4E2M1FN")}

    @staticmethod
    def to_bf16(v):
        """f64 rounded once to bf16, nearest-even, as the entries round their
        dequantized operands (torch's float64 -> bfloat16 goes through
        float32, and the two roundings differ by an ulp at near-ties): on the
        bits, bf16 keeps the top 7 of the 52 f64 mantissa bits; the result is
        exact in f32 and bf16."""
        b = v.contiguous().view(torch.int64)
        b = (b + ((1 << 44) - 1) + ((b >> 45) & 1)) & ~((1 << 45) - 1)
        return b.view(torch.float64).to(torch.bfloat16)

    def decode(self, t, dtype):
        """Values of a module buffer as f64 (raw codes through their table)."""
        return self.tables[dtype][t.long()] if dtype in self.tables else t.double()

    def dequantize(self, parts):
        """rescale.dequantize: values · scale (· global scale), each scale
        broadcast over the elements it covers (scales keep rank)."""
        (values, vtype), rest = parts[0], parts[1:]
        out = self.decode(values, vtype)
        for scale, stype in rest:
            s = self.decode(scale, stype)
            for dim, (n, k) in enumerate(zip(out.shape, s.shape)):
                if k != n and k != 1:
                    s = s.repeat_interleave(n // k, dim=dim)
            out = out * s
        return self.to_bf16(out)

    def round_to_grid(self, v, dtype):
        """Round to nearest, ties to even, saturating, onto a float format's
        grid: bucketize against the midpoints; at a tie (left and right
        bucket differ) take the even code."""
        grid = self.grids[dtype]
        mid = (grid[1:] + grid[:-1]) / 2
        a = v.abs().clamp(max=grid[-1].item())
        low = torch.bucketize(a, mid, right=False)
        high = torch.bucketize(a, mid, right=True)
        return torch.copysign(grid[torch.where(low % 2 == 0, low, high)], v)

    @staticmethod
    def div(a, b):
        """a / b correctly rounded, b a number. torch on CUDA divides by a
        Python number as a · (1/b) (BinaryDivTrueKernel.cu: "may lose one
        bit of precision"), and the scales it gives then differ from
        amax / qmax in the last bit: an element on a rounding tie (under int4,
        x = ±amax/2: about one element in 1200) can then round the other
        way. That made the `_act` rows of 2026-11-28 disagree by 1.2e-2 to
        4.3e-2 (docs/investigations/act_reference_sim.cpp reproduces those figures from the two
        divisions alone); a tensor divisor takes torch's IEEE division."""
        return a / torch.full_like(a, b)

    def fake_quantize(self, x, fmt):
        """dequantize(quantize(x)) for cases.py's activation schemes (per
        token; mxfp4 in blocks of 32): scales from the row or block amax (1
        where it is 0), elements rounded half to even, the scales stored as
        rescale.quantize stores them (f32, E4M3, E8M0) before dequantizing.
        formats.fake_quantize_row is the same in plain Python; self_check
        holds this to it."""
        x = x.double()
        rows = x.shape[0]
        amax = x.abs().amax(-1, keepdim=True)
        one = torch.ones_like(amax)
        if fmt in ("int8", "int4"):
            qmax = formats.ELEMENT_MAX[fmt]
            s = torch.where(amax == 0, one, self.div(amax, qmax))
            q = torch.clamp(torch.round(x / s), -qmax - 1, qmax)
            return q * s.float().double()
        if fmt == "fp8":
            s = torch.where(amax == 0, one, self.div(amax, 448))
            return self.round_to_grid(x / s, "f8E4M3FN") * s.float().double()
        if fmt == "mxfp4":
            xb = x.reshape(rows, -1, 32)
            amax_b = xb.abs().amax(-1, keepdim=True)
            # floor(log2 amax_b) read off the exponent: frexp's mantissa is in
            # [0.5, 1).
            floor_log2 = torch.frexp(amax_b).exponent.double() - 1
            scale = torch.where(amax_b == 0, torch.ones_like(amax_b),
                                torch.exp2(floor_log2 - 2))
            return (self.round_to_grid(xb / scale, "f4E2M1FN") * scale).reshape(x.shape)
        assert fmt == "nvfp4", fmt
        big = torch.where(amax == 0, one, self.div(amax, 6 * 448)).unsqueeze(-1)  # S, [rows,1,1]
        xb = x.reshape(rows, -1, 16)
        amax_b = xb.abs().amax(-1, keepdim=True)
        sb = torch.where(amax_b == 0, torch.ones_like(amax_b),
                         self.round_to_grid(self.div(amax_b, 6) / big, "f8E4M3FN"))
        # A block whose E4M3 scale rounds to 0 is all zeros.
        e = torch.where(sb == 0, torch.zeros_like(xb),
                        self.round_to_grid(xb / (sb * big), "f4E2M1FN"))
        return (e * sb * big.float().double()).reshape(x.shape)

    def self_check(self, rows=128, k=512):
        """fake_quantize against formats.fake_quantize_row (exact plain
        Python), on bf16 normal(0,1) rows like the `_act` rows' x and on
        formats.tie_row's rows, full of exact rounding ties (many rows, so
        many amax values: a reciprocal 1/qmax differs from the division for
        some amax only). Returns the formats whose reference disagrees,
        printing a line for each."""
        rng = random.Random(0)
        normal = torch.randn((rows // 2, k), dtype=torch.bfloat16).double().tolist()
        values = [r for pair in zip(normal, (formats.tie_row(rng, k) for _ in normal))
                  for r in pair]
        x = torch.tensor(values, dtype=torch.float64, device="cuda").to(torch.bfloat16)
        bad = []
        for fmt in ("int8", "int4", "fp8", "nvfp4", "mxfp4"):
            got = self.fake_quantize(x, fmt).cpu().tolist()
            differ = sum(g != w for row, want in zip(got, values)
                         for g, w in zip(row, formats.fake_quantize_row(want, fmt)))
            print(f"{'ok' if not differ else 'FAIL'} reference self-check {fmt}: "
                  f"{differ} of {x.numel()} elements differ from the exact formulas",
                  flush=True)
            if differ:
                bad.append(fmt)
        return bad

    def operands(self, case, entry):
        """The bf16 x and w the entry's linear sees."""
        dtypes = [i["dtype"] for i in entry.spec["inputs"]]
        parts = {"x": [], "w": []}
        for role, t, dtype in zip(case["inputs"], entry.inputs, dtypes):
            parts[role["operand"]].append((t, dtype))
        if case["act_quant"]:
            x = self.to_bf16(self.fake_quantize(parts["x"][0][0],
                                                case["inputs"][0]["format"]))
        else:
            x = self.dequantize(parts["x"])
        return x, self.dequantize(parts["w"])


# ---------------------------------------------------------------------------
# One row per case
# ---------------------------------------------------------------------------


def norm_row(case, entry, iters, compiled):
    ins, out = entry.inputs, entry.outputs[0]
    ref = rms_ref if case["kind"] == "rms_norm" else gated_ref
    err = max_rel_err(out, ref(*ins))
    dst = torch.empty_like(ins[0])
    gb = case["bytes"] / 1e9

    def compiled_fn():
        # One torch.compile per kind; one that failed fails again per row,
        # each row naming it.
        if case["kind"] not in compiled:
            compiled[case["kind"]] = torch.compile(ref)
        comp = compiled[case["kind"]]
        comp(*ins)  # compile (and autotune) outside the timing
        return lambda: comp(*ins)

    return err, [per_s(gb, kernel_ms(entry, iters)),
                 peer_per_s("torch eager", gb, lambda: lambda: ref(*ins), iters),
                 peer_per_s("torch.compile", gb, compiled_fn, iters),
                 peer_per_s("copy", gb, lambda: lambda: dst.copy_(ins[0]), iters)]


def attention_row(case, entry, iters):
    q, k, v = entry.inputs
    ref_fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"])
    err = max_rel_err(entry.outputs[0], ref_fn())
    tf = case["flops"] / 1e12
    return err, [per_s(tf, kernel_ms(entry, iters)),
                 peer_per_s("SDPA", tf, lambda: ref_fn, iters)]


def matmul_row(case, entry, iters, x, w):
    """Ours against torch's bf16 x·wᵀ on the operands our linear sees."""
    ref_fn = lambda: x @ w.t()
    err = max_rel_err(entry.outputs[0], ref_fn())
    tf = case["flops"] / 1e12
    return err, [per_s(tf, kernel_ms(entry, iters)),
                 peer_per_s("torch matmul", tf, lambda: ref_fn, iters)]


def gdr_row(case, lib, spec, iters, compiled):
    """The rule's forward + backward: ours on bf16 q, k, v, dout (tokens
    first), against bench/torch_gdr.py's chunked form (heads first) with
    autograd's backward, eager and torch.compile'd, on the same bf16 inputs.
    The error is against that form in f32 on the same (bf16-rounded)
    values, over the output and the five gradients, each relative to its
    own max|ref|. Inputs as a model makes them: q, k L2-normalized, q
    scaled by 1/sqrt(dk), g = -softplus(normal), beta = sigmoid(normal)."""
    b, t, h, dk, dv = (case[key] for key in ("batch", "t", "heads", "dk", "dv"))
    rn = lambda *shape: torch.randn(*shape, device="cuda")
    q = F.normalize(rn(b, h, t, dk), dim=-1) / dk ** 0.5
    k = F.normalize(rn(b, h, t, dk), dim=-1)
    v, dout = rn(b, h, t, dv), rn(b, h, t, dv)
    g, beta = -F.softplus(rn(b, h, t)), torch.sigmoid(rn(b, h, t))
    bf = lambda x: x.to(torch.bfloat16)
    first = lambda x: x.transpose(1, 2).contiguous()
    entry = Entry(lib, spec, [first(bf(q)), first(bf(k)), first(bf(v)), first(g),
                              first(beta), first(bf(dout))])
    entry()
    torch.cuda.synchronize()
    leaves = [bf(x).float().requires_grad_() for x in (q, k, v)] + \
        [x.clone().requires_grad_() for x in (g, beta)]
    o = chunked(*leaves)
    (o * bf(dout).float()).sum().backward()
    refs = [o.detach()] + [x.grad for x in leaves]
    err = max(max_rel_err(got, first(ref)) for got, ref in zip(entry.outputs, refs))

    peer_leaves = [bf(x).requires_grad_() for x in (q, k, v)] + \
        [x.clone().requires_grad_() for x in (g, beta)]
    peer_dout = bf(dout)

    def step(fn):
        for x in peer_leaves:
            x.grad = None
        (fn(*peer_leaves) * peer_dout).sum().backward()

    def compiled_fn():
        if "gated_delta_rule" not in compiled:
            compiled["gated_delta_rule"] = torch.compile(chunked)
        comp = compiled["gated_delta_rule"]
        step(comp)  # compile outside the timing
        return lambda: step(comp)

    tf = case["flops"] / 1e12
    return err, [per_s(tf, kernel_ms(entry, iters)),
                 peer_per_s("torch eager", tf, lambda: lambda: step(chunked), iters),
                 peer_per_s("torch.compile", tf, compiled_fn, iters)]


def run_case(case, modules, iters, compiled, quant):
    lib, spec = modules.entry(case.get("module", "bench"), case["entry"])
    if case["kind"] == "gated_delta_rule":
        return gdr_row(case, lib, spec, iters, compiled)
    if case["kind"] == "qlinear":
        entry = Entry(lib, spec, quant_inputs(case, spec))
    else:
        entry = Entry(lib, spec)
    entry()
    torch.cuda.synchronize()
    if case["kind"] in ("rms_norm", "gated_norm"):
        return norm_row(case, entry, iters, compiled)
    if case["kind"] == "attention":
        return attention_row(case, entry, iters)
    if case["kind"] == "linear":
        return matmul_row(case, entry, iters, *entry.inputs)
    operands = quant.operands(case, entry)
    if case.get("quantize_check"):
        check_activation_quantize(case, modules, quant, entry.inputs[0])
    return matmul_row(case, entry, iters, *operands)


def check_activation_quantize(case, modules, quant, x):
    """Our activation quantize (dequantized to f32) against QuantRef's, element
    by element: prints how many differ, so that a `_act` row that misses the
    tolerance says whether the codes or the GEMM differ."""
    lib, spec = modules.entry(case["module"], case["quantize_check"])
    check = Entry(lib, spec, [x])
    check()
    torch.cuda.synchronize()
    ref = quant.fake_quantize(x, case["inputs"][0]["format"]).float()
    differ = (check.outputs[0] != ref).sum().item()
    print(f"quantize check {case['quantize_check']}: {differ} of {ref.numel()} "
          f"dequantized activation elements differ from the reference", flush=True)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

SECTIONS = [
    ("gated_delta_rule", ("gated_delta_rule",),
     "| gated delta rule fwd+bwd (bf16) | max rel err vs f32 torch | ours TFLOP/s | torch eager TFLOP/s | torch.compile TFLOP/s | ours / torch.compile |",
     lambda c: c[0] / c[2], "{:.2f}", "{:.2f}"),
    ("norm", ("rms_norm", "gated_norm"),
     "| norm (bf16) | max rel err vs torch | ours GB/s | torch eager GB/s | torch.compile GB/s | copy GB/s | ours / copy |",
     lambda c: c[0] / c[3], "{:.0f}", "{:.2f}"),
    ("attention", ("attention",),
     "| attention fwd (bf16) | max rel err vs SDPA | ours TFLOP/s | SDPA TFLOP/s | ours / SDPA |",
     lambda c: c[0] / c[1], "{:.1f}", "{:.2f}"),
    ("linear", ("linear",),
     "| linear (bf16, x·Wᵀ) | max rel err vs torch | ours TFLOP/s | torch matmul TFLOP/s | ours / torch |",
     lambda c: c[0] / c[1], "{:.1f}", "{:.2f}"),
    ("qlinear", ("qlinear",),
     "| quantized linear (bf16 out) | max rel err vs torch | ours TFLOP/s | torch bf16 matmul TFLOP/s | ours / torch |",
     lambda c: c[0] / c[1], "{:.1f}", "{:.2f}"),
]

QUANT_NOTE = (
    "Quantized linears: `qlinear_<scheme>_MxKxN` takes the activation and the "
    "weight as codes + scales (W8A8: int8 per-token x, per-channel w; W4A4: "
    "int4 in [-8, 7], one per byte, same scales; FP8: E4M3 per-token x, "
    "128x128-block w; NVFP4: E2M1 with E4M3 scales per 16 and an f32 scale "
    "per token (x) / per tensor (w); MXFP4: E2M1 with E8M0 scales per 32), "
    "dequantizes both and runs the linear, as a quantized model does; "
    "`_act` rows start from a bf16 x and include its quantize. The weight "
    "codes are entry arguments, so whatever the kernels do to them per call "
    "(e.g. packing W4A4's int4 pairs into bytes) is timed too. FLOP/s count "
    "2·M·N·K for ours and for torch's bf16 matmul of the same shape (on the "
    "dequantized operands, which are also the reference: f64 dequantization "
    "rounded to bf16; `_act` rows quantize x in f64 by the scheme's formulas).")


GDR_NOTE = (
    "Gated delta rule: B1, Hk = Hv = 4, dk = dv = 64, T = 2048, one entry "
    "running rescale.gated_delta_rule then rescale.gated_delta_rule_grad. "
    "TFLOP/s count three times the chunked forward's nominal FLOPs "
    "(bench/torch_gdr.py, chunked_flops) for every column; for scale, the "
    "H200's dense bf16 tensor-core peak is about 989 TFLOP/s (ours / peak is "
    "ours TFLOP/s / 989). Our kernels are the FMA schedule (no tensor cores "
    "yet); the peers are bench/torch_gdr.py with autograd's backward.")


def render(rows, skipped, iters):
    dev = torch.cuda.get_device_name()
    lines = [f"Device: {dev}; torch {torch.__version__}; date "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; "
             f"kernel device time from the torch profiler, mean of {iters} calls "
             f"(at least 3, fewer where {iters} would take over 2 s). Every row "
             f"must agree with torch within {TOL} relative to max|torch| "
             f"(rows marked FAIL do not)."]
    for section, kinds, header, ratio, fmt, ratio_fmt in SECTIONS:
        body = []
        for case, err, cols in rows:
            if case["kind"] in kinds:
                flag = "" if err <= TOL else " FAIL"
                values = " | ".join(fmt.format(c) for c in cols)
                body.append(f"| {case['entry']} | {err:.2e}{flag} | {values} | "
                            f"{ratio_fmt.format(ratio(cols))} |")
        missing = [(case, why) for case, why in skipped if case["kind"] in kinds]
        if not body and not missing:
            continue
        lines += ["", header, "|" + "---|" * header.count(" | ") + "---|"] + body
        peer_failures = [(case, c) for case, _, cols in rows if case["kind"] in kinds
                         for c in cols if isinstance(c, PeerFailed)]
        if peer_failures:
            lines += ["", "Peers that failed (their column says so; ours and the "
                      "other peers' figures stand):"]
            lines += [f"- {case['entry']}: {c.peer}: {c.error}" for case, c in peer_failures]
        if section == "qlinear":
            lines += ["", QUANT_NOTE]
        if section == "gated_delta_rule":
            lines += ["", GDR_NOTE]
        if missing:
            lines += ["", "Not measured:"]
            lines += [f"- {case['entry']}: {why}" for case, why in missing]
    return "\n".join(lines)


def write_results(path, table):
    """Replaces the '## Benchmark' section of RESULTS.md with `table`, keeping
    the rest (GPU test results, ptxas figures); writes a new file if there is
    no such section."""
    heading = "## Benchmark\n"
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        text = ""
    start = text.find(heading)
    if start < 0:
        text = "# GPU benchmark results\n\nWritten by bench/gpu/run.sh.\n\n" + heading + "\n" + table + "\n"
    else:
        body = start + len(heading)
        end = text.find("\n## ", body)
        end = len(text) if end < 0 else end + 1
        text = text[:body] + "\n" + table + "\n\n" + text[end:]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--budget-s", type=float, default=600.0,
                    help="start no row after this many seconds")
    ap.add_argument("--results")
    opts = ap.parse_args()
    began = time.monotonic()

    # RTLD_LOCAL (ctypes' default): the cuda modules name the runtime as
    # DT_NEEDED and bind to this copy, and nothing of ours is put in the way
    # of the libraries torch loads later (Triton's, for torch.compile).
    ctypes.CDLL(opts.runtime)
    torch.cuda.init()
    torch.manual_seed(0)
    modules = Modules(opts.artifacts)
    with open(os.path.join(opts.artifacts, "cases.json")) as f:
        cases = json.load(f)
    quant = QuantRef()
    compiled = {}
    rows, skipped, failed = [], [], []
    # The quantized rows are only as good as their reference: hold it to the
    # exact formulas first (a failure fails the run; the rows still run).
    if any(case["kind"] == "qlinear" for case in cases):
        failed += [f"reference-self-check-{fmt}" for fmt in quant.self_check()]
    for case in cases:
        name = case["entry"]
        try:
            if time.monotonic() - began > opts.budget_s:
                raise Skip(f"the time budget of {opts.budget_s:.0f} s was spent")
            err, cols = run_case(case, modules, opts.iters, compiled, quant)
        except Skip as e:
            print(f"SKIP {name}: {e}", flush=True)
            skipped.append((case, str(e)))
            continue
        except Exception as e:  # one broken row must not lose the others
            print(f"ERROR {name}:", flush=True)
            traceback.print_exc()
            skipped.append((case, f"error: {type(e).__name__}: {e}".splitlines()[0]))
            failed.append(name)
            continue
        finally:
            torch.cuda.empty_cache()
        verdict = "ok" if err <= TOL else "FAIL"
        if verdict == "FAIL":
            failed.append(name)
        print(f"{verdict} {name}: max rel err {err:.2e} (tol {TOL}); "
              + ", ".join(f"{c:.1f}" for c in cols), flush=True)
        rows.append((case, err, cols))
        if opts.results:
            write_results(opts.results, render(rows, skipped, opts.iters))

    table = render(rows, skipped, opts.iters)
    print(table)
    if opts.results:
        write_results(opts.results, table)
    if failed:
        print(f"bench.py: {len(failed)} row(s) failed: {' '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
