#!/usr/bin/env python3
"""Time the rescale GPU kernels against PyTorch, in one process, same device.

Usage: bench.py --artifacts DIR --runtime librescale_runtime.so
                [--iters N] [--results RESULTS.md]
Loads the runtime (for the mgpu* functions) and DIR/bench.so (built by
bench/gpu/build.sh), calls each `_rescale_entry_<name>` on torch CUDA
tensors (the NVPTX module ABI: descriptors of device pointers), checks the
result against a torch formula, and measures kernel time with the torch
profiler (device time of the kernels only, for ours and torch's alike).
Prints the issue-5 table; --results also writes it with the date.
"""
import argparse
import ctypes
import datetime
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16, "f32": torch.float32}


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
    def __init__(self, lib, spec):
        self.fn = getattr(lib, spec["symbol"])
        self.fn.argtypes = [ctypes.c_void_p]
        self.inputs = [torch.randn(i["shape"], device="cuda",
                                   dtype=DTYPES[i["dtype"]]) for i in spec["inputs"]]
        self.outputs = [torch.empty(o["shape"], device="cuda",
                                    dtype=DTYPES[o["dtype"]]) for o in spec["outputs"]]
        self.descs = [descriptor(t) for t in self.inputs + self.outputs]
        ptrs = [ctypes.cast(ctypes.pointer(d), ctypes.c_void_p) for d in self.descs]
        self.args = (ctypes.c_void_p * len(ptrs))(*[p.value for p in ptrs])

    def __call__(self):
        self.fn(ctypes.cast(self.args, ctypes.c_void_p))


def kernel_ms(fn, iters):
    """Mean device time per call of the CUDA kernels fn launches."""
    fn()
    torch.cuda.synchronize()
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
        start, stop = torch.cuda.Event(True), torch.cuda.Event(True)
        start.record()
        for _ in range(iters):
            fn()
        stop.record()
        torch.cuda.synchronize()
        return start.elapsed_time(stop) / iters
    return total_us / 1000.0 / iters


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
    ref = ref.float()
    return ((got.float() - ref).abs().max() / ref.abs().max().clamp_min(1e-30)).item()



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
        text = text[:body] + "\n" + table + "\n" + text[end:]
    with open(path, "w") as f:
        f.write(text)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts", required=True)
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--results")
    opts = ap.parse_args()

    ctypes.CDLL(opts.runtime, mode=ctypes.RTLD_GLOBAL)
    torch.cuda.init()
    lib = ctypes.CDLL(os.path.join(opts.artifacts, "bench.so"))
    manifest = json.load(open(os.path.join(opts.artifacts, "bench.manifest.json")))
    specs = {e["name"]: e for e in manifest["entries"]}
    cases = json.load(open(os.path.join(opts.artifacts, "cases.json")))
    compiled = {}

    rows = []
    for case in cases:
        name = case["entry"]
        entry = Entry(lib, specs[name])
        entry()
        torch.cuda.synchronize()
        ins, out = entry.inputs, entry.outputs[0]
        if case["kind"] in ("rms_norm", "gated_norm"):
            ref_fn = (lambda: rms_ref(*ins)) if case["kind"] == "rms_norm" else (lambda: gated_ref(*ins))
            err = max_rel_err(out, ref_fn())
            if case["kind"] not in compiled:
                compiled[case["kind"]] = torch.compile(rms_ref if case["kind"] == "rms_norm" else gated_ref)
            comp = compiled[case["kind"]]
            dst = torch.empty_like(ins[0])
            gb = case["bytes"] / 1e9
            ours = kernel_ms(entry, opts.iters)
            eager = kernel_ms(ref_fn, opts.iters)
            compiled_ms = kernel_ms(lambda: comp(*ins), opts.iters)
            copy = kernel_ms(lambda: dst.copy_(ins[0]), opts.iters)
            rows.append(("norm", name, err, gb / (ours / 1e3), gb / (eager / 1e3),
                         gb / (compiled_ms / 1e3), gb / (copy / 1e3)))
        elif case["kind"] == "linear":
            x, w = ins
            ref_fn = lambda: x @ w.t()
            err = max_rel_err(out, ref_fn())
            tf = case["flops"] / 1e12
            ours = kernel_ms(entry, opts.iters)
            mm = kernel_ms(ref_fn, opts.iters)
            rows.append(("linear", name, err, tf / (ours / 1e3), tf / (mm / 1e3)))
        else:
            q, k, v = ins
            ref_fn = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=case["causal"])
            err = max_rel_err(out, ref_fn())
            tf = case["flops"] / 1e12
            ours = kernel_ms(entry, opts.iters)
            sdpa = kernel_ms(ref_fn, opts.iters)
            rows.append(("attention", name, err, tf / (ours / 1e3), tf / (sdpa / 1e3)))
        del entry
        torch.cuda.empty_cache()

    dev = torch.cuda.get_device_name()
    lines = [f"Device: {dev}; torch {torch.__version__}; date "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; "
             f"kernel device time from the torch profiler, mean of {opts.iters} calls.", "",
             "| norm (bf16) | max rel err vs torch | ours GB/s | torch eager GB/s | torch.compile GB/s | copy GB/s | ours / copy |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r[0] == "norm":
            lines.append(f"| {r[1]} | {r[2]:.2e} | {r[3]:.0f} | {r[4]:.0f} | {r[5]:.0f} | {r[6]:.0f} | {r[3] / r[6]:.2f} |")
    lines += ["", "| attention fwd (bf16) | max rel err vs SDPA | ours TFLOP/s | SDPA TFLOP/s | ours / SDPA |",
              "|---|---|---|---|---|"]
    for r in rows:
        if r[0] == "attention":
            lines.append(f"| {r[1]} | {r[2]:.2e} | {r[3]:.1f} | {r[4]:.1f} | {r[3] / r[4]:.2f} |")
    lines += ["", "| linear (bf16, x·Wᵀ) | max rel err vs torch | ours TFLOP/s | torch matmul TFLOP/s | ours / torch |",
              "|---|---|---|---|---|"]
    for r in rows:
        if r[0] == "linear":
            lines.append(f"| {r[1]} | {r[2]:.2e} | {r[3]:.1f} | {r[4]:.1f} | {r[3] / r[4]:.2f} |")
    lines += ["", "Quantized linears (W8A8, W4A4, FP8, NVFP4, MXFP4): no GPU "
              "kernel yet (LinearToGPU.cpp covers bf16/f16/f32 only); nothing "
              "measured."]
    table = "\n".join(lines)
    print(table)
    if opts.results:
        write_results(opts.results, table)


if __name__ == "__main__":
    sys.exit(main())
