#!/usr/bin/env python3
"""Turn a PyTorch checkpoint (.pth) into a .safetensors file, without the safetensors package.

    python3 scripts/pth_to_safetensors.py model_final.pth model_final.safetensors [--trust]

Reads maskrcnn-benchmark checkpoints ({"model": state_dict, "optimizer": ..., "iteration": ...}), torchvision
weights (a bare state dict) and {"state_dict": ...} files; only the model's tensors are written (names as they
are, including a DataParallel "module." prefix, which `maskrcnn convert` removes). The file is laid out as the
reference safetensors writer lays it out (tensors by descending dtype alignment then name, compact JSON header
padded with spaces to 8 bytes) and written atomically. Needs only torch (and numpy, which torch brings).

A .pth is a pickle, and unpickling can run code. The file is read with torch's safe loader (weights_only=True:
tensors and plain containers only); a file it refuses, or a torch too old to have it, is refused unless --trust
is given, which unpickles fully: pass it only for files whose source you trust. (torch 1.13's safe loader also
refuses floats, which maskrcnn-benchmark checkpoints hold in their optimizer state; torch 2 reads them.)
"""
import inspect
import pickle
import json
import os
import struct
import sys

import torch

# safetensors dtype names, in the reference implementation's writing order (descending alignment).
DTYPES = [
    (torch.int64, "I64"), (torch.float64, "F64"), (torch.float32, "F32"), (torch.int32, "I32"),
    (torch.bfloat16, "BF16"), (torch.float16, "F16"), (torch.int16, "I16"), (torch.int8, "I8"),
    (torch.uint8, "U8"), (torch.bool, "BOOL"),
]
RANK = {dtype: i for i, (dtype, _) in enumerate(DTYPES)}
NAME = dict(DTYPES)


def tensor_bytes(t):
    flat = t.detach().cpu().contiguous().reshape(-1)
    if flat.dtype == torch.bfloat16:  # numpy has no bfloat16; the bits are what matter
        flat = flat.view(torch.int16)
    return flat.numpy().tobytes()


def save_safetensors(path, tensors, metadata=None):
    """Write {name: tensor} (and {str: str} metadata) as safetensors."""
    for name, t in tensors.items():
        if t.dtype not in RANK:
            raise SystemExit(f"{path}: tensor '{name}': safetensors has no dtype for {t.dtype}")
    order = sorted(tensors, key=lambda n: (RANK[tensors[n].dtype], n))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    for name in order:
        data = tensor_bytes(tensors[name])
        header[name] = {"dtype": NAME[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)
    os.replace(temp, path)


def state_dict_of(checkpoint):
    """The model's state dict inside a checkpoint, and what was left out."""
    for key in ("model", "state_dict"):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            skipped = [k for k in checkpoint if k != key]
            return checkpoint[key], [f"top-level '{k}'" for k in skipped]
    if isinstance(checkpoint, dict):
        return checkpoint, []
    raise SystemExit(f"not a state dict or checkpoint: {type(checkpoint).__name__}")


def load(source, trust):
    """The unpickled checkpoint: with torch's safe loader unless trusted."""
    has_safe_loader = "weights_only" in inspect.signature(torch.load).parameters
    if trust:
        return torch.load(source, map_location="cpu", **({"weights_only": False} if has_safe_loader else {}))
    if not has_safe_loader:
        raise SystemExit(f"{source}: torch {torch.__version__} has no safe loader (weights_only, torch 1.13 and later), and unpickling "
                         "a .pth can run code; use a newer torch, or pass --trust if you trust where the file came from")
    try:
        return torch.load(source, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        why = str(e).split("WeightsUnpickler error:")[-1].strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SystemExit(f"{source}: torch's safe loader (weights_only) refused it ({why}): it holds Python objects that unpickling "
                         f"could run as code, or values this torch ({torch.__version__}) cannot read safely (1.13 refuses floats, which "
                         "maskrcnn-benchmark checkpoints hold; torch 2 reads them); pass --trust if you trust where the file came from")


def main(argv):
    args = [a for a in argv[1:] if a != "--trust"]
    if len(args) != 2:
        raise SystemExit(__doc__)
    source, target = args
    checkpoint = load(source, trust="--trust" in argv[1:])
    state, skipped = state_dict_of(checkpoint)
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    skipped += [f"'{k}' (not a tensor)" for k, v in state.items() if not isinstance(v, torch.Tensor)]
    save_safetensors(target, tensors, {"format": "pt"})
    print(f"wrote {len(tensors)} tensors to {target}" + (f"; left out {', '.join(skipped)}" if skipped else ""))


if __name__ == "__main__":
    main(sys.argv)
