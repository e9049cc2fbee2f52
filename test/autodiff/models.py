"""Float64 models of the gradient-check losses, written from the formulas
(docs/overview.md, arXiv 2601.22966), independent of the compiler: plain
Python floats and loops, no code shared with dialect/ or conversion/.

Each CASES entry: `loss(inputs) -> float` over the inputs in the entry's
argument order (Tensor: shape + flat row-major data), `diff`: the indices of
the differentiable arguments (the order of the gradients), `aux`: how many
auxiliary outputs come between the loss and the gradients.
"""
import itertools
import math


class Tensor:
    def __init__(self, shape, data):
        self.shape = list(shape)
        self.data = data

    def index(self, idx):
        flat = 0
        for i, d in zip(idx, self.shape):
            flat = flat * d + i
        return flat

    def __getitem__(self, idx):
        return self.data[self.index(idx)]


def indices(shape):
    return itertools.product(*[range(d) for d in shape])


def weighted_sum(values, r):
    """Σ r ⊙ values over flat lists."""
    return sum(v * w for v, w in zip(values, r.data))


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# ---------------------------------------------------------------------------
# Upstream ops (Inputs/upstream.mlir)
# ---------------------------------------------------------------------------

def elementwise(ins):
    x, y, i, _unused, r = ins
    out = []
    for xv, yv, iv in zip(x.data, y.data, i.data):
        s = xv + yv
        m = s * xv
        ey = math.exp(yv)
        t = math.tanh(m / ey)
        mx = max(t, -xv)
        mn = min(mx, math.sqrt(ey))
        d = mn - 1.0 / math.sqrt(ey)
        f = d * math.erf(xv) + yv
        sel = f if xv > yv else s
        out.append(sel * (iv + 1.0))
    return weighted_sum(out, r)


def matmul(a, b, m, k, n, a_off=0, b_off=0):
    return [sum(a[a_off + i * k + kk] * b[b_off + kk * n + j] for kk in range(k))
            for i in range(m) for j in range(n)]


def linalg_ops(ins):
    x, w, b, c, ba, bb, r = ins
    h = matmul(x.data, w.data, 3, 4, 5)
    g = [[math.tanh((h[i * 5 + j] + b.data[j]) * b.data[j] + c.data[i])
          for j in range(5)] for i in range(3)]
    sq = [sum(g[i][j] ** 2 for i in range(3)) for j in range(5)]
    bms = 0.0
    for batch in range(2):
        bm = matmul(ba.data, bb.data, 3, 4, 2, batch * 12, batch * 8)
        bms += sum(v * v for v in bm)
    return bms + sum(sq[j] * r.data[j] for j in range(5))


def tensor_ops(ins):
    x, y, u, r = ins
    c = x.data  # expand [2,2,3] then collapse [4,3]: the same row-major data
    s = [c[(1 + i) * 3 + j] * u.data[i * 3 + j] for i in range(2) for j in range(3)]
    row = [c[3 * 3 + j] for j in range(3)]
    m = list(y.data)
    for i in range(2):
        for j in range(3):
            m[(1 + i) * 3 + j] = s[i * 3 + j]
    for j in range(3):
        m[j] = row[j]
    cat = [v * v for v in m] + list(u.data)
    return weighted_sum(cat, r)


# ---------------------------------------------------------------------------
# Rescale ops (Inputs/rescale-ops.mlir), from docs/overview.md
# ---------------------------------------------------------------------------

def rows(x):
    d = x.shape[-1]
    return [x.data[i:i + d] for i in range(0, len(x.data), d)]


def rms_row(u, w, eps):
    """weight ⊙ u / sqrt(mean(u²) + ε)."""
    inv = 1.0 / math.sqrt(sum(v * v for v in u) / len(u) + eps)
    return [wk * v * inv for wk, v in zip(w, u)]


def rms_norm(x, w, eps=1e-5):
    return [v for row in rows(x) for v in rms_row(row, w.data, eps)]


def case_rms_norm(ins):
    x, w, r = ins
    return weighted_sum(rms_norm(x, w), r)


def case_preaffine(ins):
    x, s, w, r = ins
    out = []
    for row in rows(x):
        u = [sk * v for sk, v in zip(s.data, row)]  # λ₁ before the statistic
        out += rms_row(u, w.data, 1e-5)
    return weighted_sum(out, r)


def case_add_rms_norm(ins):
    x, res, w, r1, r = ins
    total = 0.0
    for xr, rr, r1r, rw in zip(rows(x), rows(res), rows(r1), rows(r)):
        s = [a + b for a, b in zip(xr, rr)]
        y = rms_row(s, w.data, 1e-5)
        total += sum((a + b * c) * w for a, b, c, w in zip(y, s, r1r, rw))
    return total


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "silu": lambda z: z * sigmoid(z),
    "identity": lambda z: z,
}


def gated_norm(act):
    """GatedNorm (§3.4): y = rms_norm(x, w); h = y·W_down; g = act(swish(h)·W_up);
    out = g ⊙ y (W_up [r, 1]: one gate per row)."""
    f = ACTIVATIONS[act]

    def loss(ins):
        x, w, wd, wu, r = ins
        d, rank = wd.shape
        cols = wu.shape[1]
        out = []
        for row in rows(x):
            y = rms_row(row, w.data, 1e-5)
            h = [sum(y[k] * wd.data[k * rank + j] for k in range(d))
                 for j in range(rank)]
            s = [v * sigmoid(v) for v in h]
            g = [f(sum(s[j] * wu.data[j * cols + c] for j in range(rank)))
                 for c in range(cols)]
            out += [(g[k] if cols > 1 else g[0]) * y[k] for k in range(d)]
        return weighted_sum(out, r)
    return loss


def linear(with_bias):
    def loss(ins):
        if with_bias:
            x, w, b, r = ins
        else:
            x, w, r = ins
            b = None
        n, k = w.shape
        out = []
        for row in rows(x):
            for o in range(n):
                v = sum(row[c] * w.data[o * k + c] for c in range(k))
                out.append(v + (b.data[o] if b else 0.0))
        return weighted_sum(out, r)
    return loss


def case_dyt(ins):
    x, alpha, w, b, r = ins
    a = alpha.data[0]
    out = [w.data[k] * math.tanh(a * v) + b.data[k]
           for row in rows(x) for k, v in enumerate(row)]
    return weighted_sum(out, r)


def case_clip(ins):
    x, r = ins
    return weighted_sum([min(max(v, -0.7), 0.7) for v in x.data], r)


def fake_quant_int8_per_token(x):
    out = []
    for row in rows(x):
        amax = max(abs(v) for v in row)
        s = amax / 127.0 if amax > 0 else 1.0
        out += [max(-128.0, min(127.0, float(round(v / s)))) * s for v in row]
    return out


def case_fake_quant(ins):
    x, r = ins
    return weighted_sum(fake_quant_int8_per_token(x), r)


def case_fake_quant_ste(ins):
    """The straight-through estimator's surrogate: d fake_quant(x)/dx := 1."""
    x, r = ins
    return weighted_sum(x.data, r)


def attention(causal=False, scale=None, softmax="standard", gate=None):
    """softmax(scale·q·kᵀ [causal: j <= i + T - S]) · v, the softmax kinds of
    docs/overview.md (off_by_one: 1 + Σ; learned_sink: exp(sink[h]) + Σ;
    sigmoid: σ(s − log T) per key, no normalization),
    GQA (query head h reads kv head h // (Hq/Hkv)), then ⊙ σ(gate)."""
    def loss(ins):
        q, k, v = ins[:3]
        rest = ins[3:-1]
        r = ins[-1]
        g = rest[0] if gate else None
        sinks = rest[-1] if softmax == "learned_sink" else None
        B, Hq, S, D = q.shape
        _, Hkv, T, _ = k.shape
        Dv = v.shape[3]
        sc = scale if scale is not None else 1.0 / math.sqrt(D)
        total = 0.0
        for b in range(B):
            for h in range(Hq):
                kh = h // (Hq // Hkv)
                for i in range(S):
                    keys = [j for j in range(T) if not causal or j <= i + T - S]
                    scores = {j: sc * sum(q[b, h, i, c] * k[b, kh, j, c]
                                          for c in range(D)) for j in keys}
                    if softmax == "sigmoid":
                        # No normalization: σ(s − log T) per key, den 1.
                        e = {j: sigmoid(s - math.log(T)) for j, s in scores.items()}
                        den = 1.0
                    else:
                        e = {j: math.exp(s) for j, s in scores.items()}
                        den = sum(e.values())
                    if softmax == "off_by_one":
                        den += 1.0
                    elif softmax == "learned_sink":
                        den += math.exp(sinks.data[h])
                    for c in range(Dv):
                        o = sum(e[j] / den * v[b, kh, j, c] for j in keys) if keys else 0.0
                        if gate == "headwise":
                            o *= sigmoid(g[b, h, i])
                        elif gate == "elementwise":
                            o *= sigmoid(g[b, h, i, c])
                        total += o * r[b, h, i, c]
        return total
    return loss



# ---------------------------------------------------------------------------
# A two-layer decoder (Inputs/decoder.mlir)
# ---------------------------------------------------------------------------

def gated_row(row, w, wd, wu, eps=1e-5):
    """GatedNorm of one row (§3.4), W_up [r, d]."""
    d, rank = wd.shape
    y = rms_row(row, w.data, eps)
    h = [sum(y[k] * wd.data[k * rank + j] for k in range(d)) for j in range(rank)]
    s = [v * sigmoid(v) for v in h]
    return [sigmoid(sum(s[j] * wu.data[j * d + k] for j in range(rank))) * y[k]
            for k in range(d)]


def linear_rows(xs, w, b=None):
    n, k = w.shape
    return [[sum(row[c] * w.data[o * k + c] for c in range(k))
             + (b.data[o] if b else 0.0) for o in range(n)] for row in xs]


def causal_gated_attention(qs, ks, vs, gs, hq, hkv, dh):
    """Rows [S, H·dh] in, [S, Hq·dh] out: standard causal softmax (S = T),
    GQA, headwise gate σ(g[i, h])."""
    seq = len(qs)
    out = [[0.0] * (hq * dh) for _ in range(seq)]
    for h in range(hq):
        kh = h // (hq // hkv)
        for i in range(seq):
            e = [math.exp(sum(qs[i][h * dh + c] * ks[j][kh * dh + c]
                              for c in range(dh)) / math.sqrt(dh))
                 for j in range(i + 1)]
            den = sum(e)
            for c in range(dh):
                o = sum(e[j] / den * vs[j][kh * dh + c] for j in range(i + 1))
                out[i][h * dh + c] = o * sigmoid(gs[i][h])
    return out


def decoder_layer(xs, norm, wq, wk, wv, wg, wo, ln2, w1, b1, w2):
    hq, dh = wg.shape[0], wq.shape[0] // wg.shape[0]
    hkv = wk.shape[0] // dh
    hs = [norm(row) for row in xs]
    att = causal_gated_attention(linear_rows(hs, wq), linear_rows(hs, wk),
                                 linear_rows(hs, wv), linear_rows(hs, wg),
                                 hq, hkv, dh)
    a = linear_rows(att, wo)
    s = [[u + v for u, v in zip(ar, xr)] for ar, xr in zip(a, xs)]
    n = [rms_row(row, ln2.data, 1e-5) for row in s]
    u = linear_rows(n, w1, b1)
    m = linear_rows([[v * sigmoid(v) for v in row] for row in u], w2)
    return [[p + q for p, q in zip(sr, mr)] for sr, mr in zip(s, m)]


def decoder_loss(ins):
    x = rows(ins[0])
    pre, ln1 = ins[1], ins[2]
    x1 = decoder_layer(
        x, lambda row: rms_row([p * v for p, v in zip(pre.data, row)],
                               ln1.data, 1e-5), *ins[3:12])
    ln1b, wd, wu = ins[12], ins[13], ins[14]
    x2 = decoder_layer(x1, lambda row: gated_row(row, ln1b, wd, wu),
                       *ins[15:24])
    y = [v for row in x2 for v in rms_row(row, ins[24].data, 1e-5)]
    return weighted_sum(y, ins[25])


# ----------------------------------------------------------------------------
# The training ops (Inputs/training.mlir), from their formulas
# (dialect/RescaleTrainingOps.td): ids, targets and positions arrive as
# floats holding integers.

def embedding_values(ids, table):
    """y[n, :] = table[ids[n], :], a zero row for an id outside [0, V)."""
    v, d = table.shape
    out = []
    for i in (int(x) for x in ids.data):
        out += table.data[i * d:(i + 1) * d] if 0 <= i < v else [0.0] * d
    return out


def case_embedding(ins):
    ids, table, r = ins
    return weighted_sum(embedding_values(ids, table), r)


def cross_entropy(ignore_index=-100, z_loss=0.0):
    """Mean over counted rows (target != ignore_index, 0 <= target < V) of
    lse − logits[target] + z·lse²; 0 when no row is counted."""
    def loss(ins):
        logits, targets = ins
        total, count = 0.0, 0
        for row, t in zip(rows(logits), (int(x) for x in targets.data)):
            if t == ignore_index or not 0 <= t < len(row):
                continue
            m = max(row)
            lse = m + math.log(sum(math.exp(x - m) for x in row))
            total += lse - row[t] + z_loss * lse * lse
            count += 1
        return total / count if count else 0.0
    return loss


def rope(theta=10000.0, offset=0, inverse=False):
    """Hugging Face Llama's rotary embedding of x [B, H, S, D]:
    y = x·cos(pos·f) + rotate_half(x)·sin(pos·f), f_i = theta^(−2i/D),
    rotate_half(x) = cat(−x[D/2:], x[:D/2]); positions from an [S] or [B, S]
    input, else s + offset; `inverse` negates the angle."""
    def loss(ins):
        x, r = ins[0], ins[-1]
        pos = ins[1] if len(ins) == 3 else None
        b, h, s, d = x.shape
        half = d // 2
        y = []
        for bi, hi, si in indices([b, h, s]):
            if pos is None:
                p = si + offset
            elif len(pos.shape) == 1:
                p = pos.data[si]
            else:
                p = pos[(bi, si)]
            base = x.index((bi, hi, si, 0))
            row = x.data[base:base + d]
            rot = [-v for v in row[half:]] + row[:half]
            for k in range(d):
                angle = p * theta ** (-2.0 * (k % half) / d)
                sin = -math.sin(angle) if inverse else math.sin(angle)
                y.append(row[k] * math.cos(angle) + rot[k] * sin)
        return weighted_sum(y, r)
    return loss


def rope_row(row, pos, dh, theta=10000.0):
    """Hugging Face rope of each dh-wide head of one token row at `pos`."""
    half, out = dh // 2, []
    for base in range(0, len(row), dh):
        x = row[base:base + dh]
        rot = [-v for v in x[half:]] + x[:half]
        for k in range(dh):
            angle = pos * theta ** (-2.0 * (k % half) / dh)
            out.append(x[k] * math.cos(angle) + rot[k] * math.sin(angle))
    return out


def causal_sink_attention(qs, ks, vs, gs, sinks, hq, hkv, dh):
    """Rows in, rows out: causal GQA softmax with a learned sink per head,
    p_j = exp(s_j) / (exp(sink_h) + Σ_j exp(s_j)) (GPT-OSS), then the
    headwise gate σ(g[i, h])."""
    seq = len(qs)
    out = [[0.0] * (hq * dh) for _ in range(seq)]
    for h in range(hq):
        kh = h // (hq // hkv)
        for i in range(seq):
            e = [math.exp(sum(qs[i][h * dh + c] * ks[j][kh * dh + c]
                              for c in range(dh)) / math.sqrt(dh))
                 for j in range(i + 1)]
            den = math.exp(sinks.data[h]) + sum(e)
            for c in range(dh):
                o = sum(e[j] / den * vs[j][kh * dh + c] for j in range(i + 1))
                out[i][h * dh + c] = o * sigmoid(gs[i][h])
    return out


def decoder_lm_layer(xs, norm, wq, wk, wv, wg, sinks, wo, ln2, wgate, wup,
                     wdown):
    hq = wg.shape[0]
    dh = wq.shape[0] // hq
    hkv = wk.shape[0] // dh
    hs = [norm(row) for row in xs]
    qs = [rope_row(row, i, dh) for i, row in enumerate(linear_rows(hs, wq))]
    ks = [rope_row(row, i, dh) for i, row in enumerate(linear_rows(hs, wk))]
    att = causal_sink_attention(qs, ks, linear_rows(hs, wv),
                                linear_rows(hs, wg), sinks, hq, hkv, dh)
    a = linear_rows(att, wo)
    s = [[u + v for u, v in zip(ar, xr)] for ar, xr in zip(a, xs)]
    n = [rms_row(row, ln2.data, 1e-5) for row in s]
    glu = [[g * sigmoid(g) * u for g, u in zip(gr, ur)]
           for gr, ur in zip(linear_rows(n, wgate), linear_rows(n, wup))]
    m = linear_rows(glu, wdown)
    return [[p + q for p, q in zip(sr, mr)] for sr, mr in zip(s, m)]


def decoder_lm_loss(ins):
    """Inputs/decoder-ce.mlir: embedding, two layers, final RMSNorm, the tied
    head logits = y·tableᵀ, cross-entropy with z_loss = 1e-2."""
    ids, targets, table = ins[0], ins[1], ins[2]
    hidden = table.shape[1]
    emb = embedding_values(ids, table)
    x = [emb[i:i + hidden] for i in range(0, len(emb), hidden)]
    pre, ln1 = ins[3], ins[4]
    x1 = decoder_lm_layer(
        x, lambda row: rms_row([p * v for p, v in zip(pre.data, row)],
                               ln1.data, 1e-5), *ins[5:15])
    ln1b, wd, wu = ins[15], ins[16], ins[17]
    x2 = decoder_lm_layer(x1, lambda row: gated_row(row, ln1b, wd, wu),
                          *ins[18:28])
    y = [rms_row(row, ins[28].data, 1e-5) for row in x2]
    logits = linear_rows(y, table)
    flat = Tensor([len(logits), table.shape[0]], [v for r in logits for v in r])
    return cross_entropy(z_loss=1e-2)([flat, targets])



# ---------------------------------------------------------------------------
# The gated delta rule (Inputs/gated-delta-rule.mlir): the token recurrence
# of gated_delta_rule.py (float64, from the op's definition)
# ---------------------------------------------------------------------------

def gated_delta_rule_output(q, k, v, g, beta):
    import gated_delta_rule
    B, T, Hk, dk = q.shape
    Hv, dv = v.shape[2], v.shape[3]
    dims = (B, T, Hk, Hv, dk, dv)
    return gated_delta_rule.reference(dims, q.data, k.data, v.data, g.data,
                                      beta.data, None, want_grads=False)[0]


def case_gdr(ins):
    q, k, v, g, beta, r = ins
    return weighted_sum(gated_delta_rule_output(q, k, v, g, beta), r)


def case_gdr_chunks(ins):
    q, k, v, graw, braw, r = ins
    dk = k.shape[3]
    w = 0.577350269
    kn = []
    for row in rows(k):
        kn += rms_row(row, [w] * dk, 1e-6)
    g = [-0.1 * x * x for x in graw.data]
    beta = [0.3 * x for x in braw.data]
    o = gated_delta_rule_output(q, Tensor(k.shape, kn), v,
                                Tensor(graw.shape, g), Tensor(braw.shape, beta))
    return weighted_sum(o, r)

CASES = {
    "elementwise": {"loss": elementwise, "diff": [0, 1, 3]},
    "linalg_ops": {"loss": linalg_ops, "diff": [0, 1, 2, 3, 4, 5], "aux": 1},
    "tensor_ops": {"loss": tensor_ops, "diff": [0, 1, 2]},
    "rms_norm": {"loss": case_rms_norm, "diff": [0, 1]},
    "preaffine_rms_norm": {"loss": case_preaffine, "diff": [0, 1, 2]},
    "add_rms_norm": {"loss": case_add_rms_norm, "diff": [0, 1, 2]},
    "gated_norm_sigmoid": {"loss": gated_norm("sigmoid"), "diff": [0, 1, 2, 3]},
    "gated_norm_tanh": {"loss": gated_norm("tanh"), "diff": [0, 1, 2, 3]},
    "gated_norm_silu": {"loss": gated_norm("silu"), "diff": [0, 1, 2, 3]},
    "gated_norm_identity": {"loss": gated_norm("identity"), "diff": [0, 1, 2, 3]},
    "gated_norm_tensorwise": {"loss": gated_norm("sigmoid"), "diff": [0, 1, 2, 3]},
    "linear_bias": {"loss": linear(True), "diff": [0, 1, 2]},
    "linear": {"loss": linear(False), "diff": [0, 1]},
    "dyt": {"loss": case_dyt, "diff": [0, 1, 2, 3]},
    "dyt_scalar_alpha": {"loss": case_dyt, "diff": [0, 1, 2, 3]},
    "clip": {"loss": case_clip, "diff": [0]},
    # fake_quant: the loss is the real int8 per-token round trip; the
    # gradient is the straight-through estimator's, defined, not derived.
    "fake_quant": {"value": case_fake_quant, "loss": case_fake_quant_ste,
                   "diff": [0]},
    "attention": {"loss": attention(), "diff": [0, 1, 2]},
    "attention_causal": {"loss": attention(causal=True), "diff": [0, 1, 2]},
    "attention_gqa_offbyone_headwise": {
        "loss": attention(causal=True, scale=0.3, softmax="off_by_one",
                          gate="headwise"),
        "diff": [0, 1, 2, 3]},
    "attention_sink_elementwise": {
        "loss": attention(causal=True, softmax="learned_sink",
                          gate="elementwise"),
        "diff": [0, 1, 2, 3, 4]},
    "attention_causal_empty_rows": {
        "loss": attention(causal=True, gate="elementwise"),
        "diff": [0, 1, 2, 3]},
    "gdr_loss": {"loss": case_gdr, "diff": [0, 1, 2, 3, 4]},
    "gdr_chunks_loss": {"loss": case_gdr_chunks, "diff": [0, 1, 2, 3, 4]},
    "attention_sink": {"loss": attention(softmax="learned_sink"),
                       "diff": [0, 1, 2, 3]},
    "attention_sigmoid": {"loss": attention(softmax="sigmoid"),
                          "diff": [0, 1, 2]},
    "attention_sigmoid_causal_gqa_headwise": {
        "loss": attention(causal=True, scale=0.7, softmax="sigmoid",
                          gate="headwise"),
        "diff": [0, 1, 2, 3]},
    "decoder": {"loss": decoder_loss, "diff": list(range(25))},
    "embedding": {"loss": case_embedding, "diff": [1]},
    "decoder_lm": {"loss": decoder_lm_loss, "diff": list(range(2, 29))},
    "cross_entropy": {"loss": cross_entropy(ignore_index=2, z_loss=1e-2),
                      "diff": [0]},
    "cross_entropy_i64": {"loss": cross_entropy(), "diff": [0]},
    "rope_offset": {"loss": rope(theta=100.0, offset=3), "diff": [0]},
    "rope_positions": {"loss": rope(), "diff": [0]},
    "rope_inverse_batch_positions": {"loss": rope(theta=50.0, inverse=True),
                                     "diff": [0]},
    "embedding_i64_f16": {"loss": case_embedding, "diff": [1], "dtype": "f16"},
    "cross_entropy_bf16": {"loss": cross_entropy(ignore_index=1, z_loss=0.1),
                           "diff": [0], "dtype": "bf16"},
    "rope_bf16": {"loss": rope(offset=1), "diff": [0], "dtype": "bf16"},
}

# The narrow-type variants (Inputs/rescale-ops-narrow.mlir): the same
# formulas; the dtype picks gradcheck.py's tolerance.
NARROW = {
    "rms_norm_bf16": ("rms_norm", "bf16"),
    "preaffine_rms_norm_f16": ("preaffine_rms_norm", "f16"),
    "gated_norm_sigmoid_bf16": ("gated_norm_sigmoid", "bf16"),
    "linear_bias_bf16": ("linear_bias", "bf16"),
    "dyt_f16": ("dyt", "f16"),
    "attention_sink_elementwise_bf16": ("attention_sink_elementwise", "bf16"),
    "attention_gqa_offbyone_headwise_f16": ("attention_gqa_offbyone_headwise",
                                            "f16"),
    "add_rms_norm_f16": ("add_rms_norm", "f16"),
    "clip_bf16": ("clip", "bf16"),
    "fake_quant_f16": ("fake_quant", "f16"),
}
# The other narrow type of each (Inputs/*.mlir: the same functions with f16
# and bf16 swapped).
NARROW.update({
    "rms_norm_f16": (NARROW["rms_norm_bf16"][0], "f16"),
    "preaffine_rms_norm_bf16": (NARROW["preaffine_rms_norm_f16"][0], "bf16"),
    "gated_norm_sigmoid_f16": (NARROW["gated_norm_sigmoid_bf16"][0], "f16"),
    "linear_bias_f16": (NARROW["linear_bias_bf16"][0], "f16"),
    "dyt_bf16": (NARROW["dyt_f16"][0], "bf16"),
    "add_rms_norm_bf16": (NARROW["add_rms_norm_f16"][0], "bf16"),
    "clip_f16": (NARROW["clip_bf16"][0], "f16"),
    "fake_quant_bf16": (NARROW["fake_quant_f16"][0], "bf16"),
})
for _name, (_base, _dtype) in NARROW.items():
    CASES[_name] = dict(CASES[_base], dtype=_dtype)
CASES["embedding_i64_bf16"] = dict(CASES["embedding_i64_f16"], dtype="bf16")
CASES["cross_entropy_f16"] = dict(CASES["cross_entropy_bf16"], dtype="f16")
CASES["rope_f16"] = dict(CASES["rope_bf16"], dtype="f16")
