#!/usr/bin/env python3
"""Summarizes benchmarks/ab_forward.sh output: per layer, median ms of conv (+ its ReLU/unary and allocate) for A and B,
the step time per run, and B/A ratios.   usage: ab_summary.py DIR"""
import csv, glob, os, statistics, sys
from collections import defaultdict
d = sys.argv[1]
def load(f):
    rows = list(csv.DictReader(open(f)))
    step = float(rows[0]['ms']) / float(rows[0]['percent_step']) * 100
    per = defaultdict(float); conv = 0.0; gf = defaultdict(float)
    for r in rows:
        if r['kernel'] in ('conv3d', 'conv3dRelu', 'conv3dSkipUp'):
            conv += float(r['ms']); gf[r['layer']] += float(r['gflop'])
        if r['pass'] == 'forward' and r['kernel'] in ('conv3d', 'conv3dRelu', 'conv3dSkipUp', 'unary', 'allocate'):
            per[r['layer'] + ' ' + (r['shape'] if r['kernel'].startswith('conv') else '')] += float(r['ms'])
    # merge keys per layer
    lay = defaultdict(float); shape = {}
    for k, v in per.items():
        l, _, s = k.partition(' ')
        lay[l] += v
        if s: shape[l] = s
    return step, conv, lay, shape, gf
runs = {v: [load(f) for f in sorted(glob.glob(os.path.join(d, v + '-*.csv')))] for v in 'AB'}
med = lambda xs: statistics.median(xs)
print('runs A %d, B %d' % (len(runs['A']), len(runs['B'])))
for v in 'AB':
    print(v, 'step ms', ' '.join('%.0f' % r[0] for r in runs[v]), ' conv ms', ' '.join('%.0f' % r[1] for r in runs[v]))
sa, sb = med([r[0] for r in runs['A']]), med([r[0] for r in runs['B']])
print('median step A %.0f ms, B %.0f ms, B/A %.3f' % (sa, sb, sb / sa))
shape = runs['A'][0][3]; gf = runs['A'][0][4]
print('%-8s %-22s %9s %9s %6s %8s %8s' % ('layer', 'conv shape', 'A ms', 'B ms', 'B/A', 'A GF/s', 'B GF/s'))
for l in sorted(shape, key=lambda l: -med([r[2][l] for r in runs['A']])):
    a = med([r[2][l] for r in runs['A']]); b = med([r[2][l] for r in runs['B']])
    print('%-8s %-22s %9.1f %9.1f %6.2f %8.1f %8.1f' % (l, shape[l], a, b, b / a, gf[l] / a * 1e3, gf[l] / b * 1e3))
