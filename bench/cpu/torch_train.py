"""PyTorch eager baseline of bench/cpu/train.sh: the same Llama-style decoder
as rescale-train's builder (RMSNorm, RoPE, causal GQA attention, SwiGLU, no
biases), trained with torch.optim.AdamW + clip_grad_norm_ on the same byte
windows. Prints the median tokens/s over the timed steps.

  torch_train.py CONFIG.json TEXT BATCH SEQ STEPS
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

cfg = json.load(open(sys.argv[1]))
text = open(sys.argv[2], "rb").read()
B, T, steps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(0)
torch.set_num_threads(int(torch.get_num_threads()))
D, L, H = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
KV, F_, V = cfg["num_key_value_heads"], cfg["intermediate_size"], cfg["vocab_size"]
hd = D // H


def rms(x, w, eps=1e-6):
    return w * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


def rope(x):
    inv = 1.0 / (10000.0 ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.arange(T).float()[:, None] * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)
    sin = torch.cat([ang.sin(), ang.sin()], -1)
    x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def p(*shape, ones=False):
    t = torch.ones(shape) if ones else torch.randn(shape) * 0.02
    return torch.nn.Parameter(t)


params = {"emb": p(V, D), "norm": p(D, ones=True), "head": p(V, D)}
for i in range(L):
    params.update({f"{i}.ln1": p(D, ones=True), f"{i}.q": p(H * hd, D),
                   f"{i}.k": p(KV * hd, D), f"{i}.v": p(KV * hd, D),
                   f"{i}.o": p(D, H * hd), f"{i}.ln2": p(D, ones=True),
                   f"{i}.g": p(F_, D), f"{i}.u": p(F_, D), f"{i}.d": p(D, F_)})


causal = torch.ones(T, T, dtype=torch.bool).triu(1)


def loss_fn(tokens):
    x = params["emb"][tokens[:, :-1]]
    for i in range(L):
        n = rms(x, params[f"{i}.ln1"])
        q = rope((n @ params[f"{i}.q"].T).view(B, T, H, hd).transpose(1, 2))
        k = rope((n @ params[f"{i}.k"].T).view(B, T, KV, hd).transpose(1, 2))
        v = (n @ params[f"{i}.v"].T).view(B, T, KV, hd).transpose(1, 2)
        k = k.repeat_interleave(H // KV, 1)
        v = v.repeat_interleave(H // KV, 1)
        # Written out: Debian's torch 1.13 has no scaled_dot_product_attention.
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(causal, float("-inf"))
        o = torch.softmax(s, -1) @ v
        x = x + o.transpose(1, 2).reshape(B, T, H * hd) @ params[f"{i}.o"].T
        n = rms(x, params[f"{i}.ln2"])
        x = x + (F.silu(n @ params[f"{i}.g"].T) * (n @ params[f"{i}.u"].T)) @ params[f"{i}.d"].T
    logits = rms(x, params["norm"]) @ params["head"].T
    return F.cross_entropy(logits.reshape(-1, V), tokens[:, 1:].reshape(-1))


decay = [t for t in params.values() if t.dim() >= 2]
no_decay = [t for t in params.values() if t.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                         {"params": no_decay, "weight_decay": 0.0}],
                        lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
data = torch.tensor(list(text), dtype=torch.long)
windows = (len(data) - 1) // T
rates = []
for step in range(steps):
    idx = torch.randint(0, windows, (B,))
    tokens = torch.stack([data[i * T: i * T + T + 1] for i in idx])
    t0 = time.perf_counter()
    loss = loss_fn(tokens)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
    opt.step()
    dt = time.perf_counter() - t0
    if step >= 3:  # warm-up steps excluded
        rates.append(B * T / dt)
print("torch eager: loss %.4f, median %.0f tokens/s (threads %d, torch %s)"
      % (loss.item(), statistics.median(rates), torch.get_num_threads(),
         torch.__version__))
