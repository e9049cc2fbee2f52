"""Checks that a run's final validation loss is well below the unigram
entropy of its data: the model learned more than byte frequencies.

  below_unigram.py TEXT METRICS.jsonl MARGIN

The unigram entropy H = -sum p(b) ln p(b) over the bytes of TEXT (nats, the
unit of the cross-entropy); passes when val_loss < H - MARGIN.
"""
import json
import math
import sys
from collections import Counter

text = open(sys.argv[1], "rb").read()
counts = Counter(text)
n = len(text)
entropy = -sum(c / n * math.log(c / n) for c in counts.values())
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
val = [l["val_loss"] for l in lines if "val_loss" in l]
margin = float(sys.argv[3])
first = lines[0]["loss"]
if not val or not val[-1] < entropy - margin:
    sys.exit("final val_loss %r is not below the unigram entropy %.4f - %g "
             "(first loss %.4f)" % (val[-1] if val else None, entropy, margin, first))
print("ok: val_loss %.4f < unigram entropy %.4f - %g (first loss %.4f, %d steps)"
      % (val[-1], entropy, margin, first, len(lines)))
