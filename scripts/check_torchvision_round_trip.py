#!/usr/bin/env python3
"""End-to-end check of `maskrcnn convert` against torchvision itself (not part of the test suite: needs Python).

    /usr/bin/python3 scripts/check_torchvision_round_trip.py src/MaskRcnn.Cli/bin/Release/net10.0/maskrcnn

Writes a randomly initialised torchvision 0.14 maskrcnn_resnet50_fpn state dict as safetensors (~170 MB, in a
temporary folder), converts it to our names and back to torchvision's with the given maskrcnn executable, then
checks that every value came back bit for bit and that the file loads with strict=True into torchvision's model
built with BatchNorm2d (weights=None) and with FrozenBatchNorm2d (as for pretrained weights).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import torch
from torchvision.models import resnet50
from torchvision.models.detection import maskrcnn_resnet50_fpn
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection.mask_rcnn import MaskRCNN
from torchvision.ops import misc

sys.path.insert(0, os.path.dirname(__file__))
from pth_to_safetensors import DTYPES, save_safetensors  # noqa: E402

TORCH_DTYPE = {name: dtype for dtype, name in DTYPES}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = TORCH_DTYPE[info["dtype"]]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.zeros(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    exe = argv[1]
    torch.manual_seed(0)
    original = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).state_dict()
    for name, t in original.items():  # distinct statistics, so that a mix-up shows
        if name.endswith(("running_mean", "running_var")):
            t.uniform_(0.5, 1.5)
    with tempfile.TemporaryDirectory() as tmp:
        tv, ours, back = (os.path.join(tmp, n) for n in ("tv.safetensors", "ours.safetensors", "back.safetensors"))
        save_safetensors(tv, original, {"format": "pt"})
        for args in (["--input", tv, "--output", ours], ["--to", "torchvision", "--input", ours, "--output", back]):
            subprocess.run([exe, "convert", *args], check=True, stdout=subprocess.DEVNULL)
        returned = load_safetensors(back)
    assert set(returned) == set(original), sorted(set(returned) ^ set(original))
    for name, t in original.items():
        if name.endswith("num_batches_tracked"):
            assert returned[name].dtype == torch.int64 and returned[name].item() == 0, name
        else:
            assert returned[name].dtype == t.dtype and torch.equal(returned[name], t), name
    print(f"{len(original)} tensors came back bit for bit")
    print("BatchNorm2d model, strict:", maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).load_state_dict(returned, strict=True))
    frozen = MaskRCNN(_resnet_fpn_extractor(resnet50(norm_layer=misc.FrozenBatchNorm2d), 3), num_classes=91)
    print("FrozenBatchNorm2d model, strict:", frozen.load_state_dict(dict(returned), strict=True))


if __name__ == "__main__":
    main(sys.argv)
