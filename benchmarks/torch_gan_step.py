#!/usr/bin/env python3
"""One DeepAnat hybrid-GAN step in PyTorch, the reference for `deepanat bench --gan` (the same work, the same model).

Generator: the U-Net of torch_unet_step.py. Discriminator: SRGAN's, as DeepAnat-J's model/Discriminator.java:
conv3x3 64 s1 + LeakyReLU(0.2); then conv3x3 (64,s2) (128,s1) (128,s2) (256,s1) (256,s2) (512,s1) (512,s2), each
+ BatchNorm2d + LeakyReLU(0.2); flatten -> Linear 1024 -> LeakyReLU(0.2) -> Linear 1 -> sigmoid; convs without bias,
spectral norm on every conv and linear layer; Keras 'same' padding (stride 2 pads only after, as F.pad does here).

One step on a b^3 block (random data, every slice informative): the generator's inference forward; the 3b generated
slices (x mask) and 3b real ones; the discriminator trained --d-epochs passes over those 6b slices, shuffled, in
batches of --d-batch (BCE, Adam lr 3e-4); then one generator step on masked L1 + 1e-3 x BCE(D(slices of G(x) x mask), 1)
with the discriminator frozen (Adam lr 1e-4). Prints one JSON object like `deepanat bench --gan --json`.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_unet_step import UNet3d  # noqa: E402


class SameConv(nn.Module):
    """3x3 convolution with TensorFlow's 'same' padding (extra padding after, for stride 2 on even sizes)."""

    def __init__(self, cin, cout, stride, sn):
        super().__init__()
        self.stride = stride
        conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=0, bias=False)
        self.conv = nn.utils.spectral_norm(conv) if sn else conv

    def forward(self, x):
        h = x.shape[-1]
        out = (h + self.stride - 1) // self.stride
        total = max((out - 1) * self.stride + 3 - h, 0)
        before = total // 2
        return self.conv(F.pad(x, (before, total - before, before, total - before)))


class Discriminator(nn.Module):
    def __init__(self, size=64, width=64, sn=True):
        super().__init__()
        layers = [SameConv(1, width, 1, sn), nn.LeakyReLU(0.2)]
        prev = width
        for mult, stride in [(1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)]:
            cout = width * mult
            layers += [SameConv(prev, cout, stride, sn), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
            prev = cout
        self.features = nn.Sequential(*layers)
        lin1, lin2 = nn.Linear(8 * width * (size // 16) ** 2, 1024), nn.Linear(1024, 1)
        if sn:
            lin1, lin2 = nn.utils.spectral_norm(lin1), nn.utils.spectral_norm(lin2)
        self.head = nn.Sequential(nn.Flatten(), lin1, nn.LeakyReLU(0.2), lin2, nn.Sigmoid())

    def forward(self, x):
        return self.head(self.features(x))


def slices(block):
    """[1,1,b,b,b] (z,y,x) -> [3b,1,b,b]: sagittal (x; rows y, cols z), coronal (y; rows x, cols z), axial (z; rows x, cols y)."""
    v = block[0, 0]
    return torch.cat([v.permute(2, 1, 0), v.permute(1, 2, 0), v.permute(0, 2, 1)], 0).unsqueeze(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--filters", type=int, default=16)
    p.add_argument("--levels", type=int, default=5)
    p.add_argument("--block", type=int, default=64)
    p.add_argument("--d-epochs", type=int, default=3)
    p.add_argument("--d-batch", type=int, default=10)
    p.add_argument("--d-filters", type=int, default=64)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    s = a.block
    g, d = UNet3d(11, 1, a.filters, a.levels), Discriminator(s, a.d_filters)
    opt_g, opt_d = torch.optim.Adam(g.parameters(), lr=1e-4), torch.optim.Adam(d.parameters(), lr=3e-4)
    x = torch.randn(1, 11, s, s, s)
    target = torch.randn(1, 1, s, s, s)
    mask = (torch.rand(1, 1, s, s, s) > 0.1).float()
    times = []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        with torch.no_grad():
            fake = slices(g(x) * mask)
        real = slices(target)
        both = torch.cat([fake, real], 0)
        labels = torch.cat([torch.zeros(fake.shape[0], 1), torch.ones(real.shape[0], 1)], 0)
        for _ in range(a.d_epochs):
            perm = torch.randperm(both.shape[0])
            for j in range(0, both.shape[0], a.d_batch):
                sel = perm[j:j + a.d_batch]
                if len(sel) < 2:
                    continue
                opt_d.zero_grad()
                loss_d = F.binary_cross_entropy(d(both[sel]), labels[sel])
                loss_d.backward()
                opt_d.step()
        for q in d.parameters():
            q.requires_grad_(False)
        opt_g.zero_grad()
        y = g(x)
        l1 = (y * mask - target * mask).abs().mean()
        pr = d(slices(y * mask))
        loss = l1 + 1e-3 * F.binary_cross_entropy(pr, torch.ones_like(pr))
        loss.backward()
        opt_g.step()
        for q in d.parameters():
            q.requires_grad_(True)
        loss.item()
        dt = time.perf_counter() - t0
        if i > 0:
            times.append(dt)
    med = statistics.median(times)
    print(json.dumps({
        "engine": "pytorch " + torch.__version__, "threads": a.threads, "filters": a.filters, "block": s,
        "levels": a.levels, "mode": "gan", "d_filters": a.d_filters, "d_epochs": a.d_epochs, "d_batch": a.d_batch, "steps": a.steps,
        "median_s": med, "min_s": min(times),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, "times_s": times}))


if __name__ == "__main__":
    main()
