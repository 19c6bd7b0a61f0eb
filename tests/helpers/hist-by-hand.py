#!/usr/bin/env python3
"""Merges the latency histograms of result files by hand (independently of hpcbench's
C code) and prints what a test compares with `hpcbench merge`:

    hist-by-hand.py KEY Q FILE...   -> the nearest-rank Q-th percentile (in us, 3
                                       decimals) of the sum of FILE's KEY histograms
    hist-by-hand.py --buckets KEY FILE...  -> the summed buckets, one "value count" a line

Percentile: the value of rank ceil(Q/100 * N) in sorted order, reported as the upper
edge of its bucket and never above the exact maximum (docs/load.md).
"""
import json
import math
import sys


def summed(key, files):
    buckets, total, mx = {}, 0, 0
    for f in files:
        h = json.load(open(f))[key]["histogram"]
        for v, c in h["buckets"]:
            buckets[v] = buckets.get(v, 0) + c
        total += h["total"]
        mx = max(mx, h["max"])
    return buckets, total, mx


def main():
    if sys.argv[1] == "--buckets":
        b, _, _ = summed(sys.argv[2], sys.argv[3:])
        for v in sorted(b):
            print(v, b[v])
        return
    key, q, files = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    b, total, mx = summed(key, files)
    rank = max(1, math.ceil(q / 100 * total))
    seen = 0
    for v in sorted(b):
        seen += b[v]
        if seen >= rank:
            print("%.3f" % (min(v, mx) / 1e3))
            return
    print("%.3f" % (mx / 1e3))


main()
