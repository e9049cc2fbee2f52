"""Float64 reference of rescale-train's decoder (every variant), written from
the formulas of docs/trainer.md and docs/overview.md, not from the builder:
the loss of a checkpoint's parameters on int32 [N, T+1] token windows.
Each layer's attention sublayer is the one its `layer_types` entry names:
`full_attention` (softmax attention, every variant) or `linear_attention`
(Gated DeltaNet, as in Qwen3-Next; Model.linear_attention has the formulas).

  model_reference.py CHECKPOINT_DIR TOKENS.npy [EVAL.json|METRICS.jsonl [REL_TOL]]

Reads CHECKPOINT_DIR/config.json and CHECKPOINT_DIR/model.safetensors (the
format parsed here by hand: an 8-byte little-endian header length, a JSON
header, raw little-endian f32), computes the mean next-token cross-entropy of
tokens[:, :-1] -> tokens[:, 1:] over all N*T predictions in float64, and
prints it. With EVAL.json (rescale-train eval's line) it compares:
|loss - ref| <= REL_TOL * max(1, |ref|) (default 1e-4; the compiled model
computes in f32) and prints "ok: ..." or exits non-zero. With a run's
metrics.jsonl instead, it compares step 1's loss (TOKENS.npy then holds the
first batch, first_batch.py).

Standard library only (no numpy).
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402
from safetensors_f32 import read_safetensors  # noqa: E402


def read_npy_i32(path):
    descr, shape, ids = read_npy(path)
    if descr not in ("<i4", "|i4") or len(shape) != 2:
        sys.exit(f"error: {path}: expected an int32 [N, T+1] .npy, got {descr} {shape}")
    rows, cols = shape
    return [list(ids[r * cols:(r + 1) * cols]) for r in range(rows)]


def matrix(shape_values):
    shape, values = shape_values
    rows, cols = shape
    return [values[r * cols:(r + 1) * cols] for r in range(rows)]


def sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def silu(x):
    return x * sigmoid(x)


def softplus(x):
    """log(1 + eˣ), without overflow for large x."""
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


def l2normalize(x):
    """x / sqrt(Σ x² + 1e-6) (the fla / Qwen3-Next l2norm)."""
    r = 1.0 / math.sqrt(sum(v * v for v in x) + 1e-6)
    return [v * r for v in x]


def matvec(w, x):
    """y = W x for W [out, in] (the PyTorch layout: linear(x) = x Wᵀ)."""
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


class Model:
    def __init__(self, config, tensors):
        self.c = config
        self.t = tensors
        self.D = config["hidden_size"]
        self.H = config["num_attention_heads"]
        self.KV = config["num_key_value_heads"]
        self.hd = config["head_dim"]
        self.eps = config["rms_norm_eps"]
        clip = config["residual_clip"]
        self.clip = None if clip == "none" or clip is None else float(clip)
        # Called as f(norm name, y before the gate, gate) at every gated
        # norm (check_sweep.py's gate correlation).
        self.gate_observer = None

    def vec(self, name):
        return self.t[name][1]

    def mat(self, name):
        return matrix(self.t[name])

    # --- norms (docs/overview.md) ---
    def rms(self, x, w):
        r = 1.0 / math.sqrt(sum(v * v for v in x) / len(x) + self.eps)
        return [wi * xi * r for wi, xi in zip(w, x)]

    def base_norm(self, x, prefix, kind):
        if kind == "rmsnorm":
            return self.rms(x, self.vec(prefix + ".weight"))
        if kind == "none":  # identity, the weight kept
            return [wi * xi for wi, xi in zip(self.vec(prefix + ".weight"), x)]
        if kind == "preaffine":
            u = [s * v for s, v in zip(self.vec(prefix + ".pre_scale"), x)]
            return self.rms(u, self.vec(prefix + ".weight"))
        assert kind == "dyt", kind
        alpha = self.vec(prefix + ".alpha")[0]
        w = self.vec(prefix + ".weight")
        b = self.vec(prefix + ".bias")
        return [wi * math.tanh(alpha * v) + bi for wi, v, bi in zip(w, x, b)]

    def norm(self, x, prefix):
        """The configured norm, then its low-rank gate (§3.4):
        y' = act(gate_up · swish(gate_down · y)) ⊙ y, with one gate per
        element (gate_up [D, r]) or per token (gate_up [1, r]).
        `norm: gatednorm` is rmsnorm with an elementwise gate."""
        kind = self.c["norm"]
        gate = self.c.get("norm_gate", "none")
        if kind == "gatednorm":
            kind, gate = "rmsnorm", "elementwise"
        y = self.base_norm(x, prefix, kind)
        if gate == "none":
            return y
        down = self.mat(prefix + ".gate_down.weight")  # [r, D]
        up = self.mat(prefix + ".gate_up.weight")  # [D, r] or [1, r]
        assert len(up) == (1 if gate == "tensorwise" else len(y)), gate
        h = matvec(down, y)
        sw = [silu(v) for v in h]
        z = matvec(up, sw)
        act = self.c["gatednorm_activation"]
        if act == "sigmoid":
            g = [sigmoid(v) for v in z]
        elif act == "tanh":
            g = [math.tanh(v) for v in z]
        elif act == "silu":
            g = [silu(v) for v in z]
        else:
            assert act == "identity", act
            g = z
        if gate == "tensorwise":
            g = g * len(y)
        if self.gate_observer:
            self.gate_observer(prefix, y, g)
        return [gi * yi for gi, yi in zip(g, y)]

    def residual(self, x, y):
        s = [a + b for a, b in zip(x, y)]
        if self.clip is not None:
            s = [min(max(v, -self.clip), self.clip) for v in s]
        return s

    # --- rotary embedding, Hugging Face Llama (rotate_half) ---
    def rope(self, v, pos):
        half = self.hd // 2
        theta = self.c["rope_theta"]
        out = [0.0] * self.hd
        for i in range(half):
            inv = 1.0 / (theta ** (2.0 * i / self.hd))
            cos, sin = math.cos(pos * inv), math.sin(pos * inv)
            out[i] = v[i] * cos - v[i + half] * sin
            out[i + half] = v[i + half] * cos + v[i] * sin
        return out

    def attention(self, xs, layer):
        """xs: the normalized inputs of one sequence, [T][D]."""
        p = "model.layers.%d.self_attn" % layer
        T, H, KV, hd = len(xs), self.H, self.KV, self.hd
        wq, wk, wv, wo = (self.mat(p + n) for n in
                          (".q_proj.weight", ".k_proj.weight", ".v_proj.weight",
                           ".o_proj.weight"))
        q = [matvec(wq, x) for x in xs]
        k = [matvec(wk, x) for x in xs]
        v = [matvec(wv, x) for x in xs]
        gate_kind = self.c["attn_gate"]
        gate = [matvec(self.mat(p + ".gate_proj.weight"), x) for x in xs] \
            if gate_kind != "none" else None
        softmax = self.c["softmax"]
        sinks = self.vec(p + ".sinks") if softmax == "learned_sink" else None
        scale = 1.0 / math.sqrt(hd)
        outs = [[0.0] * (H * hd) for _ in range(T)]
        for h in range(H):
            kvh = h // (H // KV)
            qh = [self.rope(q[t][h * hd:(h + 1) * hd], t) for t in range(T)]
            kh = [self.rope(k[t][kvh * hd:(kvh + 1) * hd], t) for t in range(T)]
            vh = [v[t][kvh * hd:(kvh + 1) * hd] for t in range(T)]
            for i in range(T):
                s = [scale * sum(a * b for a, b in zip(qh[i], kh[j]))
                     for j in range(i + 1)]
                if softmax == "sigmoid":
                    # Sigmoid attention: σ(s − log T) per key, T the
                    # number of keys (the sequence), no normalization.
                    pr = [sigmoid(x - math.log(T)) for x in s]
                    o = [sum(pr[j] * vh[j][d] for j in range(i + 1))
                         for d in range(hd)]
                    if gate_kind == "headwise":
                        o = [x * sigmoid(gate[i][h]) for x in o]
                    elif gate_kind == "elementwise":
                        o = [x * sigmoid(gate[i][h * hd + d])
                             for d, x in enumerate(o)]
                    outs[i][h * hd:(h + 1) * hd] = o
                    continue
                m = max(s)
                if softmax == "learned_sink":
                    m = max(m, sinks[h])
                if softmax == "off_by_one":
                    m = max(m, 0.0)
                e = [math.exp(x - m) for x in s]
                den = sum(e)
                if softmax == "off_by_one":
                    den += math.exp(-m)  # the implicit logit 0
                elif softmax == "learned_sink":
                    den += math.exp(sinks[h] - m)
                o = [sum(e[j] * vh[j][d] for j in range(i + 1)) / den
                     for d in range(hd)]
                if gate_kind == "headwise":
                    g = sigmoid(gate[i][h])
                    o = [x * g for x in o]
                elif gate_kind == "elementwise":
                    o = [x * sigmoid(gate[i][h * hd + d]) for d, x in enumerate(o)]
                outs[i][h * hd:(h + 1) * hd] = o
        return [matvec(wo, o) for o in outs]

    def linear_attention(self, xs, layer):
        """Gated DeltaNet (Qwen3-Next's linear attention) over the normalized
        inputs of one sequence, xs [T][D]; returns the sublayer's outputs.

        q, k [Hk*dk], v, z [Hv*dv], b, a [Hv] are linear maps of x̂_t. The
        channels [q; k; v] go through a causal depthwise convolution over
        time (kernel K, left zero padding, no bias) and SiLU. Per head
        (contiguous blocks; value head h reads key head h // (Hv/Hk)), q and
        k are L2-normalized and q scaled by 1/sqrt(dk); β = σ(b),
        g = −exp(A_log) · softplus(a + dt_bias). The state S [dk, dv], zero
        at t = 0, follows the gated delta rule
          S ← exp(g_t) S;  S ← S + k_t (β_t (v_t − Sᵀ k_t))ᵀ;  o_t = Sᵀ q_t,
        and each head's o_t is RMS-normalized over dv (rms_norm_eps, weight
        norm.weight) and multiplied by SiLU(z) elementwise; out_proj maps
        the concatenated heads back to D."""
        p = "model.layers.%d.linear_attn" % layer
        c = self.c
        Hk, Hv = c["linear_num_key_heads"], c["linear_num_value_heads"]
        dk, dv = c["linear_key_head_dim"], c["linear_value_head_dim"]
        K = c["linear_conv_kernel_dim"]
        assert Hv % Hk == 0, (Hv, Hk)
        T = len(xs)
        wq, wk, wv, wz, wb, wa, wo = (self.mat(p + n) for n in
                                      (".q_proj.weight", ".k_proj.weight",
                                       ".v_proj.weight", ".z_proj.weight",
                                       ".b_proj.weight", ".a_proj.weight",
                                       ".out_proj.weight"))
        qkv = [matvec(wq, x) + matvec(wk, x) + matvec(wv, x) for x in xs]
        z = [matvec(wz, x) for x in xs]
        b = [matvec(wb, x) for x in xs]
        a = [matvec(wa, x) for x in xs]
        # Causal depthwise convolution: conv[t][ch] =
        # Σ_j w[ch][0][j] · qkv[t − (K−1) + j][ch], negative times being 0.
        C = 2 * Hk * dk + Hv * dv
        shape, w = self.t[p + ".conv1d.weight"]
        assert list(shape) == [C, 1, K], shape
        conv = [[silu(sum(w[ch * K + j] * qkv[t - (K - 1) + j][ch]
                          for j in range(K) if t - (K - 1) + j >= 0))
                 for ch in range(C)] for t in range(T)]
        A = [-math.exp(v) for v in self.vec(p + ".A_log")]
        dt_bias = self.vec(p + ".dt_bias")
        norm_w = self.vec(p + ".norm.weight")
        scale = 1.0 / math.sqrt(dk)
        outs = [[0.0] * (Hv * dv) for _ in range(T)]
        for h in range(Hv):
            kh = h // (Hv // Hk)
            S = [[0.0] * dv for _ in range(dk)]  # [dk][dv]
            for t in range(T):
                qt = [scale * v for v in
                      l2normalize(conv[t][kh * dk:(kh + 1) * dk])]
                kt = l2normalize(
                    conv[t][Hk * dk + kh * dk:Hk * dk + (kh + 1) * dk])
                vt = conv[t][2 * Hk * dk + h * dv:2 * Hk * dk + (h + 1) * dv]
                beta = sigmoid(b[t][h])
                decay = math.exp(A[h] * softplus(a[t][h] + dt_bias[h]))
                S = [[decay * s for s in row] for row in S]
                kv = [sum(S[i][j] * kt[i] for i in range(dk)) for j in range(dv)]
                delta = [beta * (vt[j] - kv[j]) for j in range(dv)]
                S = [[S[i][j] + kt[i] * delta[j] for j in range(dv)]
                     for i in range(dk)]
                o = [sum(S[i][j] * qt[i] for i in range(dk)) for j in range(dv)]
                y = self.rms(o, norm_w)
                zt = z[t][h * dv:(h + 1) * dv]
                outs[t][h * dv:(h + 1) * dv] = [yi * silu(zi)
                                                for yi, zi in zip(y, zt)]
        return [matvec(wo, o) for o in outs]

    def mlp(self, x, layer):
        p = "model.layers.%d.mlp" % layer
        g = matvec(self.mat(p + ".gate_proj.weight"), x)
        u = matvec(self.mat(p + ".up_proj.weight"), x)
        a = [silu(gi) * ui for gi, ui in zip(g, u)]
        return matvec(self.mat(p + ".down_proj.weight"), a)

    def sequence_loss(self, ids):
        """Sum of the next-token cross-entropies of one window [T+1]."""
        emb = self.mat("model.embed_tokens.weight")
        xs = [list(emb[i]) for i in ids[:-1]]
        layers = self.c["num_hidden_layers"]
        types = self.c.get("layer_types") or ["full_attention"] * layers
        for layer in range(layers):
            pre = "model.layers.%d" % layer
            xn = [self.norm(x, pre + ".input_layernorm") for x in xs]
            if types[layer] == "linear_attention":
                a = self.linear_attention(xn, layer)
            else:
                assert types[layer] == "full_attention", types[layer]
                a = self.attention(xn, layer)
            hs = [self.residual(x, y) for x, y in zip(xs, a)]
            hn = [self.norm(h, pre + ".post_attention_layernorm") for h in hs]
            xs = [self.residual(h, self.mlp(n, layer)) for h, n in zip(hs, hn)]
        head = emb if self.c["tie_word_embeddings"] else self.mat("lm_head.weight")
        total = 0.0
        for x, target in zip(xs, ids[1:]):
            logits = matvec(head, self.norm(x, "model.norm"))
            m = max(logits)
            lse = m + math.log(sum(math.exp(l - m) for l in logits))
            total += lse - logits[target]
        return total


def main():
    ckpt = sys.argv[1]
    config = json.load(open(ckpt + "/config.json"))
    tensors = read_safetensors(ckpt + "/model.safetensors")
    windows = read_npy_i32(sys.argv[2])
    model = Model(config, tensors)
    count = sum(len(w) - 1 for w in windows)
    ref = sum(model.sequence_loss(w) for w in windows) / count
    if len(sys.argv) < 4:
        print("%.10f" % ref)
        return
    if sys.argv[3].endswith(".jsonl"):
        # A run's metrics.jsonl: step 1's loss, the loss of the first batch
        # before any update.
        step1 = json.loads(open(sys.argv[3]).readline())
        got = {"loss": step1["loss"], "tokens": count}
    else:
        got = json.loads(open(sys.argv[3]).read())
    tol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-4
    if got["tokens"] != count or abs(got["loss"] - ref) > tol * max(1.0, abs(ref)):
        sys.exit("compiled loss %r over %d tokens, float64 reference %r over %d "
                 "(tolerance %g relative)" % (got["loss"], got["tokens"], ref,
                                              count, tol))
    print("ok: loss %r, reference %.10f, |diff| %.3g" %
          (got["loss"], ref, abs(got["loss"] - ref)))


if __name__ == "__main__":
    main()
