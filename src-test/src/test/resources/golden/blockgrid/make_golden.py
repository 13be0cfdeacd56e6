#!/usr/bin/python3
"""Golden block starts for BlockGridTest: the original DeepAnat rule computed with numpy.

Per axis, for a brain bounding box [lo, hi], block edge B and pad:
    n = ceil((hi - lo + 1) / B) + pad;  starts = np.round(np.linspace(lo, hi - B + 1, n))
(np.round rounds half to even). Only boxes at least one block wide: narrower ones are where DeepAnat-J deliberately
differs (it centres one block and zero-pads), tested by hand. Run: /usr/bin/python3 make_golden.py
"""
import json

import numpy as np

rng = np.random.default_rng(7)
cases = []
# Hand-picked ties (x.5 after linspace) so half-to-even rounding is exercised, then random boxes.
for lo, hi, b, pad in [(0, 20, 16, 1), (1, 21, 16, 1), (0, 37, 16, 5), (3, 70, 32, 1), (5, 20, 16, 1), (0, 100, 16, 5)]:
    cases.append((lo, hi, b, pad))
for _ in range(200):
    b = int(rng.choice([8, 16, 24, 32, 48, 64]))
    lo = int(rng.integers(0, 40))
    hi = lo + b - 1 + int(rng.integers(0, 150))
    cases.append((lo, hi, b, int(rng.choice([1, 5]))))
out = []
for lo, hi, b, pad in cases:
    n = int(np.ceil((hi - lo + 1) / b)) + pad
    starts = np.round(np.linspace(lo, hi - b + 1, n)).astype(int).tolist()
    out.append({"lo": lo, "hi": hi, "block": b, "pad": pad, "starts": starts})
with open("starts.json", "w") as f:
    json.dump({"numpy": np.__version__, "cases": out}, f)
print(len(out), "cases written")
