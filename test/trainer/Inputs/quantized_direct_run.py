"""The sweep's quantized losses against a direct run of the quantized model
(issue 12): for every scheme in RUN/quant_report.json, quantize the model's
own IR with rescale-opt --rescale-insert-quantization (the report's skip
regex and SmoothQuant alpha; the run's calibration.json for
w4a4_smoothquant), run its eval_loss with rescale-run on the checkpoint's
parameters and the held-out batch, and compare with the report.

  quantized_direct_run.py RUN MODEL.json MODEL.mlir OUTDIR [-O N]

MODEL.mlir is `rescale-train compile --emit mlir` of the variant's config
(train_step and eval_loss, with locations: the linears' names). Tolerance:
|direct - report| <= 1e-6 |report| (the two are compiled separately from the
same ops; in practice they agree to the bit). Standard library only.
"""
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402


def write_npy_f32(path, shape, raw):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
        "".join("%d, " % d for d in shape) if len(shape) != 1 else "%d," % shape[0])
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                header.encode("latin1") + raw)


def main():
    run, model_json, model_mlir, out = sys.argv[1:5]
    opt = sys.argv[5:] or ["-O", "0"]
    os.makedirs(out, exist_ok=True)
    report = json.load(open(os.path.join(run, "quant_report.json")))
    model = json.load(open(model_json))

    ckpt = os.path.join(run, "checkpoint", "model.safetensors")
    data = open(ckpt, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    inputs = []
    for i, p in enumerate(model["parameters"]):
        info = header[p["name"]]
        assert info["dtype"] == "F32" and info["shape"] == p["shape"], p["name"]
        b, e = info["data_offsets"]
        path = os.path.join(out, "p%03d.npy" % i)
        write_npy_f32(path, info["shape"], data[8 + n + b: 8 + n + e])
        inputs += ["--input", path]
    inputs += ["--input", report["heldout_tokens"]]

    worst = 0.0
    for entry in report["schemes"]:
        scheme = entry["scheme"]
        options = "skip=%s smoothquant-alpha=%r" % (report["skip"],
                                                    report["smoothquant_alpha"])
        if scheme == "w4a4_smoothquant":
            options = "scheme=w4a4 calibration=%s %s" % (
                os.path.join(run, "calibration.json"), options)
        else:
            options = "scheme=%s %s" % (scheme, options)
        quantized = os.path.join(out, scheme + ".mlir")
        subprocess.run(["rescale-opt", model_mlir,
                        "--rescale-insert-quantization=" + options,
                        "-o", quantized], check=True,
                       stderr=subprocess.DEVNULL)
        result = os.path.join(out, scheme)
        subprocess.run(["rescale-run", quantized, "--entry", "eval_loss",
                        "--output-dir", result] + opt + inputs, check=True)
        _, shape, values = read_npy(os.path.join(result, "out0.npy"))
        direct, reported = values[0], entry["loss"]
        diff = abs(direct - reported)
        worst = max(worst, diff / abs(reported))
        if diff > 1e-6 * abs(reported):
            sys.exit("%s: direct run %.9g, report %.9g" % (scheme, direct,
                                                          reported))
    print("ok: %d schemes, largest relative difference %.3g" %
          (len(report["schemes"]), worst))


if __name__ == "__main__":
    main()
