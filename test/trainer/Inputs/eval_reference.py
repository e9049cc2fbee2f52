"""Float64 eval loss of the bigram TEST FIXTURE: mean next-token
cross-entropy of the parameters in a model.safetensors on int32 [N, T+1]
windows in a .npy; compares with rescale-train eval's JSON line.

  eval_reference.py MODEL.safetensors TOKENS.npy EVAL.json
"""
import ast
import json
import math
import struct
import sys

V = 256
st = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", st[:8])[0]
info = json.loads(st[8:8 + n])["model.embed_tokens.weight"]
b, e = info["data_offsets"]
W = struct.unpack("<%df" % (V * V), st[8 + n + b: 8 + n + e])

npy = open(sys.argv[2], "rb").read()
hlen = struct.unpack("<H", npy[8:10])[0]
header = ast.literal_eval(npy[10:10 + hlen].decode())
rows, cols = header["shape"]
ids = struct.unpack("<%di" % (rows * cols), npy[10 + hlen:])

total = 0.0
for r in range(rows):
    for t in range(cols - 1):
        cur, nxt = ids[r * cols + t], ids[r * cols + t + 1]
        logits = W[cur * V:(cur + 1) * V]
        mx = max(logits)
        total += math.log(sum(math.exp(x - mx) for x in logits)) + mx - logits[nxt]
want = total / (rows * (cols - 1))
got = json.loads(open(sys.argv[3]).read())
if abs(got["loss"] - want) > 1e-5 * want or got["tokens"] != rows * (cols - 1):
    sys.exit("eval %r, reference loss %r over %d tokens" % (got, want, rows * (cols - 1)))
print("ok: loss %r, reference %r" % (got["loss"], want))
