#!/usr/bin/env python3
"""Rescale and torch.compile in one PyTorch process (issue #21).

Usage: torch_coexistence.py RUNTIME.so MODULE.so

What a researcher does: load our runtime and a compiled CUDA module with
ctypes' default mode (RTLD_LOCAL), run the module, then compile and run a
function with torch.compile on CUDA. On 2026-12-04, with the runtime loaded
RTLD_GLOBAL and exporting 4,359 symbols, the torch.compile step failed inside
Triton. Checks, each against a float64 formula:
  1. nothing of ours is in the global symbol scope (mgpuMemAlloc cannot be
     found through dlsym(RTLD_DEFAULT)), yet the module loads: it finds the
     runtime through its DT_NEEDED;
  2. the module's @rms_norm (37x256 f32, eps 1e-6) on CUDA tensors whose
     outputs were poisoned with NaN: max|ours - ref| / max|ref| <= 1e-5;
  3. torch.compile of an RMSNorm-and-SiLU function on CUDA after that, in
     the same process: same tolerance (f32 throughout).
Prints one PASS/FAIL line per check; exit status 1 on any failure.
"""
import ctypes
import json
import os
import sys

import torch

# The memref descriptor of a torch tensor, as the benchmark builds it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "bench", "gpu"))
from bench import descriptor  # noqa: E402

TOL = 1e-5  # f32 on both sides; reductions of 256 terms.
EPS = 1e-6


def rms_norm_ref(x, w):
    """RMSNorm from its formula, in float64: x / sqrt(mean(x^2) + eps) * w."""
    x = x.double().cpu()
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + EPS) * w.double().cpu()


def rel_err(got, ref):
    got = got.double().cpu()
    if not torch.isfinite(got).all():
        return float("inf")
    return ((got - ref).abs().max() / ref.abs().max()).item()


def main():
    runtime_path, module_path = sys.argv[1:3]
    failures = 0

    def report(ok, what):
        nonlocal failures
        print(("PASS " if ok else "FAIL ") + what, flush=True)
        failures += not ok

    ctypes.CDLL(runtime_path)  # RTLD_LOCAL, ctypes' default
    module = ctypes.CDLL(module_path)
    everything = ctypes.CDLL(None)
    report(not hasattr(everything, "mgpuMemAlloc"),
           "runtime loaded RTLD_LOCAL: mgpuMemAlloc is not in the global scope")

    manifest_path = module_path[:-3] + ".manifest.json"
    with open(manifest_path) as f:
        spec = {e["name"]: e for e in json.load(f)["entries"]}["rms_norm"]
    entry = getattr(module, spec.get("symbol", "_rescale_entry_rms_norm"))
    entry.argtypes = [ctypes.c_void_p]

    torch.manual_seed(0)
    x = torch.randn(37, 256, device="cuda")
    w = torch.rand(256, device="cuda") + 0.5
    out = torch.full((37, 256), float("nan"), device="cuda")
    # The module runs on a stream of its own that does not wait for torch's.
    torch.cuda.synchronize()
    descs = [descriptor(t) for t in (x, w, out)]
    args = (ctypes.c_void_p * 3)(*[ctypes.cast(ctypes.pointer(d), ctypes.c_void_p).value
                                  for d in descs])
    entry(ctypes.cast(args, ctypes.c_void_p))
    torch.cuda.synchronize()
    err = rel_err(out, rms_norm_ref(x, w))
    report(err <= TOL, f"rescale module rms_norm on CUDA: max rel err {err:.3g} (tol {TOL})")

    def norm_silu(a, b):
        y = a * torch.rsqrt(a.pow(2).mean(-1, keepdim=True) + EPS) * b
        return y * torch.sigmoid(y)

    try:
        compiled = torch.compile(norm_silu)
        got = compiled(x, w)
        torch.cuda.synchronize()
        ref = rms_norm_ref(x, w)
        ref = ref * torch.sigmoid(ref)
        err = rel_err(got, ref)
        report(err <= TOL, f"torch.compile after the module: max rel err {err:.3g} (tol {TOL})")
    except Exception as e:  # the 2026-12-04 failure raised InductorError here
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        report(False, f"torch.compile after the module raised {type(e).__name__}: {first}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
