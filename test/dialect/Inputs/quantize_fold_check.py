"""Runs each case of quantize_fold_cases.py three ways with rescale-run and
compares the outputs byte for byte: the folded function (the constant was
quantized by the folder) against the run-time one (the same values quantized
by rescale.quantize's decomposition).

usage: quantize_fold_check.py CANONICALIZED.mlir NAMES WORKDIR
Prints one line per case: "NAME: K outputs identical" or what differs.
"""
import os
import subprocess
import sys


def run(module, entry, outdir, inputs=()):
    cmd = ["rescale-run", "-O", "0", module, "--entry", entry,
           "--output-dir", outdir]
    for i in inputs:
        cmd += ["--input", i]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main():
    module, names, work = sys.argv[1:4]
    status = 0
    for name in open(names).read().split():
        base = os.path.join(work, name)
        run(module, "x_" + name, base + "-x")
        run(module, "folded_" + name, base + "-folded")
        run(module, "runtime_" + name, base + "-runtime",
            [os.path.join(base + "-x", "out0.npy")])
        outs = sorted(os.listdir(base + "-folded"))
        differ = [o for o in outs
                  if open(os.path.join(base + "-folded", o), "rb").read() !=
                  open(os.path.join(base + "-runtime", o), "rb").read()]
        if differ:
            print(f"{name}: {', '.join(differ)} differ")
            status = 1
        else:
            print(f"{name}: {len(outs)} outputs identical")
    return status


if __name__ == "__main__":
    sys.exit(main())
