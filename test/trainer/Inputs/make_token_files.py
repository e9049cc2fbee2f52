"""Writes token files for the trainer's lit tests, with the standard library
only (numpy's .npy 1.0 layout, NEP 1), so the trainer's readers are checked
against an independent writer.

  make_token_files.py TEXT OUTDIR
writes OUTDIR/u8.npy, u16.npy, i32.npy (the text's bytes as 1-D token arrays
of those dtypes), f32.npy (a dtype token ids cannot have), rank2.npy,
big.npy (an int32 id past a 256 vocabulary), and eval.npy / eval-odd.npy
(int32 [8, 9] and [6, 9] windows of the text for rescale-train eval, batch 4,
seq 8).
"""
import struct
import sys


def npy(descr, shape, payload):
    shape_text = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload


def main():
    text = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    n = len(text)
    files = {
        "u8.npy": npy("|u1", (n,), bytes(text)),
        "u16.npy": npy("<u2", (n,), struct.pack("<%dH" % n, *text)),
        "i32.npy": npy("<i4", (n,), struct.pack("<%di" % n, *text)),
        "f32.npy": npy("<f4", (n,), struct.pack("<%df" % n, *text)),
        "rank2.npy": npy("<i4", (2, n // 2), struct.pack("<%di" % (n // 2 * 2), *text[: n // 2 * 2])),
        "big.npy": npy("<i4", (4,), struct.pack("<4i", 1, 2, 300, 4)),
    }
    for name, rows in (("eval.npy", 8), ("eval-odd.npy", 6)):
        ids = []
        for r in range(rows):
            ids += list(text[r * 8: r * 8 + 9])
        files[name] = npy("<i4", (rows, 9), struct.pack("<%di" % len(ids), *ids))
    for name, data in files.items():
        open(out + "/" + name, "wb").write(data)


main()
