"""Checks that the sweep's analysis of a checkpoint with the outliers of
plant_outliers.py finds exactly them:

  check_planted.py RUN/sink_report.json

* residual sink: channel 11 is the largest channel (by max |x|) of every
  norm input, at 300 (the embedding's value, kept by the residual stream
  within 1%), with more than 90% of |x| before the norm and less than 10%
  after it (its norm weight is 1e-3); channels 11, 5 and 20 (the planted
  ones) are the top three of every norm input and recur in all of them;
  the kurtosis is far above a Gaussian's 3;
* attention sink: layer 0 heads 0 and 1 put more than 0.99 of their
  attention on the first token, every other head less than 0.5, so the sink
  rate is 2 of 8 heads.
"""
import json
import sys


def fail(message):
    sys.exit("error: " + message)


def main():
    report = json.load(open(sys.argv[1]))
    norms = report["norms"]
    if len(norms) != 5:
        fail("%d norms, expected 5 (2 layers x 2 + the final norm)" % len(norms))
    for n in norms:
        top = n["top_max_dims"]
        dims = [t["dim"] for t in top]
        if dims[:3] != [11, 5, 20]:
            fail("%s: top channels %s, planted 11, 5, 20" % (n["name"], dims))
        sink = top[0]
        if abs(sink["max_abs"] - 300) > 3:
            fail("%s: max |x| at channel 11 is %g" % (n["name"], sink["max_abs"]))
        if not (sink["input_share"] > 0.9 and sink["output_share"] < 0.1):
            fail("%s: channel 11 holds %g of |x| and %g of |y|" %
                 (n["name"], sink["input_share"], sink["output_share"]))
        if not n["kurtosis"] > 20:
            fail("%s: kurtosis %g" % (n["name"], n["kurtosis"]))
    recurring = {d["dim"]: d["norm_inputs"]
                 for d in report["top_dims_recurrence"]["dims"]}
    for dim in (11, 5, 20):
        if recurring.get(dim) != report["top_dims_recurrence"]["norm_inputs"]:
            fail("channel %d recurs in %s of %d norm inputs" %
                 (dim, recurring.get(dim),
                  report["top_dims_recurrence"]["norm_inputs"]))
    sinks = []
    for layer, a in enumerate(report["attention"]):
        for head, share in enumerate(a["first_token_share"]):
            if share > 0.5:
                sinks.append((layer, head))
                if share <= 0.99:
                    fail("layer %d head %d: share %g" % (layer, head, share))
    if sinks != [(0, 0), (0, 1)]:
        fail("sink heads %s, planted layer 0 heads 0 and 1" % sinks)
    if report["sink_rate"] != 0.25:
        fail("sink rate %g" % report["sink_rate"])
    print("ok: residual sink at channel 11 in %d norm inputs; attention sink "
          "in layer 0 heads 0 and 1" % len(norms))


if __name__ == "__main__":
    main()
