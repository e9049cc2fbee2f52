"""Writes .npy and .safetensors files for the runtime's lit tests.

Uses only the Python standard library, following the published formats
(numpy's NEP 1 .npy layout and the safetensors header spec), so these files
check the C++ readers against an independent writer.
"""
import json
import struct
import sys


def npy(descr, shape, payload, header_len=None):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    n = len(header) if header_len is None else header_len
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", n) + header.encode() + payload


def safetensors(entries, data, metadata=None, header_len=None):
    header = dict(entries)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    n = len(text) if header_len is None else header_len
    return struct.pack("<Q", n) + text + data


def main(out):
    def write(name, blob):
        with open(out + "/" + name, "wb") as f:
            f.write(blob)

    f32 = struct.pack("<6f", 0.5, -1.0, 2.0, 3.25, -4.0, 100.0)
    write("x.npy", npy("<f4", [2, 3], f32))
    write("i64.npy", npy("<i8", [3], struct.pack("<3q", -7, 0, 1 << 40)))
    write("truncated.npy", npy("<f4", [2, 3], f32)[:40])
    write("short-data.npy", npy("<f4", [2, 3], f32[:20]))
    write("complex.npy", npy("<c8", [3], b"\0" * 24))

    bf16 = struct.pack("<3H", 0x3F80, 0xC000, 0x3FC0)  # 1, -2, 1.5
    fp4 = bytes([0x71, 0x0F])  # codes 1,7,15,0: 0.5, 6, -6, 0
    ok_entries = {
        "w": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
        "q": {"dtype": "U8", "shape": [2], "data_offsets": [6, 8]},
        "s": {"dtype": "F8_E4M3", "shape": [1], "data_offsets": [8, 9]},
    }
    data = bf16 + fp4 + bytes([0x38])  # e4m3 0x38 = 1.0
    write("model.safetensors", safetensors(ok_entries, data, {"format": "pt"}))
    write("lying-length.safetensors",
          safetensors(ok_entries, data, header_len=1 << 20))
    write("truncated.safetensors", safetensors(ok_entries, data)[:30])
    write("unknown-dtype.safetensors", safetensors(
        {"w": {"dtype": "F6_E3M2", "shape": [3], "data_offsets": [0, 3]}}, data))
    write("overlap.safetensors", safetensors({
        "a": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]},
        "b": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}}, data))
    write("out-of-range.safetensors", safetensors(
        {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, data))


if __name__ == "__main__":
    main(sys.argv[1])
