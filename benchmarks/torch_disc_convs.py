#!/usr/bin/env python3
"""PyTorch side of DiscConvBench: the SRGAN discriminator's 3x3 conv2d layers on 64x64 slices, batch n (default 10),
forward, backward-data (grad of the input) and backward-weight (grad of weight and bias), timed separately with
aten.convolution_backward's output mask, at 2 threads by default.

Keras 'same' padding: stride 1 pads 1 on each side; stride 2 on even sizes pads 0 before and 1 after, which PyTorch's
conv2d cannot express, so the input is padded once beforehand (F.pad, not timed) and the conv runs with padding 0.
Prints one line per layer and pass (the fastest of --reps calls after warm-up, in ms) and the totals.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

LAYERS = [(1, 64, 64, 1), (64, 64, 64, 2), (64, 128, 32, 1), (128, 128, 32, 2), (128, 256, 16, 1), (256, 256, 16, 2),
          (256, 512, 8, 1), (512, 512, 8, 2)]


def timed(fn, reps, warm):
    for _ in range(warm):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts) * 1e3  # min: robust to other load on a shared machine


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warm", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    total = {"forward": 0.0, "backwardData": 0.0, "backwardWeight": 0.0}
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, n {a.n}, mkldnn {torch.backends.mkldnn.is_available()}")
    print(f"{'shape':<14} {'forward':>9} {'bwdData':>9} {'bwdWeight':>10}  (ms)")
    for ci, co, e, s in LAYERS:
        o = (e + s - 1) // s
        tot = max(0, (o - 1) * s + 3 - e)
        before, after = tot // 2, tot - tot // 2
        x = F.pad(torch.randn(a.n, ci, e, e), (before, after, before, after))
        w = torch.randn(co, ci, 3, 3)
        b = torch.randn(co)
        y = F.conv2d(x, w, b, stride=s)
        assert y.shape[-1] == o, y.shape
        dy = torch.randn_like(y)
        args = ([co], [s, s], [0, 0], [1, 1], False, [0, 0], 1)
        with torch.no_grad():
            f = timed(lambda: F.conv2d(x, w, b, stride=s), a.reps, a.warm)
            bd = timed(lambda: torch.ops.aten.convolution_backward(dy, x, w, *args, [True, False, False]), a.reps, a.warm)
            bw = timed(lambda: torch.ops.aten.convolution_backward(dy, x, w, *args, [False, True, True]), a.reps, a.warm)
        total["forward"] += f
        total["backwardData"] += bd
        total["backwardWeight"] += bw
        print(f"{ci}-{co}-{e}-{s:<5} {f:9.2f} {bd:9.2f} {bw:10.2f}")
    print(f"{'total':<14} {total['forward']:9.2f} {total['backwardData']:9.2f} {total['backwardWeight']:10.2f}"
          f"  all {sum(total.values()):.2f} ms")


if __name__ == "__main__":
    main()
