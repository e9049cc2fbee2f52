"""Checks a sweep's stability.json against the runs it names
(sweep-lrs.test), recomputing every field from the runs' own files with the
rules of docs/experiments.md, written here from the docs, not from the code:

  check_stability.py SWEEP_DIR

Prints "ok: N runs" or exits 1 with the first disagreement.
"""
import json
import math
import os
import sys

sweep = sys.argv[1]
report = json.load(open(os.path.join(sweep, "stability.json")))
assert report["format"] == "rescale-sweep-stability", report["format"]


def spikes(losses):
    count, inside = 0, False
    for t in range(10, len(losses)):
        med = sorted(losses[t - 10:t])[5]  # the upper median of 10
        spike = losses[t] > 1.25 * med
        if spike and not inside:
            count += 1
        inside = spike
    return count


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


best = {}
for run in report["runs"]:
    rdir = run["run"]
    metrics = os.path.join(rdir, "metrics.jsonl")
    rows = [json.loads(l) for l in open(metrics)] if os.path.exists(metrics) else []
    losses = [r["loss"] for r in rows]
    vals = [r["val_loss"] for r in rows if "val_loss" in r]
    div_path = os.path.join(rdir, "diverged.json")
    nonfinite = json.load(open(div_path))["step"] if os.path.exists(div_path) else None
    diverged = nonfinite is not None or not losses or not losses[-1] <= losses[0]
    name = "%s lr %g" % (run["variant"], run["lr"])
    if run["steps"] != len(losses):
        fail(name + ": steps")
    if run["diverged"] != diverged:
        fail(name + ": diverged is %s, the runs say %s" % (run["diverged"], diverged))
    if run["non_finite_step"] != nonfinite:
        fail(name + ": non_finite_step")
    if run["spikes"] != spikes(losses):
        fail(name + ": spikes")
    want_val = vals[-1] if vals else None
    got_val = run["final_val_loss"]
    if (want_val is None) != (got_val is None) or \
            (want_val is not None and abs(want_val - got_val) > 1e-9 * max(1, abs(want_val))):
        fail(name + ": final_val_loss")
    if not diverged:
        best[run["variant"]] = max(best.get(run["variant"], 0), run["lr"])
for entry in report["largest_stable_lr"]:
    want = best.get(entry["variant"])
    if entry["largest_stable_lr"] != want:
        fail(entry["variant"] + ": largest_stable_lr %r, want %r" %
             (entry["largest_stable_lr"], want))
print("ok: %d runs" % len(report["runs"]))
