"""Helper of collect-absmax-accumulate.test (standard library only).

collect_absmax_check.py A.json B.json ACC.json
    checks that every channel of ACC is max(A, B) and says how many came
    from B (so that the merge is seen to take from both runs);
collect_absmax_check.py --inf IN.npy OUT.npy
    copies an f32 .npy with its first element set to +inf.
"""
import json
import struct
import sys


def check(a_path, b_path, acc_path):
    a, b, acc = (json.load(open(p))["absmax"] for p in (a_path, b_path, acc_path))
    assert list(a) == list(b) == list(acc), "different linears"
    for name in a:
        pairs = list(zip(a[name], b[name], acc[name]))
        wrong = sum(m != max(x, y) for x, y, m in pairs)
        from_b = sum(y > x for x, y, _ in pairs)
        print(f"{name}: {len(pairs)} channels, max of both runs, {wrong} mismatches, "
              f"{from_b} from the second run")


def poison(src, dst):
    data = bytearray(open(src, "rb").read())
    header_len = struct.unpack("<H", data[8:10])[0]
    start = 10 + header_len
    data[start:start + 4] = struct.pack("<f", float("inf"))
    open(dst, "wb").write(bytes(data))


if sys.argv[1] == "--inf":
    poison(sys.argv[2], sys.argv[3])
else:
    check(*sys.argv[1:4])
