"""write_ids_npy.py OUT ROWS COLS V...: an int32 .npy of shape [ROWS, COLS]
holding the given values (standard library only)."""
import struct
import sys

out, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
values = [int(v) for v in sys.argv[4:]]
assert len(values) == rows * cols
header = "{'descr': '<i4', 'fortran_order': False, 'shape': (%d, %d), }" % (
    rows, cols)
header += " " * (63 - len(header) % 64) + "\n"
with open(out, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode("latin1"))
    f.write(struct.pack("<%di" % len(values), *values))
