#!/usr/bin/python3
"""Golden files for the hybrid GAN's spectral normalization and discriminator (SpectralNormTest, DiscriminatorParityTest).

Run with Debian's python3-torch (CPU):  /usr/bin/python3 make_gan_golden.py
Same conventions as make_golden.py (its safetensors writer is repeated here): float32, fixed seeds.

spectral_norm_conv2d / spectral_norm_linear: a layer with torch.nn.utils.spectral_norm (one power iteration, eps
1e-12): its state dict before the forward, the input, and after one training forward the output, the updated u and v,
and the gradients of a fixed upstream gradient; then an eval forward (no power iteration) with the updated u and v.

discriminator: DeepAnat-J's Discriminator (SRGAN's, Keras 'same' padding) with base filters 8 instead of the paper's 64
to keep the file small (the layers, the 64x64 input and the 4x4 flatten are the paper's): its state dict (with u, v and
running statistics), 2 inputs of 1x64x64, the training-mode output, the gradient of every parameter of
BCE(output, [1, 0]), every buffer after that forward, and an eval-mode output.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_writer import save  # noqa: E402

os.chdir(os.path.dirname(os.path.abspath(__file__)))
torch.manual_seed(2024)


def sn_case(name, layer, x):
    layer = spectral_norm(layer)
    state = {k: v.clone() for k, v in layer.state_dict().items()}
    x = x.clone().requires_grad_(True)
    layer.train()
    y = layer(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    out = {"param." + k: v for k, v in state.items()}
    out.update({"x": x, "y": y, "gy": gy, "dx": x.grad, "u1": layer.weight_u, "v1": layer.weight_v})
    out.update({"grad." + k: p.grad for k, p in layer.named_parameters()})
    layer.eval()
    with torch.no_grad():
        out["y_eval"] = layer(x)
    save(name, out)


sn_case("spectral_norm_conv2d", nn.Conv2d(3, 5, 3, padding=1, bias=True), torch.randn(2, 3, 6, 7))
sn_case("spectral_norm_linear", nn.Linear(6, 4), torch.randn(3, 6))


class Block(nn.Module):
    """3x3 conv (no bias, Keras 'same') -> BatchNorm2d -> LeakyReLU(0.2)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.stride = stride
        # 'same' with stride 1 pads 1 on each side; with stride 2 on an even size 0 before and 1 after (F.pad below).
        self.conv = spectral_norm(nn.Conv2d(cin, cout, 3, stride=stride, padding=1 if stride == 1 else 0, bias=False))
        self.bn = nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5)

    def forward(self, x):
        if self.stride == 2:
            x = F.pad(x, (0, 1, 0, 1))
        return F.leaky_relu(self.bn(self.conv(x)), 0.2)


class Discriminator(nn.Module):
    """DeepAnat-J's Discriminator with its parameter names: conv0, blocks.0-6.{conv,bn}, fc0, fc1."""

    def __init__(self, f, size):
        super().__init__()
        self.conv0 = spectral_norm(nn.Conv2d(1, f, 3, padding=1, bias=False))
        spec = [(1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2)]
        blocks, prev = [], f
        for m, s in spec:
            blocks.append(Block(prev, f * m, s))
            prev = f * m
        self.blocks = nn.ModuleList(blocks)
        side = size // 16
        self.fc0 = spectral_norm(nn.Linear(prev * side * side, 16 * f))
        self.fc1 = spectral_norm(nn.Linear(16 * f, 1))

    def forward(self, x):
        h = F.leaky_relu(self.conv0(x), 0.2)
        for b in self.blocks:
            h = b(h)
        h = F.leaky_relu(self.fc0(torch.flatten(h, 1)), 0.2)
        return torch.sigmoid(self.fc1(h))


def init_normal(m):
    # Before spectral_norm's hooks exist weight is the parameter; after, weight_orig.
    for name, p in m.named_parameters():
        if name.endswith("weight_orig"):
            nn.init.normal_(p, 0.0, 0.02)
        elif name.endswith("bias") and ".bn." not in name:
            nn.init.zeros_(p)
        elif ".bn." in name:  # non-trivial affine parameters, to test their gradients and use
            with torch.no_grad():
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.1 * torch.randn_like(p))


F_BASE, SIZE = 8, 64
net = Discriminator(F_BASE, SIZE)
init_normal(net)
# spectral_norm computed `weight` from the old weight_orig at hook time; the u, v drawn then stay valid unit vectors.
state = {k: v.clone() for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
x = torch.randn(2, 1, SIZE, SIZE)
target = torch.tensor([[1.0], [0.0]])
net.train()
y = net(x)
loss = F.binary_cross_entropy(y, target)
loss.backward()
out = {"param." + k: v for k, v in state.items()}
out.update({"x": x, "target": target, "y": y, "loss": loss.reshape(1)})
out.update({"grad." + k: p.grad for k, p in net.named_parameters()})
out.update({"after." + k: b for k, b in net.named_buffers() if not k.endswith("num_batches_tracked")})
net.eval()
with torch.no_grad():
    out["y_eval"] = net(x)
save("discriminator", out, {"config": json.dumps({"imageSize": SIZE, "baseFilters": F_BASE, "spectralNorm": True})})
print("torch", torch.__version__, "GAN golden files written", file=sys.stderr)
