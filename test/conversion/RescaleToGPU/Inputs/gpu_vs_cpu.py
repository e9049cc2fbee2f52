#!/usr/bin/env python3
"""Run one entry on the CPU reference path and on the GPU, compare outputs.

Usage: gpu_vs_cpu.py FILE.mlir ENTRY TOL WORK_DIR [SEED]
       gpu_vs_cpu.py CPU.so,CUDA.so ENTRY TOL WORK_DIR [SEED]
1. rescale-run FILE (or CPU.so) --entry ENTRY --random-inputs --seed SEED
   --device cpu (the linalg reference decomposition) -> WORK_DIR/ENTRY/cpu
2. rescale-run FILE (or CUDA.so) --entry ENTRY --input <the same in*.npy>
   --device cuda (our kernels) -> WORK_DIR/ENTRY/cuda
The .so pair is what bench/gpu/run.sh passes on a machine without LLVM.
3. compare_npy.py: max|gpu - cpu| / max|cpu| <= TOL for every output.
rescale-run comes from PATH (lit puts the build's tools first).
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    programs, entry, tol, work = sys.argv[1:5]
    cpu_program, _, gpu_program = programs.partition(",")
    gpu_program = gpu_program or cpu_program
    seed = sys.argv[5] if len(sys.argv) > 5 else "1"
    cpu = os.path.join(work, entry, "cpu")
    gpu = os.path.join(work, entry, "cuda")
    run(["rescale-run", cpu_program, "--entry", entry, "--random-inputs", "--seed",
         seed, "--device", "cpu", "--output-dir", cpu])
    inputs = sorted(glob.glob(os.path.join(cpu, "in*.npy")),
                    key=lambda p: int(os.path.basename(p)[2:-4]))
    cmd = ["rescale-run", gpu_program, "--entry", entry, "--device", "cuda",
           "--output-dir", gpu]
    for path in inputs:
        cmd += ["--input", path]
    run(cmd)
    run([sys.executable, os.path.join(HERE, "compare_npy.py"), cpu, gpu, tol])


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"gpu_vs_cpu.py: {e}")
