#!/usr/bin/python3
"""Golden files for DeepAnat-J's PyTorch parity tests (TorchParityTest).

Run with Debian's python3-torch (CPU, oneDNN):  /usr/bin/python3 make_golden.py
Each case is one .safetensors file holding the inputs, the upstream gradient and PyTorch's outputs and gradients,
all float32. Debian ships no python3-safetensors, so the file is written by the small writer below, which follows
the format's specification (8-byte little-endian header length, JSON header, raw little-endian data).
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_writer import save  # noqa: E402

torch.manual_seed(1234)
np.random.seed(1234)


def leaf(*shape, lo=None, hi=None):
    t = torch.randn(*shape) if lo is None else torch.rand(*shape) * (hi - lo) + lo
    return t.requires_grad_(True)


def conv_case(name, dims, x_shape, w_shape, stride, padding, pre_pad=None):
    x, w, b = leaf(*x_shape), leaf(*w_shape), leaf(w_shape[0])
    conv = F.conv3d if dims == 3 else F.conv2d
    xin = F.pad(x, pre_pad) if pre_pad else x
    y = conv(xin, w, b, stride=stride, padding=padding)
    gy = torch.randn_like(y)
    y.backward(gy)
    save(name, {"x": x, "w": w, "b": b, "y": y, "gy": gy, "dx": x.grad, "dw": w.grad, "db": b.grad},
         {"stride": stride, "padding": "same" if pre_pad else padding})


conv_case("conv3d_s1", 3, (2, 3, 6, 7, 5), (4, 3, 3, 3, 3), 1, 1)
conv_case("conv2d_s1", 2, (2, 3, 9, 8), (5, 3, 3, 3), 1, 1)
conv_case("conv2d_s2", 2, (2, 3, 9, 8), (5, 3, 3, 3), 2, 1)
# TensorFlow/Keras 'same' with stride 2 on an even size pads 0 before and 1 after.
conv_case("conv2d_s2_same", 2, (2, 3, 8, 10), (4, 3, 3, 3), 2, 0, pre_pad=(0, 1, 0, 1))

for dims in (2, 3):
    shape = (4, 3, 5, 6) if dims == 2 else (3, 3, 4, 5, 3)
    bn = (torch.nn.BatchNorm2d if dims == 2 else torch.nn.BatchNorm3d)(3, momentum=0.1, eps=1e-5)
    with torch.no_grad():
        bn.weight.copy_(torch.rand(3) + 0.5)
        bn.bias.copy_(torch.randn(3))
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(torch.rand(3) + 0.5)
    state = {k: v.clone() for k, v in bn.state_dict().items()}
    x = leaf(*shape) * 2 + 1
    x.retain_grad()
    bn.train()
    y = bn(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    out = {"x": x, "gamma": state["weight"], "beta": state["bias"], "rm0": state["running_mean"],
           "rv0": state["running_var"], "y": y, "gy": gy, "dx": x.grad, "dgamma": bn.weight.grad,
           "dbeta": bn.bias.grad, "rm1": bn.running_mean, "rv1": bn.running_var}
    bn.eval()
    out["y_eval"] = bn(x)
    save(f"batchnorm{dims}d", out, {"momentum": 0.1, "eps": 1e-5})

x = leaf(2, 3, 6, 6, 5)
y = F.max_pool3d(x, 2)
gy = torch.randn_like(y)
y.backward(gy)
save("maxpool3d", {"x": x, "y": y, "gy": gy, "dx": x.grad})

x = leaf(2, 3, 7, 8)
y = F.max_pool2d(x, 2, 2)
gy = torch.randn_like(y)
y.backward(gy)
save("maxpool2d", {"x": x, "y": y, "gy": gy, "dx": x.grad})

x = leaf(2, 3, 3, 4, 2)
y = F.interpolate(x, scale_factor=2, mode="nearest")
gy = torch.randn_like(y)
y.backward(gy)
save("upsample3d", {"x": x, "y": y, "gy": gy, "dx": x.grad})

p = leaf(4, 1, 5, 6, lo=0.02, hi=0.98)
t = (torch.rand(4, 1, 5, 6) > 0.5).float()
t[0] = 0.3  # soft labels too
loss = F.binary_cross_entropy(p, t)
loss.backward()
save("bce", {"p": p, "t": t, "loss": loss.reshape(1), "dp": p.grad})

z = leaf(4, 1, 5, 6)
z.data *= 6
loss = F.binary_cross_entropy_with_logits(z, t)
loss.backward()
save("bce_logits", {"z": z, "t": t, "loss": loss.reshape(1), "dz": z.grad})

pred, target = leaf(2, 1, 4, 5, 6), torch.randn(2, 1, 4, 5, 6)
mask = (torch.rand(2, 1, 4, 5, 6) > 0.3).float()
loss = torch.mean(torch.abs(pred * mask - target * mask))  # DeepAnat's masked L1 (Keras original)
loss.backward()
l1_grad = pred.grad.clone()
pred.grad = None
loss2 = torch.mean(torch.square(pred * mask - target * mask))
loss2.backward()
save("masked_loss", {"pred": pred, "target": target, "mask": mask, "l1": loss.reshape(1), "dpred_l1": l1_grad,
                     "l2": loss2.reshape(1), "dpred_l2": pred.grad})

p0 = torch.randn(7, 5)
g1, g2 = torch.randn(7, 5), torch.randn(7, 5)
p = p0.clone().requires_grad_(True)
opt = torch.optim.Adam([p], lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
p.grad = g1.clone()
opt.step()
p_after1 = p.detach().clone()
p.grad = g2.clone()
opt.step()
save("adam", {"p0": p0, "g1": g1, "g2": g2, "p1": p_after1, "p2": p.detach()}, {"lr": 1e-3})

a, b, bias = leaf(6, 4), leaf(3, 4), leaf(3)
y = F.linear(a, b, bias)
gy = torch.randn_like(y)
y.backward(gy)
save("linear", {"x": a, "w": b, "b": bias, "y": y, "gy": gy, "dx": a.grad, "dw": b.grad, "db": bias.grad})

# A state dict as PyTorch lays it out, for the checkpoint reader (conv weight [out, in, kd, kh, kw]).
m = torch.nn.Conv3d(2, 3, 3)
save("checkpoint_conv3d", {"weight": m.weight, "bias": m.bias}, {"config": json.dumps({"in": 2, "out": 3, "k": 3})})

class ConvRelu(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = torch.nn.Conv3d(i, o, 3, padding=1)

    def forward(self, x):
        return F.relu(self.conv(x))


class UNet(torch.nn.Module):
    """DeepAnat's U-Net (skip first in the concatenation, a final 3x3x3 conv) with DeepAnat-J's parameter names."""

    def __init__(self, cin, f, levels):
        super().__init__()
        self.levels = levels
        prev = cin
        for l in range(levels):
            setattr(self, f"enc{l}", torch.nn.Sequential(ConvRelu(prev, f << l), ConvRelu(f << l, f << l)))
            prev = f << l
        for l in range(levels - 2, -1, -1):
            setattr(self, f"dec{l}", torch.nn.Sequential(ConvRelu(prev + (f << l), f << l), ConvRelu(f << l, f << l)))
            prev = f << l
        self.out = torch.nn.Conv3d(prev, 1, 3, padding=1)

    def forward(self, x):
        skips = []
        for l in range(self.levels):
            if l:
                x = F.max_pool3d(x, 2)
            x = getattr(self, f"enc{l}")(x)
            skips.append(x)
        for l in range(self.levels - 2, -1, -1):
            x = torch.cat([skips[l], F.interpolate(x, scale_factor=2, mode="nearest")], 1)
            x = getattr(self, f"dec{l}")(x)
        return self.out(x)


net = UNet(3, 4, 3)
x = torch.randn(1, 3, 8, 8, 8)
y = net(x)
gy = torch.randn_like(y)
y.backward(gy)
tensors = {"param." + k: v for k, v in net.state_dict().items()}
tensors.update({"x": x, "y": y, "gy": gy})
tensors.update({"grad." + k: p.grad for k, p in net.named_parameters()})
save("unet3d", tensors, {"config": json.dumps({"inChannels": 3, "outChannels": 1, "baseFilters": 4, "levels": 3, "batchNorm": False})})
print("torch", torch.__version__, "golden files written", file=sys.stderr)
