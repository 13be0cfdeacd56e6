#!/usr/bin/env python3
"""The DeepAnat U-Net step in PyTorch, the reference for `deepanat bench` (same architecture, loss and optimizer).

Per level: Conv3d(k=3, padding=1) + ReLU, twice; MaxPool3d(2) down; nearest Upsample(x2) up; concat(skip, up);
final 3x3x3 Conv3d (padding 1). Loss: masked L1, mean(|pred*mask - target*mask|). Optimizer: Adam, lr 1e-4.
Prints one JSON object like `deepanat bench --json`.

--device cuda runs on the GPU (synchronized before each step's clock stops); there --cudnn-benchmark on|off sets
torch.backends.cudnn.benchmark and --tf32 on|off torch.backends.cudnn.allow_tf32 (PyTorch's default: on for convolutions).
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


class UNet3d(nn.Module):
    def __init__(self, cin, cout, filters, levels):
        super().__init__()
        self.levels = levels
        self.enc = nn.ModuleList()
        self.dec = nn.ModuleList()
        prev = cin
        for l in range(levels):
            f = filters << l
            self.enc.append(self.block(prev, f))
            prev = f
        for l in range(levels - 2, -1, -1):
            f = filters << l
            self.dec.append(self.block(prev + f, f))
            prev = f
        self.out = nn.Conv3d(prev, cout, 3, padding=1)
        self.pool = nn.MaxPool3d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")

    @staticmethod
    def block(cin, cout):
        return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
                             nn.Conv3d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))

    def forward(self, x):
        skips = []
        h = x
        for l in range(self.levels):
            if l > 0:
                h = self.pool(h)
            h = self.enc[l](h)
            skips.append(h)
        for i, l in enumerate(range(self.levels - 2, -1, -1)):
            h = torch.cat([skips[l], self.up(h)], dim=1)
            h = self.dec[i](h)
        return self.out(h)


def forward_flops(cin, filters, levels, s, cout=1):
    flops, prev = 0.0, cin
    for l in range(levels):
        vox, f = (s >> l) ** 3, filters << l
        flops += 2 * vox * 27 * (prev * f + f * f)
        prev = f
    for l in range(levels - 2, -1, -1):
        vox, f = (s >> l) ** 3, filters << l
        flops += 2 * vox * 27 * ((prev + f) * f + f * f)
        prev = f
    return flops + 2 * s ** 3 * 27 * prev * cout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--filters", type=int, default=16)
    p.add_argument("--block", type=int, default=32)
    p.add_argument("--channels", type=int, default=11)
    p.add_argument("--levels", type=int, default=5)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--forward-only", action="store_true")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--cudnn-benchmark", default="off", choices=["on", "off"])
    p.add_argument("--tf32", default="on", choices=["on", "off"])
    a = p.parse_args()
    dev = torch.device(a.device)
    if a.device == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("torch_unet_step: no CUDA device visible to torch")
        torch.backends.cudnn.benchmark = a.cudnn_benchmark == "on"
        torch.backends.cudnn.allow_tf32 = a.tf32 == "on"
        torch.backends.cuda.matmul.allow_tf32 = a.tf32 == "on"
        sync = torch.cuda.synchronize
    else:
        torch.set_num_threads(a.threads)
        sync = lambda: None
    torch.manual_seed(1)
    net = UNet3d(a.channels, 1, a.filters, a.levels).to(dev)
    s = a.block
    x = torch.randn(1, a.channels, s, s, s, device=dev)
    target = torch.randn(1, 1, s, s, s, device=dev)
    mask = (torch.rand(1, 1, s, s, s, device=dev) > 0.1).float()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    times = []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        if a.forward_only:
            with torch.no_grad():
                net(x)
            sync()
        else:
            opt.zero_grad()
            loss = (net(x) * mask - target * mask).abs().mean()
            loss.backward()
            opt.step()
            loss.item()
        dt = time.perf_counter() - t0
        if i > 0:
            times.append(dt)
    flops = forward_flops(a.channels, a.filters, a.levels, s) * (1 if a.forward_only else 3)
    med = statistics.median(times)
    print(json.dumps({
        "engine": "pytorch " + torch.__version__, "device": a.device, "threads": a.threads, "filters": a.filters, "block": s,
        "channels": a.channels, "levels": a.levels, "mode": "forward" if a.forward_only else "train",
        "steps": a.steps, "median_s": med, "min_s": min(times), "gflop": flops / 1e9, "gflops": flops / med / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "cudnn_benchmark": a.cudnn_benchmark if a.device == "cuda" else None,
        "tf32": a.tf32 if a.device == "cuda" else None,
        "cudnn_version": torch.backends.cudnn.version() if a.device == "cuda" else None,
        "peak_device_mb": torch.cuda.max_memory_allocated() / 1048576.0 if a.device == "cuda" else None,
        "times_s": times}))


if __name__ == "__main__":
    main()
