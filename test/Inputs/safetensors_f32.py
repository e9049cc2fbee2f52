"""A reader of safetensors files of f32 tensors (what rescale-train writes),
parsed by hand with the standard library: an 8-byte little-endian header
length, a JSON header, raw little-endian data. Shared by the test checkers
(model_reference.py, bigram_reference.py, check_sweep.py), and the writer
of a rewritten checkpoint's checksum (plant_outliers.py,
norm_gate_product.py).
"""
import json
import os
import struct


def read_safetensors(path):
    """name -> (shape, flat list of values), every tensor f32."""
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        count = (e - b) // 4
        values = list(struct.unpack("<%df" % count, data[8 + n + b: 8 + n + e]))
        tensors[name] = (info["shape"], values)
    return tensors


def write_checkpoint_model(checkpoint, data):
    """Replaces CHECKPOINT/model.safetensors by the bytes `data` and records
    their FNV-1a 64 in CHECKPOINT/trainer_state.json, as rescale-train does
    (docs/trainer.md, "Checkpoints"), so that the trainer loads it."""
    open(os.path.join(checkpoint, "model.safetensors"), "wb").write(bytes(data))
    state_path = os.path.join(checkpoint, "trainer_state.json")
    state = json.load(open(state_path))
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    state["files"]["model.safetensors"]["fnv1a64"] = "%016x" % h
    json.dump(state, open(state_path, "w"))
