"""float64 reference for the first-token probability and output shares of
instrument-sinks.test's @causal_learned_sink, written from the formulas of
docs/sink-report.md (not from the lowering):

  p[i, j]  = exp(s_ij) / (exp(sink_h) + sum_{j' <= i} exp(s_ij'))   j <= i
  s_ij     = q_i . k_j / sqrt(D),  k and v at kv head h // (Hq / Hkv)
  mass     = mean_i p[i, 0]
  output   = mean_i |t_i| / (|t_i| + |o_i - t_i|),  t_i = p[i, 0] v_0,
             o_i = sum_j p[i, j] v_j  (Euclidean norms over the value dim)

  first_token_output_share_ref.py DIR REPORT.json
DIR holds in0.npy .. in3.npy (q [1, Hq, S, D], k, v [1, Hkv, T, D], sinks
[Hq]); checks both shares of every head against REPORT.json within 1e-5
(the program computes in f32) and prints them. Standard library only.
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from npy import read_npy  # noqa: E402


def tensor(path):
    _, shape, values = read_npy(path)
    return shape, values


def main():
    d, report_path = sys.argv[1], sys.argv[2]
    (_, hq, s_len, dim), q = tensor(os.path.join(d, "in0.npy"))
    (_, hkv, t_len, _), k = tensor(os.path.join(d, "in1.npy"))
    (_, _, _, dv), v = tensor(os.path.join(d, "in2.npy"))
    _, sinks = tensor(os.path.join(d, "in3.npy"))
    group = hq // hkv

    def q_at(h, i):
        return q[(h * s_len + i) * dim:(h * s_len + i + 1) * dim]

    def kv_at(x, h, j, width):
        return x[((h // group) * t_len + j) * width:((h // group) * t_len + j + 1) * width]

    mass, out = [], []
    for h in range(hq):
        m_sum, o_sum = 0.0, 0.0
        for i in range(s_len):
            last = i + (t_len - s_len)  # causal: keys j <= last
            scores = [sum(a * b for a, b in zip(q_at(h, i), kv_at(k, h, j, dim))) / math.sqrt(dim)
                      for j in range(last + 1)]
            den = math.exp(sinks[h]) + sum(math.exp(x) for x in scores)
            p = [math.exp(x) / den for x in scores]
            o = [sum(p[j] * kv_at(v, h, j, dv)[c] for j in range(last + 1)) for c in range(dv)]
            t = [p[0] * kv_at(v, h, 0, dv)[c] for c in range(dv)]
            tn = math.sqrt(sum(x * x for x in t))
            rn = math.sqrt(sum((a - b) ** 2 for a, b in zip(o, t)))
            m_sum += p[0]
            o_sum += tn / (tn + rn) if tn + rn > 0 else 0.0
        mass.append(m_sum / s_len)
        out.append(o_sum / s_len)
    attention = json.load(open(report_path))["attention"][0]
    for name, ref in (("first_token_share", mass), ("first_token_output_share", out)):
        got = attention[name]
        for h, (a, b) in enumerate(zip(got, ref)):
            if abs(a - b) > 1e-5:
                sys.exit("%s[%d]: report %.9g, float64 reference %.9g" % (name, h, a, b))
    print("ok: first_token_share %s" % " ".join("%.6f" % x for x in mass))
    print("ok: first_token_output_share %s" % " ".join("%.6f" % x for x in out))


if __name__ == "__main__":
    main()
