#!/usr/bin/python3
"""Deterministic stand-in weights that the C# tests compute the same way (tests/MaskRcnn.Tests/Modeling/ReferenceWeights.cs),
so parity tests against torchvision need no committed weights.

Every state-dict tensor is filled from its torchvision key: h = FNV-1a 32-bit of the UTF-8 key; element i (row-major)
gets u = ((i * 2654435761 + h) mod 2^32) / 2^32, then by key suffix
  running_mean: (2u - 1) * 0.1      running_var: 0.5 + u      bias: (2u - 1) * 0.1
  1-D weight (norm scale): 0.5 + 0.5u      >= 2-D weight: (2u - 1) * sqrt(6 / fan_in), fan_in = shape[1] * prod(shape[2:])
computed in double, stored as float32. num_batches_tracked is left alone.
"""
import math

import numpy as np
import torch

GOLDEN = 2654435761


def fnv1a32(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def uniform(key, n):
    """u in [0, 1) for elements 0..n-1 of the tensor named key (float64)."""
    i = np.arange(n, dtype=np.uint64)
    return ((i * np.uint64(GOLDEN) + np.uint64(fnv1a32(key))) & np.uint64(0xFFFFFFFF)).astype(np.float64) / 2.0 ** 32


def values(key, shape):
    """The float32 tensor of this key and shape, or None for keys the rule leaves alone."""
    if key.endswith("num_batches_tracked"):
        return None
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if key.endswith("running_mean"):
        v = (2 * u - 1) * 0.1
    elif key.endswith("running_var"):
        v = 0.5 + u
    elif key.endswith("bias"):
        v = (2 * u - 1) * 0.1
    elif key.endswith("weight") and len(shape) == 1:
        v = 0.5 + 0.5 * u
    elif key.endswith("weight"):
        fan_in = shape[1] * int(np.prod(shape[2:]))
        v = (2 * u - 1) * math.sqrt(6.0 / fan_in)
    else:
        raise ValueError(f"no reference-weight rule for {key}")
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill(module):
    """Overwrites every parameter and buffer of the module with the rule, by its state-dict key."""
    with torch.no_grad():
        for key, t in module.state_dict().items():
            v = values(key, tuple(t.shape))
            if v is not None:
                t.copy_(v)


def image(key, shape, scale=1.0):
    """A deterministic input: (2u - 1) * scale, float32."""
    n = int(np.prod(shape))
    return torch.from_numpy(((2 * uniform(key, n) - 1) * scale).astype(np.float32).reshape(shape))
