#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from the test suite's inputs.

    seed-corpora.py SOURCE_ROOT BUILD_DIR OUT_DIR

OUT_DIR/<target>/ gets one file per seed: the .npy and safetensors files of
test/runtime/Inputs/make_tensor_files.py (good and malformed), the fixture
manifests, the fixture module with its sealed manifest (the loader target's
input: a 2-byte little-endian manifest length, the manifest, the module),
the calibration files of test/passes/Inputs, and every .mlir test case
(split at `// -----`) for the pipeline targets. Used by scripts/fuzz.sh and
test/fuzz/smoke.test.
"""
import glob
import os
import shutil
import struct
import subprocess
import sys

MAX_MLIR_SEED = 8192  # bytes; the pipeline targets run with -max_len=8192


def put(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    src, build, out = sys.argv[1:4]
    shutil.rmtree(out, ignore_errors=True)
    tensors = os.path.join(out, "_tensors")
    os.makedirs(tensors)
    subprocess.run([sys.executable,
                    os.path.join(src, "test/runtime/Inputs/make_tensor_files.py"),
                    tensors], check=True)
    for path in sorted(glob.glob(os.path.join(tensors, "*"))):
        name = os.path.basename(path)
        data = open(path, "rb").read()
        if name.endswith(".npy"):
            put(out, "npy", name, data)
        elif name.endswith(".safetensors"):
            put(out, "safetensors", name, data)
    shutil.rmtree(tensors)

    fixtures = os.path.join(build, "runtime/test/fixtures")
    manifests = sorted(glob.glob(os.path.join(fixtures, "*.manifest.json")))
    manifests += sorted(glob.glob(os.path.join(src, "test/runtime/gpu/Inputs/*.manifest.json")))
    for path in manifests:
        put(out, "manifest", os.path.basename(path), open(path, "rb").read())
    for so in sorted(glob.glob(os.path.join(fixtures, "*.so"))):
        manifest = open(so[:-3] + ".manifest.json", "rb").read()
        image = open(so, "rb").read()
        base = os.path.basename(so)
        put(out, "module-loader", base,
            struct.pack("<H", len(manifest)) + manifest + image)
        # The ELF header alone, and the image cut at its program headers.
        put(out, "module-loader", base + ".head",
            struct.pack("<H", len(manifest)) + manifest + image[:64])
        put(out, "module-loader", base + ".phdrs",
            struct.pack("<H", len(manifest)) + manifest + image[:1024])

    for path in sorted(glob.glob(os.path.join(src, "test/passes/Inputs/*calibration*.json"))):
        put(out, "calibration", os.path.basename(path), open(path, "rb").read())

    n = 0
    for path in sorted(glob.glob(os.path.join(src, "test/**/*.mlir"), recursive=True)):
        text = open(path, "rb").read()
        for i, case in enumerate(text.split(b"\n// -----\n")):
            if 0 < len(case) <= MAX_MLIR_SEED and b"func.func" in case:
                name = os.path.relpath(path, src).replace("/", "_") + f".{i}"
                put(out, "pipeline-cpu", name, case)
                put(out, "pipeline-nvptx", name, case)
                n += 1
    # What campaigns found (fuzz/findings/README.md) starts every campaign.
    findings = os.path.join(src, "fuzz/findings")
    for path in sorted(glob.glob(os.path.join(findings, "pipeline-*.mlir"))):
        data = open(path, "rb").read()
        put(out, "pipeline-cpu", "findings_" + os.path.basename(path), data)
        put(out, "pipeline-nvptx", "findings_" + os.path.basename(path), data)
    for path in sorted(glob.glob(os.path.join(findings, "calibration-*.json"))):
        put(out, "calibration", "findings_" + os.path.basename(path),
            open(path, "rb").read())
    for target in sorted(os.listdir(out)):
        print(f"seeds {target}: {len(os.listdir(os.path.join(out, target)))}")


if __name__ == "__main__":
    main()
