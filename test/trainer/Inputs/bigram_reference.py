"""Float64 reference for the bigram TEST FIXTURE (bigram_train.mlir).

Written from the formulas, not from the trainer's code, with the Python
standard library only (Python floats are IEEE float64):
  * the trainer's random numbers as docs/trainer.md specifies them
    (xoshiro256** seeded by splitmix64, Box-Muller normals, Fisher-Yates
    shuffles with rejection sampling), to reproduce the initial parameters
    and the order of training windows;
  * the bigram model: logits of the token after token i are row i of W;
    loss = mean next-token cross-entropy;
  * torch.nn.utils.clip_grad_norm_ and torch.optim.AdamW (decoupled weight
    decay, bias correction), and the warmup + cosine learning rate.

Usage: bigram_reference.py RUN_DIR DATA_FILE key=value...
Checks RUN_DIR/metrics.jsonl (loss, lr, grad_norm, val_loss) and the
parameters of RUN_DIR/checkpoint against the reference; prints "ok" and the
largest errors, or fails with the first mismatch.
"""
import json
import math
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from safetensors_f32 import read_safetensors  # noqa: E402

M64 = (1 << 64) - 1
V, B, T = 256, 4, 8


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


class Rng:
    def __init__(self, seed, stream):
        x = (seed ^ (stream * 0xD1B54A32D192ED03)) & M64
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def uniform(self):
        return (self.next() >> 11) * 2.0**-53

    def normal(self):
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def below(self, n):
        limit = M64 - M64 % n
        while True:
            x = self.next()
            if x < limit:
                return x % n


def batches(tokens, train_count, seed):
    rng = Rng(seed, 2)
    nwin = (train_count - 1) // T
    while True:
        order = list(range(nwin))
        for i in range(nwin, 1, -1):
            j = rng.below(i)
            order[i - 1], order[j] = order[j], order[i - 1]
        for w in order:
            yield tokens[w * T: w * T + T + 1]


def forward(W, rows):
    """Mean cross-entropy and d loss / d W (as {row: [V]})."""
    n = len(rows) * T
    loss, grad = 0.0, {}
    for row in rows:
        for t in range(T):
            cur, nxt = row[t], row[t + 1]
            logits = W[cur]
            mx = max(logits)
            ex = [math.exp(x - mx) for x in logits]
            se = sum(ex)
            loss += math.log(se) + mx - logits[nxt]
            g = grad.setdefault(cur, [0.0] * V)
            for j in range(V):
                g[j] += (ex[j] / se - (1.0 if j == nxt else 0.0)) / n
    return loss / n, grad


def lr_at(step, a):
    if step <= a["warmup"]:
        return a["lr"] * step / a["warmup"]
    progress = (step - a["warmup"]) / max(1, a["steps"] - a["warmup"])
    return a["min_lr"] + 0.5 * (a["lr"] - a["min_lr"]) * (1 + math.cos(math.pi * progress))


def close(a, b, rtol, atol=0.0):
    return abs(a - b) <= atol + rtol * abs(b)


def main():
    run_dir, data_file = sys.argv[1], sys.argv[2]
    a = dict(steps=20, lr=1e-2, min_lr=None, warmup=None, seed=1337, wd=0.1,
             clip=1.0, beta1=0.9, beta2=0.95, eps=1e-8, val_fraction=0.1,
             eval_every=100, eval_batches=8)
    for kv in sys.argv[3:]:
        k, v = kv.split("=")
        a[k] = float(v) if k not in ("steps", "warmup", "seed", "eval_every", "eval_batches") else int(v)
    if a["min_lr"] is None:
        a["min_lr"] = a["lr"] / 10
    if a["warmup"] is None:
        a["warmup"] = max(1, a["steps"] // 20)

    tokens = list(open(data_file, "rb").read())
    val_count = int(len(tokens) * a["val_fraction"])
    train_count = len(tokens) - val_count
    val_batches = min(a["eval_batches"], ((val_count - 1) // T) // B)

    init = Rng(a["seed"], 1)
    W = [[f32(0.02 * init.normal()) for _ in range(V)] for _ in range(V)]
    m = [[0.0] * V for _ in range(V)]
    v = [[0.0] * V for _ in range(V)]
    stream = batches(tokens, train_count, a["seed"])
    h = {k: f32(a[k]) for k in ("beta1", "beta2", "eps", "wd", "clip")}

    metrics = [json.loads(line) for line in open(run_dir + "/metrics.jsonl")]
    if [r["step"] for r in metrics] != list(range(1, a["steps"] + 1)):
        sys.exit("metrics.jsonl steps are %s" % [r["step"] for r in metrics])
    worst = {"loss": 0.0, "grad_norm": 0.0, "val_loss": 0.0, "param": 0.0}
    for step in range(1, a["steps"] + 1):
        rows = [next(stream) for _ in range(B)]
        loss, grad = forward(W, rows)
        norm = math.sqrt(sum(x * x for g in grad.values() for x in g))
        lr = f32(lr_at(step, a))
        r = metrics[step - 1]
        for key, want, tol in (("loss", loss, 1e-5), ("grad_norm", norm, 1e-5)):
            if not close(r[key], want, tol):
                sys.exit("step %d: %s %r, reference %r" % (step, key, r[key], want))
            worst[key] = max(worst[key], abs(r[key] - want) / abs(want))
        if not close(r["lr"], lr, 1e-7):
            sys.exit("step %d: lr %r, reference %r" % (step, r["lr"], lr))
        scale = min(1.0, h["clip"] / (norm + 1e-6)) if h["clip"] > 0 else 1.0
        bc1 = 1 - h["beta1"] ** step
        bc2 = 1 - h["beta2"] ** step
        for i in range(V):
            g = grad.get(i)
            Wi, mi, vi = W[i], m[i], v[i]
            for j in range(V):
                gj = g[j] * scale if g else 0.0
                Wi[j] *= 1 - lr * h["wd"]
                mi[j] = h["beta1"] * mi[j] + (1 - h["beta1"]) * gj
                vi[j] = h["beta2"] * vi[j] + (1 - h["beta2"]) * gj * gj
                Wi[j] -= lr / bc1 * mi[j] / (math.sqrt(vi[j]) / math.sqrt(bc2) + h["eps"])
        if step % a["eval_every"] == 0 or step == a["steps"]:
            total = 0.0
            for k in range(val_batches):
                rows = [tokens[train_count + (k * B + b) * T: train_count + (k * B + b) * T + T + 1]
                        for b in range(B)]
                total += forward(W, rows)[0]
            want = total / val_batches
            if "val_loss" not in r or not close(r["val_loss"], want, 1e-5):
                sys.exit("step %d: val_loss %r, reference %r" % (step, r.get("val_loss"), want))
            worst["val_loss"] = max(worst["val_loss"], abs(r["val_loss"] - want) / want)
        elif "val_loss" in r:
            sys.exit("step %d: unexpected val_loss" % step)

    got = read_safetensors(run_dir + "/checkpoint/model.safetensors")["model.embed_tokens.weight"][1]
    for i in range(V):
        for j in range(V):
            err = abs(got[i * V + j] - W[i][j])
            worst["param"] = max(worst["param"], err)
            if err > 2e-6 + 1e-5 * abs(W[i][j]):
                sys.exit("W[%d][%d] = %r, reference %r" % (i, j, got[i * V + j], W[i][j]))
    print("ok: %d steps; worst relative error loss %.2g grad_norm %.2g val_loss %.2g; "
          "worst absolute parameter error %.2g" % (a["steps"], worst["loss"], worst["grad_norm"],
                                                    worst["val_loss"], worst["param"]))


if __name__ == "__main__":
    main()
