#!/usr/bin/env python3
"""PyTorch side of the hot-path guard (benchmarks/guard.sh): 3x3x3 'same' conv3d at the U-Net's shapes, batch 1,
forward, backward-data (grad of the input) and backward-weight (grad of weight and bias) timed separately with
aten.convolution_backward's output mask, on --device cpu|cuda (cuda: synchronized around each call; --tf32 on|off
sets torch.backends.cudnn.allow_tf32, --cudnn-benchmark on|off torch.backends.cudnn.benchmark).

--shapes cIn-cOut-edge,... (default 48-48-64,16-16-32: f=48 64^3 and f=16 32^3 level 0).
Prints one JSON line per shape and pass: {"key": "conv.48-48-64.forward.fp32", "ms": median of --reps calls, ...}.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def timed(fn, reps, warm, sync):
    for _ in range(warm):
        fn()
    sync()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--shapes", default="48-48-64,16-16-32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--tf32", default="off", choices=["on", "off"])
    ap.add_argument("--cudnn-benchmark", default="on", choices=["on", "off"])
    a = ap.parse_args()
    dev = torch.device(a.device)
    if a.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("torch_conv_passes: no CUDA device visible to torch")
        torch.backends.cudnn.allow_tf32 = a.tf32 == "on"
        torch.backends.cuda.matmul.allow_tf32 = a.tf32 == "on"
        torch.backends.cudnn.benchmark = a.cudnn_benchmark == "on"
        sync = torch.cuda.synchronize
    else:
        torch.set_num_threads(a.threads)
        sync = lambda: None
    precision = "tf32" if a.device == "cuda" and a.tf32 == "on" else "fp32"
    torch.manual_seed(0)
    for shape in a.shapes.split(","):
        ci, co, e = (int(v) for v in shape.split("-"))
        x = torch.randn(1, ci, e, e, e, device=dev)
        w = torch.randn(co, ci, 3, 3, 3, device=dev)
        b = torch.randn(co, device=dev)
        dy = torch.randn(1, co, e, e, e, device=dev)
        args = ([co], [1, 1, 1], [1, 1, 1], [1, 1, 1], False, [0, 0, 0], 1)
        with torch.no_grad():
            passes = {
                "forward": lambda: F.conv3d(x, w, b, padding=1),
                "backwardData": lambda: torch.ops.aten.convolution_backward(dy, x, w, *args, [True, False, False]),
                "backwardWeight": lambda: torch.ops.aten.convolution_backward(dy, x, w, *args, [False, True, True]),
            }
            for name, fn in passes.items():
                ms = timed(fn, a.reps, a.warm, sync)
                print(json.dumps({"key": f"conv.{shape}.{name}.{precision}", "ms": ms, "engine": "pytorch " + torch.__version__,
                                  "device": a.device, "cudnn_benchmark": a.cudnn_benchmark, "gflop": 2 * ci * co * 27 * e ** 3 / 1e9}),
                      flush=True)


if __name__ == "__main__":
    main()
