"""A reader of safetensors files of f32 tensors (what rescale-train writes),
parsed by hand with the standard library: an 8-byte little-endian header
length, a JSON header, raw little-endian data. Shared by the test checkers
(model_reference.py, bigram_reference.py, check_sweep.py).
"""
import json
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
