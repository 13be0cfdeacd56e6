#!/usr/bin/python3
"""Load a DeepAnat-J checkpoint into PyTorch tensors without the safetensors package (Debian ships none).

    /usr/bin/python3 scripts/safetensors_to_torch.py demo-out/unet.safetensors [out.pt]

Prints each tensor's name, shape and sum plus the metadata; with a second argument saves the state dict with
torch.save. With the `safetensors` package installed, safetensors.torch.load_file reads the same file.
"""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2"}


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


if __name__ == "__main__":
    tensors, meta = load(sys.argv[1])
    for k, v in tensors.items():
        print(f"{k:40s} {str(list(v.shape)):22s} sum={v.double().sum().item():.6g}")
    print("metadata:", json.dumps(meta))
    if len(sys.argv) > 2:
        torch.save(tensors, sys.argv[2])
