#!/usr/bin/python3
"""Writes torchvision's resnet50 state dict (random init, 25.6 M parameters, 102 MB) in every weight-file format this
tool reads, then times Python reading each; scripts/bench_weight_files.sh times ours on the same files.

    /usr/bin/python3 scripts/bench_weight_files.py --dir DIR [--reps 5] [--json FILE]

Cases: torch.load of the zip and the legacy .pth (weights_only=True, torch's safe loader), pickle.load of the numpy
.pkl (protocol 4, detectron2's layout) and of a Python 2 style one (Detectron's), safetensors read by
pth_to_safetensors.py's format (no safetensors package on Debian 12: read with torch.frombuffer).
"""
import argparse
import json
import os
import pickle
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from bench_torchvision_ops import time_case  # noqa: E402
import make_weight_file_fixtures as fixtures  # noqa: E402
import pth_to_safetensors  # noqa: E402

FILES = {
    "zip .pth": "resnet50_zip.pth",
    "legacy .pth": "resnet50_legacy.pth",
    "numpy .pkl (protocol 4)": "resnet50_p4.pkl",
    "numpy .pkl (Python 2 style)": "resnet50_py2.pkl",
    "safetensors": "resnet50.safetensors",
}


def case_name(kind):
    return f"read resnet50 weights, {kind}"


def write(directory):
    torch.manual_seed(0)
    sd = torchvision.models.resnet50().state_dict()
    torch.save(sd, os.path.join(directory, FILES["zip .pth"]))
    torch.save(sd, os.path.join(directory, FILES["legacy .pth"]), _use_new_zipfile_serialization=False)
    arrays = {k: v.numpy() for k, v in sd.items()}
    with open(os.path.join(directory, FILES["numpy .pkl (protocol 4)"]), "wb") as f:
        pickle.dump({"model": arrays}, f, protocol=4)
    fixtures.py2_pickle({"blobs": arrays}, os.path.join(directory, FILES["numpy .pkl (Python 2 style)"]))
    pth_to_safetensors.save_safetensors(os.path.join(directory, FILES["safetensors"]), sd)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": torch.float32, "I64": torch.int64}[info["dtype"]]
        out[name] = torch.frombuffer(bytearray(data[8 + n + begin:8 + n + end]), dtype=dtype).reshape(info["shape"])
    return out


def readers(directory):
    path = {k: os.path.join(directory, v) for k, v in FILES.items()}

    def load_pickle(p, **kw):
        with open(p, "rb") as f:
            return pickle.load(f, **kw)
    return [
        ("zip .pth", lambda: torch.load(path["zip .pth"], weights_only=True)),
        ("legacy .pth", lambda: torch.load(path["legacy .pth"], weights_only=True)),
        ("numpy .pkl (protocol 4)", lambda: load_pickle(path["numpy .pkl (protocol 4)"])),
        ("numpy .pkl (Python 2 style)", lambda: load_pickle(path["numpy .pkl (Python 2 style)"], encoding="latin1")),
        ("safetensors", lambda: read_safetensors(path["safetensors"])),
    ]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--json")
    a = p.parse_args()
    write(a.dir)
    print(f"{a.reps} repetitions after 1 warm-up, torch {torch.__version__}")
    results = []
    for kind, fn in readers(a.dir):
        r = time_case(case_name(kind), fn, a.reps)
        results.append(r)
        print(f"{r['Name']:<58} median {r['MedianMs']:10.2f} ms", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
