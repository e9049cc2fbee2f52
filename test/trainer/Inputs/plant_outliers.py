"""Plants a residual sink and an attention sink in a checkpoint of
tiny_config.json (hidden 32, 4 query heads of dim 8, 2 kv heads, rmsnorm),
so that the sweep's analyses must find exactly them (docs/experiments.md):

  plant_outliers.py CHECKPOINT_DIR HELDOUT.npy

* Residual sink: channel C = 11 of every embedding row is 300 (the other
  entries are O(0.02)), so it is the largest channel of every norm input;
  every norm's weight at C is 1e-3, so after the norm it is almost nothing
  (the paper's collapsed norm weight at the sink channel).
* Attention sink in layer 0, query heads 0 and 1 (kv head 0): the held-out
  rows start with token A = 0, which appears nowhere else in them; A's
  embedding has channel S = 5 at 100. Key dim 3 of kv head 0 reads only S
  (weight 1000), query dim 3 of heads 0 and 1 reads only channel Q = 20,
  which every embedding row has at 3. Dim 3 (and its rotary partner 7) is
  the slowest RoPE pair (angle 0.001 per position), so every query's score
  on key 0 is about 3e4 and on any other key O(1): p[i, 0] ~ 1.

Standard library only; rewrites model.safetensors (and its checksum in
trainer_state.json) and HELDOUT.npy in place.
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from safetensors_f32 import write_checkpoint_model  # noqa: E402

C, S, Q, A = 11, 5, 20, 0
HIDDEN, HEAD_DIM, HEADS, KV_HEADS = 32, 8, 4, 2


def main():
    ckpt, heldout = sys.argv[1], sys.argv[2]
    path = os.path.join(ckpt, "model.safetensors")
    data = bytearray(open(path, "rb").read())
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(bytes(data[8:8 + n]))
    base = 8 + n

    def tensor(name):
        info = header[name]
        assert info["dtype"] == "F32", name
        return info["shape"], base + info["data_offsets"][0]

    def put(name, index, value):
        shape, offset = tensor(name)
        flat = 0
        for i, d in zip(index, shape):
            assert 0 <= i < d, (name, index, shape)
            flat = flat * d + i
        struct.pack_into("<f", data, offset + 4 * flat, value)

    (vocab, hidden), _ = tensor("model.embed_tokens.weight")
    assert hidden == HIDDEN, hidden
    for t in range(vocab):
        put("model.embed_tokens.weight", (t, C), 300.0)
        put("model.embed_tokens.weight", (t, Q), 3.0)
        put("model.embed_tokens.weight", (t, S), 100.0 if t == A else 0.0)
    norms = [name for name in header
             if name.endswith("layernorm.weight") or name == "model.norm.weight"]
    for name in norms:
        put(name, (C,), 1e-3)
    attn = "model.layers.0.self_attn."
    for dim in (3, 3 + HEAD_DIM // 2):  # the slowest rotary pair
        for c in range(HIDDEN):
            put(attn + "k_proj.weight", (dim, c), 1000.0 if (dim, c) == (3, S) else 0.0)
            for head in (0, 1):
                put(attn + "q_proj.weight", (head * HEAD_DIM + dim, c),
                    1000.0 if (dim, c) == (3, Q) else 0.0)
    write_checkpoint_model(ckpt, data)

    raw = bytearray(open(heldout, "rb").read())
    assert raw[:6] == b"\x93NUMPY" and raw[6] == 1
    hlen = struct.unpack("<H", raw[8:10])[0]
    head = raw[10:10 + hlen].decode("latin1")
    assert "'<i4'" in head, head
    shape = eval(head[head.index("(") : head.index(")") + 1])  # noqa: S307
    rows, cols = shape
    start = 10 + hlen
    for r in range(rows):
        for col in range(cols):
            offset = start + 4 * (r * cols + col)
            value = struct.unpack_from("<i", raw, offset)[0]
            if col == 0:
                value = A
            elif value == A:
                value = 32
            struct.pack_into("<i", raw, offset, value)
    open(heldout, "wb").write(bytes(raw))
    print("planted: channel %d, sink token %d in layer 0 heads 0 and 1" % (C, A))


if __name__ == "__main__":
    main()
