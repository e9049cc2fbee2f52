#!/usr/bin/env python3
"""Check a linear's GPU kernels against the CPU reference path without a GPU.

Usage: emulated_vs_cpu.py FILE.mlir QUANTIZE_ENTRY LINEAR_ENTRY TOL WORK_DIR [SEED]
1. rescale-run --entry QUANTIZE_ENTRY --random-inputs --device cpu: the
   codes and scales (and any plain operand it passes through); with
   QUANTIZE_ENTRY `-`, LINEAR_ENTRY's own random inputs (any entry: the
   quantization ops, a fake-quantized model);
2. rescale-run --entry LINEAR_ENTRY on those outputs, --device cpu: the
   reference (dequantize + linear decomposed);
3. emulate_kernels.py runs LINEAR_ENTRY's kernels (rescale-opt
   --convert-rescale-to-gpu) on the same inputs;
4. compare_npy.py, every output: max|emulated - cpu| / max|cpu| <= TOL, or
   bit for bit with TOL 0.
FILE is compiled for the CPU and converted to gpu IR once per WORK_DIR and
content of FILE, so several entries of one file share that work; each call
writes its results in a fresh directory of its own under WORK_DIR, so calls
may run concurrently. Tools come from PATH (lit puts the build's first).
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    program, quantize, linear, tol, work = sys.argv[1:6]
    seed = sys.argv[6] if len(sys.argv) > 6 else "1"
    os.makedirs(work, exist_ok=True)
    # The cache key covers the compiler too: a rebuilt rescale-opt must not
    # reuse the gpu IR its predecessor emitted.
    h = hashlib.sha1()
    with open(program, "rb") as f:
        h.update(f.read())
    for tool in ("rescale-opt", "rescale-compile"):
        path = shutil.which(tool)
        st = os.stat(path) if path else None
        h.update(f"{path}:{st.st_mtime_ns if st else 0}:{st.st_size if st else 0}".encode())
    digest = h.hexdigest()[:12]
    stem = os.path.splitext(os.path.basename(program))[0] + "-" + digest
    module = os.path.join(work, stem + ".so")
    generic = os.path.join(work, stem + ".gpu.mlir")
    # Built under a private name, then renamed: a concurrent call sees either
    # nothing or the whole file.
    if not os.path.exists(module):
        tmp = tempfile.mkdtemp(dir=work)
        run(["rescale-compile", program, "--target=cpu", "-o",
             os.path.join(tmp, "m.so")])
        os.replace(os.path.join(tmp, "m.manifest.json"),
                   os.path.join(work, stem + ".manifest.json"))
        os.replace(os.path.join(tmp, "m.so"), module)
        os.rmdir(tmp)
    if not os.path.exists(generic):
        tmp = tempfile.mkdtemp(dir=work)
        run(["rescale-opt", program, "--convert-rescale-to-gpu=chip=sm_90",
             "--mlir-print-op-generic", "-o", os.path.join(tmp, "gpu.mlir")])
        os.replace(os.path.join(tmp, "gpu.mlir"), generic)
        os.rmdir(tmp)
    work = tempfile.mkdtemp(prefix=linear + "-", dir=work)
    codes, cpu, emulated = (os.path.join(work, d) for d in ("codes", "cpu", "emulated"))
    def numbered(directory, prefix):
        return sorted(glob.glob(os.path.join(directory, prefix + "*.npy")),
                      key=lambda p: int(os.path.basename(p)[len(prefix):-4]))
    if quantize == "-":
        run(["rescale-run", module, "--entry", linear, "--random-inputs",
             "--seed", seed, "--device", "cpu", "--output-dir", cpu])
        inputs = numbered(cpu, "in")
    else:
        run(["rescale-run", module, "--entry", quantize, "--random-inputs",
             "--seed", seed, "--device", "cpu", "--output-dir", codes])
        inputs = numbered(codes, "out")
        cmd = ["rescale-run", module, "--entry", linear, "--device", "cpu",
               "--output-dir", cpu]
        for path in inputs:
            cmd += ["--input", path]
        run(cmd)
    run([sys.executable, os.path.join(HERE, "emulate_kernels.py"), generic,
         linear, emulated] + inputs)
    run([sys.executable, os.path.join(HERE, "compare_npy.py"), cpu, emulated, tol])
    shutil.rmtree(work)  # kept only when something failed


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"emulated_vs_cpu.py: {e}")
