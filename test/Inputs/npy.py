"""Reads and writes .npy files with the standard library only (no numpy),
for the lit scripts that compare rescale-run outputs, so the checks run
wherever lit does.

Not used by test/reference/, which stays independent of everything it checks.
"""
import ast
import os
import struct
import sys

# .npy dtype -> struct format of one element (little-endian data).
FORMATS = {"<f4": "f", "<f8": "d", "<f2": "e", "<i4": "i", "<i8": "q",
           "|i1": "b", "|u1": "B", "|b1": "?", "<i2": "h"}


def read_npy(path):
    """(dtype, shape tuple, flat values) of the .npy file at `path`; one error
    line and exit 1 when it is not a C-order .npy file of a known dtype."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"error: {path} is not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    descr, shape = header["descr"], tuple(header["shape"])
    if header.get("fortran_order"):
        sys.exit(f"error: {path}: Fortran order is not supported")
    if descr not in FORMATS:
        sys.exit(f"error: {path}: dtype {descr} is not supported")
    count = 1
    for d in shape:
        count *= d
    body = data[start + hlen:]
    values = struct.unpack("<%d%s" % (count, FORMATS[descr]),
                           body[:count * struct.calcsize(FORMATS[descr])])
    return descr, shape, values


def write_npy(path, descr, shape, values):
    """Writes `values` (flat, row-major) as a version 1.0 C-order .npy of
    dtype `descr` (a key of FORMATS) and `shape`."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), FORMATS[descr]), *values))


def output_names(directory):
    """The sorted out*.npy file names of a rescale-run output directory; one
    error line and exit 1 when there are none."""
    names = sorted(n for n in os.listdir(directory)
                   if n.startswith("out") and n.endswith(".npy"))
    if not names:
        sys.exit(f"error: no out*.npy in {directory}")
    return names
