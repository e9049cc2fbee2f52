"""Writes the windows of a run's first training batch, as rescale-train draws
them (docs/trainer.md, "Data"), as an int32 [B, T+1] .npy: the batch order
is bigram_reference.py's reimplementation of the trainer's generator.

  first_batch.py TEXT BATCH SEQ OUT.npy [seed=1337] [val_fraction=0.1]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bigram_reference as ref  # noqa: E402

text, B, T, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
opts = dict(kv.split("=") for kv in sys.argv[5:])
seed = int(opts.get("seed", 1337))
val_fraction = float(opts.get("val_fraction", 0.1))
tokens = list(open(text, "rb").read())
train_count = len(tokens) - int(len(tokens) * val_fraction)
ref.T = T  # batches() reads the module's window length
stream = ref.batches(tokens, train_count, seed)
ids = [t for _ in range(B) for t in next(stream)]
header = "{'descr': '<i4', 'fortran_order': False, 'shape': (%d, %d), }" % (B, T + 1)
header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
open(out, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) +
                      header.encode() + struct.pack("<%di" % len(ids), *ids))
