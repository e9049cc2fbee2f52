"""Checks a sweep folder (sweep.test): report.json validates against
docs/schemas/sweep-report.schema.json (with jsonschema, Debian's
python3-jsonschema) and each run's numbers equal its metrics.jsonl,
sink_report.json and quant_report.json; report.md has one table row per
variant; the SVG plots parse, with one polyline per variant, axis labels and
a legend entry per variant.
Usage: check_sweep.py DIR VARIANT...   (the variants in report order)
The sweep must run with --eval-batches 1: its final val_loss is then the
loss of the held-out batch, which the quantization report computes again."""
import json
import math
import os
import sys
import xml.etree.ElementTree as ET

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, os.pardir, "Inputs"))
from safetensors_f32 import read_safetensors  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_reference import Model, read_npy_i32  # noqa: E402

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                      os.pardir, os.pardir, "docs", "schemas",
                      "sweep-report.schema.json")


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def average_ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    ranks = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def spearman(a, b):
    """Spearman's rank correlation (average ranks for ties), None when a or
    b is constant."""
    ra, rb = average_ranks(a), average_ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    sab = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    saa = sum((x - ma) ** 2 for x in ra)
    sbb = sum((y - mb) ** 2 for y in rb)
    if saa == 0 or sbb == 0:
        return None
    return sab / math.sqrt(saa * sbb)


def reference_gates(checkpoint, heldout):
    """Per gated norm, from the float64 reference model on the held-out
    batch: the gate kind, mean gate, and the rank correlations over channels
    and over tokens (docs/sink-report.md, "Gates")."""
    config = json.load(open(os.path.join(checkpoint, "config.json")))
    model = Model(config, read_safetensors(os.path.join(checkpoint, "model.safetensors")))
    seen = {}
    model.gate_observer = lambda name, y, g: seen.setdefault(name, []).append((y, g))
    for window in read_npy_i32(heldout):
        model.sequence_loss(window)
    tensorwise = config.get("norm_gate") == "tensorwise"
    gates = {}
    for name, rows in seen.items():
        d = len(rows[0][0])
        channel_y = [sum(abs(y[c]) for y, _ in rows) / len(rows) for c in range(d)]
        channel_g = [sum(g[c] for _, g in rows) / len(rows) for c in range(d)]
        token_y = [sum(abs(v) for v in y) / d for y, _ in rows]
        token_g = [sum(g) / d for _, g in rows]
        gates[name] = {"gate": "tensorwise" if tensorwise else "elementwise",
                       "mean_gate": sum(token_g) / len(token_g),
                       "channel": None if tensorwise else spearman(channel_y, channel_g),
                       "token": spearman(token_y, token_g)}
    return gates


def mean_of(gates, key):
    """The mean of `key` over the gates that have it (not null), or None."""
    vals = [g[key] for g in gates if g[key] is not None]
    return sum(vals) / len(vals) if vals else None


def gated_variants(report):
    return [v["name"] for v in report["variants"]
            if v["config"].get("norm") == "gatednorm" or v["config"].get("norm_gate", "none") != "none"]


def main():
    out, names = sys.argv[1], sys.argv[2:]
    report = json.load(open(os.path.join(out, "report.json")))
    try:
        jsonschema.validate(report, json.load(open(SCHEMA)),
                            cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as e:
        fail("report.json does not validate: %s at %s" % (e.message, list(e.absolute_path)))
    if report.get("format") != "rescale-sweep-report" or report.get("version") != 1:
        fail("format/version")
    settings = report["settings"]
    for key in ("base_config", "data", "device", "steps", "batch", "seq"):
        if key not in settings:
            fail("settings." + key)
    for key in ("heldout_tokens", "calibration_tokens"):
        if not os.path.exists(settings[key]):
            fail("settings.%s: no file %s" % (key, settings[key]))
    if [v["name"] for v in report["variants"]] != names:
        fail("variants %r" % [v["name"] for v in report["variants"]])
    gates_checked = []
    if report.get("not_measured") != []:
        fail("not_measured: %r" % report.get("not_measured"))
    for v in report["variants"]:
        for key in ("overrides", "config", "runs", "mean_final_val_loss", "mean_final_loss"):
            if key not in v:
                fail(v["name"] + "." + key)
        vals = []
        for run in v["runs"]:
            rows = [json.loads(l) for l in open(os.path.join(run["run"], "metrics.jsonl"))]
            losses = [[r["step"], r["loss"]] for r in rows]
            evals = [[r["step"], r["val_loss"]] for r in rows if "val_loss" in r]
            if run["loss_curve"] != losses or run["val_loss_curve"] != evals:
                fail(v["name"] + ": curves differ from metrics.jsonl")
            if run["final_val_loss"] != evals[-1][1] or run["final_loss"] != losses[-1][1]:
                fail(v["name"] + ": final numbers differ from metrics.jsonl")
            if len(losses) != settings["steps"]:
                fail(v["name"] + ": %d steps" % len(losses))
            if not math.isfinite(run["final_val_loss"]):
                fail(v["name"] + ": val loss not finite")
            vals.append(run["final_val_loss"])
            # The sink numbers are the run's sink_report.json, summarized.
            sinks = json.load(open(os.path.join(run["run"], "sink_report.json")))
            if run["sink_report"] != sinks:
                fail(v["name"] + ": sink_report differs from the run's file")
            shares = [s for a in sinks["attention"] for s in a["first_token_share"]]
            # One attention entry per full-attention layer; linear layers
            # have none, and a model of only those has no share (null).
            full = [i for i, t in enumerate(v["config"]["layer_types"])
                    if t == "full_attention"]
            attention_names = ["model.layers.%d.self_attn" % i for i in full]
            if [a["name"] for a in sinks["attention"]] != attention_names:
                fail(v["name"] + ": attention entries %r, expected %r"
                     % ([a["name"] for a in sinks["attention"]], attention_names))
            if not full:
                if run["first_token_share_mean"] is not None or run["heads_over_half"] is not None:
                    fail(v["name"] + ": a first-token share without softmax attention")
            else:
                if not shares or not all(0.0 <= s <= 1.0 for s in shares):
                    fail(v["name"] + ": first-token shares outside [0, 1]")
                if abs(run["first_token_share_mean"] - sum(shares) / len(shares)) > 1e-12:
                    fail(v["name"] + ": first_token_share_mean")
                if run["heads_over_half"] != sum(s > 0.5 for s in shares) / len(shares):
                    fail(v["name"] + ": heads_over_half")
            peak = max(sinks["norms"], key=lambda n: n["peak_abs"])
            if run["peak_abs"] != peak["peak_abs"] or run["median_abs_at_peak"] != peak["median_abs"]:
                fail(v["name"] + ": peak_abs")
            # The quantized losses are the run's quant_report.json; the
            # full-precision one is the final val loss of the same batch.
            quant = json.load(open(os.path.join(run["run"], "quant_report.json")))
            if run["quantized"] != quant["schemes"] or run["full_precision_loss"] != quant["full_precision_loss"]:
                fail(v["name"] + ": quantized losses differ from quant_report.json")
            for q in quant["schemes"]:
                if q["increase"] != q["loss"] - quant["full_precision_loss"]:
                    fail(v["name"] + ": " + q["scheme"] + " increase")
            if [q["scheme"] for q in quant["schemes"]] != ["w8a8", "w4a4", "fp8", "nvfp4", "mxfp4", "w4a4_smoothquant"]:
                fail(v["name"] + ": schemes %r" % [q["scheme"] for q in quant["schemes"]])
            if abs(quant["full_precision_loss"] - run["final_val_loss"]) > 1e-5 * abs(run["final_val_loss"]):
                fail(v["name"] + ": full-precision loss %r, final val loss %r"
                     % (quant["full_precision_loss"], run["final_val_loss"]))
            # The norm weights at the outlier channels, recomputed from the
            # checkpoint (issue 19): mean |w| at the sink report's top-5
            # input channels over the median |w|, per norm, then the mean.
            tensors = read_safetensors(os.path.join(run["run"], "checkpoint", "model.safetensors"))
            weights = json.load(open(os.path.join(run["run"], "norm_weights.json")))
            if [n["name"] for n in weights["norms"]] != [n["name"] for n in sinks["norms"]]:
                fail(v["name"] + ": norm_weights.json names")
            ratios = []
            for n, entry in zip(sinks["norms"], weights["norms"]):
                w = [abs(x) for x in tensors[n["name"] + ".weight"][1]]
                srt = sorted(w)
                mid = len(srt) // 2
                median = srt[mid] if len(srt) % 2 else 0.5 * (srt[mid - 1] + srt[mid])
                dims = [t["dim"] for t in n["top_max_dims"]]
                if [t["dim"] for t in entry["top_dims"]] != dims:
                    fail(v["name"] + ": " + n["name"] + " top dims")
                ratio = sum(w[d] for d in dims) / len(dims) / median
                if abs(entry["top_to_median"] - ratio) > 1e-9 * ratio or \
                        abs(entry["median_abs_weight"] - median) > 1e-12 * max(1, median):
                    fail(v["name"] + ": " + n["name"] + " weight ratio")
                ratios.append(ratio)
            if abs(run["norm_weight_top5_to_median"] - sum(ratios) / len(ratios)) > 1e-9:
                fail(v["name"] + ": norm_weight_top5_to_median")
            # The gate against the magnitude it rescales (issue 19): the
            # run's means are the sink report's, and each gate's numbers are
            # recomputed by the float64 reference model on the held-out
            # batch. Rank correlations to 0.05 (a near tie between two
            # channel means may order differently in f32; one swap of 32
            # moves it by about 0.02), the mean gate to 1e-4 relative.
            for key in ("channel", "token"):
                expected, got = mean_of(sinks["gates"], key + "_rank_correlation"), run["gate_%s_rank_correlation" % key]
                if (expected is None) != (got is None) or (got is not None and abs(got - expected) > 1e-12):
                    fail(v["name"] + ": gate_%s_rank_correlation %r, the sink report's mean %r" % (key, got, expected))
            ref = reference_gates(os.path.join(run["run"], "checkpoint"), settings["heldout_tokens"])
            if sorted(ref) != sorted(g["name"] for g in sinks["gates"]):
                fail(v["name"] + ": gates %r, the reference has %r"
                     % ([g["name"] for g in sinks["gates"]], sorted(ref)))
            for g in sinks["gates"]:
                r = ref[g["name"]]
                if g["gate"] != r["gate"] or abs(g["mean_gate"] - r["mean_gate"]) > 1e-4 * max(1, abs(r["mean_gate"])):
                    fail(v["name"] + ": " + g["name"] + " gate %r mean %r, reference %r" % (g["gate"], g["mean_gate"], r))
                for key in ("channel", "token"):
                    got, want = g[key + "_rank_correlation"], r[key]
                    if (got is None) != (want is None) or (got is not None and abs(got - want) > 0.05):
                        fail(v["name"] + ": " + g["name"] + " %s rank correlation %r, reference %r" % (key, got, want))
                gates_checked.append(g["name"])
            kurtosis = [n["kurtosis"] for n in sinks["norms"]]
            if run["max_kurtosis"] != max(kurtosis):
                fail(v["name"] + ": max_kurtosis")
            layers = json.load(open(os.path.join(os.path.dirname(run["run"]), "config.json")))["num_hidden_layers"]
            if len(sinks["attention"]) != len(full) or len(sinks["norms"]) != 2 * layers + 1:
                fail(v["name"] + ": %d attentions and %d norms for %d layers"
                     % (len(sinks["attention"]), len(sinks["norms"]), layers))
        if abs(v["mean_final_val_loss"] - sum(vals) / len(vals)) > 1e-9 * abs(v["mean_final_val_loss"]):
            fail(v["name"] + ": mean")
    if gated_variants(report) and not gates_checked:
        fail("no gate was checked, yet a variant has a norm gate")
    heldout = os.path.join(out, "heldout_tokens.npy")
    if not os.path.exists(heldout):
        fail("no heldout_tokens.npy")
    md = open(os.path.join(out, "report.md")).read()
    for claim in ("Explicit rescaling lowers peak activations",
                  "Gates are smaller where |y| is larger",
                  "The norm weight shrinks at the outlier channels",
                  "Gated attention removes the attention sink",
                  "GatedNorm is the most quantization-robust variant",
                  "Outliers are rescale factors, not contributors"):
        if claim not in md:
            fail("report.md has no paragraph on: " + claim)
    for n in names:
        if ("| " + n + " |") not in md:
            fail("report.md has no row for " + n)
    ns = "{http://www.w3.org/2000/svg}"
    hidden = report["variants"][0]["config"]["hidden_size"]
    # Points per polyline (one per variant, in order); the first-token
    # share has one per full-attention layer (none for linear layers).
    full_layers = [sum(t == "full_attention" for t in v["config"]["layer_types"])
                   for v in report["variants"]]
    plots = [("loss_curves.svg", ["optimizer step", "training loss (nats/token)"], [settings["steps"]] * len(names)),
             ("activation_profile.svg", ["hidden channel", "max |x| over held-out tokens (log scale)"], [hidden] * len(names)),
             ("first_token_share.svg", ["layer", "mean first-token share over heads"], full_layers)]
    for name, labels, points in plots:
        svg = ET.parse(os.path.join(out, name)).getroot()
        lines = svg.findall(ns + "polyline")
        if [p.find(ns + "title").text for p in lines] != names:
            fail(name + ": polylines")
        for p, expected in zip(lines, points):
            if len(p.get("points").split()) != expected:
                fail(name + ": %d points, expected %d" % (len(p.get("points").split()), expected))
        texts = [t.text for t in svg.iter(ns + "text")]
        for label in labels + names:
            if label not in texts:
                fail(name + " has no text " + label)
    print("ok: %d variants, report.json matches the runs, report.md and the SVG are complete; %d gates match the float64 reference"
          % (len(names), len(gates_checked)))


if __name__ == "__main__":
    main()
